"""Regenerate vmss_lint/inputs/edits/aaz_vmss_create.json from an installed azure-cli (a dev tool).

Run it with the Python that has azure-cli (not vmss-lint's venv):
    /work/venvs/azcli-real/bin/python tests/azcli_extract.py vmss_lint/inputs/edits/aaz_vmss_create.json

What it records, so vmss-lint can emulate `az vmss update` without azure-cli installed:
* the argument schema of the AAZ `vmss create` command that `update_vmss` hands its dict to (types,
  nullable, required, value formats such as minimums and patterns, aliases);
* where each argument lands in the PUT body: the real content builder is run against a recording stand-in,
  so the REST names and `properties` envelopes are exactly the ones azure-cli writes;
* which keys `convert_show_result_to_snake_case` keeps at the top level and which it renames below: the real
  function is run on a document holding every REST name once and the result is compared.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from typing import Any

from azure.cli.command_modules.vm.aaz.latest.vmss._create import Create
from azure.cli.command_modules.vm.operations.vmss import convert_show_result_to_snake_case

Path = tuple[str, ...]


class _Recorder:
    """Stands in for AAZContentBuilder: remembers which argument path each REST path is filled from."""

    def __init__(self, table: dict[Path, Path], nodes: dict[str, _Recorder], rest: Path, arg: Path) -> None:
        self.table, self.nodes, self.rest, self.arg = table, nodes, rest, arg
        nodes["." + ".".join(rest).replace(".[]", "[]").replace(".{}", "{}")] = self

    def _child(self, rest: str, arg_key: str | None) -> _Recorder:
        arg = self.arg if not arg_key or arg_key == "." else (*self.arg, *arg_key.strip(".").split("."))
        node = _Recorder(self.table, self.nodes, (*self.rest, rest), arg)
        if arg_key:
            self.table[arg] = node.rest
        return node

    def set_prop(self, name: str, typ: Any, arg_key: str | None = None, typ_kwargs: Any = None) -> _Recorder:
        return self._child(name, arg_key)

    def set_elements(self, typ: Any, arg_key: str | None = None, typ_kwargs: Any = None) -> _Recorder:
        kind = "{}" if "Dict" in typ.__name__ else "[]"
        node = _Recorder(self.table, self.nodes, (*self.rest, kind), (*self.arg, kind))
        self.table[node.arg] = node.rest
        return node

    def set_const(self, *args: Any, **kwargs: Any) -> None:
        raise SystemExit("the content builder uses set_const: teach the extractor about it")

    def discriminate_by(self, *args: Any, **kwargs: Any) -> None:
        raise SystemExit("the content builder uses discriminate_by: teach the extractor about it")

    def get(self, path: str) -> _Recorder | None:
        return self.nodes.get(path if path.startswith(".") else "." + path)


def rest_table() -> dict[Path, Path]:
    table: dict[Path, Path] = {}
    nodes: dict[str, _Recorder] = {}
    root = _Recorder(table, nodes, (), ())
    nodes["."] = root

    class Ctx:
        args = None

    class Fake:
        ctx = Ctx()

        def new_content_builder(self, *args: Any, **kwargs: Any) -> tuple[None, _Recorder]:
            return None, root

        def serialize_content(self, value: Any) -> None:
            return None

    Create.VirtualMachineScaleSetsCreateOrUpdate.content.fget(Fake())  # type: ignore[attr-defined]
    return table


_FMT_KEYS = (
    "pattern", "max_length", "min_length", "maximum", "minimum", "exclusive_maximum", "exclusive_minimum",
    "multiple_of", "unique", "max_properties", "min_properties", "reverse", "case", "template",
)  # fmt: skip


def _fmt(arg: Any) -> dict[str, Any]:
    fmt = getattr(arg, "_fmt", None)
    if fmt is None:
        return {}
    out: dict[str, Any] = {"kind": type(fmt).__name__}
    for key in _FMT_KEYS:
        value = getattr(fmt, "_" + key, None)
        if value is not None:
            out[key] = value if isinstance(value, (int, float, str, bool)) else str(value)
    return out


def _kind(arg: Any) -> str:
    names = [c.__name__ for c in type(arg).__mro__]
    for name, kind in (
        ("AAZFreeFormDictArg", "freeform"), ("AAZDictArg", "dict"), ("AAZListArg", "list"),
        ("AAZObjectArg", "object"), ("AAZBoolArg", "bool"), ("AAZFloatArg", "float"), ("AAZIntArg", "int"),
        ("AAZStrArg", "str"), ("AAZAnyTypeArg", "any"),
    ):  # fmt: skip
        if name in names:
            return kind
    raise SystemExit(f"unknown argument type {type(arg).__name__}")


def walk(arg: Any, path: Path, table: dict[Path, Path], depth: int = 0) -> dict[str, Any]:
    if depth > 40:
        raise SystemExit(f"argument schema too deep at {path}")
    node: dict[str, Any] = {"t": _kind(arg)}
    if getattr(arg, "_nullable", False):
        node["null"] = True
    if getattr(arg, "_required", False):
        node["req"] = True
    fmt = _fmt(arg)
    if fmt:
        node["fmt"] = fmt
    if path in table:
        node["rest"] = list(table[path])
    if node["t"] == "object":
        node["f"] = {name: walk(f, (*path, name), table, depth + 1) for name, f in arg._fields.items()}
        aliases = {a: n for a, n in arg._fields_alias_map.items() if not a.startswith("-")}
        if aliases:
            node["alias"] = aliases
        if getattr(arg, "_discriminator_field_name", None):
            raise SystemExit(f"polymorphic object at {path}: teach the emulation about it")
    elif node["t"] in ("list", "dict"):
        element = arg.Element
        node["e"] = walk(element, (*path, "[]" if node["t"] == "list" else "{}"), table, depth + 1)
    return node


def _full_show(node: dict[str, Any], counter: list[int]) -> Any:
    """A show-shaped document with every REST name once (camelCase, envelopes flattened), unique leaves."""
    if node["t"] == "object":
        out: dict[str, Any] = {}
        for name, child in node["f"].items():
            rest = [r for r in child.get("rest", [name]) if r != "properties"]
            out[rest[-1] if rest else name] = _full_show(child, counter)
        return out
    if node["t"] == "list":
        return [_full_show(node["e"], counter)]
    counter[0] += 1
    return f"leaf-{counter[0]}"


def _relative(node: dict[str, Any], parent: list[str]) -> None:
    """Absolute REST paths as recorded become paths relative to the enclosing argument."""
    here = node.get("rest", parent)
    for child in node.get("f", {}).values():
        _relative(child, here)
    if "e" in node:
        _relative(node["e"], here)
        node["e"].pop("rest", None)
    if "rest" in node:
        assert node["rest"][: len(parent)] == parent, (node["rest"], parent)
        node["rest"] = node["rest"][len(parent) :]


def renames(show: Any, converted: Any, path: Path, out: dict[str, dict[str, str]]) -> None:
    if isinstance(show, list) and isinstance(converted, list) and show and converted:
        renames(show[0], converted[0], (*path, "[]"), out)
        return
    if not isinstance(show, dict) or not isinstance(converted, dict):
        return
    here: dict[str, str] = {}
    for key, value in show.items():
        if key in converted:
            renames(value, converted[key], (*path, key), out)
            continue
        moved = [k for k in converted if k not in show and _same(converted[k], value)]
        if len(moved) == 1:
            here[key] = moved[0]
            renames(value, converted[moved[0]], (*path, key), out)
    if here:
        out[".".join(path)] = here


def _same(a: Any, b: Any) -> bool:
    return _leaves(a) == _leaves(b)


def _leaves(value: Any) -> list[str]:
    if isinstance(value, dict):
        return sorted(x for v in value.values() for x in _leaves(v))
    if isinstance(value, list):
        return sorted(x for v in value for x in _leaves(v))
    return [str(value)]


def main() -> None:
    table = rest_table()
    schema = Create._build_arguments_schema()
    root = {name: walk(f, (name,), table) for name, f in schema._fields.items()}
    show = _full_show({"t": "object", "f": root}, [0])
    converted = convert_show_result_to_snake_case(json.loads(json.dumps(show)))
    top = sorted(k for k in show if k in converted or any(_same(converted[c], show[k]) for c in converted))
    conv: dict[str, dict[str, str]] = {}
    renames({k: show[k] for k in top}, converted, (), conv)
    top_map = {k: next((c for c in converted if c == k or (c not in show and _same(converted[c], show[k]))), k)
               for k in top}  # fmt: skip
    for child in root.values():
        _relative(child, [])
    doc = {
        "azure_cli": version("azure-cli"),
        "command": "az vmss update (getter get_vmss_modified_by_aaz, setter update_vmss -> AAZ vmss create)",
        "api_version": "2026-04-01",
        "top_level": top_map,
        "renames": conv,
        "args": root,
    }
    text = json.dumps(doc, indent=None, sort_keys=True, separators=(",", ":"))
    with open(sys.argv[1], "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
    print(f"azure-cli {doc['azure_cli']}: {len(table)} REST paths, {len(top_map)} top-level keys")


if __name__ == "__main__":
    main()
