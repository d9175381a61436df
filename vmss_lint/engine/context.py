"""What a rule sees: both models, the effective changes and the API version (pure data, no I/O).

Its own module so that the helper library and the data matcher can use it without importing the run.
"""

from __future__ import annotations

from typing import Any

from vmss_lint.core.apiversion import ApiVersion
from vmss_lint.core.findings import Change
from vmss_lint.core.model import ScaleSetModel, split_pointer
from vmss_lint.core.records import Record, field


class RuleContext(Record, kw_only=False, frozen=False):
    """What a hook sees: both models, the effective changes and the API version. Pure data, no I/O.

    A record rather than a dataclass (one is made per pair, and the class is defined on every start-up:
    see core/records.py); not frozen, because its memos live in the instance's `__dict__`."""

    current: ScaleSetModel
    proposed: ScaleSetModel
    changes: list[Change]
    api: ApiVersion
    instances: list[dict[str, Any]] | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def changed(self, glob: str) -> list[Change]:
        """Resolved changes whose pointer matches a glob (`*` one segment, `**` any)."""
        return self._matching(glob, True)

    def unresolved(self, glob: str) -> list[Change]:
        return self._matching(glob, False)

    def _matching(self, glob: str, resolved: bool) -> list[Change]:
        # Every rule asks about the changes, and most globs match none: a glob whose literal start is
        # not an ancestor of any changed pointer is answered with one set lookup.
        prefix, pattern = _GLOBS.get(glob) or _compiled_glob(glob)
        if prefix not in (self.__dict__.get("_ancestor_set") or self.ancestors()):
            return []
        if pattern is None:  # no wildcard: the glob is one pointer
            return [c for c in self.changes if (c.unresolved is None) == resolved and c.pointer == prefix]
        return [
            c
            for c in self.changes
            if (c.unresolved is None) == resolved and glob_match(pattern, split_pointer(c.pointer))
        ]

    def ancestors(self) -> frozenset[str]:
        """Every changed pointer and each of its ancestors ("" included), as escaped pointer text, once
        per pair: the glob lookups here and the rule index (engine/triggers.py) both ask."""
        found: frozenset[str] | None = self.__dict__.get("_ancestor_set")
        if found is None:
            texts = {""}
            for change in self.changes:
                pointer = change.pointer
                cut = pointer.find("/", 1)
                while cut != -1:
                    texts.add(pointer[:cut])
                    cut = pointer.find("/", cut + 1)
                texts.add(pointer)
            found = self.__dict__["_ancestor_set"] = frozenset(texts)
        return found

    def effective(self, pointer: str) -> Any:
        """The value Azure will hold after the change: proposed if specified, else current.

        Answered once per pointer and pair: the models do not change while the rules run, and many
        rules ask about the same few properties (orchestration mode, upgrade mode, OS type)."""
        memo: dict[str, Any] = self.__dict__.setdefault("_effective_memo", {})
        if pointer not in memo:
            memo[pointer] = self._effective(pointer)
        return memo[pointer]

    def _effective(self, pointer: str) -> Any:
        if any(pointer == r or pointer.startswith(r + "/") for r in self.proposed.removed):
            return None  # removed explicitly, itself or a parent
        value = self.proposed.get(pointer)
        if value is not None:
            return value
        if self._blanked(pointer):
            return None  # Compute: "" removes an association ("proximityPlacementGroup": "")
        return self.current.get(pointer)

    def _blanked(self, pointer: str) -> bool:
        """Whether the proposal sets a parent of `pointer` to the blank string."""
        end = pointer.rfind("/")
        while end > 0:
            parent = self.proposed.get(pointer[:end])
            if isinstance(parent, str) and not parent.strip():
                return True
            end = pointer.rfind("/", 0, end)
        return False


_GLOBS: dict[str, tuple[str, list[str] | None]] = {}


def _compiled_glob(glob: str) -> tuple[str, list[str] | None]:
    """(the glob's literal leading segments as pointer text, its segments if it has a wildcard), once
    per process. No regexes: compiling one per rule glob cost a cold run more than all the matching."""
    found = _GLOBS.get(glob)
    if found is None:
        parts = split_pointer(glob)
        literal = []
        for part in parts:
            if part in ("*", "**"):
                break
            literal.append("/" + part.replace("~", "~0").replace("/", "~1"))
        wild = len(literal) < len(parts)
        found = _GLOBS[glob] = ("".join(literal), parts if wild else None)
    return found


def glob_prefix(glob: str) -> str:
    """A glob's literal leading segments as pointer text: every pointer it matches is this one or below.

    Read off the text (the rule index asks for every glob of a rule set, and splitting each one cost a
    cold run more than the index saved); a glob with an escape goes the long way, which re-escapes it."""
    if "~" in glob:
        return (_GLOBS.get(glob) or _compiled_glob(glob))[0]
    cut = glob.find("/*")
    while cut != -1:
        if glob[cut + 2 : cut + 4] in ("", "*", "*/") or glob[cut + 2] == "/":  # a `*` or `**` segment
            return glob[:cut]
        cut = glob.find("/*", cut + 1)
    return glob


def glob_match(pattern: list[str], parts: list[str]) -> bool:
    """Whether pointer segments `parts` match glob segments `pattern` (`*` one segment, `**` any number).

    Linear in `len(parts)` times `len(pattern)`: the set of pattern positions still alive is carried
    along the pointer (a tiny NFA), so several `**` cannot backtrack exponentially, as the recursive
    matcher did on a suppression such as `/**/**/**/**/x` against a deep pointer.
    """
    if "**" not in pattern:  # the usual glob: one segment per segment
        return len(pattern) == len(parts) and all(
            g == "*" or g == p for g, p in zip(pattern, parts, strict=True)
        )
    end = len(pattern)
    alive = _after_stars(pattern, {0})
    for part in parts:
        step = set()
        for i in alive:
            if i < end:
                head = pattern[i]
                if head == "**":
                    step.add(i)  # '**' takes this segment and may take more
                elif head == "*" or head == part:
                    step.add(i + 1)
        if not step:
            return False
        alive = _after_stars(pattern, step)
    return end in alive


def _after_stars(pattern: list[str], alive: set[int]) -> set[int]:
    """`alive` plus every position reachable by letting each `**` match no segment."""
    out = set(alive)
    for i in alive:
        while i < len(pattern) and pattern[i] == "**":
            i += 1
            out.add(i)
    return out
