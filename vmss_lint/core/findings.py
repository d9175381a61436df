"""The vocabulary of the public contract: severities, impacts, changes and findings.

The words here (`error`, `recreate`, ...) and the JSON dump of `Finding` are what pipelines parse, so they
change only with a schema version bump. `Finding` and `FindingLocation` are records (`records.Record`):
their dump *is* the JSON output and the snapshot format. The internal types (`Change`, `Location`, `Hit`)
are records too, taking their fields positionally as well (`kw_only=False`): hooks build them that way.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from vmss_lint.core.records import Record, field


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 1, Severity.WARNING: 2, Severity.ERROR: 3}


class Impact(StrEnum):
    """What a change needs before it is on the running VMs, from harmless to fatal."""

    NONE = "none"
    MODEL_ONLY = "model-only"
    SCALE = "scale"
    UPDATE_INSTANCES = "update-instances"
    REIMAGE = "reimage"
    DEALLOCATE = "deallocate"
    RECREATE = "recreate"

    @property
    def rank(self) -> int:
        return _IMPACT_ORDER.index(self)


_IMPACT_ORDER = list(Impact)

Op = Literal["add", "remove", "replace"]


class Change(Record, kw_only=False):
    """One effective difference between the current and the proposed model.

    `pointer` is RFC 6901 into the canonical (ARM/REST) shape: the list index is the proposed document's,
    or the current one's for a removal. `unresolved` carries the reason when either side could not be
    known offline (a template expression needing a live deployment, a secret Azure never returns); rules
    never turn such a change into an error or warning.
    """

    pointer: str
    op: Op
    old: Any = None
    new: Any = None
    unresolved: str | None = None
    edit: str | None = None


class Location(Record, kw_only=False):
    """Where a value sits in the proposed file, for annotations on the exact line; `value_at` is (file,
    line, column) of the parameters-file entry that set it, when another file did."""

    file: str
    line: int
    column: int
    value_from: str | None = None
    value_at: tuple[str, int, int] | None = None


class ValuePosition(Record):
    """Where in another file (a parameters file) the value was set: the line a pull request changed."""

    file: str
    line: int
    column: int


class FindingLocation(Record):
    """A finding's place in a file, as reported (`valueFrom`: the parameter or variable the value came from;
    `valueAt`: the parameters file's position of that value, when a parameters file set it)."""

    file: str
    line: int
    column: int
    value_from: str | None = None
    value_at: ValuePosition | None = None


class Finding(Record):
    """One thing a rule found, as reported; `records.to_json(finding)` is the contract."""

    rule: str
    name: str
    severity: Severity
    impact: Impact
    pointer: str
    op: Op | None = None
    old: Any = None
    new: Any = None
    message: str
    fix: str | None = None
    confidence: Literal["high", "medium", "low"] = "high"
    edit: str | None = None
    location: FindingLocation | None = None
    references: list[str] = field(default_factory=list)


class Hit(Record, kw_only=False):
    """What a rule hook yields: a fact about one pointer. The engine turns it into a Finding.

    `impact`, `severity` and `message` override the rule's defaults when a rule's outcome depends on the
    transition (a SKU change within a family needs less than one across families).
    """

    pointer: str
    op: Op | None = None
    old: Any = None
    new: Any = None
    message: str | None = None
    impact: Impact | None = None
    severity: Severity | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, change: Change, **overrides: Any) -> Hit:
        """The usual hit: a fact about exactly the change that triggered the rule."""
        return cls(change.pointer, change.op, change.old, change.new, **overrides)


def max_impact(impacts: list[Impact]) -> Impact:
    return max(impacts, key=lambda i: i.rank, default=Impact.NONE)
