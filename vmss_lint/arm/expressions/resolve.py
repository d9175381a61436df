"""Resolving template values: every expression inside a JSON value evaluated, property and variable
`copy` arrays expanded, errors placed at the line of the value they came from.

Split from `vmss_lint.arm.expressions.api`: the scope (`vmss_lint.arm.expressions.scope`) owns what an
expression may refer to and calls back into this module for parameter defaults and variables, so this
module names what it needs of a scope with a Protocol (`ResolveScope`) instead of importing it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol, cast

from vmss_lint.arm.expressions.evaluate import Evaluator
from vmss_lint.arm.expressions.lazy import ScopeLike
from vmss_lint.arm.expressions.parse import (
    ExpressionError,
    Unknown,
    Value,
    fold_expression,
    is_expression,
    parse_expression,
    unescape_literal,
)
from vmss_lint.arm.expressions.strings import PIECES
from vmss_lint.arm.json_values import escape_pointer_token
from vmss_lint.core.budget import BudgetExceeded, current_budget
from vmss_lint.core.errors import InputError
from vmss_lint.core.limits import COPY_COUNT


class ResolveScope(ScopeLike, Protocol):
    """What resolving reads of `vmss_lint.arm.expressions.scope.EvalScope` beyond the evaluator's needs."""

    @property
    def positions(self) -> dict[str, tuple[int, int]] | None: ...
    @property
    def pointer_prefix(self) -> str: ...
    def where(self, pointer: str) -> str: ...
    def measure(self, value: Value, pointer: str) -> None: ...
    def entry(self) -> AbstractContextManager[None]: ...
    def with_copy_index(self, loop: str | None, index: int) -> ResolveScope: ...


def evaluate(text: str, scope: ResolveScope) -> Value:
    """Evaluate one template string: expressions are computed, `[[` literals unescaped, others kept."""
    if not is_expression(text):
        return unescape_literal(text)
    try:
        node = parse_expression(text)  # cached across scopes, so errors name no file yet
    except ExpressionError as exc:
        raise exc.relocated(scope.source) from None
    with scope.entry():
        result = Evaluator(scope, text).eval(node, {})
    if isinstance(result, Unknown):
        basis = result.basis
        if result.text != text and fold_expression(result.text) != fold_expression(text):
            basis = f"{result.text} <- {result.basis}" if result.basis else result.text
        identity = result.identity  # a string concat/format built keeps the identity of its pieces
        if not identity.startswith(PIECES):
            identity = f"{fold_expression(text)} <- {fold_expression(basis)}"
        return Unknown(result.reason, text, basis, identity)
    return result


def resolve(value: Any, scope: ResolveScope, pointer: str = "") -> Value:
    """Resolve every expression inside a JSON value and expand property/variable `copy` arrays.

    `pointer` says where `value` sits in the template so errors can name it. Dict keys are never
    expressions. Nested deployments' `template` properties are not special-cased: pass them with
    their own scope.
    """
    with scope.entry():
        result = resolve_value(value, scope, pointer)
        if isinstance(value, list | dict):  # literal JSON holding many references to one big value
            scope.measure(result, pointer)
        return result


def resolve_value(value: Any, scope: ResolveScope, pointer: str) -> Value:
    """`resolve` without joining the budget or measuring the result: for the scope's own lookups
    (parameter defaults, variables), which run inside an evaluation already."""
    if isinstance(value, str):
        if not is_expression(value):
            return unescape_literal(value)
        try:
            return evaluate(value, scope)
        except ExpressionError as exc:
            if exc.pointer is not None:
                raise
            full = scope.pointer_prefix + pointer
            raise exc.relocated(scope.source, full, (scope.positions or {}).get(full)) from None
    if isinstance(value, list):
        return [resolve_value(v, scope, f"{pointer}/{i}") for i, v in enumerate(value)]
    if not isinstance(value, dict):
        return cast(Value, value)
    copy_key = next((k for k in value if k.lower() == "copy" and is_property_copy(value[k])), None)
    out: dict[str, Value] = {}
    for key, v in value.items():
        if key != copy_key:
            out[key] = resolve_value(v, scope, f"{pointer}/{escape_pointer_token(key)}")
    if copy_key is not None:
        for j, entry in enumerate(value[copy_key]):
            name, items = expand_copy(entry, scope, f"{pointer}/{copy_key}/{j}")
            out[name] = items
    return out


def is_property_copy(v: Any) -> bool:
    """Whether `v` is a property or variable `copy` array (entries with `name` and `input`), which
    expands into arrays, rather than a property that happens to be called copy."""
    return (
        isinstance(v, list)
        and bool(v)
        and all(isinstance(e, dict) and "name" in e and "input" in e for e in v)
    )


def expand_copy(entry: dict[str, Any], scope: ResolveScope, pointer: str) -> tuple[str, Value]:
    """One property or variable `copy` entry: its name and the `count` values of its `input`, each
    resolved with the loop's `copyIndex(name)`; an unknown count makes the whole array unknown."""
    name = resolve_value(entry["name"], scope, f"{pointer}/name")
    if not isinstance(name, str):
        raise InputError(scope.source, "copy 'name' must be a string", where=scope.where(f"{pointer}/name"))
    count = resolve_value(entry.get("count"), scope, f"{pointer}/count")
    if isinstance(count, Unknown):
        return name, Unknown(f"copy '{name}' has an unknown count: {count.reason}", count.text)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise InputError(
            scope.source,
            f"copy '{name}' count must be a whole number of at least 0, not {count!r}",
            where=scope.where(f"{pointer}/count"),
        )
    COPY_COUNT.check(count, scope.source, where=scope.where(f"{pointer}/count"))
    charge_copy(count, entry["input"], scope.source, scope.where(f"{pointer}/count"))
    items = [
        resolve_value(entry["input"], scope.with_copy_index(name, i), f"{pointer}/input")
        for i in range(count)
    ]
    return name, cast(Value, items)


COPY_ITERATION_STEPS = 50
"""What one copy-loop iteration costs beyond the size of what it resolves: a new scope for the iteration
costs about as much as resolving fifty plain values."""


def charge_copy(count: int, body: Any, source: str, where: str) -> None:
    """Charge a copy loop's work to the run's budget before expanding it: `count` times (a fixed cost
    plus the size of what each iteration resolves). Up front, so nested loops (3 x 800 of nested deployments) stop
    before the multiplied work starts, not after."""
    budget = current_budget()
    try:
        budget.charge(
            count * (COPY_ITERATION_STEPS + budget.measure(body, source, charge=False).elements), source
        )
    except BudgetExceeded as exc:
        raise exc.limit.exceeded(source, exc.actual, where=where) from None
