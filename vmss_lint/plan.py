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

import math
import re
from dataclasses import dataclass
from typing import Any

from vmss_lint.commands import Target
from vmss_lint.errors import InputError
from vmss_lint.findings import Finding, Impact, max_impact
from vmss_lint.instances import Instance, scale_in_candidates, sort_ids
from vmss_lint.model import ScaleSetModel, split_pointer
from vmss_lint.report import PlanStep, ProtectedInstance, RollingPlan, UpgradePlan

_MODES = {"manual": "Manual", "rolling": "Rolling", "automatic": "Automatic"}
_ROLLING = "/properties/upgradePolicy/rollingUpgradePolicy/"
_DURATION = re.compile(
    r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$", re.I
)


@dataclass
class _Facts:
    """Everything the plan reads from the two models and the instance list, computed once."""

    current: ScaleSetModel
    proposed: ScaleSetModel
    mode: str
    flexible: bool
    target: Target
    instances: list[Instance] | None

    def value(self, pointer: str) -> Any:
        """The value Azure holds after the change: proposed when specified, else current."""
        if pointer in self.proposed.removed:
            return None
        value = self.proposed.get(pointer)
        return self.current.get(pointer) if value is None else value

    def keys(self, instances: list[Instance]) -> list[str]:
        return sort_ids([i.key(self.flexible) for i in instances])

    @property
    def targets(self) -> list[str]:
        """Instances scale-set actions reach (ids for the commands); empty when the list is unknown."""
        if self.instances is None:
            return []
        return self.keys([i for i in self.instances if not i.protect_from_scale_set_actions])

    @property
    def protected_actions(self) -> list[str]:
        return self.keys([i for i in self.instances or [] if i.protect_from_scale_set_actions])


def build_plan(
    current: ScaleSetModel,
    proposed: ScaleSetModel,
    findings: list[Finding],
    *,
    instances: list[dict[str, Any]] | None = None,
    impact: Impact | None = None,
) -> UpgradePlan:
    """The plan for one scale set; `impact` overrides the findings' maximum (e.g. model-only)."""
    impact = max_impact([f.impact for f in findings]) if impact is None else impact
    raw_mode = proposed.get("/properties/upgradePolicy/mode") or current.get("/properties/upgradePolicy/mode")
    mode = _MODES.get(str(raw_mode).lower(), "Manual") if isinstance(raw_mode, str) else "Manual"
    target = Target(current, proposed)
    orchestration = proposed.get("/properties/orchestrationMode") or current.get(
        "/properties/orchestrationMode"
    )
    facts = _Facts(
        current,
        proposed,
        mode,
        str(orchestration).lower() == "flexible",
        target,
        _instances(instances, target.name),
    )
    rolling = _rolling(facts) if mode == "Rolling" or _aosu(facts) else None
    steps: list[PlanStep] = []
    notes: list[str] = []
    if impact == Impact.RECREATE:
        summary = (
            "Azure rejects this change, and with it the whole update: nothing in it is applied. Keep the "
            "current value of the rejected properties, or create a new scale set with the new values, move "
            "the traffic to it (load balancer or Application Gateway backend pool), then delete the old one."
        )
        for f in findings:
            if f.impact == Impact.RECREATE:
                notes.append(f"Rejected: {f.pointer or '/'} ({f.rule} {f.name}).")
    elif impact.rank < Impact.UPDATE_INSTANCES.rank:
        summary = {
            Impact.NONE: "Nothing effective changes: nothing to roll out.",
            Impact.MODEL_ONLY: "Scale-set level change: nothing to roll out to the VMs.",
            Impact.SCALE: "The instance count changes; no existing VM needs an upgrade.",
        }[impact]
    else:
        summary, steps = _rollout(facts, findings, impact, rolling)
    notes += _instance_notes(facts)
    scale_policy, candidates, scale_notes = _scale(facts)
    notes += scale_notes + _policy_notes(facts, findings, rolling, impact)
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
            for i in sorted(facts.instances, key=lambda i: sort_ids([i.key(facts.flexible)])[0])
            if i.protect_from_scale_in or i.protect_from_scale_set_actions
        ]
        if facts.instances is not None
        else None,
        scale_in_policy=scale_policy,
        scale_in_candidates=candidates,
    )


def _instances(raw: list[dict[str, Any]] | None, name: str) -> list[Instance] | None:
    if raw is None:
        return None
    out = [Instance.from_dict(d) for d in raw]
    others = sorted({i.scale_set for i in out if i.scale_set and i.scale_set.lower() != name.lower()})
    if others and not name.startswith("<"):
        raise InputError(
            "--instances",
            f"these instances belong to scale set {', '.join(others)}, not {name}",
            hint="pass the instance list of the scale set being checked",
        )
    return out


def _rollout(
    facts: _Facts, findings: list[Finding], impact: Impact, rolling: RollingPlan | None
) -> tuple[str, list[PlanStep]]:
    """Summary and ordered steps for a change that has to reach the VMs."""
    t, ids, mode = facts.target, facts.targets, facts.mode
    reimage = sorted({_leaf(f.pointer) for f in findings if f.impact == Impact.REIMAGE})
    steps: list[PlanStep] = []
    if impact == Impact.DEALLOCATE:
        why = sorted({_leaf(f.pointer) for f in findings if f.impact == Impact.DEALLOCATE})
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
        steps.append(_update_step(facts, "Apply the new model to the deallocated instances", running=False))
        steps.append(
            PlanStep(
                action="start",
                title="Start the instances again",
                commands=t.command("start", ids),
                instance_ids=ids,
            )
        )
    elif mode == "Manual":
        steps.append(_update_step(facts, "Apply the new model to the instances", running=True))
    elif mode == "Rolling":
        assert rolling is not None
        steps.append(
            PlanStep(
                action="rolling-upgrade",
                title="Deploy the change: the platform upgrades the instances in batches",
                detail=_rolling_text(rolling),
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
    if mode == "Rolling" and impact != Impact.DEALLOCATE:
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
        size = (
            f" (no more than {rolling.batch_size} at a time keeps the set serving)"
            if rolling and rolling.batch_size
            else ""
        )
        steps.append(
            PlanStep(
                action="reimage",
                title="Reimage the instances so the change lands in the guest",
                detail=f"{', '.join(reimage)} only take effect when the OS disk is rebuilt; updating the model "
                f"is not enough. Reimage replaces the OS disk (data on it and on the temp disk is lost; data "
                f"disks are kept){size}.",
                commands=t.command("reimage", ids),
                instance_ids=ids,
            )
        )
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
    return _summary(facts, impact, rolling), steps


def _update_step(facts: _Facts, title: str, *, running: bool) -> PlanStep:
    ids = facts.targets
    detail = (
        "Each instance restarts when it gets the new model; to keep serving, run it on a few instances at a "
        "time (a list of ids instead of '*')."
        if running
        else ""
    )
    return PlanStep(
        action="update-instances",
        title=title,
        detail=detail,
        commands=facts.target.command("update-instances", ids),
        instance_ids=ids,
    )


def _summary(facts: _Facts, impact: Impact, rolling: RollingPlan | None) -> str:
    if impact == Impact.DEALLOCATE:
        return (
            f"{facts.mode} upgrade mode, but this change needs the instances deallocated: deallocate, deploy, "
            "update the instances, start them."
        )
    if facts.mode == "Manual":
        return (
            "Manual upgrade mode: nothing reaches the running VMs until you run the steps below; VMs created "
            "by a scale-out get the new model at once, so the fleet is mixed until then."
        )
    if facts.mode == "Rolling":
        assert rolling is not None
        batches = f"in {rolling.batches} batch(es)" if rolling.batches else "in batches"
        return f"Rolling upgrade mode: once deployed, the platform rolls the change out {batches} (rollingUpgradePolicy)."
    return (
        "Automatic upgrade mode: once deployed, the platform upgrades all instances at once, in no particular "
        "order: every instance may restart at the same time."
    )


def _rolling(facts: _Facts) -> RollingPlan:
    def num(name: str, default: int) -> int:
        value = facts.value(_ROLLING + name)
        try:
            return int(value) if value is not None and not isinstance(value, bool) else default
        except (TypeError, ValueError):
            return default

    pause = facts.value(_ROLLING + "pauseTimeBetweenBatches")
    surge = facts.value(_ROLLING + "maxSurge")
    percent = num("maxBatchInstancePercent", 20)
    count: int | None = (
        len(facts.instances) if facts.instances is not None else _capacity(facts.value("/sku/capacity"))
    )
    size = batches = None
    if count:
        size = max(1, math.ceil(count * percent / 100))
        upgradable = count - len(facts.protected_actions)
        batches = math.ceil(upgradable / size) if upgradable > 0 else 0
    return RollingPlan(
        instances=count,
        batch_size=size,
        batches=batches,
        max_batch_instance_percent=percent,
        max_unhealthy_instance_percent=num("maxUnhealthyInstancePercent", 20),
        max_unhealthy_upgraded_instance_percent=num("maxUnhealthyUpgradedInstancePercent", 20),
        pause_time_between_batches=pause if isinstance(pause, str) and pause else "PT0S",
        max_surge=surge is True or str(surge).lower() == "true",
    )


def _rolling_text(r: RollingPlan) -> str:
    if r.batches is not None and r.instances:
        head = (
            f"{r.batches} batch(es) of up to {r.batch_size} instance(s) ({r.max_batch_instance_percent}% of "
            f"{r.instances})"
        )
    else:
        head = f"Batches of {r.max_batch_instance_percent}% of the instances"
    pause = _duration(r.pause_time_between_batches)
    text = (
        f"{head}, {'no pause' if pause is None else pause + ' pause'} between batches. Before each batch the "
        f"upgrade waits while more than {r.max_unhealthy_instance_percent}% of all instances are unhealthy; "
        f"after each batch it stops if more than {r.max_unhealthy_upgraded_instance_percent}% of the upgraded "
        "instances are unhealthy (MaxUnhealthyUpgradedInstancePercentExceededInRollingUpgrade)."
    )
    if r.max_surge:
        text += (
            " maxSurge is on: each batch creates new VMs from the new model and deletes the old ones once the "
            "new ones are up, so the upgraded VMs are new VMs with new instance ids and new IP addresses, and "
            "the upgrade needs spare quota for one extra batch (without it, it falls back to in-place)."
        )
    return text


def _duration(value: str) -> str | None:
    """A readable ISO 8601 duration ("PT1M30S" -> "1 min 30 s"); None for zero or unreadable."""
    m = _DURATION.match(value.strip())
    if not m:
        return None
    parts = [(m.group(k), unit) for k, unit in (("d", "d"), ("h", "h"), ("m", "min"), ("s", "s"))]
    text = " ".join(f"{float(v):g} {unit}" for v, unit in parts if v and float(v))
    return text or None


def _capacity(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _leaf(pointer: str) -> str:
    """A short readable name for a property: `/properties/.../osProfile/customData` -> `osProfile.customData`."""
    parts = [p for p in split_pointer(pointer) if not p.isdigit() and p != "properties"]
    return ".".join(parts[-2:]) if parts else pointer or "/"


def _aosu(facts: _Facts) -> bool:
    value = facts.value("/properties/upgradePolicy/automaticOSUpgradePolicy/enableAutomaticOSUpgrade")
    return value is True or str(value).lower() == "true"


def _instance_notes(facts: _Facts) -> list[str]:
    if facts.instances is None:
        return []
    notes: list[str] = []
    if facts.flexible:
        notes.append("Flexible orchestration: commands take instance (VM) names, not numeric instance ids.")
    stale = facts.keys([i for i in facts.instances if i.latest_model_applied is False])
    if stale:
        notes.append(
            f"Already behind the scale-set model before this change (latestModelApplied false): "
            f"{', '.join(stale)}. Upgrading them also applies every earlier pending model change."
        )
    if facts.protected_actions:
        first = facts.protected_actions[0]
        notes.append(
            f"Protected from scale-set actions: {', '.join(facts.protected_actions)}. Upgrades, reimage and "
            "deallocate from the scale set skip them, so they stay on the old model and the commands leave "
            "them out; to include one, lift the protection first: az vmss update --resource-group "
            f"{facts.target.resource_group} --name {facts.target.name} --instance-id {first} "
            "--protect-from-scale-set-actions false"
        )
    scale_in = facts.keys(
        [i for i in facts.instances if i.protect_from_scale_in and not i.protect_from_scale_set_actions]
    )
    if scale_in:
        notes.append(f"Protected from scale-in: {', '.join(scale_in)}. A scale-in never deletes them.")
    return notes


def _scale(facts: _Facts) -> tuple[str | None, list[str] | None, list[str]]:
    """(scale-in policy, most likely deleted instances, notes) for a capacity change."""
    old = _capacity(facts.current.get("/sku/capacity"))
    new = _capacity(facts.proposed.get("/sku/capacity"))
    if old is None or new is None or old == new:
        return None, None, []
    if new > old:
        behind = (
            " while the existing ones stay on the old model until upgraded" if facts.mode == "Manual" else ""
        )
        return (
            None,
            None,
            [f"Capacity {old} -> {new}: {new - old} new VM(s) are created from the proposed model{behind}."],
        )
    rules = facts.value("/properties/scaleInPolicy/rules")
    rule = str(rules[0]) if isinstance(rules, list) and rules else "Default"
    count = len(facts.instances) if facts.instances is not None else old
    remove = max(0, count - new)
    head = f"Capacity {old} -> {new}: scale-in deletes {remove} VM(s) with their disks (scaleInPolicy {rule})"
    if facts.instances is None:
        return rule, None, [head + "; pass --instances to see which ones."]
    chosen = scale_in_candidates(facts.instances, remove, rule)
    names = [i.key(facts.flexible) for i in chosen]
    note = f"{head}; most likely, in order: {', '.join(names) or 'none'}."
    if len(chosen) < remove:
        note += f" Only {len(chosen)} VM(s) are not protected from scale-in, so fewer are deleted."
    return rule, names, [note]


def _policy_notes(
    facts: _Facts, findings: list[Finding], rolling: RollingPlan | None, impact: Impact
) -> list[str]:
    notes: list[str] = []
    if _aosu(facts):
        batch = f" ({rolling.max_batch_instance_percent}% per batch)" if rolling else ""
        notes.append(
            "Automatic OS image upgrades are enabled: new image versions roll out in batches from "
            f"rollingUpgradePolicy{batch} whatever the upgrade mode."
        )
        if any("/imageReference" in f.pointer for f in findings):
            notes.append(
                "The image reference changes while automatic OS upgrades are on: Azure wants every instance "
                "on the same platform image, so set enableAutomaticOSUpgrade to false, upgrade all instances "
                "to the new model, then enable it again."
            )
    repairs = facts.value("/properties/automaticRepairsPolicy/enabled")
    if (repairs is True or str(repairs).lower() == "true") and impact.rank >= Impact.UPDATE_INSTANCES.rank:
        action = facts.value("/properties/automaticRepairsPolicy/repairAction") or "Replace"
        grace = facts.value("/properties/automaticRepairsPolicy/gracePeriod")
        after = f" after the grace period ({grace})" if isinstance(grace, str) else " after the grace period"
        notes.append(
            f"Automatic instance repairs are enabled (repairAction {action}): an instance that reports "
            f"unhealthy after the update may be repaired automatically{after}."
        )
    option = facts.value("/properties/virtualMachineProfile/storageProfile/osDisk/diffDiskSettings/option")
    if impact == Impact.DEALLOCATE and isinstance(option, str) and option.lower() == "local":
        notes.append(
            "This scale set uses ephemeral OS disks, which cannot be deallocated: the change cannot be applied "
            "to the existing instances in place; replace them (scale out with the new model, then scale in)."
        )
    return notes
