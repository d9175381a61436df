"""The report: what every output format renders, and whose JSON dump is the public contract.

Field names here are camelCase because pipelines (and jq users) read them; renaming one is a breaking
change that needs a `SCHEMA_VERSION` bump and a README note.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from vmss_lint import SCHEMA_VERSION, __version__
from vmss_lint.findings import Finding, Impact, Severity, max_impact


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, serialize_by_alias=True)


class Command(_Out):
    """One step of a plan in the three dialects an Azure operator uses."""

    cli: str
    powershell: str
    rest: str


class PlanStep(_Out):
    action: str
    title: str
    detail: str = ""
    commands: Command | None = None
    instance_ids: list[str] = Field(default_factory=list, serialization_alias="instanceIds")
    batches: int | None = None


class RollingPlan(_Out):
    """What a Rolling upgrade (or an automatic OS upgrade) will do, from rollingUpgradePolicy and its defaults."""

    instances: int | None = None
    batch_size: int | None = Field(default=None, serialization_alias="batchSize")
    batches: int | None = None
    max_batch_instance_percent: int = Field(default=20, serialization_alias="maxBatchInstancePercent")
    max_unhealthy_instance_percent: int = Field(default=20, serialization_alias="maxUnhealthyInstancePercent")
    max_unhealthy_upgraded_instance_percent: int = Field(
        default=20, serialization_alias="maxUnhealthyUpgradedInstancePercent"
    )
    pause_time_between_batches: str = Field(default="PT0S", serialization_alias="pauseTimeBetweenBatches")
    max_surge: bool = Field(default=False, serialization_alias="maxSurge")


class ProtectedInstance(_Out):
    instance_id: str = Field(serialization_alias="instanceId")
    protect_from_scale_in: bool = Field(default=False, serialization_alias="protectFromScaleIn")
    protect_from_scale_set_actions: bool = Field(
        default=False, serialization_alias="protectFromScaleSetActions"
    )


class UpgradePlan(_Out):
    impact: Impact
    upgrade_mode: str = Field(serialization_alias="upgradeMode")
    summary: str
    steps: list[PlanStep] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    rolling: RollingPlan | None = None
    instance_count: int | None = Field(default=None, serialization_alias="instanceCount")
    stale_instances: list[str] | None = Field(default=None, serialization_alias="staleInstances")
    protected_instances: list[ProtectedInstance] | None = Field(
        default=None, serialization_alias="protectedInstances"
    )
    scale_in_policy: str | None = Field(default=None, serialization_alias="scaleInPolicy")
    scale_in_candidates: list[str] | None = Field(default=None, serialization_alias="scaleInCandidates")


class ApiVersionUsed(_Out):
    value: str
    origin: Literal["option", "template", "assumed"]


class ScaleSetResult(_Out):
    name: str
    resource_group: str | None = Field(default=None, serialization_alias="resourceGroup")
    subscription: str | None = None
    status: Literal["changed", "unchanged", "created", "unmanaged", "deleted"] = "changed"
    current: str | None = None
    proposed: str | None = None
    api_version: ApiVersionUsed = Field(serialization_alias="apiVersion")
    impact: Impact
    upgrade_mode: str = Field(serialization_alias="upgradeMode")
    findings: list[Finding]
    plan: UpgradePlan | None = None


class Summary(_Out):
    scale_sets: int = Field(serialization_alias="scaleSets")
    errors: int
    warnings: int
    infos: int
    impact: Impact
    fail_on: str = Field(serialization_alias="failOn")
    failed: bool


class Report(_Out):
    schema_version: str = Field(default=SCHEMA_VERSION, serialization_alias="schemaVersion")
    tool: dict[str, str] = Field(default_factory=lambda: {"name": "vmss-lint", "version": __version__})
    results: list[ScaleSetResult]
    notices: list[str] = Field(default_factory=list)
    summary: Summary

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


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
