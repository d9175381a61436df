"""Tree-walking evaluator for parsed ARM expressions.

Holds what cannot be a plain function of evaluated arguments: calls (user functions, the
deployment context, the registered families), property access and `Unknown` propagation, with the
work charged to the run's budget. The functions that evaluate their own arguments (lazy logic, the
scope lookups) are in `vmss_lint.arm.expressions.lazy`, the lambda functions in `lambdas`. The scope
is duck-typed (see `lazy.ScopeLike`) so that this module does not import the scope, which imports it.
"""

from __future__ import annotations

import functools

from vmss_lint.arm.expressions import collections as _collections  # noqa: F401  # registers its functions
from vmss_lint.arm.expressions import extra as _extra  # noqa: F401  # registers its functions
from vmss_lint.arm.expressions import hashing as _hash  # noqa: F401  # registers its functions
from vmss_lint.arm.expressions import scalars as _scalars  # noqa: F401  # registers its functions
from vmss_lint.arm.expressions import text_functions as _text  # noqa: F401  # registers its functions
from vmss_lint.arm.expressions.context import CONTEXT_FUNCTIONS
from vmss_lint.arm.expressions.functions import FUNCTIONS, type_name
from vmss_lint.arm.expressions.lazy import LAZY, ScopeLike, first_unknown
from vmss_lint.arm.expressions.parse import (
    Call,
    ExpressionError,
    FunctionError,
    Index,
    Lit,
    Member,
    Node,
    Unknown,
    Value,
    limit_error,
)
from vmss_lint.arm.expressions.strings import unknown_result
from vmss_lint.core.budget import BudgetExceeded, current_budget

LIVE_FUNCTIONS = frozenset(
    {"reference", "references", "pickzones", "providers", "deployer", "resourceinfo", "environmentvariables"}
)
RANDOM_FUNCTIONS = frozenset({"newguid", "utcnow"})


class Evaluator:
    """Evaluates one expression; all its work is charged to the run's budget (`vmss_lint.core.budget`)."""

    def __init__(self, scope: ScopeLike, text: str) -> None:
        self.scope = scope
        self.text = text
        self.budget = current_budget()

    def error(
        self, problem: str, node: Node, cls: type[ExpressionError] = ExpressionError
    ) -> ExpressionError:
        return cls(problem, expression=self.text, offset=node.start, source=self.scope.source)

    def eval(self, node: Node, lvars: dict[str, Value]) -> Value:
        if isinstance(node, Lit):
            return node.value
        if isinstance(node, Call):
            return self.call(node, lvars)
        target = self.eval(node.target, lvars)
        if isinstance(target, Unknown):
            return target
        if isinstance(node, Member):
            return self.member(target, node.name, node)
        assert isinstance(node, Index)
        index = self.eval(node.index, lvars)
        if isinstance(index, Unknown):
            return index
        if isinstance(target, list) and isinstance(index, int) and not isinstance(index, bool):
            if not 0 <= index < len(target):
                raise self.error(f"index {index} is out of range for an array of length {len(target)}", node)
            return target[index]
        if isinstance(target, dict) and isinstance(index, str):
            return self.member(target, index, node)
        raise self.error(f"cannot index {type_name(target)} with {type_name(index)}", node)

    def member(self, target: Value, name: str, node: Node) -> Value:
        if not isinstance(target, dict):
            raise self.error(f"cannot read property {name!r} of {type_name(target)}", node)
        if name in target:
            return target[name]
        folded = name.lower()
        for key, value in target.items():  # ARM property names are case-insensitive
            if key.lower() == folded:
                return value
        shown = ", ".join(list(target)[:10]) or "none"
        raise self.error(f"property {name!r} does not exist (available: {shown})", node)

    def call(self, node: Call, lvars: dict[str, Value]) -> Value:
        name = node.name.lower()
        self.step(node)
        lazy = LAZY.get(name)
        if lazy is not None:
            return lazy(self, node, lvars)
        if "." not in name and (name in LIVE_FUNCTIONS or name.startswith("list")):
            return Unknown(f"function '{node.name}' needs a live Azure deployment", self.text)
        if name in RANDOM_FUNCTIONS:
            return Unknown(f"function '{node.name}' returns a different value on every deployment", self.text)
        args = [self.eval(a, lvars) for a in node.args]
        deep_unknown = self.charge_arguments(args, node)
        try:
            if "." in name:
                result = self.scope.call_user_function(node.name, args)
                if result is None:
                    return Unknown(f"unknown function '{node.name}'", self.text)
                return result
            context_fn = CONTEXT_FUNCTIONS.get(name)
            if context_fn is not None:
                fn, low, high = context_fn
                self.check_count(node, low, high)
                if deep_unknown is not None:
                    return deep_unknown
                return fn(self.scope.context(), args)
            spec = FUNCTIONS.get(name)
            if spec is None:
                return Unknown(f"unknown function '{node.name}'", self.text)
            self.check_count(node, spec.min_args, spec.max_args)
            unknown = first_unknown(args, deep=False) if spec.structural else deep_unknown
            builds = name in _BUILDERS  # an unknown element or member is kept, not the whole result
            if not builds and unknown is not None:
                return unknown_result(name, args, unknown)
            result = spec.fn(args)
        except FunctionError as exc:
            raise self.error(f"{node.name}(): {exc}", node) from None
        except OverflowError:  # date arithmetic past year 9999, a number too big for C: the input's fault
            raise self.error(f"{node.name}(): a value is out of range", node) from None
        except BudgetExceeded as exc:  # a size checked before building the value
            raise limit_error(exc.limit, exc.actual, self.text, node.start) from None
        self.check_size(result, node)
        return result

    def step(self, node: Node) -> None:
        """Charge one unit of work (a call or a lambda application) against the run's budget."""
        try:
            self.budget.charge(1)
        except BudgetExceeded as exc:
            raise limit_error(exc.limit, exc.actual, self.text, node.start) from None

    def charge_arguments(self, args: list[Value], node: Node) -> Unknown | None:
        """Charge the arguments' elements (a function may walk all of them) and return the first Unknown
        inside any of them, found from the same measurement."""
        unknown: Unknown | None = None
        try:
            for arg in args:
                if isinstance(arg, list | dict):
                    size = self.budget.measure(arg)
                    self.budget.charge(size.elements)
                    if unknown is None and isinstance(size.odd, Unknown):
                        unknown = size.odd
                elif unknown is None and isinstance(arg, Unknown):
                    unknown = arg
        except BudgetExceeded as exc:
            raise limit_error(exc.limit, exc.actual, self.text, node.start) from None
        return unknown

    def check_count(self, node: Call, low: int, high: int | None) -> None:
        n = len(node.args)
        if n < low or (high is not None and n > high):
            if high == low:
                want = f"{low} argument{'s' if low != 1 else ''}"
            elif high is None:
                want = f"at least {low} argument{'s' if low != 1 else ''}"
            else:
                want = f"{low} to {high} arguments"
            raise self.error(f"function '{node.name}' takes {want}, got {n}", node)

    def check_size(self, result: Value, node: Node) -> None:
        """Measure what a function built (charging its new elements): too big a value stops here, before
        anything walks or prints it."""
        try:
            self.budget.measure(result)
        except BudgetExceeded as exc:
            raise limit_error(exc.limit, exc.actual, self.text, node.start) from None

    def eval_str(self, node: Node, lvars: dict[str, Value], what: str) -> str | Unknown:
        v = self.eval(node, lvars)
        if isinstance(v, str | Unknown):
            return v
        raise self.error(f"{what} must be a string, not {type_name(v)}", node)


_BUILDERS = frozenset({"createarray", "createobject"})


@functools.cache
def known_function_names() -> frozenset[str]:
    """Lower-case names this evaluator computes (for documentation and tests)."""
    return frozenset(LAZY) | frozenset(FUNCTIONS) | frozenset(CONTEXT_FUNCTIONS)
