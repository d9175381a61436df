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
import copy
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal, TypeAlias

from vmss_lint.arm.reader import value_problem
from vmss_lint.core.errors import InputError

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
