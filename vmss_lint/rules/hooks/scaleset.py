"""Scale-set level settings: accepted on the model, nothing to roll out, but worth saying what they do.

Upgrade policy, automatic OS upgrade, repairs and identity change how the platform treats the scale
set from now on; a few transitions have side effects (switching to Automatic rolls stale instances,
maxSurge gives VMs new IPs) or need a specific order, and the messages say so.
"""

from __future__ import annotations

from collections.abc import Iterator

from vmss_lint.core.findings import Hit
from vmss_lint.engine.run import RuleContext

from .cross import AOSU, MODE, REPAIRS, is_flexible, lower, proposed_view, truthy

ROLLING = "/properties/upgradePolicy/rollingUpgradePolicy"
AOSU_POLICY = "/properties/upgradePolicy/automaticOSUpgradePolicy"
REPAIR_ACTION = "/properties/automaticRepairsPolicy/repairAction"
DELETE_OPTION = "/properties/virtualMachineProfile/storageProfile/osDisk/deleteOption"


def identity_change(ctx: RuleContext) -> Iterator[Hit]:
    for change in ctx.changed("/identity/**"):
        message = None
        if change.op == "remove" and "/userAssignedIdentities/" in change.pointer:
            message = (
                "a user-assigned identity is removed from the scale set. With PATCH (az vmss update, Update-AzVmss) "
                "the entry must be sent as null to be removed; a PUT of the whole resource removes it. Code on "
                "the VMs that uses this identity loses its tokens."
            )
        yield Hit.of(change, message=message)


def upgrade_mode_change(ctx: RuleContext) -> Iterator[Hit]:
    for change in ctx.changed(MODE):
        old = lower(change.old) or "manual"
        new = lower(change.new)
        if change.op == "remove" or not new or new == old:
            continue
        if new in ("automatic", "rolling"):
            how = "all at once" if new == "automatic" else "in batches"
            message = (
                f"upgrade mode {change.old} -> {change.new}: from now on the platform brings every instance with "
                f"latestModelApplied=false to the latest model {how}, including changes that were left pending "
                "under the old mode and the rest of this change."
            )
        else:
            message = (
                f"upgrade mode {change.old} -> {change.new}: model changes no longer reach the running VMs by "
                "themselves; you apply them with update-instances (manualupgrade)."
            )
        yield Hit.of(change, message=message)


def rolling_policy_change(ctx: RuleContext) -> Iterator[Hit]:
    for change in ctx.changed(f"{ROLLING}/**"):
        message = None
        if change.pointer.endswith("/enableCrossZoneUpgrade") and len(zones(ctx)) < 2:
            message = (
                "enableCrossZoneUpgrade changes on a scale set that is not spread over several zones, where "
                "it has no effect (batches ignore zone boundaries only when there are zones)."
            )
        elif change.pointer.endswith("/maxSurge") and truthy(change.new):
            message = (
                "maxSurge is enabled: rolling upgrades create new VMs for each batch and delete the old ones, so "
                "upgraded VMs get new IP addresses, need spare quota (without it the upgrade falls back to "
                "in-place) and may land in another update domain."
            )
        yield Hit.of(change, message=message)


def zones(ctx: RuleContext) -> list[object]:
    value = ctx.effective("/zones")
    return value if isinstance(value, list) else []


def automatic_os_upgrade_toggled(ctx: RuleContext) -> Iterator[Hit]:
    """An absent enableAutomaticOSUpgrade is false, so stating false on a set without it is no change."""
    for change in ctx.changed(AOSU):
        if truthy(change.old) == truthy(change.new):
            continue
        if truthy(change.new):
            message = (
                "automatic OS image upgrade is enabled: the platform replaces OS disks with each new image "
                "version in batches (rollingUpgradePolicy limits, health-checked), whatever the upgrade mode."
            )
        else:
            message = "automatic OS image upgrade is disabled: new image versions no longer reach the VMs by themselves."
        yield Hit.of(change, message=message)


def automatic_os_upgrade_settings(ctx: RuleContext) -> Iterator[Hit]:
    for change in ctx.changed(f"{AOSU_POLICY}/*"):
        if change.pointer != AOSU:
            yield Hit.of(change)


def repair_action_change(ctx: RuleContext) -> Iterator[Hit]:
    """Only while repairs stay enabled: disabling them in the same request is the documented way."""
    if not (truthy(ctx.current.get(REPAIRS)) and truthy(ctx.effective(REPAIRS))):
        return
    for change in ctx.changed(REPAIR_ACTION):
        if change.op == "replace":
            yield Hit.of(change)


def os_disk_delete_option(ctx: RuleContext) -> Iterator[Hit]:
    for change in ctx.changed(DELETE_OPTION):
        if is_flexible(ctx.current.get):
            message = (
                f"OS disk deleteOption {change.old} -> {change.new}: applies to VMs created from the new model "
                "(and to instances that get it); it decides whether the OS disk survives the VM."
            )
        else:
            message = (
                f"OS disk deleteOption {change.old} -> {change.new}: a Uniform scale set always deletes an "
                "instance's OS disk with it, so this setting has no effect there."
            )
        yield Hit.of(change, message=message)


def automatic_os_upgrade_flexible(ctx: RuleContext) -> Iterator[Hit]:
    """Fires when this change turns automatic OS upgrade on for a Flexible set."""
    if is_flexible(proposed_view(ctx)) and truthy(ctx.effective(AOSU)) and not truthy(ctx.current.get(AOSU)):
        yield Hit(AOSU, "replace", ctx.current.get(AOSU), ctx.effective(AOSU))
