"""The upgrade plan: what the change needs to reach the running VMs, and the commands that do it.

The overall impact is the highest over the findings; the steps depend on the upgrade mode, because the
same model change is a manual `update-instances` on a Manual set, a platform-driven rollout in batches on
a Rolling set and an everything-at-once restart on an Automatic one. With an instance list
(`--instances`) the plan names real instances: those already stale, those protected, and those a
scale-in will most likely delete; commands then list real instance ids instead of `*`.

Sentences go to `summary`, `notes` and each step's `detail` (what the text format prints); the same facts
are carried as data (`rolling`, `staleInstances`, `protectedInstances`, `scaleInCandidates`) for JSON.
"""

from __future__ import annotations

from typing import Any

from vmss_lint.core.findings import Finding, Impact, Severity, max_impact
from vmss_lint.core.instances import id_key
from vmss_lint.core.model import ScaleSetModel, split_pointer
from vmss_lint.plan.commands import Target
from vmss_lint.plan.facts import (
    PlanFacts,
    aosu_enabled,
    ephemeral_os,
    instance_notes,
    instances_for,
    policy_notes,
    rolling_policy,
    rolling_text,
    scale_notes,
)
from vmss_lint.plan.replace import replace_steps, surge_replaces
from vmss_lint.plan.steps import reimage_steps, summary, update_step
from vmss_lint.report.document import PlanStep, ProtectedInstance, RollingPlan, UpgradePlan

_MODES = {"manual": "Manual", "rolling": "Rolling", "automatic": "Automatic"}


def build_plan(
    current: ScaleSetModel,
    proposed: ScaleSetModel,
    findings: list[Finding],
    *,
    instances: list[dict[str, Any]] | None = None,
    impact: Impact | None = None,
    api_version: str | None = None,
) -> UpgradePlan:
    """The plan for one scale set; `impact` overrides the findings' maximum (e.g. model-only).

    `api_version` is the version the run judged by; the REST commands use it.
    """
    impact = max_impact([f.impact for f in findings]) if impact is None else impact
    raw_mode = proposed.get("/properties/upgradePolicy/mode") or current.get("/properties/upgradePolicy/mode")
    mode = _MODES.get(str(raw_mode).lower(), "Manual") if isinstance(raw_mode, str) else "Manual"
    orchestration = proposed.get("/properties/orchestrationMode") or current.get(
        "/properties/orchestrationMode"
    )
    flexible = str(orchestration).lower() == "flexible"
    target = Target(current, proposed, api_version, flexible=flexible)
    known, mismatch = instances_for(instances, target.name)
    facts = PlanFacts(
        current,
        proposed,
        mode,
        flexible,
        target,
        known,
    )
    rolling = rolling_policy(facts) if mode == "Rolling" or aosu_enabled(facts) else None
    steps: list[PlanStep] = []
    notes: list[str] = [mismatch] if mismatch else []
    errors = [f for f in findings if f.severity == Severity.ERROR]
    blocked = bool(errors) or impact == Impact.RECREATE
    if proposed.replacement is not None:
        summary = (
            "The deployment replaces the scale set: it deletes it with every VM, then creates it anew from the "
            "proposed model (new instances, new disks; private IPs may change). Drain the traffic first, or "
            "avoid the replacement where VMSS008 says Azure would accept the change in place."
        )
    elif blocked:
        if any(f.impact == Impact.RECREATE for f in errors):
            summary = (
                "Azure rejects this change, and with it the whole update: nothing in it is applied. Keep the "
                "current value of the rejected properties, or create a new scale set with the new values, move "
                "the traffic to it (load balancer or Application Gateway backend pool), then delete the old one."
            )
        elif errors:
            summary = (
                "Azure rejects this request as written, and with it the whole update: correct the proposed model "
                "as the errors say, then check it again before deploying."
            )
        else:
            summary = (
                "Azure may reject this change: the sources are not conclusive for the properties below. Try the "
                "update in a test subscription first; if it is rejected, keep the current values or create a new "
                "scale set."
            )
        for f in findings:
            if f.severity == Severity.ERROR:
                notes.append(f"Rejected: {f.pointer or '/'} ({f.rule} {f.name}).")
            elif f.impact == Impact.RECREATE:
                notes.append(
                    f"May be rejected: {f.pointer or '/'} ({f.rule} {f.name}, {f.confidence} confidence)."
                )
    elif impact.rank < Impact.UPDATE_INSTANCES.rank:
        summary = {
            Impact.NONE: "Nothing effective changes: nothing to roll out.",
            Impact.MODEL_ONLY: "Scale-set level change: nothing to roll out to the VMs.",
            Impact.SCALE: "The instance count changes; no existing VM needs an upgrade.",
        }[impact]
    else:
        summary, steps = _rollout(facts, findings, impact, rolling)
    if not blocked:
        notes += instance_notes(facts)
    scale_policy, candidates, more = scale_notes(facts)
    notes += more + policy_notes(facts, findings, rolling, impact)
    return UpgradePlan(
        impact=impact,
        upgrade_mode=mode,
        summary=summary,
        steps=steps,
        notes=notes,
        rolling=rolling,
        instance_count=len(facts.instances) if facts.instances is not None else None,
        stale_instances=facts.keys([i for i in facts.instances if i.latest_model_applied is False])
        if facts.instances is not None
        else None,
        protected_instances=[
            ProtectedInstance(
                instance_id=i.key(facts.flexible),
                protect_from_scale_in=i.protect_from_scale_in,
                protect_from_scale_set_actions=i.protect_from_scale_set_actions,
            )
            for i in sorted(facts.instances, key=lambda i: id_key(i.key(facts.flexible)))
            if i.protect_from_scale_in or i.protect_from_scale_set_actions
        ]
        if facts.instances is not None
        else None,
        scale_in_policy=scale_policy,
        scale_in_candidates=candidates,
    )


def _rollout(
    facts: PlanFacts, findings: list[Finding], impact: Impact, rolling: RollingPlan | None
) -> tuple[str, list[PlanStep]]:
    """Summary and ordered steps for a change that has to reach the VMs."""
    t, ids, mode = facts.target, facts.targets, facts.mode
    reimage = sorted({_leaf(f.pointer) for f in findings if f.impact == Impact.REIMAGE})
    steps: list[PlanStep] = []
    why = sorted({_leaf(f.pointer) for f in findings if f.impact == Impact.DEALLOCATE})
    if impact == Impact.DEALLOCATE and (surge_replaces(facts, rolling) or ephemeral_os(facts)):
        steps += replace_steps(facts, why, rolling)
    elif impact == Impact.DEALLOCATE:
        before = (
            "Do it before you deploy: otherwise the platform starts upgrading running instances at once "
            "and can fail on allocation. "
            if mode != "Manual"
            else ""
        )
        steps.append(
            PlanStep(
                action="deallocate",
                title="Deallocate the instances",
                detail=f"{before}Needed for: {', '.join(why)}. Every listed instance stops (downtime) and "
                "releases its hardware.",
                commands=t.command("deallocate", ids),
                instance_ids=ids,
            )
        )
        steps.append(
            PlanStep(action="deploy", title="Deploy the proposed model (PUT/PATCH of the scale set)")
        )
        steps.append(update_step(facts, "Apply the new model to the deallocated instances", running=False))
        steps.append(
            PlanStep(
                action="start",
                title="Start the instances again",
                commands=t.command("start", ids),
                instance_ids=ids,
            )
        )
    elif mode == "Manual":
        steps.append(update_step(facts, "Apply the new model to the instances", running=True))
    elif mode == "Rolling":
        assert rolling is not None
        steps.append(
            PlanStep(
                action="rolling-upgrade",
                title="Deploy the change: the platform upgrades the instances in batches",
                detail=rolling_text(rolling),
                instance_ids=ids,
                batches=rolling.batches,
            )
        )
    else:
        steps.append(
            PlanStep(
                action="automatic-upgrade",
                title="Deploy the change: the platform upgrades every instance, possibly all at once",
                detail="Automatic mode gives no ordering guarantee and may restart all instances at the same "
                "time: plan a maintenance window, or switch the scale set to Rolling (needs a health probe or "
                "the Application Health extension) before this change.",
                instance_ids=ids,
            )
        )
    if mode == "Rolling" and (impact != Impact.DEALLOCATE or surge_replaces(facts, rolling)):
        steps.append(
            PlanStep(
                action="watch",
                title="Watch the rolling upgrade",
                detail="If it stops on a health gate, fix the cause; any later update of the scale-set model "
                "(even one that changes nothing) restarts it. `az vmss rolling-upgrade cancel` stops it.",
                commands=t.command("rolling-status"),
            )
        )
    if reimage:
        steps += reimage_steps(facts, reimage, rolling)
    if not facts.flexible:
        steps.append(
            PlanStep(
                action="verify",
                title="Check that no instance is left on the old model",
                detail="Lists the instances whose latestModelApplied is still false; protected instances stay "
                "on the old model until their protection is lifted.",
                commands=t.command("list-stale"),
            )
        )
    return summary(facts, impact, rolling), steps


def _leaf(pointer: str) -> str:
    """A short readable name for a property: `/properties/.../osProfile/customData` -> `osProfile.customData`."""
    parts = [p for p in split_pointer(pointer) if not p.isdigit() and p != "properties"]
    return ".".join(parts[-2:]) if parts else pointer or "/"
