"""The ARM functions that evaluate their own arguments: `if`, `and`, `or`, `coalesce` (lazy logic),
`parameters`, `variables` and `copyIndex` (lookups into the scope); the lambda functions are in
`vmss_lint.arm.expressions.lambdas`.

Split from `vmss_lint.arm.expressions.evaluate`, which imports this module for its table of lazy
functions, so this one names what it needs of the evaluator (`Evaluator`, a Protocol) and of the
scope (`ScopeLike`) instead of importing them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeAlias

from vmss_lint.arm.expressions import lambdas as expr_lambdas
from vmss_lint.arm.expressions.context import DeploymentContext
from vmss_lint.arm.expressions.functions import json_equal, type_name, want_bool
from vmss_lint.arm.expressions.parse import Call, ExpressionError, FunctionError, Unknown, Value
from vmss_lint.core.budget import current_budget


class ScopeLike(Protocol):
    """What evaluation reads of the scope (`vmss_lint.arm.expressions.scope.EvalScope`, a frozen
    record: its fields are read-only, hence properties here)."""

    @property
    def source(self) -> str: ...

    def parameter(self, name: str) -> Value: ...
    def variable(self, name: str) -> Value: ...
    def copy_index_value(self, loop: str | None) -> int | None: ...
    def context(self) -> DeploymentContext: ...
    def call_user_function(self, name: str, args: list[Value]) -> Value | None: ...


def find_unknown(value: Value) -> Unknown | None:
    """The first Unknown anywhere inside `value`, found through the run's size memo: shared references
    make a value's tree exponentially larger than its memory, so it is never walked node by node."""
    if isinstance(value, Unknown):
        return value
    if not isinstance(value, list | dict):
        return None
    odd = current_budget().measure(value, charge=False).odd
    return odd if isinstance(odd, Unknown) else None


class Evaluator(expr_lambdas.Evaluator, Protocol):
    """What these functions need of `vmss_lint.arm.expressions.evaluate.Evaluator` besides what the
    lambda functions need: the scope and the expression text (for an Unknown's text)."""

    scope: ScopeLike
    text: str


LazyFn: TypeAlias = Callable[[Evaluator, Call, dict[str, Value]], Value]


def first_unknown(args: list[Value], *, deep: bool) -> Unknown | None:
    """The first Unknown among `args`: at their top level, or (`deep`) anywhere inside them."""
    for a in args:
        found = find_unknown(a) if deep else (a if isinstance(a, Unknown) else None)
        if found is not None:
            return found
    return None


def _if(ev: Evaluator, node: Call, lvars: dict[str, Value]) -> Value:
    ev.check_count(node, 3, 3)
    cond = ev.eval(node.args[0], lvars)
    if isinstance(cond, Unknown):
        try:  # the result is still known when both branches agree
            a, b = ev.eval(node.args[1], lvars), ev.eval(node.args[2], lvars)
        except ExpressionError:
            return cond
        return a if find_unknown(a) is None and find_unknown(b) is None and json_equal(a, b) else cond
    try:
        flag = want_bool(cond, "the condition")
    except FunctionError as exc:
        raise ev.error(f"if(): {exc}", node.args[0]) from None
    return ev.eval(node.args[1] if flag else node.args[2], lvars)


def _and_or(is_and: bool) -> LazyFn:
    """`and()` or `or()`: arguments evaluated left to right until one decides; an Unknown decides
    nothing (the result is unknown only when no known argument decided it)."""

    def fn(ev: Evaluator, node: Call, lvars: dict[str, Value]) -> Value:
        ev.check_count(node, 2, None)
        unknown: Unknown | None = None
        for arg in node.args:
            v = ev.eval(arg, lvars)
            if isinstance(v, Unknown):
                unknown = unknown or v
                continue
            if not isinstance(v, bool):
                raise ev.error(f"{node.name}(): every argument must be a bool, not {type_name(v)}", arg)
            if v is not is_and:  # false decides and(), true decides or()
                return v
        return unknown if unknown is not None else is_and

    return fn


def _coalesce(ev: Evaluator, node: Call, lvars: dict[str, Value]) -> Value:
    ev.check_count(node, 1, None)
    for arg in node.args:
        v = ev.eval(arg, lvars)
        if v is not None:
            return v  # an Unknown might be null, so it decides too: the result is unknown
    return None


def _named_value(what: str, lookup: Callable[[ScopeLike, str], Value]) -> LazyFn:
    """`parameters('x')` and `variables('x')`: one name in, the scope's value out."""

    def fn(ev: Evaluator, node: Call, lvars: dict[str, Value]) -> Value:
        ev.check_count(node, 1, 1)
        name = ev.eval_str(node.args[0], lvars, f"the {what} name")
        if isinstance(name, Unknown):
            return name
        try:
            return lookup(ev.scope, name)
        except FunctionError as exc:
            raise ev.error(str(exc), node) from None

    return fn


_parameters = _named_value("parameter", lambda scope, name: scope.parameter(name))
_variables = _named_value("variable", lambda scope, name: scope.variable(name))


def _copy_index(ev: Evaluator, node: Call, lvars: dict[str, Value]) -> Value:
    ev.check_count(node, 0, 2)
    args = [ev.eval(a, lvars) for a in node.args]
    if (unknown := first_unknown(args, deep=False)) is not None:
        return unknown
    loop: str | None = None
    offset: Value = 0
    if len(args) == 2:
        loop, offset = args[0] if isinstance(args[0], str) else None, args[1]
        if loop is None:
            raise ev.error("copyIndex(): the loop name must be a string", node)
    elif len(args) == 1:
        if isinstance(args[0], str):
            loop = args[0]
        else:
            offset = args[0]
    if not isinstance(offset, int) or isinstance(offset, bool):
        raise ev.error(f"copyIndex(): the offset must be an integer, not {type_name(offset)}", node)
    index = ev.scope.copy_index_value(loop)
    if index is None:
        where = f"copy loop '{loop}'" if loop else "resource copy loop"
        return Unknown(f"copyIndex() is not known here (no {where} is being expanded)", ev.text)
    return index + offset


LAZY: dict[str, LazyFn] = {
    "if": _if,
    "and": _and_or(True),
    "or": _and_or(False),
    "coalesce": _coalesce,
    "parameters": _parameters,
    "variables": _variables,
    "copyindex": _copy_index,
    **expr_lambdas.LAMBDA_FUNCTIONS,
}
