"""Turn a resolved template resource into a `ScaleSetModel`: canonical shape, source lines, secrets.

A finding on a template must land on the line a reviewer would edit: the property in the resource,
plus where its value came from when that is a parameter or a variable ("parameters('vmSku') =
prod.parameters.json:6"). Positions are therefore mapped from the *unresolved* resource, whose keys
are the ones in the file, onto the canonical pointers the rules use.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from vmss_lint.arm.expressions.api import (
    ExpressionError,
    Unknown,
    is_expression,
    parse_expression,
    references_secret,
)
from vmss_lint.arm.expressions.parse import Call, Index, Lit, Member, Node
from vmss_lint.arm.template_options import TemplateContext
from vmss_lint.arm.template_resources import TEMPLATE_ONLY_KEYS, FoundResource, Origin
from vmss_lint.core.findings import Hit, Location
from vmss_lint.core.model import ScaleSetModel, join_pointer
from vmss_lint.core.normalize import FREE_FORM, canonical_key, normalize

_EXTENSIONS_PATH: list[str | int] = ["properties", "virtualMachineProfile", "extensionProfile", "extensions"]


def model_from_found(found: FoundResource, context: TemplateContext) -> ScaleSetModel:
    """The scale set as ARM will PUT it, with its extension resources folded into its profile."""
    body: dict[str, Any] = copy.deepcopy(found.body)
    ext_indexes: list[tuple[FoundResource, str]] = []
    for ext in found.extensions:
        short = _extension_name(ext)
        _merge_extension(body, short, ext)
        ext_indexes.append((ext, short))
    doc = normalize_with_unknowns(body, found.origin.file.path)
    mapper = _PositionMapper(found.origin, doc)
    mapper.walk(
        {k: v for k, v in found.raw.items() if k.lower() not in TEMPLATE_ONLY_KEYS}, found.pointer, []
    )
    extensions = _get(doc, _EXTENSIONS_PATH)
    for ext, short in ext_indexes:
        index = _index_by_name(extensions, short)
        if index is not None:
            ext_mapper = _PositionMapper(ext.origin, doc)
            raw = {
                k: v
                for k, v in ext.raw.items()
                if k.lower() not in TEMPLATE_ONLY_KEYS and k.lower() != "type"
            }
            ext_mapper.walk(raw, ext.pointer, [*_EXTENSIONS_PATH, index])
            mapper.positions.update(ext_mapper.positions)
            mapper.secrets |= ext_mapper.secrets
    sub = (context.subscription or {}).get("subscriptionId")
    rg = (context.resource_group or {}).get("name")
    meta: list[tuple[str, Hit]] = []
    if found.condition_text is not None:
        reason = found.condition.reason if isinstance(found.condition, Unknown) else "it is unknown"
        meta.append(
            (
                "VMSS001",
                Hit(
                    "",
                    message=f"{found.display_name} is deployed only if its condition {found.condition_text} "
                    f"holds, which cannot be decided offline ({reason}); judged as deployed",
                ),
            )
        )
    return ScaleSetModel(
        doc=doc,
        source=found.origin.file.path,
        shape="template",
        api_version=found.api_version,
        api_detail=found.api_detail,
        positions=mapper.positions,
        secret_pointers=frozenset(mapper.secrets),
        subscription=sub if isinstance(sub, str) else None,
        resource_group=rg if isinstance(rg, str) else None,
        meta_hits=meta,
    )


def normalize_with_unknowns(body: dict[str, Any], source: str) -> dict[str, Any]:
    """`normalize` for a document that holds `Unknown` values (which it would reject or drop).

    Unknowns are cut out of their objects first and put back at their canonical pointers afterwards.
    `body` is modified.
    """
    holes: list[tuple[list[str | int], Unknown]] = []
    _cut_unknowns(body, [], holes)
    doc = normalize(body, source, "rest")
    for path, unknown in holes:
        _put(doc, [canonical_key(p) if isinstance(p, str) else p for p in path], unknown)
    return doc


def _extension_name(ext: FoundResource) -> str:
    if isinstance(ext.name, str):
        return ext.name.rsplit("/", 1)[-1]
    return ext.name_text


def _merge_extension(body: dict[str, Any], name: str, ext: FoundResource) -> None:
    node: Any = body
    for key in ("properties", "virtualMachineProfile", "extensionProfile"):
        node = _child(node, key, {})
        if node is None:
            return
    extensions = _child(node, "extensions", [])
    if not isinstance(extensions, list):
        return
    entry: dict[str, Any] = {"name": name}
    props = next((v for k, v in ext.body.items() if k.lower() == "properties"), None)
    if props is not None:
        entry["properties"] = props
    index = _index_by_name(extensions, name)
    if index is None:
        extensions.append(entry)
    else:
        extensions[index] = entry


def _child(node: Any, key: str, default: Any) -> Any:
    if not isinstance(node, dict):
        return None
    for k, v in node.items():
        if k.lower() == key.lower():
            return v if isinstance(v, type(default)) else None
    node[key] = default
    return default


def _index_by_name(items: Any, name: str) -> int | None:
    if not isinstance(items, list):
        return None
    for i, item in enumerate(items):
        if (
            isinstance(item, dict)
            and isinstance(item.get("name"), str)
            and item["name"].lower() == name.lower()
        ):
            return i
    return None


def _cut_unknowns(node: Any, path: list[str | int], holes: list[tuple[list[str | int], Unknown]]) -> None:
    """Take Unknowns out of objects so normalize's type checks never see them; `_put` puts them back."""
    if isinstance(node, dict):
        for key in list(node):
            value = node[key]
            if isinstance(value, Unknown):
                holes.append(([*path, key], value))
                del node[key]
            elif key not in FREE_FORM and canonical_key(key) not in FREE_FORM:
                _cut_unknowns(value, [*path, key], holes)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _cut_unknowns(value, [*path, i], holes)


def _put(doc: dict[str, Any], path: list[str | int], value: Any) -> None:
    node: Any = doc
    for i, part in enumerate(path[:-1]):
        nxt = path[i + 1]
        if isinstance(node, dict) and isinstance(part, str):
            if part not in node or not isinstance(node[part], dict | list):
                if isinstance(nxt, int):
                    return
                node[part] = {}
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return
    last = path[-1] if path else None
    if isinstance(node, dict) and isinstance(last, str):
        node[last] = value


def _get(doc: Any, path: list[str | int]) -> Any:
    for part in path:
        if isinstance(doc, dict) and isinstance(part, str):
            doc = doc.get(part)
        elif isinstance(doc, list) and isinstance(part, int) and part < len(doc):
            doc = doc[part]
        else:
            return None
    return doc


class _PositionMapper:
    """Canonical pointer -> Location for everything declared in one resource, plus secret pointers."""

    def __init__(self, origin: Origin, doc: dict[str, Any]) -> None:
        self.origin = origin
        self.doc = doc
        self.file = origin.file
        self.positions: dict[str, Location] = {}
        self.secrets: set[str] = set()

    def location(
        self, pointer: str, value_from: str | None = None, value_at: tuple[str, int, int] | None = None
    ) -> Location | None:
        parsed = self.file.parsed
        pos = parsed.key_positions.get(pointer) or parsed.positions.get(pointer)
        return Location(self.file.path, pos[0], pos[1], value_from, value_at) if pos else None

    def walk(self, raw: Any, pointer: str, parts: list[str | int], free: bool = False) -> None:
        canon = join_pointer(parts)
        value_from = None
        value_at = None
        if isinstance(raw, str) and is_expression(raw):
            value_from = self.value_from(raw, pointer, parts)
            value_at = self.value_at(value_from)
            if references_secret(raw, self.origin.scope):
                self.secrets.add(canon)
        loc = self.location(pointer, value_from, value_at)
        if loc is not None and canon not in self.positions:
            self.positions[canon] = loc
        if isinstance(raw, dict):
            for key, value in raw.items():
                child = f"{pointer}/{_esc(key)}"
                if not free and key.lower() == "copy" and _is_property_copy(value):
                    self.walk_copy(value, child, parts)
                    continue
                name = key if free else canonical_key(key)
                self.walk(value, child, [*parts, name], free or name in FREE_FORM)
        elif isinstance(raw, list):
            for i, value in enumerate(raw):
                self.walk(value, f"{pointer}/{i}", [*parts, i], free)

    def walk_copy(self, entries: list[Any], pointer: str, parts: list[str | int]) -> None:
        for j, entry in enumerate(entries):
            name = entry.get("name")
            if not isinstance(name, str):
                continue
            target = [*parts, canonical_key(name)]
            loc = self.location(f"{pointer}/{j}")
            if loc is not None:
                self.positions.setdefault(join_pointer(target), loc)
            items = _get(self.doc, target)
            for i in range(len(items) if isinstance(items, list) else 0):
                self.walk(entry.get("input"), f"{pointer}/{j}/input", [*target, i])

    def value_at(self, value_from: str | None) -> tuple[str, int, int] | None:
        """The parameters-file position of the parameter a value comes from (`value_from` names it), when a
        parameters file, not the template's defaultValue, supplied it: where a pull request changes it."""
        positions = self.origin.params.positions
        if not positions or value_from is None or not value_from.startswith("parameters('"):
            return None
        name = value_from[len("parameters('") :].partition("')")[0]
        return positions.get(name.lower())

    def value_from(self, text: str, pointer: str, parts: list[str | int]) -> str | None:
        """Which parameter or variable a value comes from, and the line that sets it."""
        try:
            node = parse_expression(text)
        except ExpressionError:
            return None
        ref = _first_reference(node)
        if ref is None:
            return None
        fn, name = ref
        origin = self.origin
        scope_file = origin.scope_file
        short = PurePath(scope_file.path).name
        if fn == "parameters":
            supplied = origin.params.origins.get(name.lower())
            if supplied is not None:
                return f"parameters('{name}') = {supplied}"
            declared = _find_key(origin.scope.parameter_defaults, name)
            if declared is None:
                return None
            ptr = f"{origin.scope_base}/parameters/{_esc(declared)}/defaultValue"
            pos = scope_file.parsed.key_positions.get(ptr)
            return f"parameters('{name}') = {short}:{pos[0]}" if pos else None
        declared = _find_key(origin.scope.variables, name)
        if declared is None:
            return None
        ptr = f"{origin.scope_base}/variables/{_esc(declared)}"
        pos = scope_file.parsed.key_positions.get(ptr)
        if pos is None:
            return None
        direct = isinstance(node, Call) and node.name.lower() == "variables"
        if direct and isinstance(origin.scope.variables[declared], dict | list):
            self.deep_variable(origin.scope.variables[declared], ptr, pointer, parts, f"variables('{name}')")
        return f"variables('{name}') = {short}:{pos[0]}"

    def deep_variable(self, raw: Any, ptr: str, at_pointer: str, parts: list[str | int], label: str) -> None:
        """A property set to a whole variable object: its members are reported on the property's line,
        with the variable member's own line as `value_from`."""
        base = self.location(at_pointer)
        if base is None:
            return
        scope_file = self.origin.scope_file
        short = PurePath(scope_file.path).name

        def walk(node: Any, p: str, at: list[str | int]) -> None:
            pos = scope_file.parsed.key_positions.get(p) or scope_file.parsed.positions.get(p)
            if pos is not None and at != parts:
                self.positions.setdefault(
                    join_pointer(at),
                    Location(base.file, base.line, base.column, f"{label} = {short}:{pos[0]}"),
                )
            if isinstance(node, dict):
                for k, v in node.items():
                    walk(v, f"{p}/{_esc(k)}", [*at, canonical_key(k)])
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    walk(v, f"{p}/{i}", [*at, i])

        walk(raw, ptr, parts)


def _first_reference(node: Node) -> tuple[str, str] | None:
    if isinstance(node, Call):
        fn = node.name.lower()
        if fn in ("parameters", "variables") and node.args:
            arg = node.args[0]
            if isinstance(arg, Lit) and isinstance(arg.value, str):
                return fn, arg.value
        for a in node.args:
            found = _first_reference(a)
            if found is not None:
                return found
        return None
    if isinstance(node, Member):
        return _first_reference(node.target)
    if isinstance(node, Index):
        return _first_reference(node.target) or _first_reference(node.index)
    return None


def _find_key(mapping: Mapping[str, Any], name: str) -> str | None:
    return next((k for k in mapping if k.lower() == name.lower()), None)


def _is_property_copy(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(e, dict) and "name" in e and "input" in e for e in value)
    )


def _esc(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
