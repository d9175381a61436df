"""What a rule file may say, validated strictly so that a typo in a rule pack fails loudly at load time.

The specs are frozen stdlib dataclasses: building one from the compiled rule index (`vmss_lint.engine.index`)
costs no pydantic. Their own checks live in `__post_init__` and raise `RuleError` (a `ValueError`), so they
hold however a spec is made. Untrusted rule data goes through `pydantic.TypeAdapter(RuleSpec)` (imported
lazily by the registry), which checks the types, coerces strings to `Severity`/`Impact` and tables to the
nested classes, rejects unknown keys (`__pydantic_config__`, a plain dict so pydantic is not imported
here) and then runs the same `__post_init__`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from vmss_lint.core.findings import Impact, Severity

_ID_RE = re.compile(r"^[A-Z]{2,10}[0-9]{3}$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$")
_HOOK_RE = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")

# Read by pydantic when it validates these stdlib dataclasses: an unknown key is an error, not ignored.
_FORBID_EXTRA: dict[str, Any] = {"extra": "forbid"}


class RuleError(ValueError):
    """A rule breaks the format. `problems` is every (field, message) found; the first is the message."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(problems[0][1])
        self.problems = problems


def _raise_any(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise RuleError(problems)


@dataclass(frozen=True, kw_only=True)
class Match:
    """A declarative match: a pointer glob plus optional filters on the op and the two values.

    `path` segments: `*` is one segment, `**` any number of segments. `old`/`new` list the values that
    must be on that side (compared the way Azure compares them). `old_present`/`new_present` require a
    side to exist at all.
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID_EXTRA

    path: str
    ops: list[Literal["add", "remove", "replace"]] | None = None
    old: list[Any] | None = None
    new: list[Any] | None = None

    def __post_init__(self) -> None:
        if self.path and not self.path.startswith("/"):
            raise RuleError([("path", "path must be a JSON pointer starting with '/'")])


@dataclass(frozen=True, kw_only=True)
class ApiRange:
    """API versions a rule applies to: `min` inclusive, `max` exclusive (YYYY-MM-DD)."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID_EXTRA

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


@dataclass(frozen=True, kw_only=True)
class Example:
    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID_EXTRA

    current: dict[str, Any]
    proposed: dict[str, Any]
    fixed: dict[str, Any] | None = None
    api_version: str | None = None


@dataclass(frozen=True, kw_only=True)
class RuleSpec:
    """One rule file. Exactly one of `match`, `hook` or `meta` says how it fires."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID_EXTRA

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
    hook: str | None = None
    meta: bool = False
    aliases: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        _raise_any(self._field_problems())
        if sum([self.match is not None, self.hook is not None, self.meta]) != 1:
            raise RuleError([("", "a rule needs exactly one of 'match', 'hook' or 'meta = true'")])
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
        if self.message is not None:
            problem = message_problem(self.message)
            if problem is not None:
                problems.append(
                    ("message", f"message may only use {{pointer}}, {{old}} and {{new}}: {problem}")
                )
        if self.hook is not None and not _HOOK_RE.match(self.hook):
            problems.append(("hook", "hook must be 'module:function'"))
        return problems


MAX_MESSAGE_WIDTH = 1000
"""Largest width or precision a rule message may give a field (`{new:>20}`): checked before formatting,
since `{new:>2000000000}` in a rule pack would allocate gigabytes (a MemoryError, before this check)."""


def message_problem(message: str) -> str | None:
    """Why a rule message cannot be formatted safely, or None. Looks at the format fields without
    formatting anything, so a huge width costs nothing."""
    import string

    try:
        fields = list(string.Formatter().parse(message))
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
    try:
        message.format(pointer="", old="", new="")
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        return str(exc)
    return None


@dataclass(frozen=True)
class LoadedRule:
    """A validated rule with where it came from, so errors can name the file."""

    spec: RuleSpec
    source: str
    pack: str
    hook_fn: Any = field(default=None, compare=False)
