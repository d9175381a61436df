"""Hooks for the instance count (catalog row 7 and section 4: scale-in and scale-out).

Scale-in deletes VMs (and, on Uniform sets, their NICs and disks), chosen by the scale-in policy; the
finding says how many and by which rule, because "which VMs go" is the first question in a review.
Scale-out creates VMs from the *proposed* model at once, whatever the upgrade mode, which is how Manual
sets end up with a mixed fleet.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vmss_lint.engine import RuleContext
from vmss_lint.findings import Hit

from .hooks_util import truthy

CAPACITY = "/sku/capacity"
_POLICY = {
    "default": "the Default scale-in policy balances across zones, then across fault domains, then deletes "
    "the highest instance ids",
    "newestvm": "the NewestVM scale-in policy balances across zones, then deletes the newest VMs",
    "oldestvm": "the OldestVM scale-in policy balances across zones, then deletes the oldest VMs",
}


def _counts(ctx: RuleContext) -> Iterator[tuple[int, int]]:
    for change in ctx.changed(CAPACITY):
        if change.op != "replace":
            continue
        try:
            yield int(change.old), int(change.new)
        except (TypeError, ValueError):
            continue


def _policy(ctx: RuleContext) -> str:
    rules = ctx.effective("/properties/scaleInPolicy/rules")
    first = rules[0] if isinstance(rules, list) and rules else "Default"
    return _POLICY.get(str(first).lower(), f"the scale-in policy '{first}' chooses them")


def _protected(instances: list[dict[str, Any]] | None) -> int | None:
    """How many of the listed instances are protected from scale-in (None when no instance list was given)."""
    if instances is None:
        return None
    count = 0
    for inst in instances:
        props = inst.get("properties") if isinstance(inst.get("properties"), dict) else inst
        policy = props.get("protectionPolicy") if isinstance(props, dict) else None
        if isinstance(policy, dict) and (
            truthy(policy.get("protectFromScaleIn")) or truthy(policy.get("protectFromScaleSetActions"))
        ):
            count += 1
    return count


def scale_in(ctx: RuleContext) -> Iterator[Hit]:
    for old, new in _counts(ctx):
        if new >= old:
            continue
        deleted = old - new
        parts = [
            f"capacity {old} -> {new} deletes {deleted} VM{'s' if deleted != 1 else ''}"
            + (" (all of them)" if new == 0 else ""),
            _policy(ctx),
        ]
        if ctx.changed("/zones"):
            parts.append("after a zone expansion the regional (non-zonal) VMs go first")
        protected = _protected(ctx.instances)
        if protected:
            parts.append(
                f"{protected} listed instance(s) are protected and are skipped, so others go instead"
            )
        else:
            parts.append("instances protected from scale-in or scale-set actions are skipped")
        if truthy(ctx.effective("/properties/scaleInPolicy/forceDeletion")):
            parts.append("forceDeletion is on, so the VMs are force-deleted")
        if str(ctx.effective("/properties/orchestrationMode") or "Uniform").lower() == "uniform":
            parts.append("their NICs and disks are deleted with them")
        yield Hit(CAPACITY, "replace", old, new, message="; ".join(parts) + ".")


def scale_out(ctx: RuleContext) -> Iterator[Hit]:
    for old, new in _counts(ctx):
        if new <= old:
            continue
        added = new - old
        parts = [f"capacity {old} -> {new} creates {added} VM{'s' if added != 1 else ''} from the new model"]
        mode = str(ctx.effective("/properties/upgradePolicy/mode") or "Manual").lower()
        others = [c for c in ctx.changes if c.pointer != CAPACITY and not c.pointer.startswith("/tags")]
        if mode == "manual":
            parts.append(
                "under Manual mode the existing VMs keep their model until update-instances, so the fleet "
                + ("becomes mixed with the other changes in this update" if others else "can be mixed")
            )
        version = ctx.effective("/properties/virtualMachineProfile/storageProfile/imageReference/version")
        if isinstance(version, str) and version.lower() == "latest":
            parts.append(
                "with image version 'latest' the new VMs get the newest image, which may differ from the existing VMs'"
            )
        if truthy(ctx.effective("/properties/overprovision")):
            parts.append("overprovisioning may create extra VMs for a while and delete them again")
        yield Hit(CAPACITY, "replace", old, new, message="; ".join(parts) + ".")
