"""ARM lambda functions: filter, map, reduce, sort, toObject, groupBy, mapValues.

In compiled templates a lambda is `lambda('x', body)` with `lambdaVariables('x')` in the body; it is
only valid as a direct argument of these functions, which is why they are evaluated lazily.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Protocol, TypeAlias

from vmss_lint.arm.expressions.functions import type_name
from vmss_lint.arm.expressions.parse import Call, ExpressionError, Lit, Node, Unknown, Value


class Evaluator(Protocol):
    """What a lambda function needs of `vmss_lint.arm.expressions.evaluate.Evaluator`, which imports
    this module to register the functions (so this module names the methods instead of importing it)."""

    def error(self, problem: str, node: Node, cls: type[ExpressionError] = ...) -> ExpressionError: ...
    def eval(self, node: Node, lvars: dict[str, Value]) -> Value: ...
    def eval_str(self, node: Node, lvars: dict[str, Value], what: str) -> str | Unknown: ...
    def step(self, node: Node) -> None: ...
    def check_count(self, node: Call, low: int, high: int | None) -> None: ...


LazyFn: TypeAlias = Callable[[Evaluator, Call, dict[str, Value]], Value]
_ArrayFn: TypeAlias = Callable[[Evaluator, Call, dict[str, Value], list[Value]], Value]


class _Abort(Exception):
    """Carries an Unknown out of a sort comparison."""

    def __init__(self, unknown: Unknown) -> None:
        self.unknown = unknown


class _Lambda:
    def __init__(self, ev: Evaluator, node: Node, fn: str, low: int, high: int) -> None:
        if not (isinstance(node, Call) and node.name.lower() == "lambda"):
            raise ev.error(f"{fn}() expects a lambda(...) here", node)
        *names, body = node.args or (node,)
        if not low <= len(names) <= high or not all(
            isinstance(n, Lit) and isinstance(n.value, str) for n in names
        ):
            want = str(low) if low == high else f"{low} or {high}"
            raise ev.error(f"{fn}() needs a lambda with {want} variable name(s) as string literals", node)
        self.ev = ev
        self.names = [str(n.value).lower() for n in names if isinstance(n, Lit)]
        self.body = body

    def __call__(self, lvars: dict[str, Value], *values: Value) -> Value:
        self.ev.step(self.body)
        bound = dict(lvars)
        bound.update(zip(self.names, values, strict=False))
        return self.ev.eval(self.body, bound)


def _array(
    ev: Evaluator, node: Call, lvars: dict[str, Value], fn: str, low: int, high: int
) -> list[Value] | Unknown:
    """The array argument of a lambda function, once its argument count is right (an Unknown passes)."""
    ev.check_count(node, low, high)
    v = ev.eval(node.args[0], lvars)
    if isinstance(v, Unknown | list):
        return v
    raise ev.error(f"{fn}() needs an array as its first argument, not {type_name(v)}", node.args[0])


def _over_array(fn: str, low: int, high: int) -> Callable[[_ArrayFn], LazyFn]:
    """A lambda function over the array in its first argument: the argument count is checked and the
    array evaluated first, and an unresolved array is the answer as it is (the lambda is not looked at)."""

    def wrap(impl: _ArrayFn) -> LazyFn:
        def run(ev: Evaluator, node: Call, lvars: dict[str, Value]) -> Value:
            items = _array(ev, node, lvars, fn, low, high)
            return items if isinstance(items, Unknown) else impl(ev, node, lvars, items)

        return run

    return wrap


@_over_array("filter", 2, 2)
def _filter(ev: Evaluator, node: Call, lvars: dict[str, Value], items: list[Value]) -> Value:
    pred = _Lambda(ev, node.args[1], "filter", 1, 2)
    out: list[Value] = []
    for i, item in enumerate(items):
        keep = pred(lvars, item, i)
        if isinstance(keep, Unknown):
            return keep
        if not isinstance(keep, bool):
            raise ev.error(f"filter(): the lambda must return a bool, not {type_name(keep)}", node)
        if keep:
            out.append(item)
    return out


@_over_array("map", 2, 2)
def _map(ev: Evaluator, node: Call, lvars: dict[str, Value], items: list[Value]) -> Value:
    fn = _Lambda(ev, node.args[1], "map", 1, 2)
    return [fn(lvars, item, i) for i, item in enumerate(items)]


@_over_array("reduce", 3, 3)
def _reduce(ev: Evaluator, node: Call, lvars: dict[str, Value], items: list[Value]) -> Value:
    acc = ev.eval(node.args[1], lvars)
    fn = _Lambda(ev, node.args[2], "reduce", 2, 3)
    for i, item in enumerate(items):
        acc = fn(lvars, acc, item, i)
        if isinstance(acc, Unknown):
            return acc
    return acc


@_over_array("sort", 2, 2)
def _sort(ev: Evaluator, node: Call, lvars: dict[str, Value], items: list[Value]) -> Value:
    less = _Lambda(ev, node.args[1], "sort", 2, 2)

    def before(a: Value, b: Value) -> bool:
        r = less(lvars, a, b)
        if isinstance(r, Unknown):
            raise _Abort(r)
        if not isinstance(r, bool):
            raise ev.error(f"sort(): the lambda must return a bool, not {type_name(r)}", node)
        return r

    def cmp(a: Value, b: Value) -> int:
        return -1 if before(a, b) else (1 if before(b, a) else 0)

    try:
        return sorted(items, key=functools.cmp_to_key(cmp))
    except _Abort as stop:
        return stop.unknown


def _keyed(ev: Evaluator, node: Call, key: Value, fn: str) -> str | Unknown:
    if isinstance(key, str | Unknown):
        return key
    raise ev.error(f"{fn}(): the key lambda must return a string, not {type_name(key)}", node)


@_over_array("toObject", 2, 3)
def _to_object(ev: Evaluator, node: Call, lvars: dict[str, Value], items: list[Value]) -> Value:
    key_fn = _Lambda(ev, node.args[1], "toObject", 1, 1)
    value_fn = _Lambda(ev, node.args[2], "toObject", 1, 1) if len(node.args) > 2 else None
    out: dict[str, Value] = {}
    for item in items:
        key = _keyed(ev, node, key_fn(lvars, item), "toObject")
        if isinstance(key, Unknown):
            return key
        out[key] = value_fn(lvars, item) if value_fn else item
    return out


@_over_array("groupBy", 2, 3)
def _group_by(ev: Evaluator, node: Call, lvars: dict[str, Value], items: list[Value]) -> Value:
    """`groupBy(array, keyLambda[, valueLambda])`: the optional value lambda is Bicep's
    (`groupBy(items, x => x.k, x => x.v)` compiles to a third `lambda(...)` argument)."""
    key_fn = _Lambda(ev, node.args[1], "groupBy", 1, 1)
    value_fn = _Lambda(ev, node.args[2], "groupBy", 1, 1) if len(node.args) > 2 else None
    out: dict[str, list[Value]] = {}
    for item in items:
        key = _keyed(ev, node, key_fn(lvars, item), "groupBy")
        if isinstance(key, Unknown):
            return key
        out.setdefault(key, []).append(value_fn(lvars, item) if value_fn is not None else item)
    return dict(out)


def _map_values(ev: Evaluator, node: Call, lvars: dict[str, Value]) -> Value:
    ev.check_count(node, 2, 2)
    obj = ev.eval(node.args[0], lvars)
    if isinstance(obj, Unknown):
        return obj
    if not isinstance(obj, dict):
        raise ev.error(f"mapValues() needs an object as its first argument, not {type_name(obj)}", node)
    fn = _Lambda(ev, node.args[1], "mapValues", 1, 1)
    return {k: fn(lvars, v) for k, v in obj.items()}


def _lambda_variables(ev: Evaluator, node: Call, lvars: dict[str, Value]) -> Value:
    ev.check_count(node, 1, 1)
    name = ev.eval_str(node.args[0], lvars, "the lambda variable name")
    if isinstance(name, Unknown):
        return name
    if name.lower() not in lvars:
        raise ev.error(f"lambdaVariables({name!r}) is not inside a lambda that declares it", node)
    return lvars[name.lower()]


def _bare_lambda(ev: Evaluator, node: Call, lvars: dict[str, Value]) -> Value:
    raise ev.error("lambda() is only allowed as an argument of filter, map, reduce, sort and similar", node)


LAMBDA_FUNCTIONS: dict[str, LazyFn] = {
    "filter": _filter,
    "map": _map,
    "reduce": _reduce,
    "sort": _sort,
    "toobject": _to_object,
    "groupby": _group_by,
    "mapvalues": _map_values,
    "lambdavariables": _lambda_variables,
    "lambda": _bare_lambda,
}
