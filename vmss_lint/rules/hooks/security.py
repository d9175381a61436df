"""Hooks for security type and capacity reservation (catalog rows 79 and 82).

Both are transitions whose answer depends on the rest of the model: Trusted launch on an existing set is
a preview with conditions (Uniform, Gen2 image, no data disks), and a capacity reservation group can be
added in place only to a set that is already zonal and Uniform; changing or removing one needs the VMs
deallocated. The outright refusals (during a zone expansion, with a single placement group) belong to
the cross-property rules, so these hooks stay silent then rather than plan a deallocation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from vmss_lint.core.findings import Change, Hit
from vmss_lint.engine.helpers import VMP, is_zonal, last_segment, leaf_changes, truthy
from vmss_lint.engine.run import RuleContext

SECURITY = f"{VMP}/securityProfile"
_SECURITY_FIELDS = ("securityType", "uefiSettings/secureBootEnabled", "uefiSettings/vTpmEnabled")
CRG = f"{VMP}/capacityReservation/capacityReservationGroup/id"


def security_type_changed(ctx: RuleContext) -> Iterator[Hit]:
    changes = leaf_changes(ctx, SECURITY, _SECURITY_FIELDS)
    type_changes = [c for c in changes if c.pointer == f"{SECURITY}/securityType"]
    for change in type_changes or changes:  # one finding per upgrade: UEFI flags ride along with the type
        field = change.pointer[len(SECURITY) + 1 :]
        caveats = []
        if str(ctx.effective("/properties/orchestrationMode") or "Uniform").lower() == "flexible":
            caveats.append("this is a Flexible scale set, which the preview does not cover")
        disks = ctx.effective(f"{VMP}/storageProfile/dataDisks")
        if isinstance(disks, list) and disks:
            caveats.append("the scale set has data disks, which the preview does not support")
        extra = (" Note: " + "; ".join(caveats) + ".") if caveats else ""
        yield Hit.of(
            change,
            message=f"{field} {_show(change.old)} -> {_show(change.new)}: changing the security type of an "
            "existing scale set is only documented as a preview (Standard -> TrustedLaunch on Uniform sets "
            "with a Gen2 image), and older docs say it cannot be done at all; expect each VM to be updated "
            "with the new model (low confidence)." + extra,
        )


class _CrgChange(NamedTuple):
    """The one capacity-reservation change of a model pair (a NamedTuple: cheaper to create at import)."""

    change: Change
    kind: str  # "added" | "changed" | "removed"
    old: Any
    new: Any


def _crg_change(ctx: RuleContext) -> _CrgChange | None:
    changes = leaf_changes(ctx, VMP, ("capacityReservation",))
    if not changes:
        return None
    old, new = ctx.current.get(CRG), ctx.effective(CRG)
    if not old and not new:
        return None
    kind = "added" if not old else "removed" if not new else "changed"
    return _CrgChange(changes[0], kind, old, new)


def _conflicts(ctx: RuleContext) -> list[str]:
    """Why the association is refused outright; the cross-property rules report those as errors."""
    reasons = []
    if ctx.changed("/zones"):
        reasons.append(
            "the zones change in the same update (no capacity reservation during a zone expansion)"
        )
    if truthy(ctx.effective("/properties/singlePlacementGroup")):
        reasons.append("singlePlacementGroup is true (a capacity reservation needs it false)")
    return reasons


def _hit(crg: _CrgChange, message: str) -> Hit:
    return Hit(CRG, crg.change.op if crg.kind != "changed" else "replace", crg.old, crg.new, message=message)


def capacity_reservation_deallocate(ctx: RuleContext) -> Iterator[Hit]:
    crg = _crg_change(ctx)
    if crg is None or (crg.kind != "removed" and _conflicts(ctx)):
        return
    uniform = str(ctx.effective("/properties/orchestrationMode") or "Uniform").lower() == "uniform"
    if crg.kind == "added" and is_zonal(ctx) and uniform:
        return  # in place: the info rule's
    if crg.kind == "added":
        why = "adding one in place is only possible for a scale set that is already zonal and Uniform"
    else:
        why = f"a capacity reservation group can only be {crg.kind} while the VMs are deallocated"
    yield _hit(
        crg,
        f"capacity reservation group {last_segment(crg.old) if crg.old else '(none)'} -> "
        f"{last_segment(crg.new) if crg.new else '(none)'}: {why}; plan deallocate -> update -> start.",
    )


def capacity_reservation_added(ctx: RuleContext) -> Iterator[Hit]:
    crg = _crg_change(ctx)
    if crg is None or crg.kind != "added" or _conflicts(ctx):
        return
    uniform = str(ctx.effective("/properties/orchestrationMode") or "Uniform").lower() == "uniform"
    if is_zonal(ctx) and uniform:
        yield _hit(
            crg,
            f"capacity reservation group '{last_segment(crg.new)}' is added to a zonal Uniform scale set: "
            "accepted in place; VMs are associated with the reservation when they are upgraded.",
        )


def _show(value: Any) -> str:
    return "(not set)" if value is None else str(value)
