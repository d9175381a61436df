"""Data rules: which changes a `match`, its `cases` or a `constraint` report, as hits.

Whether a `when` condition holds is engine/conditions.py's (three-valued: a rule fires only on a
condition known to hold). A constraint is "introduced" when it holds on the effective proposed model
and is not known to hold on the current one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from vmss_lint.core.findings import Change, Hit, Op
from vmss_lint.core.model import split_pointer
from vmss_lint.core.values import canonical_scalar
from vmss_lint.engine import helpers as h
from vmss_lint.engine.conditions import all_hold, as_number, condition_pointers, item_set, presence_pointers
from vmss_lint.engine.context import RuleContext, glob_match
from vmss_lint.engine.spec import Constraint, Match, RuleSpec
from vmss_lint.engine.template import absent

# Where the rule index (engine/triggers.py) and tests/test_triggers.py first found them.
__all__ = ["condition_pointers", "data_hits", "presence_pointers"]


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
        if not candidates or not all_hold(case.when, ctx, None):
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


def _flag(value: Any) -> bool | None:
    return True if h.truthy(value) else False if h.falsy(value) else None


def _toggled(old: Any, new: Any) -> bool:
    before, after = _flag(old), _flag(new)
    return before is not None and after is not None and before != after


def _compared(test: Callable[[float, float], bool]) -> Callable[[Any, Any], bool]:
    def check(old: Any, new: Any) -> bool:
        before, after = as_number(old), as_number(new)
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
    "items-added": lambda old, new: bool(item_set(new) - item_set(old)) and not item_set(old) - item_set(new),
    "items-removed": lambda old, new: bool(item_set(old) - item_set(new)),
}


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
        extra["added"] = ", ".join(sorted(item_set(new) - item_set(old)))
        extra["removed"] = ", ".join(sorted(item_set(old) - item_set(new)))


def _first_star(glob: str) -> int | None:
    parts = split_pointer(glob)
    return parts.index("*") if "*" in parts else None


# ---- constraints ------------------------------------------------------------------------------------


def _constraint_hits(cases: list[Constraint], ctx: RuleContext) -> list[Hit]:
    proposed = h.proposed_view(ctx)
    for case in cases:
        if all_hold(case.when, ctx, proposed) is True:
            if any(all_hold(other.when, ctx, ctx.current.get) is True for other in cases):
                return []  # the scale set already breaks it: not this change's fault
            hit = h.hit_on(ctx, case.report, op=case.op)
            hit.extra["shown"] = (hit.old, hit.new)
            _note_items(hit.extra, hit.old, hit.new)
            if case.message is not None:
                hit.extra["template"] = case.message
            return [hit]
    return []
