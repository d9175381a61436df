"""Which rules a pair's changes can fire: an index from pointers to rules, built once per rule set.

Every rule used to be tried on every pair (144 tries a pair, half of an in-process pair's time), and most
of them cannot fire on it:

- A `match` (or `cases`) rule reports only resolved changes its globs match (`matching._candidates`). A
  glob matches a pointer only if the glob's literal leading segments are that pointer or one of its
  ancestors, so a rule none of whose globs' literal start is a changed pointer or an ancestor of one has
  nothing to report, and is not tried.
- A `constraint` rule reports a violation only when the change introduces it: it holds on the effective
  proposed model and no case of it holds on the current one. Its conditions read a known set of pointers
  (`conditions.condition_pointers`). If compare reports no change at, above or below any of them, the
  effective proposed model and the current one agree on every value the conditions read, so whatever
  holds on one holds on the other and nothing can be introduced: the rule is not tried. A constraint is
  tried when a change touches any pointer it reads, including one other than the pointer it reports on.
  "Agree" is compare's judgement, with one exception: compare counts `[]` or `{}` sent for an absent
  value as no change, while `set`/`unset` and the OS configuration blocks tell them apart, so a
  constraint is also tried when the proposed side holds an empty container at such a pointer
  (`conditions.presence_pointers`). Compare's other equivalences (`"true"` for `true`, `"3"` for `3`,
  casing) the conditions make too; only an `equals`/`contains` on a location written with spaces or an
  id with a trailing slash could tell them apart, and no built-in rule has one.
- A hook reads whatever it likes: hook rules are always tried, in their order, like a rule whose glob
  starts with a wildcard or a constraint that reads no pointer.

Rules are tried in the rule set's order, so findings come out exactly as when every rule was tried.
The index also holds what else the run needs per rule set (the meta rules by id, and every glob the
rules watch, for VMSS701), which used to be rebuilt for every pair.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING

from vmss_lint.engine.conditions import condition_pointers, presence_pointers
from vmss_lint.engine.context import RuleContext, glob_prefix

if TYPE_CHECKING:
    from vmss_lint.engine.spec import LoadedRule


class RuleTriggers:
    """The rules of one rule set indexed by the pointers whose change can fire them.

    Built once per rule set, so its cost is a cold run's: about as much as trying every rule on one
    pair used to be (a few million instructions), hence plain lists and one sort, not a tree."""

    def __init__(self, rules: list[LoadedRule]) -> None:
        self.rules = list(rules)  # held, so that the ids in the cache key stay this set's
        self.meta = {r.spec.id: r for r in self.rules if r.spec.meta}
        self._always: list[int] = []
        # pointer -> rules tried when it is a changed pointer or an ancestor of one (a change at or below)
        self._at_or_below: dict[str, list[int]] = {}
        reads: list[tuple[str, int]] = []  # (pointer a constraint reads, rule), for changes above it
        # pointer -> constraints tried when the proposed side holds [] or {} there (no change to compare)
        self._empty_at: dict[str, list[int]] = {}
        for i, rule in enumerate(self.rules):
            spec = rule.spec
            if spec.meta:
                continue
            if spec.hook is not None:
                self._always.append(i)
                continue
            keys: set[str] = set()
            if spec.constraint:
                for constraint in spec.constraint:
                    for when in constraint.when:
                        keys |= condition_pointers(when)
                        for pointer in presence_pointers(when):
                            self._empty_at.setdefault(pointer, []).append(i)
                reads += [(p, i) for p in keys]
            else:
                # The globs `matching._candidates` asks the context about (a block's `glob/**` starts alike).
                for case in [spec.match] if spec.match is not None else spec.cases or []:
                    if case.path:
                        keys.add(glob_prefix(case.path))
                    for glob in case.paths:
                        keys.add(glob_prefix(glob))
            if not keys or "" in keys:
                self._always.append(i)  # cannot be narrowed: a glob starting with a wildcard, nothing read
                continue
            for key in keys:
                self._at_or_below.setdefault(key, []).append(i)
        reads.sort()
        self._read_pointers = [p for p, _ in reads]
        self._read_by = [i for _, i in reads]
        self._globs: tuple[str, ...] | None = None

    def tried(self, ctx: RuleContext) -> list[LoadedRule]:
        """The rules the pair's changes can fire, in rule-set order (meta rules are never here)."""
        found = set(self._always)
        at_or_below = self._at_or_below
        for pointer in ctx.ancestors():
            hit = at_or_below.get(pointer)
            if hit is not None:
                found.update(hit)
        pointers, count = self._read_pointers, len(self._read_pointers)
        for change in ctx.changes:  # a change of a whole block: the constraints reading inside it
            below = change.pointer + "/"
            j = bisect_left(pointers, below)
            while j < count and pointers[j].startswith(below):
                found.add(self._read_by[j])
                j += 1
        get = ctx.proposed.get
        for pointer, hit in self._empty_at.items():
            value = get(pointer)
            if value == [] or value == {}:
                found.update(hit)
        return [self.rules[i] for i in sorted(found)]

    @property
    def globs(self) -> tuple[str, ...]:
        """Every glob any rule of the set watches (for VMSS701), built on the first pair that asks."""
        if self._globs is None:
            from vmss_lint.engine.properties import pack_globs

            self._globs = tuple(pack_globs(r.spec for r in self.rules))
        return self._globs


_CACHE: dict[tuple[int, ...], RuleTriggers] = {}
_CACHE_SIZE = 8


def triggers_for(rules: list[LoadedRule]) -> RuleTriggers:
    """The index of `rules`, built once per rule set: the pipeline passes the same rules for every pair.

    Keyed by the rules' identities (a `LoadedRule` is frozen, and the entry keeps them alive, so an id is
    not reused while the entry exists); a long-running caller with many rule sets keeps the last few."""
    key = tuple(map(id, rules))
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) >= _CACHE_SIZE:
            del _CACHE[next(iter(_CACHE))]
        found = _CACHE[key] = RuleTriggers(rules)
    return found
