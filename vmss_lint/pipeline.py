"""The pipeline in one place: read and normalize → compare → rules → plan → report.

The CLI, git mode and the GitHub Action all come through here, so they can never disagree about a
finding. Input sources (two models, a model plus edits, templates) only decide how the two
`ScaleSetModel`s are built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vmss_lint.compare import compare
from vmss_lint.core import apiversion
from vmss_lint.core.errors import InputError
from vmss_lint.core.findings import Finding, Impact, max_impact
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.core.records import replace
from vmss_lint.engine.packs import load_rules
from vmss_lint.engine.run import EngineOptions, run
from vmss_lint.engine.spec import LoadedRule
from vmss_lint.plan.upgrade import build_plan
from vmss_lint.report.document import ApiVersionUsed, Report, ScaleSetResult, summarize

if TYPE_CHECKING:
    from vmss_lint.engine.suppress import Suppression


@dataclass
class LintOptions:
    api_version: str | None = None
    fail_on: str = "error"
    rules_dirs: list[Path] = field(default_factory=list)
    allow_python_rules: bool = False
    engine: EngineOptions = field(default_factory=EngineOptions)
    instances: list[dict[str, Any]] | None = None
    # Config-file suppressions; a template's own (from its `metadata`) are added by the input source.
    suppressions: list[Suppression] = field(default_factory=list)


def lint_pair(
    current: ScaleSetModel, proposed: ScaleSetModel, rules: list[LoadedRule], options: LintOptions
) -> ScaleSetResult:
    from vmss_lint.core.budget import current_budget

    current_budget().count_scale_set(proposed.source or current.source or "<input>")
    api = apiversion.choose(options.api_version, proposed.api_version)
    changes = compare(current, proposed)
    findings: list[Finding] = run(
        rules, current, proposed, api, options=options.engine, instances=options.instances, changes=changes
    )
    impact = max_impact([f.impact for f in findings])
    if impact == Impact.NONE and changes and all(c.unresolved is None for c in changes):
        impact = Impact.MODEL_ONLY
    plan = build_plan(current, proposed, findings, instances=options.instances, impact=impact)
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
        plan=replace(plan, impact=impact),
    )


def make_report(
    results: list[ScaleSetResult],
    fail_on: str,
    notices: list[str] | None = None,
    *,
    suppressions: list[Suppression] | None = None,
    engine: EngineOptions | None = None,
) -> Report:
    """Assemble the report; suppressions are applied first so the summary counts what is left."""
    notices = list(notices or [])
    if suppressions:
        from vmss_lint.engine.suppress import apply_suppressions

        results, more = apply_suppressions(results, suppressions, engine=engine)
        notices.extend(more)
    return Report(results=results, notices=notices, summary=summarize(results, fail_on))


def finish_report(report: Report, options: LintOptions) -> Report:
    """Apply `options.suppressions` (config and template metadata) to a built report, recounting it.

    Every entry point (CLI, git mode, the Action) calls this once on its final report, after all input
    sources have added their template suppressions to `options.suppressions`.
    """
    if not options.suppressions:
        return report
    return make_report(
        report.results,
        options.fail_on,
        report.notices,
        suppressions=options.suppressions,
        engine=options.engine,
    )


def rules_for(options: LintOptions) -> list[LoadedRule]:
    """The rules of the run; a selector or a configured suppression that names no rule is bad input."""
    rules = load_rules(options.rules_dirs, allow_python=options.allow_python_rules)
    from vmss_lint.engine.run import unknown_selector

    for where, selectors in (("--select", options.engine.select), ("--ignore", options.engine.ignore)):
        for selector in selectors:
            problem = unknown_selector(rules, selector)
            if problem is not None:
                raise InputError(where, problem)
    for suppression in options.suppressions:
        problem = unknown_selector(rules, suppression.spec.rule)
        if problem is not None:
            raise InputError(suppression.source, f"suppression: {problem}", where=f"line {suppression.line}")
    return rules
