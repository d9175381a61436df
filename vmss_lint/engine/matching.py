"""Data rules: which changes a `match`, its `cases` or a `constraint` report, as hits.

Conditions are three-valued: a test on an unresolved value is unknown (None), and a rule fires only on
a condition that is known to hold. A constraint is "introduced" when it holds on the effective proposed
model and is not known to hold on the current one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from vmss_lint.core.findings import Change, Hit, Op
from vmss_lint.core.model import split_pointer
from vmss_lint.core.values import canonical_scalar, is_unknown
from vmss_lint.engine import helpers as h
from vmss_lint.engine.context import RuleContext, glob_match
from vmss_lint.engine.spec import Condition, Constraint, Match, RuleSpec
from vmss_lint.engine.template import absent

Getter = Callable[[str], Any]
Verdict = bool | None


def data_hits(spec: RuleSpec, ctx: RuleContext) -> list[Hit]:
    if spec.match is not None:
        return _case_hits([spec.match], ctx)
    if spec.cases:
        return _case_hits(spec.cases, ctx)
    return _constraint_hits(spec.constraint or [], ctx)


# ---- matches ----------------------------------------------------------------------------------------


def _case_hits(cases: list[Match], ctx: RuleContext) -> list[Hit]:
    hits: list[Hit] = []
    claimed: set[str] = set()
    for case in cases:
        candidates = _candidates(case, ctx)
        if not candidates or not _all_hold(case.when, ctx, None):
            continue
        if case.report == "block":
            found = [hit for glob in case.globs for hit in _block_hits(ctx, glob)]
        else:
            found = [_hit(case, glob, c, ctx) for glob, c in candidates if _filters_pass(case, c)]
        for hit in found:
            if hit.pointer not in claimed:
                claimed.add(hit.pointer)
                hits.append(hit)
    return hits


def _candidates(case: Match, ctx: RuleContext) -> list[tuple[str, Change]]:
    """(glob, change) for each change a glob of the case matches, once per pointer, minus `exclude`."""
    out: list[tuple[str, Change]] = []
    seen: set[str] = set()
    for glob in case.globs:
        for change in ctx.changed(glob if case.report == "change" else glob + "/**"):
            if change.pointer in seen or any(_matches(x, change.pointer) for x in case.exclude):
                continue
            seen.add(change.pointer)
            out.append((glob, change))
    return out


def _matches(glob: str, pointer: str) -> bool:
    return glob_match(split_pointer(glob), split_pointer(pointer))


def _block_hits(ctx: RuleContext, root: str) -> Iterable[Hit]:
    """One hit for the block at `root`, or for its only changed leaf (so the location is exact)."""
    changes = ctx.changed(f"{root}/**")
    if len(changes) == 1:
        c = changes[0]
        yield Hit(c.pointer, c.op, c.old, c.new)
    elif changes:
        old, new = ctx.current.get(root), ctx.proposed.get(root)
        op: Op = "add" if old is None else "remove" if all(c.op == "remove" for c in changes) else "replace"
        yield Hit(root, op, old, new)


def _sides(case: Match, change: Change) -> tuple[Any, Any]:
    old, new = change.old, change.new
    if case.default is not None:
        old = case.default if absent(old) else old
        new = case.default if absent(new) else new
    return old, new


def _key(change: Change) -> str:
    return split_pointer(change.pointer)[-1] if change.pointer else ""


def _canon(case: Match, key: str, value: Any) -> Any:
    value = canonical_scalar(key, value)
    return value.lower() if case.ignore_case and isinstance(value, str) else value


def _filters_pass(case: Match, change: Change) -> bool:
    if case.ops is not None and change.op not in case.ops:
        return False
    old, new = _sides(case, change)
    if case.old_present is not None and absent(old) == case.old_present:
        return False
    if case.new_present is not None and absent(new) == case.new_present:
        return False
    key = _key(change)
    for wanted, value in ((case.old, old), (case.new, new)):
        if wanted is not None and _canon(case, key, value) not in [_canon(case, key, v) for v in wanted]:
            return False
    return case.change == "any" or _CHANGE[case.change](_canon(case, key, old), _canon(case, key, new))


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def _flag(value: Any) -> bool | None:
    return True if h.truthy(value) else False if h.falsy(value) else None


def _toggled(old: Any, new: Any) -> bool:
    before, after = _flag(old), _flag(new)
    return before is not None and after is not None and before != after


def _compared(test: Callable[[float, float], bool]) -> Callable[[Any, Any], bool]:
    def check(old: Any, new: Any) -> bool:
        before, after = _number(old), _number(new)
        return before is not None and after is not None and test(before, after)

    return check


_CHANGE: dict[str, Callable[[Any, Any], bool]] = {
    "changed": lambda old, new: old != new,
    "added": lambda old, new: absent(old) and not absent(new),
    "removed": lambda old, new: not absent(old) and absent(new),
    "grown": _compared(lambda a, b: b > a),
    "shrunk": _compared(lambda a, b: b < a),
    "toggled": _toggled,
    "enabled": lambda old, new: _toggled(old, new) and h.truthy(new),
    "disabled": lambda old, new: _toggled(old, new) and not h.truthy(new),
    "items-added": lambda old, new: bool(_items(new) - _items(old)) and not _items(old) - _items(new),
    "items-removed": lambda old, new: bool(_items(old) - _items(new)),
}


def _items(value: Any) -> set[str]:
    """A list's elements as Azure compares a list of names (zones): text, order ignored; else none."""
    return {str(v).strip() for v in value} if isinstance(value, list) else set()


def _hit(case: Match, glob: str, change: Change, ctx: RuleContext) -> Hit:
    old, new = _sides(case, change)
    op, hit_old = change.op, change.old
    if case.report_default and absent(change.old):
        op, hit_old = "replace", old
    extra: dict[str, Any] = {"shown": (old, new)}
    _note_items(extra, old, new)
    if case.message is not None:
        extra["template"] = case.message
    star = _first_star(glob)
    if star is not None:
        parts = split_pointer(change.pointer)
        extra["item"] = h.parent_item(ctx, change, star + 1)
        below = parts[star + 1 :]
        extra["field"] = "/".join(below[1:] if below[:1] == ["properties"] else below)
    return Hit(change.pointer, op, hit_old, change.new, extra=extra)


def _note_items(extra: dict[str, Any], old: Any, new: Any) -> None:
    """{added}/{removed} for a list value (zones)."""
    if isinstance(old, list) or isinstance(new, list):
        extra["added"] = ", ".join(sorted(_items(new) - _items(old)))
        extra["removed"] = ", ".join(sorted(_items(old) - _items(new)))


def _first_star(glob: str) -> int | None:
    parts = split_pointer(glob)
    return parts.index("*") if "*" in parts else None


# ---- conditions -------------------------------------------------------------------------------------


def _all_hold(conditions: list[Condition], ctx: RuleContext, get: Getter | None) -> Verdict:
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
        yield None if is_unknown(value) or is_unknown(before) else bool(_items(value) - _items(before))
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
    number = _number(value)
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


# ---- constraints ------------------------------------------------------------------------------------


def _constraint_hits(cases: list[Constraint], ctx: RuleContext) -> list[Hit]:
    proposed = h.proposed_view(ctx)
    for case in cases:
        if _all_hold(case.when, ctx, proposed) is True:
            if any(_all_hold(other.when, ctx, ctx.current.get) is True for other in cases):
                return []  # the scale set already breaks it: not this change's fault
            hit = h.hit_on(ctx, case.report, op=case.op)
            hit.extra["shown"] = (hit.old, hit.new)
            _note_items(hit.extra, hit.old, hit.new)
            if case.message is not None:
                hit.extra["template"] = case.message
            return [hit]
    return []
