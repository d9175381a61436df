"""Rule conditions (`when`, a constraint's cases): whether a condition holds on one side of a pair.

Split from engine/matching.py (issue #12) along its seam: matching decides which changes a rule reports,
this module only answers "does this condition hold on this side". Conditions are three-valued: a test
on an unresolved value is unknown (None), and a rule fires only on a condition known to hold. The rule
index (engine/triggers.py) reads `condition_pointers`/`presence_pointers`, kept next to `_tests`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from vmss_lint.core.values import canonical_scalar, is_unknown
from vmss_lint.engine import helpers as h
from vmss_lint.engine.context import RuleContext
from vmss_lint.engine.spec import Condition
from vmss_lint.engine.template import absent

Getter = Callable[[str], Any]
Verdict = bool | None


def all_hold(conditions: list[Condition], ctx: RuleContext, get: Getter | None) -> Verdict:
    """All conditions on their sides (`get` is the judged side in a constraint)."""
    verdict: Verdict = True
    for condition in conditions:
        side = get or (ctx.current.get if condition.model == "current" else h.proposed_view(ctx))
        result = _holds(condition, side, ctx)
        if result is False:
            return False
        if result is None:
            verdict = None
    return verdict


def _holds(c: Condition, get: Getter, ctx: RuleContext) -> Verdict:
    """False as soon as one test fails (most conditions fail on their first, cheap test)."""
    verdict: Verdict = True
    for result in _tests(c, get, ctx):
        if result is False:
            return False
        if result is None:
            verdict = None
    return verdict


def condition_pointers(c: Condition) -> set[str]:
    """Every pointer `_tests` reads for `c` on a model side (the values below them included), so that
    the rule index (engine/triggers.py) tries a constraint only when one of them changed. Kept next to
    `_tests`, and `tests/test_triggers.py` checks it against what `_tests` really reads."""
    pointers: set[str] = set()
    for listed in (c.true, c.not_true, c.set, c.unset, c.items_added):
        pointers.update(listed or ())
    for table in (c.equals, c.not_equals, c.contains, c.above, c.fewer, c.more):
        pointers.update(table or ())
    if c.orchestration is not None:
        pointers.add(h.ORCHESTRATION)
    if c.upgrade_mode is not None:
        pointers.add(h.MODE)
    if c.os_type is not None:
        pointers |= {h.OS_TYPE, h.WINDOWS, h.LINUX}
    if c.ephemeral_os is not None:
        pointers.add(h.EPHEMERAL)
    if c.zonal is not None:
        pointers.add("/zones")
    if c.with_extension is not None or c.without_extension is not None:
        pointers.add(h.EXTENSIONS)
    if c.health_source is not None or c.health_extension is not None or c.health_probe is not None:
        pointers |= {h.EXTENSIONS, h.PROBE, h.ORCHESTRATION}
    return pointers


def presence_pointers(c: Condition) -> set[str]:
    """The pointers among `condition_pointers(c)` whose test tells an empty list or object from an
    absent value (`set`, `unset`, the OS configuration blocks). Compare counts `[]`/`{}` sent for an
    absent value as no change, so the rule index also tries a constraint when the proposed side holds
    an empty container at one of these (engine/triggers.py)."""
    pointers = {*(c.set or ()), *(c.unset or ())}
    if c.os_type is not None:
        pointers |= {h.WINDOWS, h.LINUX}
    return pointers


def _tests(c: Condition, get: Getter, ctx: RuleContext) -> Iterator[Verdict]:
    if c.orchestration is not None:
        yield (h.lower(get(h.ORCHESTRATION)) or "uniform") == c.orchestration
    if c.upgrade_mode is not None:
        yield (h.lower(get(h.MODE)) or "manual") in {m.lower() for m in c.upgrade_mode}
    if c.api is not None:
        yield c.api.contains(ctx.api.value)
    for pointers, test in (
        (c.true, h.truthy),
        (c.not_true, _not_true),
        (c.set, _set),
        (c.unset, absent),
    ):
        for pointer in pointers or ():
            value = get(pointer)
            yield None if is_unknown(value) else test(value)
    tables: tuple[tuple[dict[str, Any] | None, Callable[[Any, Any], bool]], ...] = (
        (c.equals, _equal),
        (c.not_equals, _not_equal),
        (c.contains, _contains),
        (c.above, _above),
        (c.fewer, _fewer),
        (c.more, _more),
    )
    for table, check in tables:
        for pointer, wanted in (table or {}).items():
            value = get(pointer)
            yield None if is_unknown(value) else check(value, wanted)
    for pointer in c.items_added or ():
        # Elements the judged side's list has and the current model's lacks: never on the current side.
        value, before = get(pointer), ctx.current.get(pointer)
        yield None if is_unknown(value) or is_unknown(before) else bool(item_set(value) - item_set(before))
    if c.os_type is not None:
        yield h.os_type(get) == c.os_type
    if c.ephemeral_os is not None:
        yield (h.lower(get(h.EPHEMERAL)) == "local") == c.ephemeral_os
    if c.zonal is not None:
        yield bool(h.zone_set(get("/zones"))) == c.zonal
    if c.with_extension is not None:
        yield h.has_extension_publisher(get, c.with_extension)
    if c.without_extension is not None:
        yield not h.has_extension_publisher(get, c.without_extension)
    yield from _health_tests(c, get)


def _health_tests(c: Condition, get: Getter) -> Iterator[Verdict]:
    if c.health_source is None and c.health_extension is None and c.health_probe is None:
        return
    extension, probe = h.health_extension_state(get), h.health_probe_state(get)
    if c.health_source is not None:
        # A load balancer probe is no health source on a Flexible set (docs: use the extension there).
        counted = probe if not h.is_flexible(get) else False
        source = True if True in (extension, counted) else None if None in (extension, counted) else False
        yield _is(source, c.health_source)
    if c.health_extension is not None:
        yield _is(extension, c.health_extension)
    if c.health_probe is not None:
        yield _is(probe, c.health_probe)


def _is(state: Verdict, wanted: bool) -> Verdict:
    return None if state is None else state == wanted


def _not_true(value: Any) -> bool:
    return not h.truthy(value)


def _set(value: Any) -> bool:
    return not absent(value)


def _not_equal(value: Any, wanted: Any) -> bool:
    return not _equal(value, wanted)


def _contains(value: Any, part: str) -> bool:
    return part.lower() in h.lower(value)


def _above(value: Any, limit: int) -> bool:
    number = as_number(value)
    return number is not None and number > limit


def _fewer(value: Any, count: int) -> bool:
    return (len(value) if isinstance(value, list) else 0) < count


def _more(value: Any, count: int) -> bool:
    """The list has more than `count` elements (absent is empty): limits such as "up to five sizes"."""
    return (len(value) if isinstance(value, list) else 0) > count


def _equal(value: Any, wanted: Any) -> bool:
    """Case-insensitive, as Azure compares enums; `wanted` may list several values."""
    options = wanted if isinstance(wanted, list) else [wanted]
    return any(
        canonical_scalar("", value) == canonical_scalar("", w)
        or (isinstance(value, str) and isinstance(w, str) and value.strip().lower() == w.strip().lower())
        for w in options
    )


def as_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def item_set(value: Any) -> set[str]:
    """A list's elements as Azure compares a list of names (zones): text, order ignored; else none."""
    return {str(v).strip() for v in value} if isinstance(value, list) else set()
