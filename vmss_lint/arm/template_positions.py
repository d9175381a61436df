"""Where a template value came from: each canonical pointer of a scale set's model mapped to the line
in the template that declares it, plus the parameter or variable its value comes from
("parameters('vmSku') = prod.parameters.json:6") and the pointers whose values read a secret.

Split from `vmss_lint.arm.template_model`, which builds the model and asks this module for its
positions. Positions are mapped from the *unresolved* resource, whose keys are the ones in the file,
onto the canonical pointers the rules use.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from vmss_lint.arm.expressions.api import ExpressionError, is_expression, parse_expression, references_secret
from vmss_lint.arm.expressions.parse import Call, Index, Lit, Member, Node
from vmss_lint.arm.expressions.resolve import is_property_copy
from vmss_lint.arm.json_values import escape_pointer_token
from vmss_lint.arm.template_resources import Origin
from vmss_lint.core.findings import Location
from vmss_lint.core.model import join_pointer
from vmss_lint.core.normalize import FREE_FORM, canonical_key


def get_path(doc: Any, path: list[str | int]) -> Any:
    """The value at `path` in a canonical document, or None where the path leads nowhere."""
    for part in path:
        if isinstance(doc, dict) and isinstance(part, str):
            doc = doc.get(part)
        elif isinstance(doc, list) and isinstance(part, int) and part < len(doc):
            doc = doc[part]
        else:
            return None
    return doc


class PositionMapper:
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
                child = f"{pointer}/{escape_pointer_token(key)}"
                if not free and key.lower() == "copy" and is_property_copy(value):
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
            items = get_path(self.doc, target)
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
            ptr = f"{origin.scope_base}/parameters/{escape_pointer_token(declared)}/defaultValue"
            pos = scope_file.parsed.key_positions.get(ptr)
            return f"parameters('{name}') = {short}:{pos[0]}" if pos else None
        declared = _find_key(origin.scope.variables, name)
        if declared is None:
            return None
        ptr = f"{origin.scope_base}/variables/{escape_pointer_token(declared)}"
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
                    walk(v, f"{p}/{escape_pointer_token(k)}", [*at, canonical_key(k)])
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
