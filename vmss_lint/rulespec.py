"""What a rule file may say, validated strictly so that a typo in a rule pack fails loudly at load time."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from vmss_lint.findings import Impact, Severity

_ID_RE = re.compile(r"^[A-Z]{2,10}[0-9]{3}$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Match(_Strict):
    """A declarative match: a pointer glob plus optional filters on the op and the two values.

    `path` segments: `*` is one segment, `**` any number of segments. `old`/`new` list the values that
    must be on that side (compared the way Azure compares them). `old_present`/`new_present` require a
    side to exist at all.
    """

    path: str
    ops: list[Literal["add", "remove", "replace"]] | None = None
    old: list[Any] | None = None
    new: list[Any] | None = None

    @field_validator("path")
    @classmethod
    def _pointer(cls, value: str) -> str:
        if value and not value.startswith("/"):
            raise ValueError("path must be a JSON pointer starting with '/'")
        return value


class ApiRange(_Strict):
    """API versions a rule applies to: `min` inclusive, `max` exclusive (YYYY-MM-DD)."""

    min: str | None = None
    max: str | None = None

    @field_validator("min", "max")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        if value is not None and not _DATE_RE.match(value):
            raise ValueError(f"API version '{value}' is not YYYY-MM-DD")
        return value

    def contains(self, version: str) -> bool:
        v = version[:10]
        return (self.min is None or v >= self.min) and (self.max is None or v < self.max)


class Example(_Strict):
    current: dict[str, Any]
    proposed: dict[str, Any]
    fixed: dict[str, Any] | None = None
    api_version: str | None = None


class RuleSpec(_Strict):
    """One rule file. Exactly one of `match`, `hook` or `meta` says how it fires."""

    id: str
    name: str
    severity: Severity
    impact: Impact
    confidence: Literal["high", "medium", "low"] = "high"
    summary: str
    why: str
    fix: str
    references: list[str] = Field(min_length=1)
    message: str | None = None
    azure_error: str | None = None
    api_versions: ApiRange | None = None
    example: Example | None = None
    match: Match | None = None
    hook: str | None = None
    meta: bool = False
    aliases: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise ValueError("id must be an uppercase prefix and three digits, like VMSS101")
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME_RE.match(value):
            raise ValueError("name must be kebab-case, like zone-removed")
        return value

    @field_validator("hook")
    @classmethod
    def _hook(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$", value):
            raise ValueError("hook must be 'module:function'")
        return value

    @field_validator("message")
    @classmethod
    def _message(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                value.format(pointer="", old="", new="")
            except (KeyError, IndexError, ValueError) as exc:
                raise ValueError(f"message may only use {{pointer}}, {{old}} and {{new}}: {exc}") from None
        return value

    @model_validator(mode="after")
    def _one_trigger(self) -> RuleSpec:
        triggers = [self.match is not None, self.hook is not None, self.meta]
        if sum(triggers) != 1:
            raise ValueError("a rule needs exactly one of 'match', 'hook' or 'meta = true'")
        if self.example is None and not self.meta:
            raise ValueError("a rule needs an 'example' (current, proposed, and optionally fixed)")
        return self


@dataclass(frozen=True)
class LoadedRule:
    """A validated rule with where it came from, so errors can name the file."""

    spec: RuleSpec
    source: str
    pack: str
    hook_fn: Any = field(default=None, compare=False)
