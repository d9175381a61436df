"""The flags of `az vmss update` (azure-cli 2.91): which are the command's own, which are harmless, which are
refused, and how `update_vmss` turns each custom argument (`--max-surge`, `--security-type`, ...) into an edit.

Split from `az_command` (which reads the command line) because this is a table of azure-cli's behaviour that
grows with every CLI release, while the reading of a command line does not.
"""

from __future__ import annotations

import base64
from typing import Literal

from vmss_lint.core.errors import InputError
from vmss_lint.inputs.edits.command import AzEdit, EditError, Json, short

_VMP, _RUP = "virtualMachineProfile.", "upgradePolicy.rollingUpgradePolicy."
_TNP = _VMP + "scheduledEventsProfile.terminateNotificationProfile"
_SEC, _VSP = _VMP + "securityProfile", _VMP + "hardwareProfile.vmSizeProperties."
_DDS = _VMP + "storageProfile.osDisk.diffDiskSettings"
# flag -> (flattened path, nargs, value kind, key when several flags fill one object), after update_vmss
_CUSTOM: dict[str, tuple[str, int | str, str, str | None]] = {
    "--license-type": (_VMP + "licenseType", 1, "str", None),
    "--priority": (_VMP + "priority", 1, "Regular|Low|Spot", None),
    "--max-price": (_VMP + "billingProfile.maxPrice", 1, "float", None),
    "--user-data": (_VMP + "userData", 1, "base64", None),
    "--disk-controller-type": (_VMP + "storageProfile.diskControllerType", 1, "str", None),
    "--v-cpus-available": (_VSP + "vCPUsAvailable", 1, "int", None),
    "--v-cpus-per-core": (_VSP + "vCPUsPerCore", 1, "int", None),
    "--enable-osimage-notification": (
        _VMP + "scheduledEventsProfile.osImageNotificationProfile",
        "?",
        "bool",
        "enable",
    ),
    "--enable-terminate-notification": (_TNP, "?", "bool", "enable"),
    "--terminate-notification-time": (_TNP, 1, "minutes", "notBeforeTimeout"),
    "--security-type": (_SEC, 1, "TrustedLaunch|Standard|ConfidentialVM", "securityType"),
    "--enable-secure-boot": (_SEC, "?", "bool", "secureBootEnabled"),
    "--enable-vtpm": (_SEC, "?", "bool", "vTpmEnabled"),
    "--ultra-ssd-enabled": ("additionalCapabilities.ultraSSDEnabled", "?", "bool", None),
    "--enable-hibernation": ("additionalCapabilities.hibernationEnabled", "?", "bool", None),
    "--scale-in-policy": ("scaleInPolicy.rules", "+", "Default|OldestVM|NewestVM", None),
    "--force-deletion": ("scaleInPolicy.forceDeletion", 0, "bool", None),
    "--enable-spot-restore": ("spotRestorePolicy.enabled", "?", "bool", None),
    "--spot-restore-timeout": ("spotRestorePolicy.restoreTimeout", 1, "str", None),
    "--max-batch-instance-percent": (_RUP + "maxBatchInstancePercent", 1, "int", None),
    "--max-unhealthy-instance-percent": (_RUP + "maxUnhealthyInstancePercent", 1, "int", None),
    "--max-unhealthy-upgraded-instance-percent": (
        _RUP + "maxUnhealthyUpgradedInstancePercent",
        1,
        "int",
        None,
    ),
    "--pause-time-between-batches": (_RUP + "pauseTimeBetweenBatches", 1, "str", None),
    "--enable-cross-zone-upgrade": (_RUP + "enableCrossZoneUpgrade", "?", "bool", None),
    "--prioritize-unhealthy-instances": (_RUP + "prioritizeUnhealthyInstances", "?", "bool", None),
    "--max-surge": (_RUP + "maxSurge", "?", "bool", None),
    "--upgrade-policy-mode": ("upgradePolicy.mode", 1, "Automatic|Manual|Rolling", None),
    "--enable-auto-os-upgrade": (
        "upgradePolicy.automaticOSUpgradePolicy.enableAutomaticOSUpgrade",
        "?",
        "bool",
        None,
    ),
    "--enable-automatic-repairs": ("automaticRepairsPolicy.enabled", "?", "bool", None),
    "--automatic-repairs-grace-period": ("automaticRepairsPolicy.gracePeriod", 1, "minutes", None),
    "--automatic-repairs-action": ("automaticRepairsPolicy.repairAction", 1, "Replace|Restart|Reimage", None),
    "--enable-resilient-creation": ("resiliencyPolicy.resilientVMCreationPolicy", "?", "bool", "enabled"),
    "--enable-resilient-deletion": ("resiliencyPolicy.resilientVMDeletionPolicy", "?", "bool", "enabled"),
    "--proximity-placement-group": ("proximityPlacementGroup", 1, "id", None),
    "--vm-sku": ("sku.name", 1, "str", None),
    "--zones": ("zones", "+", "str", None),
    "--zone-balance": ("zoneBalance", "?", "bool", None),
    "--custom-data": (_VMP + "osProfile.customData", 1, "base64", None),  # a file's name is taken as text
    "--ephemeral-os-disk-placement": (_DDS + ".placement", 1, "CacheDisk|NvmeDisk|ResourceDisk", None),
    "--ephemeral-os-disk-option": (_DDS + ".option", 1, "Local", None),
    "--ephemeral-os-disk": (_DDS, "?", "bool", None),  # false empties diffDiskSettings (update_vmss)
    "--capacity-reservation-group": (_VMP + "capacityReservation", 1, "crg", "capacityReservationGroup"),
    "--regular-priority-count": ("priorityMixPolicy.baseRegularPriorityCount", 1, "int", None),
    "--regular-priority-percentage": ("priorityMixPolicy.regularPriorityPercentageAboveBase", 1, "int", None),
    "--enable-proxy-agent": (_SEC + ".proxyAgentSettings.enabled", "?", "bool", None),
}
_OWN: dict[str, int | str] = {
    "--resource-group": 1, "--name": 1, "--subscription": 1, "--ids": "+", "--set": "+", "--add": "+",
    "--remove": "+", "--force-string": 0, "--no-wait": 0, "--output": 1, "--query": 1, "--debug": 0,
    "--verbose": 0, "--only-show-errors": 0, "--instance-id": 1, "--instance-ids": "+",
    "--protect-from-scale-in": "?", "--protect-from-scale-set-actions": "?", "--acquire-policy-token": 0,
    "--change-reference": 1,
}  # fmt: skip
ALIASES = {
    "--ephemeral-placement": "--ephemeral-os-disk-placement",
    "--ephemeral-option": "--ephemeral-os-disk-option",
    "--crg": "--capacity-reservation-group",
    "-g": "--resource-group",
    "-n": "--name",
    "-o": "--output",
    "--ppg": "--proximity-placement-group",
}
HARMLESS = frozenset(
    {"--no-wait", "--output", "--query", "--debug", "--verbose", "--only-show-errors", "--acquire-policy-token",
     "--change-reference"}
)  # fmt: skip
_INSTANCE = "applies to single VM instances (--instance-id), not to the scale set model vmss-lint checks"
REFUSED = dict.fromkeys(
    ("--instance-id", "--instance-ids", "--protect-from-scale-in", "--protect-from-scale-set-actions"),
    _INSTANCE,
)
_NEEDS = (  # azure-cli's validators: a switch set to true needs one of these, set to false allows none
    ("--enable-automatic-repairs", ("--automatic-repairs-grace-period", "--automatic-repairs-action")),
    ("--enable-terminate-notification", ("--terminate-notification-time",)),
)


def _convert(kind: str, values: list[str], many: bool) -> Json:
    out: list[Json] = []
    for raw in values or ["true"]:  # get_three_state_flag and store_true: a bare flag means true
        if kind == "bool" and raw.lower() not in ("true", "false"):
            raise EditError(f"expected true or false, got {short(raw)}")
        if kind == "minutes" and not (raw.isascii() and raw.isdigit()):
            raise EditError(f"expected whole minutes, got {short(raw)}")
        if kind == "id" and not raw.startswith("/"):
            raise EditError(
                f"expected a full resource ID, got {short(raw)}", hint="vmss-lint can't look names up"
            )
        choice = next((c for c in kind.split("|") if c.lower() == raw.lower()), None)
        if "|" in kind and choice is None:
            raise EditError(f"{short(raw)} is not one of {kind.replace('|', ', ')}")
        try:
            out.append(
                raw.lower() == "true" if kind == "bool" else int(raw) if kind == "int"
                else float(raw) if kind == "float" else f"PT{raw}M" if kind == "minutes"
                else base64.b64encode(raw.encode()).decode() if kind == "base64"
                else {"id": raw} if kind == "id" else {"id": None if raw == "None" else raw} if kind == "crg"
                else choice or raw
            )  # fmt: skip
        except ValueError:
            raise EditError(f"expected a number, got {short(raw)}") from None
    return out if many else out[0]


def nargs(canon: str) -> int | str | None:
    """argparse's nargs for a canonical flag (0, 1, "?" or "+"); None for a flag vmss-lint does not know."""
    return _OWN[canon] if canon in _OWN else _CUSTOM[canon][1] if canon in _CUSTOM else None


def custom_edits(custom: dict[str, tuple[int, str, list[str]]], source: str) -> list[tuple[int, AzEdit]]:
    """Custom arguments become preset edits, validated and combined the way update_vmss does."""
    typed: dict[str, Json] = {}
    for canon, (_, flag, values) in custom.items():
        try:
            typed[canon] = _convert(_CUSTOM[canon][2], values, _CUSTOM[canon][1] == "+")
        except EditError as exc:
            raise InputError(source, exc.problem, where=flag, hint=exc.hint) from None
    for switch, needs in _NEEDS:
        given = [f for f in needs if f in typed]
        if typed.get(switch) is False and given:
            raise InputError(source, f"please enable {switch}", where=given[0])
        if typed.get(switch) is True and not given:
            raise InputError(source, f"please set {' or '.join(needs)}", where=switch)
    out: list[tuple[int, AzEdit]] = []
    groups: dict[str, tuple[int, list[str], dict[str, Json]]] = {}
    for canon, (n, flag, _) in custom.items():
        path, _, _, key = _CUSTOM[canon]
        if key is None:
            out.append(
                (
                    n,
                    AzEdit(
                        label=f"{flag} #{n} {path}",
                        op="set",
                        flag=canon,
                        path=path,
                        kind="preset",
                        value=typed[canon],
                    ),
                )
            )
        else:
            group = groups.setdefault(path, (n, [], {}))
            group[1].append(flag)
            group[2][key] = typed[canon]
    for path, (n, flags, value) in groups.items():
        kind: Literal["preset", "security"] = "security" if path == _SEC else "preset"
        out.append(
            (
                n,
                AzEdit(
                    label=f"{'/'.join(flags)} #{n} {path}",
                    op="set",
                    flag=flags[0],
                    path=path,
                    kind=kind,
                    value=value,
                ),
            )
        )
    return out
