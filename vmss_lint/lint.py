"""The pipeline in one place: read and normalize → compare → rules → plan → report.

The CLI, git mode and the GitHub Action all come through here, so they can never disagree about a
finding. Input sources (two models, a model plus edits, templates) only decide how the two
`ScaleSetModel`s are built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vmss_lint import apiversion
from vmss_lint.compare import compare
from vmss_lint.engine import EngineOptions, run
from vmss_lint.findings import Finding, Impact, max_impact
from vmss_lint.model import ScaleSetModel
from vmss_lint.plan import build_plan
from vmss_lint.registry import load_rules
from vmss_lint.report import ApiVersionUsed, Report, ScaleSetResult, summarize
from vmss_lint.rulespec import LoadedRule


@dataclass
class LintOptions:
    api_version: str | None = None
    fail_on: str = "error"
    rules_dirs: list[Path] = field(default_factory=list)
    allow_python_rules: bool = False
    engine: EngineOptions = field(default_factory=EngineOptions)
    instances: list[dict[str, Any]] | None = None


def lint_pair(
    current: ScaleSetModel, proposed: ScaleSetModel, rules: list[LoadedRule], options: LintOptions
) -> ScaleSetResult:
    api = apiversion.choose(options.api_version, proposed.api_version)
    changes = compare(current, proposed)
    findings: list[Finding] = run(
        rules, current, proposed, api, options=options.engine, instances=options.instances, changes=changes
    )
    impact = max_impact([f.impact for f in findings])
    if impact == Impact.NONE and changes and all(c.unresolved is None for c in changes):
        impact = Impact.MODEL_ONLY
    plan = build_plan(current, proposed, findings, instances=options.instances)
    return ScaleSetResult(
        name=proposed.name or current.name or "<unnamed scale set>",
        resource_group=current.resource_group or proposed.resource_group,
        subscription=current.subscription or proposed.subscription,
        status="changed" if changes else "unchanged",
        current=current.source,
        proposed=proposed.source,
        api_version=ApiVersionUsed(value=api.value, origin=api.origin),  # type: ignore[arg-type]
        impact=impact,
        upgrade_mode=plan.upgrade_mode,
        findings=findings,
        plan=plan.model_copy(update={"impact": impact}),
    )


def make_report(results: list[ScaleSetResult], fail_on: str, notices: list[str] | None = None) -> Report:
    return Report(results=results, notices=notices or [], summary=summarize(results, fail_on))


def rules_for(options: LintOptions) -> list[LoadedRule]:
    return load_rules(options.rules_dirs, allow_python=options.allow_python_rules)
