"""Reading a planned `az vmss update` command line into edits, the way azure-cli reads it.

Split from `az_update` (which applies the edits) so each half stays readable: this half knows the
shell quoting, the flag table of `az vmss update` and which flags are refused rather than ignored.
"""

from __future__ import annotations

import base64
import re
import shlex
from typing import Literal

from vmss_lint.core.errors import InputError, LimitExceeded
from vmss_lint.inputs.edits.az_update import (
    _FORM,
    _NEGATIVE_NUMBER,
    _VMSS_ID,
    MAX_COMMAND_CHARS,
    AzEdit,
    AzUpdateCommand,
    Json,
    Op,
    _EditError,
    _short,
    _split_key_value,
)

# --------------------------------------------------------------------------- parsing the command line

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
_ALIASES = {
    "--ephemeral-placement": "--ephemeral-os-disk-placement",
    "--ephemeral-option": "--ephemeral-os-disk-option",
    "--crg": "--capacity-reservation-group",
    "-g": "--resource-group",
    "-n": "--name",
    "-o": "--output",
    "--ppg": "--proximity-placement-group",
}
_HARMLESS = frozenset(
    {"--no-wait", "--output", "--query", "--debug", "--verbose", "--only-show-errors", "--acquire-policy-token",
     "--change-reference"}
)  # fmt: skip
_INSTANCE = "applies to single VM instances (--instance-id), not to the scale set model vmss-lint checks"
_REFUSED = dict.fromkeys(
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
            raise _EditError(f"expected true or false, got {_short(raw)}")
        if kind == "minutes" and not (raw.isascii() and raw.isdigit()):
            raise _EditError(f"expected whole minutes, got {_short(raw)}")
        if kind == "id" and not raw.startswith("/"):
            raise _EditError(
                f"expected a full resource ID, got {_short(raw)}", hint="vmss-lint can't look names up"
            )
        choice = next((c for c in kind.split("|") if c.lower() == raw.lower()), None)
        if "|" in kind and choice is None:
            raise _EditError(f"{_short(raw)} is not one of {kind.replace('|', ', ')}")
        try:
            out.append(
                raw.lower() == "true" if kind == "bool" else int(raw) if kind == "int"
                else float(raw) if kind == "float" else f"PT{raw}M" if kind == "minutes"
                else base64.b64encode(raw.encode()).decode() if kind == "base64"
                else {"id": raw} if kind == "id" else {"id": None if raw == "None" else raw} if kind == "crg"
                else choice or raw
            )  # fmt: skip
        except ValueError:
            raise _EditError(f"expected a number, got {_short(raw)}") from None
    return out if many else out[0]


def _shell_tokens(command: str, source: str) -> list[str]:
    """Undo what bash would, and refuse what it would do that we cannot (expansions, several commands)."""
    if len(command) > MAX_COMMAND_CHARS:
        raise LimitExceeded(source, f"the command is longer than {MAX_COMMAND_CHARS} characters")
    text = command.replace("\\\r\n", "").replace("\\\n", "").strip()
    text = text[1:].lstrip() if text.startswith("$ ") else text
    single = double = False
    i = 0
    while i < len(text):
        ch = text[i]
        if single:
            single = ch != "'"
        elif ch == "\\":
            i += 1
        elif ch == "'" and not double:
            single = True
        elif ch == '"':
            double = not double
        elif ch == "`" or (ch == "$" and re.match(r"[A-Za-z0-9_{(@*#?!$-]", text[i + 1 : i + 2])):
            hint = "paste it with the values filled in, as `echo az vmss update ...` prints it"
            raise InputError(
                source, f"the command uses shell expansion at {_short(text[i : i + 20])}", hint=hint
            )
        elif not double and ch == "#" and (i == 0 or text[i - 1].isspace()):
            text = text[:i]
        elif not double and (ch in ";&|<>" or (ch in "\r\n" and text[i:].strip())):
            raise InputError(
                source, "give one `az vmss update` command per string, without pipes or redirections"
            )
        i += 1
    try:
        return shlex.split(text)
    except ValueError as exc:
        raise InputError(
            source, f"can't split the command as bash would ({exc})", hint="check the quotes"
        ) from None


def _label_key(expr: str) -> str:
    try:
        return _split_key_value(expr)[0]
    except _EditError:
        return expr  # reported with this label when applied


def _is_flag(token: str) -> bool:
    return token.startswith("-") and token != "-" and " " not in token and not _NEGATIVE_NUMBER.match(token)


def _occurrences(tokens: list[str], source: str) -> list[tuple[str, str, list[str]]]:
    """argparse's reading: (canonical flag, flag as typed, its values), in command-line order."""
    found: list[tuple[str, str, list[str]]] = []
    i = 0
    while i < len(tokens):
        typed, values = tokens[i], []
        if not _is_flag(typed):
            raise InputError(source, f"unexpected argument {_short(typed)}", hint=f"the form is: {_FORM}")
        if typed.startswith("--") and "=" in typed:
            typed, attached = typed.split("=", 1)
            values.append(attached)
        canon = _ALIASES.get(typed, typed)
        nargs = _OWN[canon] if canon in _OWN else _CUSTOM[canon][1] if canon in _CUSTOM else None
        if nargs is None:
            problem = f"flag {typed} is not supported by vmss-lint yet; express it as --set PATH=VALUE"
            raise InputError(source, problem, where=typed)
        i += 1
        while i < len(tokens) and not _is_flag(tokens[i]) and (nargs == "+" or (nargs != 0 and not values)):
            values.append(tokens[i])
            i += 1
        if (nargs == 0 and values) or (nargs == 1 and len(values) != 1) or (nargs == "+" and not values):
            want = {0: "no value", 1: "one value", "+": "at least one value"}[nargs]
            raise InputError(source, f"{typed} expects {want}", where=typed, hint=f"the form is: {_FORM}")
        found.append((canon, typed, values))
    return found


def _remember_secret_values(text: str) -> None:
    """`--set ...adminPassword=VALUE` (any secret key, any case): VALUE is a secret for every message
    that could quote the command (`vmss_lint.core.redact`)."""
    from vmss_lint.core.redact import SECRET_KEYS, remember

    lowered = text.lower()
    if not any(key.lower() in lowered for key in SECRET_KEYS):
        return
    import re

    keys = "|".join(re.escape(k) for k in SECRET_KEYS)
    for match in re.finditer(rf"(?i)(?:{keys})[^=\s]*=(\S+)", text):
        value = match.group(1)
        remember(value)
        remember(value.strip("\"'"))


def parse_az_update(command: str, *, source: str = "--az-update") -> AzUpdateCommand:
    """Read one pasted `az vmss update` command; every flag becomes an edit, is harmless, or is refused."""
    _remember_secret_values(command)
    tokens = _shell_tokens(command, source)
    for token in tokens:
        _remember_secret_values(token)
    if [t.lower() for t in tokens[:3]] != ["az", "vmss", "update"]:
        got = " ".join(tokens[:3])[:60] or "an empty command"
        raise InputError(
            source, f"expected a planned `az vmss update` command, got `{got}`", hint=f"the form is: {_FORM}"
        )
    own: dict[str, str] = {}
    accepted: list[str] = []
    edits: list[tuple[int, AzEdit]] = []
    custom: dict[str, tuple[int, str, list[str]]] = {}
    force = False
    for canon, typed, values in _occurrences(tokens[3:], source):
        n = len(edits) + len(custom) + 1
        if canon in _REFUSED:
            raise InputError(source, f"{typed} {_REFUSED[canon]}", where=typed)
        if canon in _HARMLESS:
            accepted.append(" ".join([typed, *values]))
        elif canon == "--force-string":
            force = True
        elif canon in ("--resource-group", "--name", "--subscription", "--ids"):
            if own.setdefault(canon, " ".join(values)) != " ".join(values):
                raise InputError(source, f"{typed} is given twice with different values", where=typed)
        elif canon == "--set":
            for m, expr in enumerate(values, n):
                key = _label_key(expr)
                edits.append((m, AzEdit(f"--set #{m} {key}", "set", canon, key, (expr,))))
        elif canon in ("--add", "--remove"):
            if canon == "--remove" and len(values) > 2:
                raise InputError(source, "--remove takes PATH [INDEX]", where=f"--remove {values[0]}")
            op: Op = "add" if canon == "--add" else "remove"
            edits.append((n, AzEdit(f"{canon} #{n} {values[0]}", op, canon, values[0], tuple(values[1:]))))
        elif custom.setdefault(canon, (n, typed, values)) != (n, typed, values):
            raise InputError(source, f"{typed} is given twice", where=typed)
    if "--ids" in own:
        match = _VMSS_ID.match(own["--ids"])
        if match is None or "--resource-group" in own or "--name" in own:
            problem = "--ids must be exactly one scale-set resource ID, without --resource-group/--name"
            raise InputError(source, problem, where="--ids")
        own["--subscription"], own["--resource-group"], own["--name"] = match.groups()
    edits.extend(_custom_edits(custom, source))
    return AzUpdateCommand(
        text=command,
        resource_group=own.get("--resource-group"),
        name=own.get("--name"),
        subscription=own.get("--subscription"),
        force_string=force,
        edits=tuple(edit for _, edit in sorted(edits, key=lambda pair: pair[0])),
        accepted=tuple(accepted),
    )


def _custom_edits(custom: dict[str, tuple[int, str, list[str]]], source: str) -> list[tuple[int, AzEdit]]:
    """Custom arguments become preset edits, validated and combined the way update_vmss does."""
    typed: dict[str, Json] = {}
    for canon, (_, flag, values) in custom.items():
        try:
            typed[canon] = _convert(_CUSTOM[canon][2], values, _CUSTOM[canon][1] == "+")
        except _EditError as exc:
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
                (n, AzEdit(f"{flag} #{n} {path}", "set", canon, path, kind="preset", value=typed[canon]))
            )
        else:
            group = groups.setdefault(path, (n, [], {}))
            group[1].append(flag)
            group[2][key] = typed[canon]
    for path, (n, flags, value) in groups.items():
        kind: Literal["preset", "security"] = "security" if path == _SEC else "preset"
        out.append(
            (n, AzEdit(f"{'/'.join(flags)} #{n} {path}", "set", flags[0], path, kind=kind, value=value))
        )
    return out
