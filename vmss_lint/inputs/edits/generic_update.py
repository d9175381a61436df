"""azure-cli's generic update (`commands/arm.py`) on the `az vmss show` dict: `--set`, `--add`, `--remove`.

azure-cli 2.91 hands the generic update the plain `az vmss show` dict, so `--set/--add/--remove` index it
exactly: case-sensitive keys, a missing key on the way is an error, `--set` creates the last key, a null
parent is created one level deep, `[key=value]` filters compare the exact key, and values are typed by
`shell_safe_json_parse`. What the setter then sends is `az_update`'s business.
"""

from __future__ import annotations

import ast
import copy
import json
import re
from collections.abc import Sequence

from vmss_lint.arm.reader import value_problem
from vmss_lint.core.errors import InputError
from vmss_lint.inputs.edits.command import AzEdit, AzUpdateCommand, EditError, EditTrace, Json, Seg, short

_LITERAL_MAX = 64 * 1024  # ast.literal_eval can exhaust the C stack on deeply nested input
_SEGMENT = re.compile(r"(\[.*?\])|([^.]+)")


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
        raise EditError(
            f"{short(raw)} is a Python {type(literal).__name__} literal that JSON cannot carry",
            hint="quote it as a JSON value, or add --force-string to keep it as text",
        ) from None
    _refuse_what_json_cannot_carry(raw, wire)
    return wire


def _refuse_what_json_cannot_carry(raw: str, value: Json) -> None:
    """`[1e400]` parses (to `[inf]`) but no request body can carry it, and the report would not be JSON."""
    problem = value_problem(value)
    if problem is not None:
        raise EditError(f"{short(raw)} {problem}", hint="quote it, or add --force-string to keep it as text")


# --------------------------------------------------------------------------- path walking


def _internal_path(path: str) -> list[str]:
    path = path.replace(".[", "[").replace("[", ".[")
    segs = [m.group(1) or m.group(2) for m in _SEGMENT.finditer(path)]
    if not segs:
        raise EditError(f"empty property path {short(path)}")
    return segs


def _shown(segs: Sequence[str]) -> str:
    return ".".join(segs).replace(".[", "[")


def _lookup(d: dict[str, Json], seg: str) -> str | None:
    return seg if seg in d else None  # dict instances are indexed exactly (arm.py _update_instance)


def kind_of(value: Json) -> str:
    """How a message names what a value is: `null`, `a list`, `a str`."""
    return "null" if value is None else f"a {type(value).__name__}"


def _index(node: Json, text: str, where: str) -> int:
    """Python list indexing, as azure-cli does it (negative counts from the end), normalized to >= 0."""
    if not isinstance(node, list):
        raise EditError(f"'{where}' is {kind_of(node)}, not a list")
    try:
        index = int(text)
    except ValueError:
        raise EditError(f"index {short(text)} is not an integer (use [N] or [key=value])") from None
    if not -len(node) <= index < len(node):
        raise EditError(f"index {index} doesn't exist on '{where}' (it has {len(node)} items)")
    return index % len(node)


def _step(node: Json, seg: str, typed: Sequence[str]) -> tuple[Json, Seg]:
    """One segment of azure-cli's _find_property on a plain dict; returns (value, resolved key)."""
    where = _shown(typed)
    if seg.startswith("[") and seg.endswith("]"):
        inner = seg[1:-1]
        if not isinstance(node, list):
            raise EditError(
                f"Couldn't find '{seg}' in '{where}': '{where or '(top level)'}' is {kind_of(node)}"
            )
        if "=" in inner:
            key, raw = inner.split("=", 1)
            want = parse_value(raw)
            hits = [i for i, x in enumerate(node) if isinstance(x, dict) and key in x and x[key] == want]
            if len(hits) > 1:
                raise EditError(
                    f"non-unique key '{key}' found multiple matches on {where}. Key must be unique."
                )
            if not hits:
                raise EditError(f"item with value '{want}' doesn't exist for key '{key}' on {where}")
            return node[hits[0]], hits[0]
        index = _index(node, inner, where)
        return node[index], index
    if isinstance(node, dict):
        if seg in node:
            return node[seg], seg
        raise EditError(f"Couldn't find '{seg}' in '{where}'. Available options: {sorted(node)[:15]}")
    raise EditError(f"Couldn't find '{seg}' in '{where}'. '{where}' does not support further indexing.")


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
            raise EditError(f"Couldn't find '{seg}' in '{where}': '{where}' is {kind_of(node)}, not a list")
        index = _index(node, seg[1:-1], where)
        node[index] = value
        return index
    if not isinstance(node, dict):
        raise EditError(f"Couldn't find '{seg}' in '{where}'")
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


def split_key_value(expr: str) -> tuple[str, str]:
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


def apply_one(root: dict[str, Json], edit: AzEdit, force_string: bool) -> EditTrace:
    if edit.op == "set":
        key, raw = split_key_value(edit.args[0])
        if not key.strip():
            raise EditError(
                "usage error: Empty key in --set. Correct syntax: --set KEY=VALUE [KEY=VALUE ...]"
            )
        value: Json = raw if force_string else parse_value(raw)
        segs = _internal_path(key)
        node, path = _container(root, segs[:-1], {})
        return EditTrace(label=edit.label, path=(*path, _assign(node, segs[-1], value, segs[:-1])), op="set")
    segs = _internal_path(edit.path)
    if edit.op == "add":
        target, path = _container(root, segs, [])
        if not isinstance(target, list):
            raise EditError(
                f"'{edit.path}' is {kind_of(target)}, not a list", hint="--add only appends to lists"
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
        return EditTrace(label=edit.label, path=tuple(path), op="add")
    node, path = _walk(root, segs)
    if edit.args:
        if not isinstance(node, list):
            raise EditError(f"'{edit.path}' is {kind_of(node)}, not a list")
        index = _index(node, edit.args[0], segs[-1])
        node.pop(index)
        return EditTrace(label=edit.label, path=tuple(path), op="remove", removed_path=(*path, index))
    parent = _walk(root, segs[:-1])[0]
    if not isinstance(parent, dict) or not isinstance(path[-1], str):
        raise EditError(
            f"can't delete '{segs[-1]}' from a list", hint=f"use --remove {_shown(segs[:-1])} INDEX"
        )
    del parent[path[-1]]
    return EditTrace(label=edit.label, path=tuple(path[:-1]), op="remove", removed_path=tuple(path))


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
            traces.append(apply_one(result, edit, cmd.force_string))
        except EditError as exc:
            raise InputError(source, exc.problem, where=edit.label, hint=exc.hint) from None
    return result, traces
