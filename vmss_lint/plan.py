"""The upgrade plan: what the change needs to reach the running VMs, and the commands that do it.

The overall impact is the highest over the findings; the steps depend on the upgrade mode, because the
same model change is a manual `update-instances` on a Manual set, a platform-driven rollout in batches on
a Rolling set and an everything-at-once restart on an Automatic one.
"""

from __future__ import annotations

from typing import Any

from vmss_lint.findings import Finding, Impact, max_impact
from vmss_lint.model import ScaleSetModel
from vmss_lint.report import Command, PlanStep, UpgradePlan

REST_API_VERSION = "2024-11-01"


class Target:
    """The scale set the commands address, with readable placeholders for what the model does not say."""

    def __init__(self, model: ScaleSetModel, fallback: ScaleSetModel | None = None) -> None:
        self.subscription = (
            model.subscription or (fallback.subscription if fallback else None) or "<subscription-id>"
        )
        self.resource_group = (
            model.resource_group or (fallback.resource_group if fallback else None) or "<resource-group>"
        )
        self.name = model.name or (fallback.name if fallback else None) or "<scale-set-name>"

    @property
    def url(self) -> str:
        return (
            f"https://management.azure.com/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.Compute/virtualMachineScaleSets/{self.name}"
        )

    def command(self, action: str, instance_ids: list[str] | None = None) -> Command:
        ids = instance_ids or []
        cli_ids = " ".join(ids) if ids else "'*'"
        ps_ids = ",".join(f'"{i}"' for i in ids) if ids else '"*"'
        rg, name = self.resource_group, self.name
        body_ids = ", ".join(f'"{i}"' for i in ids) if ids else '"*"'
        if action == "update-instances":
            return Command(
                cli=f"az vmss update-instances --resource-group {rg} --name {name} --instance-ids {cli_ids}",
                powershell=f'Update-AzVmssInstance -ResourceGroupName "{rg}" -VMScaleSetName "{name}" -InstanceId {ps_ids}',
                rest=f'POST {self.url}/manualupgrade?api-version={REST_API_VERSION} {{"instanceIds": [{body_ids}]}}',
            )
        if action == "reimage":
            return Command(
                cli=f"az vmss reimage --resource-group {rg} --name {name} --instance-ids {cli_ids}",
                powershell=f'Set-AzVmss -Reimage -ResourceGroupName "{rg}" -VMScaleSetName "{name}" -InstanceId {ps_ids}',
                rest=f'POST {self.url}/reimage?api-version={REST_API_VERSION} {{"instanceIds": [{body_ids}]}}',
            )
        if action == "deallocate":
            return Command(
                cli=f"az vmss deallocate --resource-group {rg} --name {name} --instance-ids {cli_ids}",
                powershell=f'Stop-AzVmss -ResourceGroupName "{rg}" -VMScaleSetName "{name}" -InstanceId {ps_ids} -Force',
                rest=f'POST {self.url}/deallocate?api-version={REST_API_VERSION} {{"instanceIds": [{body_ids}]}}',
            )
        if action == "start":
            return Command(
                cli=f"az vmss start --resource-group {rg} --name {name} --instance-ids {cli_ids}",
                powershell=f'Start-AzVmss -ResourceGroupName "{rg}" -VMScaleSetName "{name}" -InstanceId {ps_ids}',
                rest=f'POST {self.url}/start?api-version={REST_API_VERSION} {{"instanceIds": [{body_ids}]}}',
            )
        if action == "rolling-status":
            return Command(
                cli=f"az vmss rolling-upgrade get-latest --resource-group {rg} --name {name}",
                powershell=f'Get-AzVmssRollingUpgrade -ResourceGroupName "{rg}" -VMScaleSetName "{name}"',
                rest=f"GET {self.url}/rollingUpgrades/latest?api-version={REST_API_VERSION}",
            )
        raise ValueError(action)


def build_plan(
    current: ScaleSetModel,
    proposed: ScaleSetModel,
    findings: list[Finding],
    *,
    instances: list[dict[str, Any]] | None = None,
) -> UpgradePlan:
    impact = max_impact([f.impact for f in findings])
    mode = _effective_mode(current, proposed)
    target = Target(current, proposed)
    steps: list[PlanStep] = []
    notes: list[str] = []
    if impact == Impact.RECREATE:
        summary = "Azure rejects this change: the scale set would have to be deleted and created again."
        return UpgradePlan(impact=impact, upgrade_mode=mode, summary=summary, steps=steps, notes=notes)
    if impact in (Impact.NONE, Impact.MODEL_ONLY, Impact.SCALE):
        summary = {
            Impact.NONE: "Nothing effective changes.",
            Impact.MODEL_ONLY: "Scale-set level change: nothing to roll out to the VMs.",
            Impact.SCALE: "The instance count changes; new VMs are created from the new model.",
        }[impact]
        return UpgradePlan(impact=impact, upgrade_mode=mode, summary=summary, steps=steps, notes=notes)
    if impact == Impact.DEALLOCATE:
        steps.append(
            PlanStep(
                action="deallocate", title="Deallocate the instances", commands=target.command("deallocate")
            )
        )
    if mode == "Manual" or impact == Impact.DEALLOCATE:
        steps.append(
            PlanStep(
                action="update-instances",
                title="Apply the new model to the instances",
                commands=target.command("update-instances"),
            )
        )
    if impact == Impact.REIMAGE:
        steps.append(
            PlanStep(
                action="reimage",
                title="Reimage the instances so the change lands in the guest",
                commands=target.command("reimage"),
            )
        )
    if impact == Impact.DEALLOCATE:
        steps.append(
            PlanStep(action="start", title="Start the instances again", commands=target.command("start"))
        )
    if mode == "Rolling":
        summary = "The platform rolls the change out in batches (rollingUpgradePolicy)."
        steps.append(
            PlanStep(
                action="watch", title="Watch the rolling upgrade", commands=target.command("rolling-status")
            )
        )
    elif mode == "Automatic":
        summary = "The platform applies the change to all instances, possibly at the same time."
    else:
        summary = "Manual upgrade mode: nothing reaches the running VMs until you run the steps below."
    return UpgradePlan(impact=impact, upgrade_mode=mode, summary=summary, steps=steps, notes=notes)


def _effective_mode(current: ScaleSetModel, proposed: ScaleSetModel) -> str:
    mode = proposed.get("/properties/upgradePolicy/mode") or current.get("/properties/upgradePolicy/mode")
    return str(mode).capitalize() if isinstance(mode, str) and mode else "Manual"
