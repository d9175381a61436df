"""A planned `az vmss update` command, read as a patch against the `az vmss show` document.

Teams plan scale-set changes as CLI one-liners, not templates, so the linter has to predict exactly what
azure-cli would PUT. The generic `--set/--add/--remove` semantics copy azure-cli's `commands/arm.py`
(path splitting, `[N]`/`[key=value]` selection, one-level creation of a null parent, value typing by
`shell_safe_json_parse`), with two deliberate widenings: keys match case-insensitively (Microsoft's own
tutorial spells `ApplicationGatewayBackendAddressPools`), and a key that is absent but is a known schema
property behaves like the SDK model's `None` attribute. Custom arguments (`--max-surge`, ...) follow
`update_vmss` in `vm/custom.py`, which is the generic update's *setter*: it runs after every
`--set/--add/--remove`, so those are applied first. Nothing the CLI would act on is ever dropped silently.
"""

from __future__ import annotations

import ast
import base64
import copy
import json
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal, TypeAlias

from vmss_lint.errors import InputError, LimitExceeded

Json: TypeAlias = bool | int | float | str | list["Json"] | dict[str, "Json"] | None
Seg: TypeAlias = str | int
Op = Literal["set", "add", "remove"]

MAX_COMMAND_CHARS = 256 * 1024
_LITERAL_MAX = 64 * 1024  # ast.literal_eval can exhaust the C stack on deeply nested input
_FREE_FORM = frozenset(
    {"tags", "settings", "protectedsettings", "protectedsettingsfromkeyvault", "userassignedidentities"}
)
_NEGATIVE_NUMBER = re.compile(r"^-\d+$|^-\d*\.\d+$")
_SEGMENT = re.compile(r"(\[.*?\])|([^.]+)")
_VMSS_ID = re.compile(
    r"^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\.Compute/"
    r"virtualMachineScaleSets/([^/]+)/?$",
    re.IGNORECASE,
)
_FORM = "az vmss update --resource-group RG --name NAME [--set PATH=VALUE ...] [--add PATH VALUE ...] [--remove PATH [INDEX]]"


@dataclass(frozen=True)
class AzEdit:
    """One change the command asks for; custom arguments (kind != "generic") carry an already-typed value."""

    label: str
    op: Op
    flag: str
    path: str
    args: tuple[str, ...] = ()
    kind: Literal["generic", "preset", "security"] = "generic"
    value: Json = None


@dataclass(frozen=True)
class AzUpdateCommand:
    text: str
    resource_group: str | None
    name: str | None
    subscription: str | None
    force_string: bool
    edits: tuple[AzEdit, ...]
    accepted: tuple[str, ...]  # flags accepted on purpose although they leave the model alone (--no-wait, -o)


@dataclass(frozen=True)
class EditTrace:
    """Where an edit landed, in resolved segments of the flattened document (real keys, non-negative indexes)."""

    label: str
    path: tuple[Seg, ...]
    op: Op
    removed_path: tuple[Seg, ...] | None = None


def trace_pointer(trace: EditTrace, *, removed: bool = False) -> str:
    """RFC 6901 pointer into the flattened document; `removed=True` points at the value a --remove took out."""
    segs = trace.removed_path if removed and trace.removed_path is not None else trace.path
    return "".join("/" + str(s).replace("~", "~0").replace("/", "~1") for s in segs)


def check_target(cmd: AzUpdateCommand, resource_group: str | None, name: str | None) -> str | None:
    """Azure names are case-insensitive; a mismatch means the command was planned for another scale set."""
    for what, planned, actual in (
        ("resource group", cmd.resource_group, resource_group),
        ("name", cmd.name, name),
    ):
        if planned is not None and actual is not None and planned.casefold() != actual.casefold():
            return f"the az command targets {what} '{planned}' but the current model's {what} is '{actual}'"
    return None


class _EditError(Exception):
    def __init__(self, problem: str, hint: str | None = None) -> None:
        super().__init__(problem)
        self.problem, self.hint = problem, hint


def _short(text: object, limit: int = 60) -> str:
    s = repr(text)  # quoted, and one line whatever the input holds
    return s if len(s) <= limit else s[: limit - 3] + "..."


@lru_cache(maxsize=1)
def _known_names() -> dict[str, str]:
    """REST-cased property names, so a created key gets the schema's spelling and a missing one reads as unset."""
    try:
        text = resources.files("vmss_lint.data").joinpath("property_names.json").read_text(encoding="utf-8")
        names = json.loads(text)["names"]
    except (OSError, ValueError, KeyError, TypeError, ModuleNotFoundError):
        return {}
    return {n.casefold(): n for n in names if isinstance(n, str)}


# --------------------------------------------------------------------------- value typing


def _reject_constant(name: str) -> Json:
    raise ValueError(name)  # NaN/Infinity are no JSON a PUT can carry: keep them as strings


def parse_value(raw: str) -> Json:
    """azure-cli's shell_safe_json_parse: JSON, then a Python literal, else the raw string (`01` stays text)."""
    try:
        value: Json = json.loads(raw, parse_constant=_reject_constant)
        return value
    except (ValueError, RecursionError):
        pass
    if len(raw) > _LITERAL_MAX:
        return raw
    try:
        literal = ast.literal_eval(raw)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return raw
    try:  # what the wire would carry: tuples become lists, non-string keys become strings
        wire: Json = json.loads(json.dumps(literal))
        return wire
    except (TypeError, ValueError, RecursionError):
        raise _EditError(
            f"{_short(raw)} is a Python {type(literal).__name__} literal that JSON cannot carry",
            hint="quote it as a JSON value, or add --force-string to keep it as text",
        ) from None


# --------------------------------------------------------------------------- path walking


def _internal_path(path: str) -> list[str]:
    path = path.replace(".[", "[").replace("[", ".[")
    segs = [m.group(1) or m.group(2) for m in _SEGMENT.finditer(path)]
    if not segs:
        raise _EditError(f"empty property path {_short(path)}")
    return segs


def _shown(segs: Sequence[str]) -> str:
    return ".".join(segs).replace(".[", "[")


def _lookup(d: dict[str, Json], seg: str, free_form: bool) -> str | None:
    if seg in d:
        return seg
    if free_form:  # user-defined keys (tags, extension settings) are matched exactly, as azure-cli does
        return None
    hits = [k for k in d if k.casefold() == seg.casefold()]
    if len(hits) > 1:
        raise _EditError(f"'{seg}' matches several keys that differ only in case: {sorted(hits)}")
    return hits[0] if hits else None


def _child_free(free_form: bool, key: Seg) -> bool:
    return free_form or (isinstance(key, str) and key.casefold() in _FREE_FORM)


def _kind(value: Json) -> str:
    return "null" if value is None else f"a {type(value).__name__}"


def _index(node: Json, text: str, where: str) -> int:
    """Python list indexing, as azure-cli does it (negative counts from the end), normalized to >= 0."""
    if not isinstance(node, list):
        raise _EditError(f"'{where}' is {_kind(node)}, not a list")
    try:
        index = int(text)
    except ValueError:
        raise _EditError(f"index {_short(text)} is not an integer (use [N] or [key=value])") from None
    if not -len(node) <= index < len(node):
        raise _EditError(f"index {index} doesn't exist on '{where}' (it has {len(node)} items)")
    return index % len(node)


def _step(node: Json, seg: str, typed: Sequence[str], free: bool) -> tuple[Json, Seg, bool]:
    """One segment of azure-cli's _find_property; returns (value, resolved key, value-is-absent)."""
    where = _shown(typed) or "(top level)"
    if seg.startswith("[") and seg.endswith("]"):
        inner = seg[1:-1]
        if "=" in inner and isinstance(node, list):
            key, raw = inner.split("=", 1)
            want = parse_value(raw)
            hits = [
                i for i, x in enumerate(node)
                if isinstance(x, dict) and (k := _lookup(x, key, free)) is not None and x[k] == want
            ]  # fmt: skip
            if len(hits) > 1:
                raise _EditError(
                    f"non-unique key '{key}' found multiple matches on '{where}'. Key must be unique."
                )
            if not hits:
                raise _EditError(f"item with value {_short(want)} doesn't exist for key '{key}' on '{where}'")
            return node[hits[0]], hits[0], False
        index = _index(node, inner, where)
        assert isinstance(node, list)
        return node[index], index, False
    if isinstance(node, dict):
        found = _lookup(node, seg, free)
        if found is not None:
            return node[found], found, False
        canonical = None if free else _known_names().get(seg.casefold())
        if canonical is not None:
            return None, canonical, True
        raise _EditError(f"Couldn't find '{seg}' in '{where}'. Available options: {sorted(node)[:15]}")
    raise _EditError(f"Couldn't find '{seg}' in '{where}': '{where}' is {_kind(node)}")


def _walk(root: Json, segs: Sequence[str]) -> tuple[Json, list[Seg], bool, bool]:
    node, path, free, absent = root, [], False, False
    for i, seg in enumerate(segs):
        node, key, absent = _step(node, seg, segs[:i], free)
        path.append(key)
        free = _child_free(free, key)
    return node, path, free, absent


def _assign(node: Json, seg: str, value: Json, typed: Sequence[str], free: bool) -> Seg:
    """azure-cli's final assignment in set_properties; a new dict key gets the schema's spelling."""
    where = _shown(typed) or "(top level)"
    if seg.startswith("[") and seg.endswith("]"):
        index = _index(node, seg[1:-1], where)
        assert isinstance(node, list)
        node[index] = value
        return index
    if not isinstance(node, dict):
        raise _EditError(f"Couldn't find '{seg}' in '{where}': '{where}' is {_kind(node)}")
    key = _lookup(node, seg, free) or (seg if free else _known_names().get(seg.casefold(), seg))
    node[key] = value
    return key


def _container(root: Json, segs: Sequence[str], empty: Json) -> tuple[Json, list[Seg], bool]:
    """Resolve a parent path; if it is null or an unset known property, create it one level deep (azure-cli)."""
    node, path, free, _ = _walk(root, segs)
    if node is None and segs:
        parent, ppath, pfree, _ = _walk(root, segs[:-1])
        path = [*ppath, _assign(parent, segs[-1], empty, segs[:-1], pfree)]
        node, free = _walk(root, segs)[0], _child_free(pfree, path[-1])
    return node, path, free


def _split_key_value(expr: str) -> tuple[str, str]:
    if expr.count("=") != 1:
        in_brackets = False
        for i, ch in enumerate(expr):
            if ch == "=" and not in_brackets:
                return expr[:i], expr[i + 1 :]
            in_brackets = True if ch == "[" else False if ch == "]" else in_brackets
        raise _EditError(f"expected KEY=VALUE, got {_short(expr)}")
    key, value = expr.split("=", 1)
    return key, value


# --------------------------------------------------------------------------- applying


def _apply_one(root: dict[str, Json], edit: AzEdit, force_string: bool) -> EditTrace:
    if edit.kind != "generic":
        return _apply_preset(root, edit)
    if edit.op == "set":
        key, raw = _split_key_value(edit.args[0])
        if not key.strip():
            raise _EditError("empty key in --set", hint="the form is --set KEY=VALUE [KEY=VALUE ...]")
        value: Json = raw if force_string else parse_value(raw)
        segs = _internal_path(key)
        node, path, free = _container(root, segs[:-1], {})
        return EditTrace(edit.label, (*path, _assign(node, segs[-1], value, segs[:-1], free)), "set")
    segs = _internal_path(edit.path)
    if edit.op == "add":
        target, path, _ = _container(root, segs, [])
        if not isinstance(target, list):
            raise _EditError(
                f"'{edit.path}' is {_kind(target)}, not a list", hint="--add only appends to lists"
            )
        entry: dict[str, Json] = {}
        for arg in edit.args:
            if "=" in arg:  # consecutive key=value arguments build one dict with string values (azure-cli)
                k, v = arg.split("=", 1)
                entry[k] = v
                continue
            if entry:
                target.append(entry)
                entry = {}
            target.append(arg if force_string else parse_value(arg))
        if entry:
            target.append(entry)
        return EditTrace(edit.label, tuple(path), "add")
    node, path, _, absent = _walk(root, segs)
    if edit.args:
        index = _index(node, edit.args[0], edit.path)
        assert isinstance(node, list)
        node.pop(index)
        return EditTrace(edit.label, tuple(path), "remove", (*path, index))
    if absent:
        raise _EditError(f"Couldn't find '{segs[-1]}' in '{_shown(segs[:-1])}': there is nothing to remove")
    parent = _walk(root, segs[:-1])[0]
    if not isinstance(parent, dict) or not isinstance(path[-1], str):
        raise _EditError(
            f"can't delete '{segs[-1]}' from a list", hint=f"use --remove {_shown(segs[:-1])} INDEX"
        )
    del parent[path[-1]]
    return EditTrace(edit.label, tuple(path[:-1]), "remove", tuple(path))


def _apply_preset(root: dict[str, Json], edit: AzEdit) -> EditTrace:
    segs = edit.path.split(".")
    node: Json = root
    path: list[Seg] = []
    for i, seg in enumerate(segs[:-1]):  # custom arguments create every missing level, as update_vmss does
        assert isinstance(node, dict)
        key = _lookup(node, seg, False)
        if key is None or node[key] is None:
            key = key or seg
            node[key] = {}
        elif not isinstance(node[key], dict):
            raise _EditError(f"'{_shown(segs[: i + 1])}' is {_kind(node[key])}, not an object")
        path.append(key)
        node = node[key]
    value = _security_profile(node, edit.value) if edit.kind == "security" else edit.value
    return EditTrace(edit.label, (*path, _assign(node, segs[-1], value, segs[:-1], False)), "set")


def _security_profile(vm_profile: Json, given: Json) -> Json:
    """update_vmss replaces the whole securityProfile; which shape depends on the current securityType."""
    assert isinstance(given, dict) and isinstance(vm_profile, dict)
    old = vm_profile.get(_lookup(vm_profile, "securityProfile", False) or "securityProfile")
    prev = old.get(_lookup(old, "securityType", False) or "securityType") if isinstance(old, dict) else None
    stype, boot, vtpm = given.get("securityType"), given.get("secureBootEnabled"), given.get("vTpmEnabled")
    if stype == "TrustedLaunch" and prev != stype:
        boot, vtpm = (False if boot is None else boot), (True if vtpm is None else vtpm)
        return {"securityType": stype, "uefiSettings": {"secureBootEnabled": boot, "vTpmEnabled": vtpm}}
    if stype == "Standard":
        return {"securityType": stype}  # azure-cli sends uefiSettings: null
    uefi: dict[str, Json] = {
        k: v for k, v in (("secureBootEnabled", boot), ("vTpmEnabled", vtpm)) if v is not None
    }
    return {"uefiSettings": uefi}  # azure-cli really drops securityType here


def apply_az_update(
    doc: dict[str, Json], cmd: AzUpdateCommand, source: str
) -> tuple[dict[str, Json], list[EditTrace]]:
    """Apply to a deep copy; generic edits first, then custom arguments, in azure-cli's order."""
    if not isinstance(doc, dict):
        raise InputError(source, "the current model must be a JSON object (az vmss show output)")
    result = copy.deepcopy(doc)
    ordered = sorted(cmd.edits, key=lambda e: e.kind != "generic")  # stable: command order within each part
    traces: list[EditTrace] = []
    for edit in ordered:
        try:
            traces.append(_apply_one(result, edit, cmd.force_string))
        except _EditError as exc:
            raise InputError(source, exc.problem, where=edit.label, hint=exc.hint) from None
    return result, traces


# --------------------------------------------------------------------------- parsing the command line

_VMP, _RUP = "virtualMachineProfile.", "upgradePolicy.rollingUpgradePolicy."
_TNP = _VMP + "scheduledEventsProfile.terminateNotificationProfile"
_SEC, _VSP = _VMP + "securityProfile", _VMP + "hardwareProfile.vmSizeProperties."
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
}
_OWN: dict[str, int | str] = {
    "--resource-group": 1, "--name": 1, "--subscription": 1, "--ids": "+", "--set": "+", "--add": "+",
    "--remove": "+", "--force-string": 0, "--no-wait": 0, "--output": 1, "--query": 1, "--debug": 0,
    "--verbose": 0, "--only-show-errors": 0, "--instance-id": 1, "--instance-ids": "+",
    "--protect-from-scale-in": "?", "--protect-from-scale-set-actions": "?", "--acquire-policy-token": 0,
    "--change-reference": 1,
}  # fmt: skip
_ALIASES = {
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
        if kind == "minutes" and not raw.isdigit():
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
                else {"id": raw} if kind == "id" else choice or raw
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


def parse_az_update(command: str, *, source: str = "--az-update") -> AzUpdateCommand:
    """Read one pasted `az vmss update` command; every flag becomes an edit, is harmless, or is refused."""
    tokens = _shell_tokens(command, source)
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
