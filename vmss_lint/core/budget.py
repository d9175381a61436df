"""One work budget per run, and the size of a value counted the way its consumers will pay for it.

Per-call caps do not bound a run: a fresh budget per user-function call, a copy cap per loop (nested
copies multiply) or a length cap per list (a list of lists is not checked) each leave a way to ask for
billions of steps from a few kilobytes of template. So every unit of expression work in a run is
charged to one `RunBudget` (`EXPRESSION_STEPS`): function calls, lambda applications, the elements of
arguments and of newly built values, and copy-loop iterations (charged up front, before the work).

Sizes (`VALUE_ELEMENTS`, `VALUE_CHARS`) count an element every time it appears, so a value built by
doubling shared references (`createArray(v, v)` twenty times) is as big as its JSON would be, which is
what comparing or printing it would cost. Measuring is linear in the *distinct* containers: sizes of
large containers are remembered for the run (keyed by identity, the container kept alive so the key
stays valid), small ones are recounted, which is bounded by their size.

The active budget lives in a context variable: `run_budget()` opens one (or joins the one already
open), so the CLI opens one per run and everything under it, however it is nested, shares it. Code that
evaluates outside any run (a library caller, a test) gets one per outermost evaluation.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from vmss_lint.core.errors import LimitExceeded
from vmss_lint.core.limits import EXPRESSION_STEPS, VALUE_CHARS, VALUE_ELEMENTS, Limit

__all__ = ["BudgetExceeded", "RunBudget", "Size", "current_budget", "run_budget"]

_REMEMBER_FROM = 32
"""Containers with at least this many elements keep their size for the run (smaller ones are recounted)."""


class Size(NamedTuple):
    elements: int
    chars: int
    odd: object | None
    """The first leaf that is not JSON (an expression `Unknown`), searched right to left, or None."""


class BudgetExceeded(LimitExceeded):
    """A run-wide limit was crossed; `limit` and `actual` let a caller re-word it with a position."""

    def __init__(self, limit: Limit, actual: int | None, source: str) -> None:
        exc = limit.exceeded(source, actual)
        super().__init__(source, exc.problem, hint=exc.hint)
        self.limit = limit
        self.actual = actual


_JSON_LEAVES = (str, int, float, bool, type(None))
_SCALARS = frozenset({int, float, bool, type(None)})
_CONTAINERS = (list, dict)


def _leaf(value: object) -> Size:
    if isinstance(value, str):
        return Size(1, len(value), None)
    if isinstance(value, _JSON_LEAVES):
        return Size(1, 0, None)
    return Size(1, 0, value)


class RunBudget:
    """The steps spent so far in this run and the sizes already measured."""

    def __init__(self) -> None:
        self.steps = 0
        self.max_steps = EXPRESSION_STEPS.value
        self.max_elements = VALUE_ELEMENTS.value
        self.max_chars = VALUE_CHARS.value
        self._sizes: dict[int, tuple[object, Size]] = {}
        self.scale_sets = 0

    def count_scale_set(self, source: str) -> None:
        """One more scale set compared in this run: `SCALE_SETS` holds for the run, in every mode (git
        mode used to check it per file, so 4 files of 500 each passed)."""
        from vmss_lint.core.limits import SCALE_SETS

        self.scale_sets += 1
        SCALE_SETS.check(self.scale_sets, source)

    def charge(self, steps: int, source: str = "<expression>") -> None:
        """Spend `steps`; crossing the run's limit raises `BudgetExceeded` (before the work is done)."""
        self.steps += steps
        if self.steps > self.max_steps:
            raise BudgetExceeded(EXPRESSION_STEPS, None, source)

    def measure(self, value: Any, source: str = "<expression>", *, charge: bool = True) -> Size:
        """The size of `value`, raising `BudgetExceeded` as soon as any part of it is over a size limit.

        With `charge`, the containers counted for the first time are charged as steps: building them
        was work the run did.
        """
        if not isinstance(value, _CONTAINERS):
            size = _leaf(value)
            if size.chars > self.max_chars:
                raise BudgetExceeded(VALUE_CHARS, size.chars, source)
            return size
        known = self._sizes.get(id(value))
        if known is not None:
            return known[1]
        return self._walk(value, source, charge)

    def _walk(self, root: list[Any] | dict[str, Any], source: str, charge: bool) -> Size:
        local: dict[int, Size] = {}
        open_: set[int] = set()
        stack: list[tuple[Any, bool]] = [(root, False)]
        counted = 0
        while stack:
            node, children_done = stack.pop()
            key = id(node)
            if not children_done:
                if key in local or key in open_:  # counted already, or a cycle (never from JSON)
                    continue
                known = self._sizes.get(key)
                if known is not None:
                    local[key] = known[1]
                    continue
                open_.add(key)
                stack.append((node, True))
                for child in node.values() if isinstance(node, dict) else node:
                    if isinstance(child, _CONTAINERS):
                        stack.append((child, False))
                continue
            open_.discard(key)
            odd = None
            if isinstance(node, dict):
                children: list[Any] = list(node.values())
                elements, chars = 1 + 2 * len(node), sum(map(len, node))  # the keys, and one per value
            else:
                children = node
                elements, chars = 1 + len(node), 0
            counted += elements
            for child in reversed(children):  # right to left: the Unknown that find_unknown used to find
                kind = type(child)
                if kind is str:
                    chars += len(child)
                elif kind in _SCALARS:
                    pass
                elif isinstance(child, _CONTAINERS):
                    got = local.get(id(child))
                    if got is not None:
                        elements += got.elements - 1
                        chars += got.chars
                        if odd is None:
                            odd = got.odd
                elif isinstance(child, str):
                    chars += len(child)
                elif odd is None and not isinstance(child, _JSON_LEAVES):
                    odd = child
            if elements > self.max_elements:
                raise BudgetExceeded(VALUE_ELEMENTS, None, source)
            if chars > self.max_chars:
                raise BudgetExceeded(VALUE_CHARS, None, source)
            size = Size(elements, chars, odd)
            local[key] = size
            if elements >= _REMEMBER_FROM:
                self._sizes[key] = (node, size)
        if charge:
            self.charge(counted, source)
        return local[id(root)]


_CURRENT: contextvars.ContextVar[RunBudget | None] = contextvars.ContextVar("vmss_lint_budget", default=None)


@contextmanager
def run_budget() -> Iterator[RunBudget]:
    """The budget of the run in progress, opening one if none is (the outermost caller owns it)."""
    current = _CURRENT.get()
    if current is not None:
        yield current
        return
    budget = RunBudget()
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


def current_budget() -> RunBudget:
    """The open budget, or a fresh one for a caller working outside any run (counts only its own work)."""
    return _CURRENT.get() or RunBudget()
