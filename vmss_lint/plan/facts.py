"""What the plan reads from the two models and the instance list, and the notes it derives from them.

Kept apart from `plan` (which orders the steps) so each stays readable: here are the effective values
(proposed when specified, else current), the Rolling batch arithmetic, scale-in prediction and the notes
about stale and protected instances, automatic OS upgrades, automatic repairs and ephemeral OS disks.
"""

from __future__ import annotations

import math
import re
import shlex
from typing import Any

from vmss_lint.core.findings import Finding, Impact
from vmss_lint.core.instances import Instance, scale_in_candidates, sort_ids
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.core.records import Record
from vmss_lint.plan.commands import Target
from vmss_lint.report.document import RollingPlan

_ROLLING = "/properties/upgradePolicy/rollingUpgradePolicy/"
# ISO 8601 durations; a pattern `re.match` compiles on first use (only a plan with a rolling upgrade shows
# one), rather than at import on every start-up.
_DURATION = r"(?i)^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"


class PlanFacts(Record, kw_only=False, frozen=False):
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


def instances_for(raw: list[dict[str, Any]] | None, name: str) -> tuple[list[Instance] | None, str | None]:
    """The instance list if it belongs to this scale set; else None and a note saying it was not used.

    A mismatch is a note rather than an error because git mode checks several scale sets in one run and
    `--instances` describes one of them.
    """
    if raw is None:
        return None, None
    out = [Instance.from_dict(d) for d in raw]
    others = sorted({i.scale_set for i in out if i.scale_set and i.scale_set.lower() != name.lower()})
    if others and not name.startswith("<"):
        return None, (
            f"The --instances list is for scale set {', '.join(others)}, not {name}: not used for this plan."
        )
    return out, None


def rolling_policy(facts: PlanFacts) -> RollingPlan:
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
        len(facts.instances) if facts.instances is not None else capacity(facts.value("/sku/capacity"))
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


def rolling_text(r: RollingPlan) -> str:
    if r.batches is not None and r.instances:
        head = (
            f"{r.batches} batch(es) of up to {r.batch_size} instance(s) ({r.max_batch_instance_percent}% of "
            f"{r.instances})"
        )
    else:
        head = f"Batches of {r.max_batch_instance_percent}% of the instances"
    pause = duration_text(r.pause_time_between_batches)
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


def duration_text(value: str) -> str | None:
    """A readable ISO 8601 duration ("PT1M30S" -> "1 min 30 s"); None for zero or unreadable."""
    m = re.match(_DURATION, value.strip())
    if not m:
        return None
    parts = [(m.group(k), unit) for k, unit in (("d", "d"), ("h", "h"), ("m", "min"), ("s", "s"))]
    text = " ".join(f"{float(v):g} {unit}" for v, unit in parts if v and float(v))
    return text or None


def capacity(value: Any) -> int | None:
    """A capacity as a number, or None when it is not one Azure could hold (`sku.capacity` is int64:
    past that, and past 4,300 digits where `int()` itself refuses, it is no real capacity)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):  # a negative count is refused by Azure (VMSS614), never a scale-in
        return value if 0 <= value <= _INT64_MAX else None
    if isinstance(value, str) and value.strip().isdigit() and value.isascii():  # "²".isdigit() is True
        return int(value) if len(value.strip()) <= 19 and int(value) <= _INT64_MAX else None
    return None


_INT64_MAX = 2**63 - 1


def ephemeral_os(facts: PlanFacts) -> bool:
    """Ephemeral OS disks now or after the change: the instances that exist keep theirs until replaced."""
    pointer = "/properties/virtualMachineProfile/storageProfile/osDisk/diffDiskSettings/option"
    return any(
        isinstance(v, str) and v.lower() == "local"
        for v in (facts.current.get(pointer), facts.value(pointer))
    )


def aosu_enabled(facts: PlanFacts) -> bool:
    value = facts.value("/properties/upgradePolicy/automaticOSUpgradePolicy/enableAutomaticOSUpgrade")
    return value is True or str(value).lower() == "true"


def instance_notes(facts: PlanFacts) -> list[str]:
    if facts.instances is None:
        return []
    notes: list[str] = []
    if facts.flexible:
        notes.append(
            "Flexible orchestration: commands take instance (VM) names, not numeric instance ids; per-VM "
            "steps (deallocate, start, reimage) use the virtual machine API, since the scale-set VM API does "
            "not apply to Flexible instances."
        )
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
            "them out; to include one, lift the protection first: "
            + facts.target.az(
                "update", f" --instance-id {shlex.quote(first)} --protect-from-scale-set-actions false"
            )
        )
    scale_in = facts.keys(
        [i for i in facts.instances if i.protect_from_scale_in and not i.protect_from_scale_set_actions]
    )
    if scale_in:
        notes.append(f"Protected from scale-in: {', '.join(scale_in)}. A scale-in never deletes them.")
    return notes


def scale_notes(facts: PlanFacts) -> tuple[str | None, list[str] | None, list[str]]:
    """(scale-in policy, most likely deleted instances, notes) for a capacity change."""
    old = capacity(facts.current.get("/sku/capacity"))
    new = capacity(facts.proposed.get("/sku/capacity"))
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


def policy_notes(
    facts: PlanFacts, findings: list[Finding], rolling: RollingPlan | None, impact: Impact
) -> list[str]:
    notes: list[str] = []
    if aosu_enabled(facts):
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
    return notes
