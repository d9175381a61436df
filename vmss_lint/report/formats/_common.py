"""What the CI formats share: where a finding is, in which order findings go, and the rule metadata.

CI systems can only annotate a file and a line. A finding about a value with no known position (a model
read without positions, an `az vmss update` edit) is placed on line 1 of the proposed file, and the
pointer is in the message, so it is never silently dropped.

A value that a parameters file set is placed on the parameters file's line (`location.valueAt`), with
the template's line as the related place: the parameters file is the one a pull request changed, and
GitHub shows an annotation inline only on a file in the diff. SARIF carries the template line in
`relatedLocations`; the other formats name it in the message (`property at azuredeploy.json:32:7`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from vmss_lint.core.findings import Finding, Impact, Severity
from vmss_lint.core.records import Record
from vmss_lint.report.document import Report, ScaleSetResult

LEVELS = {"error": "error", "warning": "warning", "info": "note"}


class Placed(Record, kw_only=False):
    """A finding with the scale set it belongs to and the file position CI tools need."""

    result: ScaleSetResult
    finding: Finding
    file: str
    line: int
    column: int
    positioned: bool
    # The template's position when the finding is placed on a parameters file's line (see above).
    related: tuple[str, int, int] | None = None

    @property
    def related_note(self) -> str:
        """` (property at FILE:LINE:COL)` when placed on a parameters file, else empty."""
        return f" (property at {self.related[0]}:{self.related[1]}:{self.related[2]})" if self.related else ""


def place(result: ScaleSetResult, finding: Finding) -> Placed:
    if finding.location is not None:
        loc = finding.location
        here = (relative(loc.file), max(loc.line, 1), max(loc.column, 1))
        at = loc.value_at
        if at is not None and relative(at.file) != here[0]:
            return Placed(result, finding, relative(at.file), max(at.line, 1), max(at.column, 1), True, here)
        return Placed(result, finding, *here, True)
    return Placed(result, finding, relative(fallback_file(result)), 1, 1, False)


def placed(report: Report) -> list[Placed]:
    """Every finding, errors first, then by file and line (the order annotations are capped in)."""
    items = [place(r, f) for r in report.results for f in r.findings]
    return sorted(items, key=lambda p: (-p.finding.severity.rank, p.file, p.line, p.column))


def fallback_file(result: ScaleSetResult) -> str:
    """The proposed file; for `a.json + patch.json` the patch (the edit is where the change is)."""
    text = result.proposed or result.current or ""
    parts = [p.strip() for p in text.split(" + ") if p.strip()]
    for part in reversed(parts):
        if Path(part).is_file():
            return part
    return parts[0] if parts else ""


def relative(path: str) -> str:
    """Repo-relative with `/`, as GitHub and Azure DevOps expect; absolute only outside the cwd."""
    if not path:
        return path
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return p.as_posix()
    return Path(os.path.normpath(p)).as_posix()


def scale_set_label(result: ScaleSetResult) -> str:
    return f"{result.resource_group}/{result.name}" if result.resource_group else result.name


class RuleMetadata(Protocol):
    """What a format shows of a rule. `vmss_lint.engine.spec.RuleSpec` has all of it; the report layer
    sits below the engine, so it names the fields it reads rather than importing the engine's type."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def impact(self) -> Impact: ...
    @property
    def confidence(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def why(self) -> str: ...
    @property
    def fix(self) -> str: ...
    @property
    def references(self) -> Sequence[str]: ...
    @property
    def meta(self) -> bool: ...


class RuleEntry(Protocol):
    """One rule of the run (a `vmss_lint.engine.spec.LoadedRule`)."""

    @property
    def spec(self) -> RuleMetadata: ...


def rules_for_render(kwargs: dict[str, Any]) -> list[RuleEntry]:
    """The rules of the run (`rules=`, as `vmss_lint.pipeline.rules_for` loaded them): SARIF and JUnit list
    every rule, not only those that fired. Without them a format lists only the rules that fired."""
    return list(kwargs.get("rules") or [])


def change_line(finding: Finding, limit: int = 120, pointer_limit: int | None = None) -> str:
    """`pointer: old -> new`, one line, values shortened around where they differ (`shorten_pair`), the
    pointer to its last segments when `pointer_limit` says so; the values are already redacted."""
    pointer = short_pointer(finding.pointer or "/", pointer_limit)
    if finding.op is None:
        return pointer + value_from(finding)
    old, new = shorten_pair(shown_value(finding.old), shown_value(finding.new), limit)
    return f"{pointer}: {old} -> {new}" + value_from(finding)


def short_pointer(pointer: str, limit: int | None) -> str:
    """The pointer's tail from a segment boundary (`.../ipConfigurations/0/properties/subnet/id`): the
    end names the property; the full pointer is in `--format full` and every machine format."""
    if limit is None or len(pointer) <= limit:
        return pointer
    cut = pointer.find("/", len(pointer) - limit + len(ELLIPSIS))
    return ELLIPSIS + pointer[cut:] if cut > 0 else pointer


def shown_value(value: Any) -> str:
    """A value as one line: strings as they are, anything else as compact sorted JSON."""
    import json

    if value is None:
        return "(not set)"
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


ELLIPSIS = "..."
_CONTEXT = 24  # characters shown before the first difference, so the reader sees what part differs


def shorten_pair(old: str, new: str, limit: int) -> tuple[str, str]:
    """Both values cut to at most `limit` characters each, keeping the part that differs.

    Cutting at the head (as the CI formats once did) made two subnet ids that differ only in their last
    segments look identical. Both values are cut at the same place: a short head, an ellipsis, a little
    context before the first differing character, then as much as fits (an ellipsis at the end when the
    rest does not). Where the values differ from the start, are equal, or one is a prefix of the other,
    the cut is in the middle (a resource id's head and tail say the most).
    ASCII `...`, not `…`: the text formats go to CI logs and Windows consoles with legacy code pages.
    """
    if len(old) <= limit and len(new) <= limit:
        return old, new
    first = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), None)
    if first is None:
        return _middle(old, limit), _middle(new, limit)
    return _around(old, first, limit), _around(new, first, limit)


def _around(text: str, first: int, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = min(limit // 4, 16)
    start = first - _CONTEXT
    if start <= head + len(ELLIPSIS):  # different from (nearly) the start: the head and the tail say most
        return _middle(text, limit)
    room = limit - head - len(ELLIPSIS)
    rest = text[start:]
    if len(rest) > room:
        rest = rest[: room - len(ELLIPSIS)] + ELLIPSIS
    return text[:head] + ELLIPSIS + rest


def _middle(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    keep = limit - len(ELLIPSIS)
    return text[: keep // 3] + ELLIPSIS + text[len(text) - (keep - keep // 3) :]


def value_from(finding: Finding) -> str:
    """` (value from X)`: the parameter, variable or Terraform attribute that set the value, so that a
    reader of any format can find where to change it."""
    where = finding.location.value_from if finding.location is not None else None
    return f" (value from {where})" if where else ""
