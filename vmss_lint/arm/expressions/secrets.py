"""Which template values read a secure parameter, so callers know what to redact.

Secure parameters evaluate like any other (rules may need their values); this module answers the
separate question of whether a value *came from* one, directly or through variables, without
evaluating anything.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Protocol

from vmss_lint.arm.expressions.parse import (
    Call,
    ExpressionError,
    Index,
    Lit,
    Member,
    Node,
    is_expression,
    parse_expression,
)


class EvalScope(Protocol):
    """What the secret check reads of `vmss_lint.arm.expressions.api.EvalScope` (which imports this
    module, so this one names the two fields instead of importing it)."""

    @property
    def secret_parameters(self) -> Collection[str]: ...
    @property
    def variables(self) -> Mapping[str, Any]: ...


def _lookup(mapping: Any, name: str) -> tuple[str, Any] | None:
    if not isinstance(mapping, dict):
        return None
    folded = name.lower()
    for key, value in mapping.items():
        if key.lower() == folded:
            return key, value
    return None


def references_secret(value: Any, scope: EvalScope) -> bool:
    """Whether any expression in `value` reads a secure parameter, directly or through variables.

    Conservative: a computed parameter or variable name counts as a secret reference when the
    template has any secure parameter.
    """
    secrets = {s.lower() for s in scope.secret_parameters}
    if not secrets:
        return False
    seen: set[str] = set()

    def walk_value(v: Any) -> bool:
        if isinstance(v, str):
            if not is_expression(v):
                return False
            try:
                return walk_node(parse_expression(v))
            except ExpressionError:
                return False
        if isinstance(v, dict):
            return any(walk_value(x) for x in v.values())
        if isinstance(v, list):
            return any(walk_value(x) for x in v)
        return False

    def walk_node(node: Node) -> bool:
        if isinstance(node, Lit):
            return False
        if isinstance(node, Member):
            return walk_node(node.target)
        if isinstance(node, Index):
            return walk_node(node.target) or walk_node(node.index)
        assert isinstance(node, Call)
        fn = node.name.lower()
        if fn in ("parameters", "variables") and node.args:
            arg = node.args[0]
            if not (isinstance(arg, Lit) and isinstance(arg.value, str)):
                return True
            name = arg.value.lower()
            if fn == "parameters":
                return name in secrets
            if name not in seen:
                seen.add(name)
                found = _lookup(scope.variables, name)
                if found is not None and walk_value(found[1]):
                    return True
                copies = _lookup(scope.variables, "copy")
                if copies is not None and walk_value(copies[1]):
                    return True
            return False
        return any(walk_node(a) for a in node.args)

    return walk_value(value)
