"""A planned `az vmss update` command, read as a patch against the `az vmss show` document.

Teams plan scale-set changes as CLI one-liners, not templates, so the linter has to predict exactly what
azure-cli would PUT. This follows azure-cli 2.91 (`vmss update` = generic update with getter
`get_vmss_modified_by_aaz` and setter `update_vmss`): the getter hands `commands/arm.py` the plain
`az vmss show` dict with `storageProfile.imageReference` set to None, so `--set/--add/--remove` index it
exactly (case-sensitive keys, a missing key on the way is an error, `--set` creates the last key, a null
parent is created one level deep, `[key=value]` filters compare the exact key, values typed by
`shell_safe_json_parse`). The setter then builds the PUT through the AAZ schema (`aaz_put`), which decides
what is really sent. Custom arguments (`--max-surge`, ...) follow `update_vmss`, after every generic edit.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from vmss_lint.arm.reader import value_problem
from vmss_lint.core.errors import InputError
from vmss_lint.inputs.edits import aaz_put
from vmss_lint.inputs.edits.aaz_put import AazRefusal, to_snack_case

Json: TypeAlias = bool | int | float | str | list["Json"] | dict[str, "Json"] | None
Seg: TypeAlias = str | int
Op = Literal["set", "add", "remove"]

MAX_COMMAND_CHARS = 256 * 1024
_LITERAL_MAX = 64 * 1024  # ast.literal_eval can exhaust the C stack on deeply nested input
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


def check_target(
    cmd: AzUpdateCommand, resource_group: str | None, name: str | None, subscription: str | None = None
) -> str | None:
    """Azure names are case-insensitive; a mismatch means the command was planned for another scale set.
    Every part that differs is named (subscription, resource group, name), so one run says all of it."""
    differs = [
        f"{what} '{planned}' (the current model's is '{actual}')"
        for what, planned, actual in (
            ("subscription", cmd.subscription, subscription),
            ("resource group", cmd.resource_group, resource_group),
            ("name", cmd.name, name),
        )
        if planned is not None and actual is not None and planned.casefold() != actual.casefold()
    ]
    if not differs:
        return None
    return "the az command targets another scale set: " + ", ".join(differs)


class _EditError(Exception):
    def __init__(self, problem: str, hint: str | None = None) -> None:
        super().__init__(problem)
        self.problem, self.hint = problem, hint


def _short(text: object, limit: int = 60) -> str:
    s = repr(text)  # quoted, and one line whatever the input holds
    return s if len(s) <= limit else s[: limit - 3] + "..."


# --------------------------------------------------------------------------- value typing


_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


def _reject_constant(name: str) -> Json:
    raise ValueError(name)  # NaN/Infinity are no JSON a PUT can carry: keep them as strings


def parse_value(raw: str) -> Json:
    """azure-cli's shell_safe_json_parse: JSON, then a Python literal, else the raw string (`01` stays text).

    What no request body can carry is refused rather than kept: a number past a double's range (`1e400`
    parses to infinity, 5,000 digits past Python's int() limit) and a lone surrogate."""
    if _NUMBER.fullmatch(raw.strip()):
        try:
            number = json.loads(raw)
        except ValueError:  # Python's limit on int() of more than 4,300 digits
            number = float("inf")
        _refuse_what_json_cannot_carry(raw, number)
    _refuse_what_json_cannot_carry(raw, raw)
    try:
        value: Json = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        pass
    else:
        _refuse_what_json_cannot_carry(raw, value)
        return value
    if len(raw) > _LITERAL_MAX:
        return raw
    try:
        literal = ast.literal_eval(raw)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return raw
    try:  # what the wire would carry: tuples become lists, non-string keys become strings
        wire: Json = json.loads(json.dumps(literal))
    except (TypeError, ValueError, RecursionError):
        raise _EditError(
            f"{_short(raw)} is a Python {type(literal).__name__} literal that JSON cannot carry",
            hint="quote it as a JSON value, or add --force-string to keep it as text",
        ) from None
    _refuse_what_json_cannot_carry(raw, wire)
    return wire


def _refuse_what_json_cannot_carry(raw: str, value: Json) -> None:
    """`[1e400]` parses (to `[inf]`) but no request body can carry it, and the report would not be JSON."""
    problem = value_problem(value)
    if problem is not None:
        raise _EditError(
            f"{_short(raw)} {problem}", hint="quote it, or add --force-string to keep it as text"
        )


# --------------------------------------------------------------------------- path walking


def _internal_path(path: str) -> list[str]:
    path = path.replace(".[", "[").replace("[", ".[")
    segs = [m.group(1) or m.group(2) for m in _SEGMENT.finditer(path)]
    if not segs:
        raise _EditError(f"empty property path {_short(path)}")
    return segs


def _shown(segs: Sequence[str]) -> str:
    return ".".join(segs).replace(".[", "[")


def _lookup(d: dict[str, Json], seg: str) -> str | None:
    return seg if seg in d else None  # dict instances are indexed exactly (arm.py _update_instance)


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


def _step(node: Json, seg: str, typed: Sequence[str]) -> tuple[Json, Seg]:
    """One segment of azure-cli's _find_property on a plain dict; returns (value, resolved key)."""
    where = _shown(typed)
    if seg.startswith("[") and seg.endswith("]"):
        inner = seg[1:-1]
        if not isinstance(node, list):
            raise _EditError(
                f"Couldn't find '{seg}' in '{where}': '{where or '(top level)'}' is {_kind(node)}"
            )
        if "=" in inner:
            key, raw = inner.split("=", 1)
            want = parse_value(raw)
            hits = [i for i, x in enumerate(node) if isinstance(x, dict) and key in x and x[key] == want]
            if len(hits) > 1:
                raise _EditError(
                    f"non-unique key '{key}' found multiple matches on {where}. Key must be unique."
                )
            if not hits:
                raise _EditError(f"item with value '{want}' doesn't exist for key '{key}' on {where}")
            return node[hits[0]], hits[0]
        index = _index(node, inner, where)
        return node[index], index
    if isinstance(node, dict):
        if seg in node:
            return node[seg], seg
        raise _EditError(f"Couldn't find '{seg}' in '{where}'. Available options: {sorted(node)[:15]}")
    raise _EditError(f"Couldn't find '{seg}' in '{where}'. '{where}' does not support further indexing.")


def _walk(root: Json, segs: Sequence[str]) -> tuple[Json, list[Seg]]:
    node, path = root, []
    for i, seg in enumerate(segs):
        node, key = _step(node, seg, segs[:i])
        path.append(key)
    return node, path


def _assign(node: Json, seg: str, value: Json, typed: Sequence[str]) -> Seg:
    """azure-cli's final assignment in set_properties: a dict key is set (created) exactly as typed."""
    where = _shown(typed)
    if seg.startswith("[") and seg.endswith("]"):
        if not isinstance(node, list):
            raise _EditError(f"Couldn't find '{seg}' in '{where}': '{where}' is {_kind(node)}, not a list")
        index = _index(node, seg[1:-1], where)
        node[index] = value
        return index
    if not isinstance(node, dict):
        raise _EditError(f"Couldn't find '{seg}' in '{where}'")
    node[seg] = value
    return seg


def _container(root: Json, segs: Sequence[str], empty: Json) -> tuple[Json, list[Seg]]:
    """Resolve a parent path; if it is null, create it one level deep (azure-cli)."""
    node, path = _walk(root, segs)
    if node is None and segs:
        parent, ppath = _walk(root, segs[:-1])
        path = [*ppath, _assign(parent, segs[-1], copy.deepcopy(empty), segs[:-1])]
        node = _walk(root, segs)[0]
    return node, path


def _split_key_value(expr: str) -> tuple[str, str]:
    if expr.count("=") != 1:
        in_brackets = False
        for i, ch in enumerate(expr):
            if ch == "=" and not in_brackets:
                return expr[:i], expr[i + 1 :]
            in_brackets = True if ch == "[" else False if ch == "]" else in_brackets
        return expr, ""  # arm.py _split_key_value_pair: no `=` outside brackets sets the whole text to ''

    key, value = expr.split("=", 1)
    return key, value


# --------------------------------------------------------------------------- applying


def _apply_one(root: dict[str, Json], edit: AzEdit, force_string: bool) -> EditTrace:
    if edit.op == "set":
        key, raw = _split_key_value(edit.args[0])
        if not key.strip():
            raise _EditError(
                "usage error: Empty key in --set. Correct syntax: --set KEY=VALUE [KEY=VALUE ...]"
            )
        value: Json = raw if force_string else parse_value(raw)
        segs = _internal_path(key)
        node, path = _container(root, segs[:-1], {})
        return EditTrace(edit.label, (*path, _assign(node, segs[-1], value, segs[:-1])), "set")
    segs = _internal_path(edit.path)
    if edit.op == "add":
        target, path = _container(root, segs, [])
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
    node, path = _walk(root, segs)
    if edit.args:
        if not isinstance(node, list):
            raise _EditError(f"'{edit.path}' is {_kind(node)}, not a list")
        index = _index(node, edit.args[0], segs[-1])
        node.pop(index)
        return EditTrace(edit.label, tuple(path), "remove", (*path, index))
    parent = _walk(root, segs[:-1])[0]
    if not isinstance(parent, dict) or not isinstance(path[-1], str):
        raise _EditError(
            f"can't delete '{segs[-1]}' from a list", hint=f"use --remove {_shown(segs[:-1])} INDEX"
        )
    del parent[path[-1]]
    return EditTrace(edit.label, tuple(path[:-1]), "remove", tuple(path))


def _apply_preset(converted: dict[str, Json], edit: AzEdit) -> None:
    """A custom argument as update_vmss applies it: on the snake_case dict, creating missing levels."""
    segs = [to_snack_case(s) for s in edit.path.split(".")]
    if edit.flag.startswith("--regular-priority-") and converted.get("orchestration_mode") != "Flexible":
        raise _EditError(
            "--regular-priority-count/--regular-priority-percentage is only available for VMSS with flexible"
            " orchestration mode"
        )
    node: dict[str, Json] = converted
    for seg in segs[:-1]:
        if node.get(seg) is None:
            node[seg] = {}
        child = node[seg]
        if not isinstance(child, dict):
            raise _EditError(f"'{seg}' is {_kind(child)}, not an object")
        node = child
    if edit.flag == "--enable-proxy-agent":  # update_vmss makes sure wireServer and imds exist (as {})
        for side in ("wire_server", "imds"):
            if node.get(side) is None:
                node[side] = {}
    if edit.flag == "--ephemeral-os-disk":  # false: "set ephemeral disk setting as empty"; true: create it
        if edit.value is False or node.get(segs[-1]) is None:
            node[segs[-1]] = {}
        return
    value = _security_profile(node, edit.value) if edit.kind == "security" else _snake_keys(edit.value)
    node[segs[-1]] = value


def _snake_keys(value: Json) -> Json:
    if isinstance(value, dict):
        return {to_snack_case(k): v for k, v in value.items()}
    return value


def _security_profile(vm_profile: dict[str, Json], given: Json) -> Json:
    """update_vmss replaces the whole securityProfile; which shape depends on the current securityType."""
    assert isinstance(given, dict)
    old = vm_profile.get("security_profile")
    prev = old.get("security_type") if isinstance(old, dict) else None
    stype, boot, vtpm = given.get("securityType"), given.get("secureBootEnabled"), given.get("vTpmEnabled")
    if stype == "TrustedLaunch" and prev != stype:
        boot, vtpm = (False if boot is None else boot), (True if vtpm is None else vtpm)
        return {"security_type": stype, "uefi_settings": {"secure_boot_enabled": boot, "v_tpm_enabled": vtpm}}
    if stype == "Standard":
        return {"security_type": stype, "uefi_settings": None}
    return {"uefi_settings": {"secure_boot_enabled": boot, "v_tpm_enabled": vtpm}}  # securityType dropped


@dataclass(frozen=True)
class Emulation:
    """What azure-cli would do with one command: the PUT body (REST shape) and where each edit landed."""

    body: dict[str, Json]
    traces: list[EditTrace]
    no_effect: list[tuple[AzEdit, str]]  # edits that change nothing in the PUT, and why


def _run(
    show: dict[str, Json], cmd: AzUpdateCommand, skip: AzEdit | None
) -> tuple[dict[str, Json], list[EditTrace], list[tuple[str, str]]]:
    doc = copy.deepcopy(show)
    vmp = doc.get("virtualMachineProfile")
    if isinstance(vmp, dict) and vmp.get("storageProfile") is not None:
        storage = vmp["storageProfile"]
        if isinstance(
            storage, dict
        ):  # "To avoid unnecessary permission check of image" (get_vmss_modified_by_aaz)
            storage["imageReference"] = None
    traces: list[EditTrace] = []
    for edit in cmd.edits:
        if edit.kind == "generic" and edit is not skip:
            traces.append(_apply_one(doc, edit, cmd.force_string))
    dropped: list[tuple[str, str]] = []
    converted = aaz_put.convert_show(doc, dropped)
    for edit in cmd.edits:
        if edit.kind != "generic" and edit is not skip:
            _apply_preset(converted, edit)
            traces.append(EditTrace(edit.label, tuple(edit.path.split(".")), "set"))
    converted.update({"resource_group": "rg", "vm_scale_set_name": "name", "no_wait": False})
    return aaz_put.build_put(converted, dropped), traces, dropped


def emulate(show: dict[str, Json], cmd: AzUpdateCommand, source: str) -> Emulation:
    """Run the command the way azure-cli 2.91 would, against `show` (the `az vmss show` dict)."""
    if not isinstance(show, dict):
        raise InputError(source, "the current model must be a JSON object (az vmss show output)")
    try:
        body, traces, dropped = _run(show, cmd, None)
    except _EditError as exc:
        raise InputError(source, exc.problem, where=_culprit(show, cmd), hint=exc.hint) from None
    except AazRefusal as exc:
        raise InputError(
            source, f"azure-cli would refuse it: {exc.message}", where=_culprit(show, cmd)
        ) from None
    no_effect: list[tuple[AzEdit, str]] = []
    for edit in cmd.edits:
        try:
            without = _run(show, cmd, edit)[0]
        except (_EditError, AazRefusal):
            continue
        if without == body or _omits_only(edit):
            no_effect.append((edit, _why(edit, dropped)))
    return Emulation(body, traces, no_effect)


def _omits_only(edit: AzEdit) -> bool:
    """`--remove a.b.c` outside any list only leaves c out of the PUT, and Azure keeps what a PUT omits.

    Inside a list element the element is sent without the key, which replaces it: that one is a change.
    """
    return edit.kind == "generic" and edit.op == "remove" and not edit.args and "[" not in edit.path


def _culprit(show: dict[str, Json], cmd: AzUpdateCommand) -> str | None:
    """The edit the refusal comes from: the first one whose prefix of the command is refused."""
    for n in range(1, len(cmd.edits) + 1):
        try:
            _run(show, dataclasses.replace(cmd, edits=cmd.edits[:n]), None)
        except (_EditError, AazRefusal):
            return cmd.edits[n - 1].label
    return None


def _why(edit: AzEdit, dropped: list[tuple[str, str]]) -> str:
    if edit.op == "remove" and not edit.args:
        return "azure-cli only leaves the property out of the PUT, and Azure keeps a property the PUT omits"
    target = _label_path(edit)
    for path, reason in dropped:
        if target == path or target.startswith(path + ".") or target.startswith(path + "["):
            return reason
    return "the PUT azure-cli sends is the same without it (the value is already the current one)"


def _label_path(edit: AzEdit) -> str:
    if edit.kind == "generic" and edit.op == "set":
        try:
            return _split_key_value(edit.args[0])[0]
        except _EditError:
            return edit.path
    return edit.path


def apply_az_update(
    doc: dict[str, Json], cmd: AzUpdateCommand, source: str
) -> tuple[dict[str, Json], list[EditTrace]]:
    """Apply the generic edits only, to a deep copy (the `az vmss show` dict as the getter hands it over)."""
    if not isinstance(doc, dict):
        raise InputError(source, "the current model must be a JSON object (az vmss show output)")
    result = copy.deepcopy(doc)
    traces: list[EditTrace] = []
    for edit in cmd.edits:
        if edit.kind != "generic":
            continue
        try:
            traces.append(_apply_one(result, edit, cmd.force_string))
        except _EditError as exc:
            raise InputError(source, exc.problem, where=edit.label, hint=exc.hint) from None
    return result, traces
