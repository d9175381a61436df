"""What the CI formats share: where a finding is, in which order findings go, and the rule metadata.

CI systems can only annotate a file and a line. A finding about a value with no known position (a model
read without positions, an `az vmss update` edit) is placed on line 1 of the proposed file, and the
pointer is in the message, so it is never silently dropped.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from vmss_lint.core.findings import Finding, Impact, Severity
from vmss_lint.report.document import Report, ScaleSetResult

LEVELS = {"error": "error", "warning": "warning", "info": "note"}


@dataclass(frozen=True)
class Placed:
    """A finding with the scale set it belongs to and the file position CI tools need."""

    result: ScaleSetResult
    finding: Finding
    file: str
    line: int
    column: int
    positioned: bool


def place(result: ScaleSetResult, finding: Finding) -> Placed:
    if finding.location is not None:
        loc = finding.location
        return Placed(result, finding, relative(loc.file), max(loc.line, 1), max(loc.column, 1), True)
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


def change_line(finding: Finding) -> str:
    """`pointer: old -> new`, one line, values shortened; the values are already redacted."""
    import json

    def show(value: Any) -> str:
        if value is None:
            return "(not set)"
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        return text if len(text) <= 120 else text[:117] + "..."

    pointer = finding.pointer or "/"
    line = pointer if finding.op is None else f"{pointer}: {show(finding.old)} -> {show(finding.new)}"
    return line + value_from(finding)


def value_from(finding: Finding) -> str:
    """` (value from X)`: the parameter, variable or Terraform attribute that set the value, so that a
    reader of any format can find where to change it."""
    where = finding.location.value_from if finding.location is not None else None
    return f" (value from {where})" if where else ""
