"""Where the scale set lives and how it is built: orchestration, placement, encryption.

These are properties Azure fixes when the scale set is created, or lets change only in a given state.
Each hook compares values the way Azure does (enums without case, an absent value as Azure's
default) so that re-stating the current value in another spelling is never reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from vmss_lint.core.findings import Hit
from vmss_lint.engine.run import RuleContext

from .cross import ORCHESTRATION, falsy, lower, truthy

PPG = "/properties/proximityPlacementGroup"
ZONE_BALANCE = "/properties/zoneBalance"
OS_DES = "/properties/virtualMachineProfile/storageProfile/osDisk/managedDisk/diskEncryptionSet/**"
DATA_DES = "/properties/virtualMachineProfile/storageProfile/dataDisks/*/managedDisk/diskEncryptionSet/**"
EPHEMERAL = "/properties/virtualMachineProfile/storageProfile/osDisk/diffDiskSettings/option"


def orchestration_mode_change(ctx: RuleContext) -> Iterator[Hit]:
    """An absent orchestrationMode is Uniform (older API versions do not return it)."""
    new = ctx.proposed.get(ORCHESTRATION)
    old = ctx.current.orchestration_mode
    if isinstance(new, str) and new.strip() and lower(new) != lower(old):
        yield Hit(ORCHESTRATION, "replace", old, new)


def zone_balance_change(ctx: RuleContext) -> Iterator[Hit]:
    """An absent zoneBalance is false; stating false on a set without it is no change."""
    new = ctx.proposed.get(ZONE_BALANCE)
    if new is None or ZONE_BALANCE in ctx.proposed.removed:
        return
    old = ctx.current.get(ZONE_BALANCE)
    if truthy(new) != truthy(old) and (truthy(new) or falsy(new)):
        yield Hit(ZONE_BALANCE, "replace" if old is not None else "add", old, new)


def disk_encryption_set_change(ctx: RuleContext) -> Iterator[Hit]:
    """The DES of an existing OS disk or data disk (matched by LUN); a new data disk may bring its own."""
    for glob in (OS_DES, DATA_DES):
        for change in ctx.changed(glob):
            yield Hit.of(change)


def _ppg_changes(ctx: RuleContext) -> list[Hit]:
    return [Hit(c.pointer, c.op, c.old, c.new) for c in ctx.changed(f"{PPG}/**")]


def ppg_change_flexible(ctx: RuleContext) -> Iterator[Hit]:
    if ctx.current.orchestration_mode.lower() == "flexible":
        yield from _ppg_changes(ctx)


def ppg_change_uniform(ctx: RuleContext) -> Iterator[Hit]:
    """Uniform sets can move once every instance is deallocated; ephemeral OS disks cannot be."""
    if ctx.current.orchestration_mode.lower() == "flexible":
        return
    ephemeral = lower(ctx.effective(EPHEMERAL)) == "local"
    for hit in _ppg_changes(ctx):
        message = (
            "the proximity placement group changes: Azure accepts this on a Uniform scale set only while all "
            "of its instances are deallocated, so deallocate every instance first, then apply the model and "
            "start them."
        )
        if ephemeral:
            message += (
                " This scale set uses ephemeral OS disks, which cannot be deallocated, so the change cannot "
                "be applied in place."
            )
        yield Hit(hit.pointer, hit.op, hit.old, hit.new, message=message)


def ultra_ssd_change(ctx: RuleContext) -> Iterator[Hit]:
    """An absent ultraSSDEnabled is false, so stating false on a set without it is no change."""
    for change in ctx.changed("/properties/additionalCapabilities/ultraSSDEnabled"):
        if truthy(change.old) != truthy(change.new):
            yield Hit.of(change)
