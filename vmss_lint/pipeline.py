"""The pipeline in one place: inputs → compare → rules → plan → report.

An input source (`vmss_lint.inputs.sources` for files, `vmss_lint.inputs.git.mode` for revisions) turns
what the user named into an `InputSet`: pairs of `ScaleSetModel`s, the notices and the suppressions the
inputs declare. `check` lints every pair and builds the report once, applying the config's suppressions
and the inputs' own together. The CLI, git mode and the GitHub Action only build inputs and options and
render what `check` returns, so they can never disagree about a finding.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vmss_lint.compare import compare
from vmss_lint.compare.left_out import left_out_hits
from vmss_lint.core import apiversion
from vmss_lint.core.errors import InputError
from vmss_lint.core.findings import Finding, Impact, max_impact
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.core.records import Record, field, replace, to_json
from vmss_lint.core.redact import redact_record, remember_under_secret_keys, run_secrets
from vmss_lint.engine.packs import load_rules
from vmss_lint.engine.run import EngineOptions, run
from vmss_lint.engine.spec import LoadedRule
from vmss_lint.inputs.lone import UNNAMED, LoneSide, created, display_name, gone
from vmss_lint.inputs.pairs import InputSet, ModelPair, renamed
from vmss_lint.plan.upgrade import build_plan
from vmss_lint.report.document import ApiVersionUsed, Report, ScaleSetResult, summarize

if TYPE_CHECKING:
    from vmss_lint.arm.files import InputFile
    from vmss_lint.arm.template_options import TemplateParams
    from vmss_lint.core.policy import Weakening
    from vmss_lint.engine.suppress import Suppression


class LintOptions(Record):
    """How to judge, the same for every pair of a run; built once (`vmss_lint.config.find.build_options`)
    and never changed afterwards: what the inputs contribute travels in their `InputSet`."""

    api_version: str | None = None
    fail_on: str = "error"
    rules_dirs: list[Path] = field(default_factory=list)
    allow_python_rules: bool = False
    engine: EngineOptions = field(default_factory=EngineOptions)
    instances: list[dict[str, Any]] | None = None
    # The config file's suppressions; the inputs' own (a template's `metadata`) come in the `InputSet`.
    suppressions: list[Suppression] = field(default_factory=list)
    # What an untrusted head's config tried and the trust model refused (VMSS011, `config.trust`).
    weakenings: list[Weakening] = field(default_factory=list)
    # How a proposed model or template is sent: "deployment" (a PUT: a template, a full model) or
    # "rest-patch" (a REST PATCH body: what it leaves out is unchanged by definition). Edits of the
    # current model (--patch, --az-update) are always "edit".
    sent_as: str = "deployment"


def sent_as(proposed: ScaleSetModel, options: LintOptions) -> str:
    """How the proposed side reaches Azure, which decides what its absent properties mean."""
    return "edit" if proposed.shape == "edit" else options.sent_as


def check(inputs: InputSet, options: LintOptions, rules: list[LoadedRule] | None = None) -> Report:
    """Lint every pair of `inputs` and build the one report of the run.

    `rules` are those of `rules_for(options)` when the caller loaded them already (the CLI hands the same
    list to the renderer). They are loaded even when there is nothing to lint, so a broken `--rules-dir`
    fails every run. A run for redaction (`core.redact.run_secrets`): it joins the caller's, else it is one
    and drops the secrets it read when it returns.
    """
    with run_secrets():
        rules = rules_for(options) if rules is None else rules
        for pair in inputs.pairs:  # before linting: a hook's message (or error) may quote any of them
            for model in (pair.current, pair.proposed):
                if model is not None:
                    remember_under_secret_keys(model.doc, model.secret_pointers)
        results = [_renamed(lint_model_pair(pair, rules, options), inputs.renames) for pair in inputs.pairs]
        return make_report(
            [r for r in results if r is not None],
            options.fail_on,
            inputs.notices,
            suppressions=[*options.suppressions, *inputs.suppressions],
            engine=options.engine,
            weakenings=[*options.weakenings, *inputs.weakenings],
        )


def check_inputs(
    current: str | InputFile | None,
    proposed: str | None,
    options: LintOptions,
    *,
    patch: str | None = None,
    az_updates: list[str] | None = None,
    params: TemplateParams | None = None,
) -> Report:
    """`vmss-lint check CURRENT PROPOSED` for a library caller: the files' inputs, checked."""
    from vmss_lint.inputs.sources import from_files

    with run_secrets():  # one run: the secrets reading met are redacted from the report, then dropped
        return check(
            from_files(current, proposed, patch=patch, az_updates=az_updates, params=params), options
        )


def lint_model_pair(pair: ModelPair, rules: list[LoadedRule], options: LintOptions) -> ScaleSetResult | None:
    """One pair's result; a created or no-longer-managed scale set gets its meta finding and status."""
    current, proposed = pair.current, pair.proposed
    if current is not None and proposed is not None:
        result = lint_pair(current, proposed, rules, options)
    elif proposed is not None:
        result = _single(proposed, created(proposed), rules, options)
    elif current is not None:
        result = _single(current, gone(current), rules, options)
    else:
        return None
    if result.name == UNNAMED:
        result = replace(result, name=display_name(proposed or current))
    if not pair.positions:
        result = replace(result, findings=[replace(f, location=None) for f in result.findings])
    return result


def lint_pair(
    current: ScaleSetModel, proposed: ScaleSetModel, rules: list[LoadedRule], options: LintOptions
) -> ScaleSetResult:
    from vmss_lint.core.budget import current_budget

    current_budget().count_scale_set(proposed.source or current.source or "<input>")
    api = apiversion.choose(options.api_version, proposed.api_version, proposed.api_detail)
    changes = compare(current, proposed)
    how = sent_as(proposed, options)
    if how == "deployment":
        extra = left_out_hits(current, proposed)
        if extra:
            proposed = replace(proposed, meta_hits=[*proposed.meta_hits, *extra])
    findings: list[Finding] = run(
        rules,
        current,
        proposed,
        api,
        options=options.engine,
        instances=options.instances,
        changes=changes,
        sent_as=how,
    )
    impact = max_impact([f.impact for f in findings])
    if impact == Impact.NONE and changes and all(c.unresolved is None for c in changes):
        impact = Impact.MODEL_ONLY
    plan = build_plan(
        current, proposed, findings, instances=options.instances, impact=impact, api_version=api.value
    )
    return ScaleSetResult(
        name=proposed.name or current.name or UNNAMED,
        resource_group=current.resource_group or proposed.resource_group,
        subscription=current.subscription or proposed.subscription,
        status="changed" if changes else "unchanged",
        current=current.source,
        proposed=proposed.source,
        api_version=ApiVersionUsed(value=api.value, origin=api.origin, detail=api.detail),  # type: ignore[arg-type]
        sent_as=how,  # type: ignore[arg-type]
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
    weakenings: list[Weakening] | None = None,
) -> Report:
    """Assemble the report; suppressions are applied first so the summary counts what is left, then the
    refused weakenings are added (after suppressions: no suppression can hide them)."""
    notices = list(notices or [])
    if suppressions:
        from vmss_lint.engine.suppress import apply_suppressions

        results, more = apply_suppressions(results, suppressions, engine=engine)
        notices.extend(more)
    if weakenings:
        from vmss_lint.engine.policy import report_weakenings

        results, more = report_weakenings(results, weakenings, engine=engine)
        notices.extend(more)
    # The one redaction point of the report: every format renders this copy (`vmss_lint.core.redact`).
    report: Report = redact_record(
        Report(results=results, notices=notices, summary=summarize(results, fail_on))
    )
    return report


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


def _single(
    model: ScaleSetModel, side: LoneSide, rules: list[LoadedRule], options: LintOptions
) -> ScaleSetResult:
    """A scale set on one side only: the model against itself, with the lone side's meta finding."""
    quiet = replace(model, meta_hits=[], removed=frozenset())
    flagged = replace(model, meta_hits=[*model.meta_hits, (side.rule, side.hit)], removed=frozenset())
    result = lint_pair(quiet, flagged, rules, options)
    return replace(result, status=side.status)


def _renamed(result: ScaleSetResult | None, renames: Mapping[str, str]) -> ScaleSetResult | None:
    """Findings that name a temporary copy (a parameters file read at a revision) name the file instead."""
    if result is None or not renames:
        return result
    dumped = json.dumps(to_json(result))
    if not any(prefix in dumped for prefix in renames):
        return result
    findings = []
    for f in result.findings:
        update: dict[str, Any] = {"message": renamed(f.message, renames)}
        if f.location is not None and (f.location.value_from or f.location.value_at):
            at = f.location.value_at
            update["location"] = replace(
                f.location,
                value_from=renamed(f.location.value_from, renames) if f.location.value_from else None,
                value_at=replace(at, file=renamed(at.file, renames)) if at is not None else None,
            )
        findings.append(replace(f, **update))
    return replace(result, findings=findings)
