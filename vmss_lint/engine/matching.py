"""Data rules: which changes a `match`, its `cases` or a `constraint` report, as hits.

Conditions are three-valued: a test on an unresolved value is unknown (None), and a rule fires only on
a condition that is known to hold. A constraint is "introduced" when it holds on the effective proposed
model and is not known to hold on the current one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from vmss_lint.compare import canonical_scalar, is_unknown
from vmss_lint.core.findings import Change, Hit, Op
from vmss_lint.core.model import split_pointer
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
}


def _hit(case: Match, glob: str, change: Change, ctx: RuleContext) -> Hit:
    old, new = _sides(case, change)
    op, hit_old = change.op, change.old
    if case.report_default and absent(change.old):
        op, hit_old = "replace", old
    extra: dict[str, Any] = {"shown": (old, new)}
    if case.message is not None:
        extra["template"] = case.message
    star = _first_star(glob)
    if star is not None:
        parts = split_pointer(change.pointer)
        extra["item"] = h.parent_item(ctx, change, star + 1)
        below = parts[star + 1 :]
        extra["field"] = "/".join(below[1:] if below[:1] == ["properties"] else below)
    return Hit(change.pointer, op, hit_old, change.new, extra=extra)


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
    tests: list[Verdict] = []
    if c.orchestration is not None:
        tests.append((h.lower(get(h.ORCHESTRATION)) or "uniform") == c.orchestration)
    if c.upgrade_mode is not None:
        tests.append((h.lower(get(h.MODE)) or "manual") in {m.lower() for m in c.upgrade_mode})
    if c.os_type is not None:
        tests.append(h.os_type(get) == c.os_type)
    if c.ephemeral_os is not None:
        tests.append((h.lower(get(h.EPHEMERAL)) == "local") == c.ephemeral_os)
    if c.zonal is not None:
        tests.append(bool(h.zone_set(get("/zones"))) == c.zonal)
    if c.api is not None:
        tests.append(c.api.contains(ctx.api.value))
    tests.extend(_health_tests(c, get))
    if c.with_extension is not None:
        tests.append(h.has_extension_publisher(get, c.with_extension))
    if c.without_extension is not None:
        tests.append(not h.has_extension_publisher(get, c.without_extension))
    tests.extend(_pointer_tests(c, get))
    return False if False in tests else None if None in tests else True


def _health_tests(c: Condition, get: Getter) -> list[Verdict]:
    tests: list[Verdict] = []
    extension, probe = h.health_extension_state(get), h.health_probe_state(get)
    if c.health_source is not None:
        # A load balancer probe is no health source on a Flexible set (docs: use the extension there).
        probe_counts = probe if not h.is_flexible(get) else False
        source = (
            True
            if True in (extension, probe_counts)
            else None
            if None in (extension, probe_counts)
            else False
        )
        tests.append(_is(source, c.health_source))
    if c.health_extension is not None:
        tests.append(_is(extension, c.health_extension))
    if c.health_probe is not None:
        tests.append(_is(probe, c.health_probe))
    return tests


def _is(state: Verdict, wanted: bool) -> Verdict:
    return None if state is None else state == wanted


def _pointer_tests(c: Condition, get: Getter) -> list[Verdict]:
    tests: list[Verdict] = []
    checks: list[tuple[Iterable[tuple[str, Any]], Callable[[Any, Any], bool]]] = [
        (((p, None) for p in c.true or []), lambda v, _: h.truthy(v)),
        (((p, None) for p in c.not_true or []), lambda v, _: not h.truthy(v)),
        (((p, None) for p in c.set or []), lambda v, _: not absent(v)),
        (((p, None) for p in c.unset or []), lambda v, _: absent(v)),
        ((c.equals or {}).items(), lambda v, want: _equal(v, want)),
        ((c.not_equals or {}).items(), lambda v, want: not _equal(v, want)),
        ((c.contains or {}).items(), lambda v, part: part.lower() in h.lower(v)),
        ((c.above or {}).items(), lambda v, n: (_number(v) or 0) > n),
        ((c.fewer or {}).items(), lambda v, n: (len(v) if isinstance(v, list) else 0) < n),
    ]
    for pairs, test in checks:
        for pointer, arg in pairs:
            value = get(pointer)
            tests.append(None if is_unknown(value) else test(value, arg))
    return tests


def _equal(value: Any, wanted: Any) -> bool:
    """Case-insensitive, as Azure compares enums; `wanted` may list several values."""
    options = wanted if isinstance(wanted, list) else [wanted]
    return any(
        canonical_scalar("", value) == canonical_scalar("", w) or h.lower(value) == h.lower(w)
        for w in options
    )


# ---- constraints ------------------------------------------------------------------------------------


def _constraint_hits(cases: list[Constraint], ctx: RuleContext) -> list[Hit]:
    if any(_all_hold(case.when, ctx, ctx.current.get) is True for case in cases):
        return []  # the scale set already breaks it: not this change's fault
    proposed = h.proposed_view(ctx)
    for case in cases:
        if _all_hold(case.when, ctx, proposed) is True:
            hit = h.hit_on(ctx, case.report, op=case.op)
            hit.extra["shown"] = (hit.old, hit.new)
            if case.message is not None:
                hit.extra["template"] = case.message
            return [hit]
    return []
