"""What a rule file may say, validated strictly so that a typo in a rule pack fails loudly at load time.

The specs are frozen `core.records.Record`s: defining one costs next to nothing at import (seven frozen
dataclasses here were 43 M instructions of every cold run, RuleSpec alone with its 23 fields the most),
and building one from the compiled rule index (`vmss_lint.engine.index`) costs no pydantic. Their own
checks live in `__post_init__` and raise `RuleError` (a `ValueError`), so they hold however a spec is
made. Untrusted rule data (a TOML file without an index entry) is validated by pydantic against stdlib
dataclass mirrors of these classes, built on that path only (`vmss_lint.engine.rulefile`), which check
the types, coerce strings to `Severity`/`Impact` and tables to the nested classes, reject unknown keys
(`FORBID_EXTRA`) and run the same `__post_init__`; the result is then copied into the records.
"""

# No `from __future__ import annotations` here: the index converters (`vmss_lint.engine.index`) read these
# annotations on every run, and evaluating them as strings cost a cold start ~2 ms. Hence Condition
# comes before Match, which names it.
import functools
import re
from _string import formatter_parser  # type: ignore[import-not-found]  # string.Formatter.parse
from typing import Any, Literal

from vmss_lint.core.findings import Impact, Severity
from vmss_lint.core.records import Record, field
from vmss_lint.engine import template

_ID_RE = re.compile(r"^[A-Z]{2,10}[0-9]{3}$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$")
_HOOK_RE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")

# The pydantic config of the validation mirrors (engine/rulefile.py): an unknown key is an error, not ignored.
FORBID_EXTRA: dict[str, Any] = {"extra": "forbid"}


class RuleError(ValueError):
    """A rule breaks the format. `problems` is every (field, message) found; the first is the message."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(problems[0][1])
        self.problems = problems


def _raise_any(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise RuleError(problems)


class ApiRange(Record):
    """API versions a rule applies to: `min` inclusive, `max` exclusive (YYYY-MM-DD)."""

    min: str | None = None
    max: str | None = None

    def __post_init__(self) -> None:
        _raise_any(
            [
                (key, f"API version '{value}' is not YYYY-MM-DD")
                for key, value in (("min", self.min), ("max", self.max))
                if value is not None and not _DATE_RE.match(value)
            ]
        )

    def contains(self, version: str) -> bool:
        v = version[:10]
        return (self.min is None or v >= self.min) and (self.max is None or v < self.max)


Op = Literal["add", "remove", "replace"]
ChangeKind = Literal[
    "any",
    "changed",
    "added",
    "removed",
    "grown",
    "shrunk",
    "toggled",
    "enabled",
    "disabled",
    "items-added",
    "items-removed",
]


class Condition(Record):
    """Facts about one side of the change that must all hold (see docs/writing-rules.md).

    `model` picks the side: "proposed" (the default) is the effective proposed model, what Azure holds
    after the change (proposed if specified, else current); "current" is the live model. In a constraint
    the side is the one being judged, so `model` is not given there. Pointer tests take canonical REST
    pointers; an unresolved value makes a test unknown, and a rule never fires on an unknown.
    """

    model: Literal["current", "proposed"] | None = None
    orchestration: Literal["uniform", "flexible"] | None = None
    upgrade_mode: list[str] | None = None
    os_type: Literal["windows", "linux"] | None = None
    ephemeral_os: bool | None = None
    health_source: bool | None = None
    health_probe: bool | None = None
    health_extension: bool | None = None
    zonal: bool | None = None
    api: ApiRange | None = None
    with_extension: list[str] | None = None
    without_extension: list[str] | None = None
    true: list[str] | None = None
    not_true: list[str] | None = None
    set: list[str] | None = None
    unset: list[str] | None = None
    equals: dict[str, Any] | None = None
    not_equals: dict[str, Any] | None = None
    contains: dict[str, str] | None = None
    above: dict[str, int] | None = None
    fewer: dict[str, int] | None = None
    more: dict[str, int] | None = None
    items_added: list[str] | None = None

    def __post_init__(self) -> None:
        pointers = [
            *(self.true or []),
            *(self.not_true or []),
            *(self.set or []),
            *(self.unset or []),
            *(self.equals or {}),
            *(self.not_equals or {}),
            *(self.contains or {}),
            *(self.above or {}),
            *(self.fewer or {}),
            *(self.more or {}),
            *(self.items_added or []),
        ]
        bad = [p for p in pointers if not p.startswith("/")]
        _raise_any([("when", f"'{bad[0]}' is not a JSON pointer starting with '/'")] if bad else [])


class Match(Record):
    """A declarative match: pointer globs plus filters on the op, the two values and the model.

    `path`/`paths` segments: `*` is one segment, `**` any number of segments; `exclude` leaves out changes
    matching other globs. `old`/`new` list the values that must be on that side (compared the way Azure
    compares them, `ignore_case` for any string). `default` is what an absent value stands for (in the
    filters, the `change` predicate and the message; with `report_default` also in the finding).
    `change` says which transition counts (see docs/writing-rules.md). `when` lists conditions on the
    current or the proposed model that must all hold. `report = "block"` reports each path as one block
    (one finding for a policy added whole, the leaf itself when only one leaf changed). `message`
    overrides the rule's message for the changes this match reports.
    """

    path: str = ""
    paths: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    ops: list[Op] | None = None
    old: list[Any] | None = None
    new: list[Any] | None = None
    old_present: bool | None = None
    new_present: bool | None = None
    ignore_case: bool = False
    default: Any = None
    report_default: bool = False
    change: ChangeKind = "any"
    when: list[Condition] = field(default_factory=list)
    report: Literal["change", "block"] = "change"
    message: str | None = None

    def __post_init__(self) -> None:
        problems = [
            ("path", "path must be a JSON pointer starting with '/'")
            for glob in [self.path, *self.paths, *self.exclude]
            if glob and not glob.startswith("/")
        ][:1]
        if not self.path and not self.paths:
            problems.append(("path", "a match needs 'path' or 'paths'"))
        if self.report_default and self.default is None:
            problems.append(("report_default", "report_default needs a 'default'"))
        if self.message is not None and (problem := message_problem(self.message)):
            problems.append(("message", problem))
        _raise_any(problems)

    @functools.cached_property
    def globs(self) -> list[str]:
        return [self.path, *self.paths] if self.path else list(self.paths)


class Constraint(Record):
    """The proposed model must not have all of `when`; reported only when the change introduces it.

    Judged on the effective proposed model; the same conditions on the current model must not all hold
    (a scale set that already breaks it is not this change's fault). Several `[[constraint]]` tables are
    cases of one violation: the first case that holds on the proposed model is reported, and none may
    hold on the current one. The finding sits on `report` with the current and the effective value.
    """

    report: str
    when: list[Condition]
    op: Op | None = None
    message: str | None = None

    def __post_init__(self) -> None:
        problems = []
        if not self.report.startswith("/"):
            problems.append(("report", "report must be a JSON pointer starting with '/'"))
        if not self.when:
            problems.append(("when", "a constraint needs at least one condition"))
        if any(c.model is not None for c in self.when):
            problems.append(("when", "a constraint judges each side itself: leave 'model' out"))
        if self.message is not None and (problem := message_problem(self.message)):
            problems.append(("message", problem))
        _raise_any(problems)


class Example(Record):
    current: dict[str, Any]
    proposed: dict[str, Any]
    fixed: dict[str, Any] | None = None
    api_version: str | None = None


class RuleSpec(Record):
    """One rule file. Exactly one of `match`, `cases`, `constraint`, `hook` or `meta` says how it fires.

    `cases` are matches tried in order for each change: the first one that reports a change claims it
    (so a later, broader case does not report it again with another message).
    """

    id: str
    name: str
    severity: Severity
    impact: Impact
    confidence: Literal["high", "medium", "low"] = "high"
    summary: str
    why: str
    fix: str
    references: list[str]
    message: str | None = None
    azure_error: str | None = None
    api_versions: ApiRange | None = None
    example: Example | None = None
    match: Match | None = None
    cases: list[Match] | None = None
    constraint: list[Constraint] | None = None
    hook: str | None = None
    meta: bool = False
    aliases: list[str] = field(default_factory=list)
    covers: list[str] = field(default_factory=list)
    """Pointer globs a hook rule judges: the property classification counts them as watched (a data
    rule's `path`/`paths`/constraint `report` count on their own; see engine/properties.py)."""

    def __post_init__(self) -> None:
        _raise_any(self._field_problems())
        kinds = [self.match is not None, bool(self.cases), bool(self.constraint), self.hook is not None]
        if sum([*kinds, self.meta]) != 1:
            raise RuleError(
                [("", "a rule needs exactly one of 'match', 'cases', 'constraint', 'hook' or 'meta = true'")]
            )
        if self.example is None and not self.meta:
            raise RuleError([("", "a rule needs an 'example' (current, proposed, and optionally fixed)")])

    def _field_problems(self) -> list[tuple[str, str]]:
        problems = []
        if not _ID_RE.match(self.id):
            problems.append(("id", "id must be an uppercase prefix and three digits, like VMSS101"))
        if not _NAME_RE.match(self.name):
            problems.append(("name", "name must be kebab-case, like zone-removed"))
        if not self.references:
            problems.append(("references", "references must list at least one link"))
        if self.message is not None and (problem := message_problem(self.message)):
            problems.append(("message", problem))
        if any(not c.startswith("/") for c in self.covers):
            problems.append(("covers", "covers must list JSON pointers starting with '/'"))
        if self.hook is not None and not _HOOK_RE.match(self.hook):
            problems.append(("hook", "hook must be 'module:function'"))
        return problems


MAX_MESSAGE_WIDTH = 1000
"""Largest width or precision a rule message may give a field (`{new:>20}`): checked before formatting,
since `{new:>2000000000}` in a rule pack would allocate gigabytes (a MemoryError, before this check)."""


def message_problem(message: str) -> str | None:
    """Why a rule message cannot be formatted safely, or None. Looks at the format fields without
    formatting anything, so a huge width costs nothing."""
    try:
        # What `string.Formatter().parse` returns, without importing `string` on every run.
        fields: list[tuple[str, str | None, str | None, str | None]] = list(formatter_parser(message))
    except ValueError as exc:
        return str(exc)
    for _, name, spec, _ in fields:
        if name is None:
            continue
        if "{" in (spec or ""):
            return f"field {{{name}}} takes its format from another field"
        widths = [int(n) if len(n) < 6 else MAX_MESSAGE_WIDTH + 1 for n in re.findall(r"\d+", spec or "")]
        if any(w > MAX_MESSAGE_WIDTH for w in widths):
            return f"field {{{name}}} has a width or precision over {MAX_MESSAGE_WIDTH}"
    return template.check(message)


class LoadedRule:
    """A validated rule with where it came from, so errors can name the file; `hook_fn` is the hook's
    function once resolved. A plain class: positional, like the callers build it, and free to define."""

    __slots__ = ("hook_fn", "pack", "source", "spec")

    def __init__(self, spec: RuleSpec, source: str, pack: str, hook_fn: Any = None) -> None:
        self.spec, self.source, self.pack, self.hook_fn = spec, source, pack, hook_fn

    def __eq__(self, other: object) -> bool:
        if type(other) is not LoadedRule:
            return NotImplemented
        return (self.spec, self.source, self.pack) == (other.spec, other.source, other.pack)

    __hash__ = None  # type: ignore[assignment]  # mutable-looking, like the frozen dataclass with lists

    def __repr__(self) -> str:
        return f"LoadedRule(spec={self.spec!r}, source={self.source!r}, pack={self.pack!r})"
