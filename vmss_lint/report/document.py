"""The report: what every output format renders, and whose JSON dump is the public contract.

Field names here are camelCase because pipelines (and jq users) read them; renaming one is a breaking
change that needs a `SCHEMA_VERSION` bump and a README note.
"""

from __future__ import annotations

from typing import Any, Literal

from vmss_lint.core.findings import Finding, Impact, Severity, max_impact
from vmss_lint.core.records import Record, field, to_json
from vmss_lint.core.version import SCHEMA_VERSION, __version__

ResultStatus = Literal["changed", "unchanged", "created", "unmanaged", "deleted"]


class Command(Record):
    """One step of a plan in the three dialects an Azure operator uses."""

    cli: str
    powershell: str
    rest: str


class PlanStep(Record):
    action: str
    title: str
    detail: str = ""
    commands: Command | None = None
    instance_ids: list[str] = field(default_factory=list)
    batches: int | None = None


class RollingPlan(Record):
    """What a Rolling upgrade (or an automatic OS upgrade) will do, from rollingUpgradePolicy and its defaults."""

    instances: int | None = None
    batch_size: int | None = None
    batches: int | None = None
    max_batch_instance_percent: int = 20
    max_unhealthy_instance_percent: int = 20
    max_unhealthy_upgraded_instance_percent: int = 20
    pause_time_between_batches: str = "PT0S"
    max_surge: bool = False


class ProtectedInstance(Record):
    instance_id: str
    protect_from_scale_in: bool = False
    protect_from_scale_set_actions: bool = False


class UpgradePlan(Record):
    impact: Impact
    upgrade_mode: str
    summary: str
    steps: list[PlanStep] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rolling: RollingPlan | None = None
    instance_count: int | None = None
    stale_instances: list[str] | None = None
    protected_instances: list[ProtectedInstance] | None = None
    scale_in_policy: str | None = None
    scale_in_candidates: list[str] | None = None


class ApiVersionUsed(Record):
    value: str
    origin: Literal["option", "template", "assumed"]
    # How a template gave it, when not as a literal: "[variables('computeApiVersion')]", "apiProfile
    # 2018-03-01-hybrid", or why it could not be used (an unknown expression, an unmapped profile).
    detail: str | None = None


SentAs = Literal["deployment", "edit", "rest-patch"]


class ScaleSetResult(Record):
    name: str
    resource_group: str | None = None
    subscription: str | None = None
    status: ResultStatus = "changed"
    current: str | None = None
    proposed: str | None = None
    # How the proposed side was judged: "deployment" (a template or full model, sent whole; what it leaves
    # out is reported by VMSS010), "edit" (--patch, --az-update: changes to the current model) or
    # "rest-patch" (--sent-as rest-patch: a REST PATCH body, absent means unchanged).
    sent_as: SentAs = "deployment"
    api_version: ApiVersionUsed
    impact: Impact
    upgrade_mode: str
    findings: list[Finding]
    plan: UpgradePlan | None = None


class Summary(Record):
    scale_sets: int
    errors: int
    warnings: int
    infos: int
    impact: Impact
    fail_on: str
    failed: bool


# A run-level notice that needs attention (a likely swap of CURRENT and PROPOSED) starts with this: the
# text formats show it as a warning, github and azure-pipelines as a warning annotation. The exit code
# never depends on it.
WARNING_NOTICE = "warning: "


class Report(Record):
    schema_version: str = SCHEMA_VERSION
    tool: dict[str, str] = field(default_factory=lambda: {"name": "vmss-lint", "version": __version__})
    results: list[ScaleSetResult]
    notices: list[str] = field(default_factory=list)
    summary: Summary

    def dump(self) -> dict[str, Any]:
        result: dict[str, Any] = to_json(self)
        return result


FAIL_LEVELS = ("error", "warning", "info", "never")


def failing(findings: list[Finding], fail_on: str) -> bool:
    if fail_on == "never":
        return False
    threshold = Severity(fail_on).rank
    return any(f.severity.rank >= threshold for f in findings)


def summarize(results: list[ScaleSetResult], fail_on: str) -> Summary:
    findings = [f for r in results for f in r.findings]
    return Summary(
        scale_sets=len(results),
        errors=sum(f.severity == Severity.ERROR for f in findings),
        warnings=sum(f.severity == Severity.WARNING for f in findings),
        infos=sum(f.severity == Severity.INFO for f in findings),
        impact=max_impact([r.impact for r in results]),
        fail_on=fail_on,
        failed=failing(findings, fail_on),
    )
