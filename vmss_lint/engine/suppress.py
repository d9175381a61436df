"""Suppressions: accepted findings, each with a reason, optionally until a date.

A suppression is a decision somebody took about one finding, so it must stay honest over time: one that
no longer matches anything (the change it excused was reverted or fixed) is reported as VMSS002, and
one past its `expires` date stops suppressing and is reported as VMSS003, so the decision is taken
again rather than forgotten. Suppressed findings still shape the plan and the impact of their scale
set: a suppression silences a finding, it does not change what Azure will do.

Suppressions come from the config file (`[[suppress]]`) or from a template's own top-level `metadata`
object (`"metadata": {"vmss-lint": {"suppress": [...]}}`), which then applies to that template only.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vmss_lint.core.errors import InputError
from vmss_lint.core.findings import Finding, FindingLocation
from vmss_lint.core.model import split_pointer
from vmss_lint.core.records import Record, replace
from vmss_lint.core.validation import validation_error
from vmss_lint.engine.run import glob_match, rule_selected, sort_findings
from vmss_lint.engine.spec import LoadedRule, RuleSpec
from vmss_lint.report.document import ScaleSetResult

if TYPE_CHECKING:
    from vmss_lint.engine.run import EngineOptions

UNUSED_RULE = "VMSS002"
EXPIRED_RULE = "VMSS003"
_META_FILES = {
    UNUSED_RULE: "VMSS002-unused-suppression.toml",
    EXPIRED_RULE: "VMSS003-expired-suppression.toml",
}
METADATA_KEY = "vmss-lint"


class SuppressionSpec(BaseModel):
    """One accepted finding, as written in a config file or a template's `metadata`.

    `reason` is required because a suppression without one is a finding somebody hid rather than one
    somebody accepted, and the next reader cannot tell which. `expires` is the last day it applies.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=False)

    rule: str = Field(min_length=1)
    pointer: str = "/**"
    file: str | None = None
    reason: str
    expires: date | None = None

    def phrase(self) -> str:
        """This suppression in one phrase (rule, pointer, file scope, expiry), for VMSS011."""
        scope = f" in {self.file}" if self.file else ""
        until = f" until {self.expires}" if self.expires else " (no expiry)"
        return f"{self.rule} at {self.pointer}{scope}{until}"

    @field_validator("pointer")
    @classmethod
    def _pointer(cls, value: str) -> str:
        if value and not value.startswith("/"):
            raise ValueError("pointer must be a JSON pointer glob starting with '/', like /sku/name or /**")
        return value

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("reason must say why this finding is accepted")
        return value.strip()


class Suppression(Record, kw_only=False):
    """A validated suppression and where it was declared.

    `source` is the file that declared it (named by the VMSS002/VMSS003 findings). `scope_file` limits a
    template's own suppressions to that template. `root` anchors a relative `file` glob.
    """

    spec: SuppressionSpec
    source: str
    line: int = 1
    root: Path | None = None
    scope_file: str | None = None

    def expired(self, today: date) -> bool:
        return self.spec.expires is not None and self.spec.expires < today

    def covers_file(self, paths: Iterable[str]) -> bool:
        """Whether any of a finding's (or scale set's) files is in this suppression's file scope."""
        candidates = [_absolute(p, None) for p in paths if p]
        if self.scope_file is not None and _absolute(self.scope_file, None) not in candidates:
            return False
        if self.spec.file is None:
            return True
        pattern = _absolute(self.spec.file, self.root)
        return any(fnmatch.fnmatchcase(c, pattern) for c in candidates)

    def matches(self, finding: Finding, paths: list[str]) -> bool:
        if finding.rule.lower() != self.spec.rule.lower() and finding.name.lower() != self.spec.rule.lower():
            return False
        pattern = [p.lower() for p in split_pointer(self.spec.pointer)]
        if not glob_match(pattern, [p.lower() for p in split_pointer(finding.pointer)]):
            return False
        return self.covers_file(paths)

    def describe(self) -> str:
        scope = f" in {self.spec.file}" if self.spec.file else ""
        return f"suppression of {self.spec.rule} at {self.spec.pointer}{scope} ({self.source}:{self.line})"


def suppressions_from_metadata(metadata: dict[str, Any], source: str, *, line: int = 1) -> list[Suppression]:
    """Suppressions a template carries in its top-level `metadata`, scoped to that template (`source`).

    The shape is `{"vmss-lint": {"suppress": [{"rule": ..., "pointer": ..., "reason": ...}]}}`; other
    metadata keys are the template's own business and are ignored. Bad entries raise `InputError`.
    """
    if not isinstance(metadata, dict):
        return []
    ours = metadata.get(METADATA_KEY)
    if ours is None:
        return []
    where = f"metadata.{METADATA_KEY}"
    if not isinstance(ours, dict):
        raise InputError(source, "must be an object", where=where)
    unknown = sorted(set(ours) - {"suppress"})
    if unknown:
        raise InputError(source, f"unknown key '{unknown[0]}'", where=where, hint="known keys: suppress")
    entries = ours.get("suppress", [])
    if not isinstance(entries, list):
        raise InputError(source, "must be a list of suppressions", where=f"{where}.suppress")
    out = []
    for i, entry in enumerate(entries):
        try:
            spec = SuppressionSpec.model_validate(entry)
        except ValidationError as exc:
            raise validation_error(exc, source, prefix=f"{where}.suppress[{i}]") from None
        root = Path(source).parent
        out.append(Suppression(spec, source, line, root, scope_file=source))
    return out


def apply_suppressions(
    results: list[ScaleSetResult],
    suppressions: list[Suppression],
    *,
    engine: EngineOptions | None = None,
    today: date | None = None,
) -> tuple[list[ScaleSetResult], list[str]]:
    """Drop the suppressed findings and add VMSS002/VMSS003 for unused and expired suppressions.

    Returns the new results and notices recording what was suppressed (an audit trail in every format).
    `engine` (an `EngineOptions`) applies select/ignore and severity overrides to the two meta rules.
    """
    if not suppressions:
        return results, []
    today = today or datetime.now(UTC).date()
    used = [0] * len(suppressions)
    home: list[int | None] = [None] * len(suppressions)
    out: list[ScaleSetResult] = []
    for r_index, result in enumerate(results):
        files = result_files(result)
        for s_index, sup in enumerate(suppressions):
            if home[s_index] is None and sup.covers_file(files):
                home[s_index] = r_index
        kept = []
        for finding in result.findings:
            paths = [*files, finding.location.file] if finding.location else files
            hit = next(
                (
                    i
                    for i, s in enumerate(suppressions)
                    if finding.rule not in _META_FILES and not s.expired(today) and s.matches(finding, paths)
                ),
                None,
            )
            if hit is None:
                kept.append(finding)
            else:
                used[hit] += 1
                if home[hit] is None:
                    home[hit] = r_index
        out.append(replace(result, findings=kept))
    notices = [
        f"{s.describe()} silenced {n} finding(s): {s.spec.reason}"
        for s, n in zip(suppressions, used, strict=True)
        if n
    ]
    extra: dict[int, list[Finding]] = {}
    for s_index, sup in enumerate(suppressions):
        meta = _meta_finding(sup, used[s_index], home[s_index] is not None, today, engine)
        if meta is None:
            continue
        if not out:
            notices.append(f"{meta.rule} {meta.name}: {meta.message}")
            continue
        extra.setdefault(home[s_index] or 0, []).append(meta)
    if extra:
        out = [
            replace(r, findings=sort_findings([*r.findings, *extra[i]])) if i in extra else r
            for i, r in enumerate(out)
        ]
    return out, notices


def result_files(result: ScaleSetResult) -> list[str]:
    """The files a scale set's findings can be in: the proposed side (and each part of `a + b`)."""
    proposed = result.proposed or ""
    parts = [p.strip() for p in proposed.split(" + ")] if proposed else []
    return [p for p in [proposed, *parts] if p]


def _meta_finding(
    sup: Suppression, used: int, in_scope: bool, today: date, engine: EngineOptions | None
) -> Finding | None:
    if sup.expired(today):
        rule_id = EXPIRED_RULE
        message = (
            f"{sup.describe()} expired on {sup.spec.expires}, so it no longer suppresses anything "
            f"(reason given: {sup.spec.reason})"
        )
    elif used == 0 and in_scope:
        rule_id = UNUSED_RULE
        message = f"{sup.describe()} matched no finding (reason given: {sup.spec.reason})"
    else:
        return None
    return meta_finding(
        meta_rule(rule_id), message, FindingLocation(file=sup.source, line=sup.line, column=1), engine
    )


def meta_finding(
    spec: RuleSpec, message: str, location: FindingLocation, engine: EngineOptions | None
) -> Finding | None:
    """A meta rule's finding about the run (not about a change), or None when `engine`'s select/ignore
    turns the rule off; `engine`'s severity overrides apply."""
    if engine is not None:
        if not rule_selected(LoadedRule(spec, spec.id, "vmss"), engine):
            return None
        severity = engine.severity.get(spec.id) or spec.severity
    else:
        severity = spec.severity
    return Finding(
        rule=spec.id,
        name=spec.name,
        severity=severity,
        impact=spec.impact,
        pointer="",
        message=message,
        fix=spec.fix,
        confidence=spec.confidence,
        location=location,
        references=list(spec.references),
    )


_SPECS: dict[str, RuleSpec] = {}


def meta_rule(rule_id: str) -> RuleSpec:
    """The RuleSpec of VMSS002/VMSS003, read straight from the built-in pack (no full registry load)."""
    if rule_id not in _SPECS:
        from vmss_lint.engine.packs import builtin_rule

        _SPECS[rule_id] = builtin_rule(_META_FILES[rule_id])
    return _SPECS[rule_id]


def _absolute(path: str, root: Path | None) -> str:
    p = Path(path)
    if not p.is_absolute():
        p = (root or Path.cwd()) / p
    return Path(os.path.normpath(p)).as_posix()
