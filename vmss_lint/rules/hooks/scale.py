"""Hooks for the instance count (catalog row 7 and section 4: scale-in and scale-out).

Scale-in deletes VMs (and, on Uniform sets, their NICs and disks), chosen by the scale-in policy; the
finding says how many and by which rule, because "which VMs go" is the first question in a review.
Scale-out creates VMs from the *proposed* model at once, whatever the upgrade mode, which is how Manual
sets end up with a mixed fleet.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vmss_lint.core.findings import Hit, Severity
from vmss_lint.engine.helpers import truthy
from vmss_lint.engine.run import RuleContext

CAPACITY = "/sku/capacity"
_POLICY = {
    "default": "the Default scale-in policy balances across zones, then across fault domains, then deletes "
    "the highest instance ids",
    "newestvm": "the NewestVM scale-in policy balances across zones, then deletes the newest VMs",
    "oldestvm": "the OldestVM scale-in policy balances across zones, then deletes the oldest VMs",
}


UINT32_MAX = 4_294_967_295


def _counts(ctx: RuleContext) -> Iterator[tuple[int, int]]:
    for change in ctx.changed(CAPACITY):
        if (
            change.op != "replace"
            or _not_a_count(change.new)
            or _fraction(change.new)
            or _past_uint32(change.new)
        ):
            continue  # an invalid count is VMSS614's: no VM is deleted or created by a refused update
        try:
            yield int(change.old), int(change.new)
        except (TypeError, ValueError):
            continue


def _not_a_count(value: Any) -> bool:
    """True when Compute's conversion of sku.capacity refuses `value`: a negative integer (documented for
    -1, 2026 catalogue C18), a string that is no whole number, a list or an object (past UInt32 is a
    warning: the sources disagree on the type). Digit strings convert (ARM templates write "3"); fractions, booleans, null and unresolved
    values are not refused here (their conversion is undocumented, or they are unknown); a fraction is
    VMSS614's warning."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int):
        return value < 0
    if isinstance(value, str):
        text = value.strip()
        return not (text.isascii() and text.lstrip("+-").isdigit() and int(text) >= 0)
    return isinstance(value, (list, dict))


def _past_uint32(value: Any) -> bool:
    """Past UInt32 (Azure's error text) but maybe within int64 (the REST spec's format)."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().lstrip("+").isdigit():
        value = int(value)
    return isinstance(value, int) and not isinstance(value, bool) and value > UINT32_MAX


def _fraction(value: Any) -> bool:
    return isinstance(value, float) and not value.is_integer()


def capacity_not_a_count(ctx: RuleContext) -> Iterator[Hit]:
    for change in ctx.changed(CAPACITY):
        if change.op not in ("add", "replace"):
            continue
        if _not_a_count(change.new):
            yield Hit.of(change)
        elif _past_uint32(change.new):  # the sources disagree: at most a warning
            yield Hit.of(
                change,
                severity=Severity.WARNING,
                message=f"sku.capacity {change.new} is past 4294967295: Azure's error text names a UInt32 "
                "capacity, the REST spec an int64, so this may be refused (the sources disagree).",
            )
        elif _fraction(change.new):  # said, but no claim of a rejection: the conversion is undocumented
            yield Hit.of(
                change,
                severity=Severity.WARNING,
                message=f"sku.capacity {change.new} is not a whole number: how Azure converts it to an "
                "instance count (rounds it or refuses the update) is not documented.",
            )


def _policy(ctx: RuleContext) -> str:
    first = _policy_rule(ctx)
    return _POLICY.get(first.lower(), f"the scale-in policy '{first}' chooses them")


def _policy_rule(ctx: RuleContext) -> str:
    rules = ctx.effective("/properties/scaleInPolicy/rules")
    return str(rules[0]) if isinstance(rules, list) and rules else "Default"


def _instance_facts(ctx: RuleContext, deleted: int) -> list[str]:
    """With an instance list (--instances): who is protected and which VMs most likely go."""
    if ctx.instances is None:
        return ["instances protected from scale-in or scale-set actions are skipped"]
    from vmss_lint.core.instances import Instance, scale_in_candidates  # only when instances were given

    instances = [Instance.from_dict(i) for i in ctx.instances if isinstance(i, dict)]
    flexible = str(ctx.effective("/properties/orchestrationMode") or "").lower() == "flexible"
    protected = [
        i.key(flexible) for i in instances if i.protect_from_scale_in or i.protect_from_scale_set_actions
    ]
    chosen = [i.key(flexible) for i in scale_in_candidates(instances, deleted, _policy_rule(ctx))]
    facts = []
    if protected:
        facts.append(f"protected and skipped: {', '.join(protected)}")
    if chosen:
        facts.append(f"most likely deleted: {', '.join(chosen)}")
    return facts


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
        parts.extend(_instance_facts(ctx, deleted))
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
