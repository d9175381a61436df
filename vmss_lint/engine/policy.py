"""VMSS011: the weakenings of the check that an untrusted head tried, as findings nothing can suppress.

They are added after suppressions are applied (so neither the head's nor the base's suppressions hide
them); the base config's `select`/`ignore` and `severity` still apply, because those are the repository's
own decision. Like VMSS002, a finding is attached to the first scale set of the report; a run that lints
no scale set names each weakening in a notice instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vmss_lint.core.findings import Finding, FindingLocation
from vmss_lint.core.policy import WEAKENING_RULE, Weakening
from vmss_lint.core.records import replace
from vmss_lint.engine.run import sort_findings
from vmss_lint.engine.spec import RuleSpec
from vmss_lint.engine.suppress import meta_finding
from vmss_lint.report.document import ScaleSetResult

if TYPE_CHECKING:
    from vmss_lint.engine.run import EngineOptions

RULE_FILE = "VMSS011-untrusted-policy-change.toml"
_SPEC: list[RuleSpec] = []


def report_weakenings(
    results: list[ScaleSetResult], weakenings: list[Weakening], *, engine: EngineOptions | None = None
) -> tuple[list[ScaleSetResult], list[str]]:
    """`results` with one VMSS011 finding per weakening (on the first result), and notices when there is
    no result to carry them."""
    findings = [f for f in (_finding(w, engine) for w in dict.fromkeys(weakenings)) if f is not None]
    if not findings:
        return results, []
    if not results:
        return results, [f"{f.rule} {f.name}: {f.message}" for f in findings]
    first = results[0]
    return [replace(first, findings=sort_findings([*first.findings, *findings])), *results[1:]], []


def _finding(weakening: Weakening, engine: EngineOptions | None) -> Finding | None:
    location = FindingLocation(file=weakening.source, line=weakening.line, column=1)
    return meta_finding(rule_spec(), weakening.describe(), location, engine)


def rule_spec() -> RuleSpec:
    """VMSS011's RuleSpec, read straight from the built-in pack (no full registry load)."""
    if not _SPEC:
        from vmss_lint.engine.packs import builtin_rule

        _SPEC.append(builtin_rule(RULE_FILE))
    assert _SPEC[0].id == WEAKENING_RULE
    return _SPEC[0]
