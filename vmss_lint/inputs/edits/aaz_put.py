"""The PUT body `az vmss update` sends, built from the edited `az vmss show` dict as azure-cli 2.91 builds it.

azure-cli's setter (`update_vmss`) does not send the edited dict: it renames known keys with
`convert_show_result_to_snake_case`, hands the result to the AAZ `vmss create` command as arguments, and
that command's argument schema decides what survives: unknown keys are dropped, scalars are type-checked
(a string is JSON-parsed once, so `"true"` passes for a bool but `FALSE` does not), required fields and
minimums are enforced, null on a non-nullable field means "not given". The content builder then writes the
REST body. `aaz_vmss_create.json` holds that schema, the REST name of every argument and the converter's
renames, extracted from the installed CLI by `tests/azcli_extract.py` (never hand-edited).

The emulation records what it dropped and why, so an edit that sends nothing can be reported as such.
"""

from __future__ import annotations

import ast
import json
import re
from functools import lru_cache
from typing import Any

from vmss_lint.core.package_files import package_files
from vmss_lint.core.records import Record

_UNSET = object()  # AAZ's "undefined": the argument was not given and is left out of the PUT


class AazRefusal(Exception):
    """azure-cli refused the arguments (AAZInvalidValueError and friends); the message is azure-cli's."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.message, self.path = message, path


class AazSchema(Record):
    """The AAZ `vmss create` schema extracted from azure-cli (`aaz_vmss_create.json`), and its CLI version."""

    cli_version: str
    api_version: str
    top_level: dict[str, str]
    renames: dict[str, dict[str, str]]
    args: dict[str, Any]


@lru_cache(maxsize=1)
def schema() -> AazSchema:
    text = package_files("vmss_lint.inputs.edits").joinpath("aaz_vmss_create.json").read_text("utf-8")
    raw = json.loads(text)
    return AazSchema(
        cli_version=raw["azure_cli"],
        api_version=raw["api_version"],
        top_level=raw["top_level"],
        renames=raw["renames"],
        args=raw["args"],
    )


def to_snack_case(name: str) -> str:
    """azure-cli-core aaz/_utils.py to_snack_case (sic)."""
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z0-9])([A-Z])", r"\1_\2", name).lower()
    return name.replace("-", "_")


def shell_safe_json_parse(value: Any) -> Any:
    """azure-cli-core util.shell_safe_json_parse as AAZ calls it on a mistyped scalar; raises when it fails."""
    if not isinstance(value, str):
        raise TypeError(value)  # json.loads on a non-string: azure-cli lets the TypeError escape
    try:
        return json.loads(value)
    except ValueError:
        pass
    if len(value) > 64 * 1024:
        raise ValueError(value)
    try:
        return ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise ValueError(value) from None


def _attr_name(node: dict[str, Any], key: str) -> str | None:
    """AAZObjectType.get_attr_name: exact field, option alias, else snake case of a key with capitals."""
    fields = node["f"]
    if key in fields:
        return key
    alias = node.get("alias", {}).get(key)
    if alias is not None:
        return str(alias)
    if key != key.lower():
        snake = to_snack_case(key)
        if snake in fields:
            return snake
    return None


# --------------------------------------------------------------------------- convert_show_result_to_snake_case


def convert_show(show: dict[str, Any], dropped: list[tuple[str, str]]) -> dict[str, Any]:
    """The converter's effect: a whitelist at the top level, then renames (pop + append) below."""
    sch = schema()
    out: dict[str, Any] = {}
    for key in sch.top_level:
        if key in show:
            out[sch.top_level[key]] = show[key]
    for key in show:
        if key not in sch.top_level:
            dropped.append((key, f"azure-cli {sch.cli_version} does not send the top-level '{key}'"))
    for path, names in sorted(sch.renames.items(), key=lambda kv: kv[0].count(".")):
        if path == "":
            continue
        for node in _nodes(out, _renamed_path(sch, path.split("."))):
            for camel, snake in names.items():
                if isinstance(node, dict) and camel in node:
                    node[snake] = node.pop(camel)
    return out


def _renamed_path(sch: AazSchema, segs: list[str]) -> list[str]:
    """Where a show-dict path is once its parents have been renamed (parents are renamed first)."""
    out: list[str] = []
    for i, seg in enumerate(segs):
        names = sch.top_level if i == 0 else sch.renames.get(".".join(segs[:i]), {})
        out.append(names.get(seg, seg))
    return out


def _nodes(root: Any, segs: list[str]) -> list[Any]:
    """The converter's `x.get(k, {}) or {}` walk: missing or empty levels yield nothing to rename."""
    found = [root]
    for seg in segs:
        nxt: list[Any] = []
        for node in found:
            if seg == "[]":
                nxt.extend(node if isinstance(node, list) else [])
            elif isinstance(node, dict) and node.get(seg):
                nxt.append(node[seg])
        found = nxt
    return found


# --------------------------------------------------------------------------- AAZ argument processing


def _refuse(message: str, path: str) -> AazRefusal:
    return AazRefusal(message, path)


def _py_type(kind: str) -> str:
    return {
        "str": "<class 'str'>",
        "int": "<class 'int'>",
        "bool": "<class 'bool'>",
        "float": "<class 'float'>",
    }[kind]


def _pyrepr_type(value: Any) -> str:
    return f"<class '{type(value).__name__}'>"


def _simple(node: dict[str, Any], value: Any, path: str) -> Any:
    kind = node["t"]
    want: type | tuple[type, ...] = {"str": str, "int": int, "bool": bool, "float": float}[kind]
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, want) and not (kind == "float" and isinstance(value, bool)):
        return value
    try:
        parsed = shell_safe_json_parse(value)
    except (ValueError, TypeError):
        raise _refuse(f"Expect {_py_type(kind)}, got {value} ({_pyrepr_type(value)})", path) from None
    if kind == "float" and isinstance(parsed, int) and not isinstance(parsed, bool):
        return float(parsed)
    if not isinstance(parsed, want):
        raise _refuse(f"Expect {_py_type(kind)}, got {value} ({_pyrepr_type(value)})", path)
    return parsed


def process(node: dict[str, Any], value: Any, path: str, dropped: list[tuple[str, str]]) -> Any:
    """One argument's process_data; returns _UNSET for "not given"."""
    if value is None:
        return None if node.get("null") else _UNSET
    kind = node["t"]
    if kind == "any":
        return value
    if kind in ("str", "int", "bool", "float"):
        return _simple(node, value, path)
    if kind == "object":
        if not isinstance(value, dict):
            raise _refuse(f"Expect <class 'dict'>, got {value} ({_pyrepr_type(value)})", path)
        out: dict[str, Any] = {}
        for key, sub in value.items():
            name = _attr_name(node, key) if isinstance(key, str) else None
            where = f"{path}.{key}" if path else str(key)
            if name is None:
                dropped.append((where, f"'{key}' is not a property azure-cli's PUT schema knows there"))
                continue
            result = process(node["f"][name], sub, where, dropped)
            if result is _UNSET:  # kept as a patch: it counts as given for `required`, and is not sent
                dropped.append((where, "null is not sent (the property keeps its current value)"))
            out[name] = result
        return out
    if kind in ("dict", "freeform"):
        if not isinstance(value, dict):
            raise _refuse(f"Expect <class 'dict'>, got {value} ({_pyrepr_type(value)})", path)
        if kind == "freeform":
            return value
        items: dict[str, Any] = {}
        for key, sub in value.items():
            result = process(node["e"], sub, f"{path}.{key}", dropped)
            if result is not _UNSET:
                items[key] = result
        return items
    if not isinstance(value, list):
        raise _refuse(f"Expect <class 'list'>, got {value} ({_pyrepr_type(value)})", path)
    elements = []
    for i, sub in enumerate(value):
        result = process(node["e"], sub, f"{path}[{i}]", dropped)
        elements.append(None if result is _UNSET else result)
    return elements


# --------------------------------------------------------------------------- formats (the _fmt pass)


def check_formats(node: dict[str, Any], value: Any, option: str) -> None:
    """AAZ's format checks, in the order azure-cli runs them; the messages are azure-cli's."""
    fmt = node.get("fmt", {})
    kind = fmt.get("kind")
    if value is None or value is _UNSET:
        return
    if node["t"] == "object" and isinstance(value, dict):
        for name, child in node["f"].items():
            if name in value:
                check_formats(child, value[name], name)
            elif child.get("req"):
                raise _refuse(f"Missing required field: {name}", option)
        return
    if node["t"] == "list" and isinstance(value, list):
        for item in value:
            check_formats(node["e"], item, option)
        if "max_length" in fmt and len(value) > fmt["max_length"]:
            raise _refuse(f"Length of list '{option}' is greater than {fmt['max_length']}", option)
        if "min_length" in fmt and len(value) < fmt["min_length"]:
            raise _refuse(f"Length of list '{option}' is less than {fmt['min_length']}", option)
        return
    if node["t"] == "dict" and isinstance(value, dict):
        for item in value.values():
            check_formats(node["e"], item, option)
        return
    if kind == "AAZIntArgFormat" or kind == "AAZFloatArgFormat":
        if "minimum" in fmt and value < fmt["minimum"]:
            raise _refuse(f"Field '{option}' : Value '{value}' is less than {fmt['minimum']}", option)
        if "maximum" in fmt and value > fmt["maximum"]:
            raise _refuse(f"Field '{option}' : Value '{value}' is greater than {fmt['maximum']}", option)
    if kind == "AAZStrArgFormat" and isinstance(value, str):
        if "pattern" in fmt and not re.match(fmt["pattern"], value):
            raise _refuse(f"Field '{option}' : Value '{value}' does not match the pattern", option)
        if "max_length" in fmt and len(value) > fmt["max_length"]:
            raise _refuse(f"Field '{option}' : Value '{value}' is longer than {fmt['max_length']}", option)
        if "min_length" in fmt and len(value) < fmt["min_length"]:
            raise _refuse(f"Field '{option}' : Value '{value}' is shorter than {fmt['min_length']}", option)


# --------------------------------------------------------------------------- serializing the PUT body


def serialize(node: dict[str, Any], value: Any) -> Any:
    if node["t"] == "object" and isinstance(value, dict):
        body: dict[str, Any] = {}
        for name, child in node["f"].items():
            if name not in value or value[name] is _UNSET:
                continue
            rest = child.get("rest")
            if rest is None:
                continue  # an argument the content builder does not write (if_match, no_wait, ...)
            _place(body, rest, serialize(child, value[name]))
        return body
    if node["t"] == "list" and isinstance(value, list):
        return [serialize(node["e"], v) for v in value]
    if node["t"] == "dict" and isinstance(value, dict):
        return {k: serialize(node["e"], v) for k, v in value.items()}
    return value


def _place(body: dict[str, Any], rest: list[str], value: Any) -> None:
    for seg in rest[:-1]:
        body = body.setdefault(seg, {})
    body[rest[-1]] = value


def build_put(converted: dict[str, Any], dropped: list[tuple[str, str]]) -> dict[str, Any]:
    """AAZ `vmss create` with the converted dict as command_args: arguments, formats, then the body."""
    root = {"t": "object", "f": schema().args}
    args = process(root, converted, "", dropped)
    assert isinstance(args, dict)
    check_formats(root, args, "")
    body = serialize(root, args)
    assert isinstance(body, dict)
    return body
