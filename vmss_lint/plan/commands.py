"""The commands a plan step runs, in the three dialects an Azure operator copies from: Azure CLI (bash),
Azure PowerShell (Az module) and REST.

Every value is quoted for its shell (`shlex.quote` for bash, single quotes for PowerShell, where `$` and
backticks stay literal), so a placeholder such as `<resource-group>` is never read as a redirection and a
command pasted as it is either runs or fails on the placeholder, never on a syntax error.

Verified syntax (Microsoft Learn): `az vmss update-instances|reimage|deallocate|start --instance-ids ...`
(space-separated, `*` for all; reimage/deallocate/start without ids act on every instance),
`az vmss rolling-upgrade start|get-latest`; `Update-AzVmssInstance -InstanceId` (mandatory string[]),
`Set-AzVmss -Reimage [-InstanceId]`, `Stop-AzVmss [-InstanceId] -Force` (deallocates unless
`-StayProvisioned`), `Start-AzVmss [-InstanceId]`, `Start-AzVmssRollingOSUpgrade`,
`Get-AzVmssRollingUpgrade`; REST `POST .../manualupgrade` (`instanceIds` required), `.../reimage`,
`.../deallocate`, `.../start` (omitting `instanceIds` means all), `.../osRollingUpgrade`,
`GET .../rollingUpgrades/latest`.

Flexible scale sets: `update-instances` / `manualupgrade` take the VM *names* ("the instance name if using
Flexible Orchestration", Microsoft Learn, manual upgrades), and the per-instance lifecycle operations go
through the single-VM API ("Orchestration modes API comparison": Deallocate, Reimage, Start -> "Invoke
Single VM API"): `az vm deallocate|start --resource-group --name`, `Stop-AzVM -Name -Force`,
`Start-AzVM`, `Invoke-AzVMReimage -VMName`, REST `POST .../virtualMachines/{name}/{action}`; az has no
`vm reimage`, so its reimage is `az rest` on that URL. Without an instance list the VMs are found by
their `virtualMachineScaleSet.id` in the scale set's resource group.
"""

from __future__ import annotations

import json
import shlex

from vmss_lint.core.apiversion import NEWEST_DOCUMENTED
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.report.document import Command

ARM = "https://management.azure.com"


def ps_quote(value: str) -> str:
    """A PowerShell single-quoted literal (nothing inside is expanded; a quote is doubled)."""
    return "'" + value.replace("'", "''") + "'"


class Target:
    """The scale set the commands address, with readable placeholders for what the model does not say.

    REST calls carry the API version the run judged the change by: a plan checked against 2026-03-01
    must not send its calls with an older version that lacks the properties it was judged on.
    """

    def __init__(
        self,
        model: ScaleSetModel,
        fallback: ScaleSetModel | None = None,
        api_version: str | None = None,
        *,
        flexible: bool = False,
    ) -> None:
        self.api_version = api_version or NEWEST_DOCUMENTED
        self.flexible = flexible
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
            f"{ARM}/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.Compute/virtualMachineScaleSets/{self.name}"
        )

    def az(self, verb: str, extra: str = "") -> str:
        """`az vmss VERB --resource-group RG --name NAME` plus `extra`, quoted for bash."""
        rg, name = shlex.quote(self.resource_group), shlex.quote(self.name)
        return f"az vmss {verb} --resource-group {rg} --name {name}{extra}"

    def _ps(self, cmdlet: str, extra: str = "") -> str:
        rg, name = ps_quote(self.resource_group), ps_quote(self.name)
        return f"{cmdlet} -ResourceGroupName {rg} -VMScaleSetName {name}{extra}"

    def _rest(self, method: str, path: str, body: dict[str, object] | None = None, query: str = "") -> str:
        text = f"{method} {self.url}{path}?api-version={self.api_version}{query}"
        return text + (" " + json.dumps(body) if body is not None else "")

    def command(self, action: str, instance_ids: list[str] | None = None) -> Command:
        """The command triple for `action` on `instance_ids` (None or empty: every instance)."""
        ids = list(instance_ids or [])
        az_ids = " " + " ".join(shlex.quote(i) for i in ids) if ids else ""
        ps_ids = " -InstanceId " + ",".join(ps_quote(i) for i in ids) if ids else ""
        body: dict[str, object] | None = {"instanceIds": ids} if ids else None
        if action == "update-instances":
            return Command(
                cli=self.az("update-instances", " --instance-ids" + (az_ids or " '*'")),
                powershell=self._ps("Update-AzVmssInstance", ps_ids or " -InstanceId '*'"),
                rest=self._rest("POST", "/manualupgrade", {"instanceIds": ids or ["*"]}),
            )
        if action in ("reimage", "deallocate", "start") and self.flexible:
            return self._vm_command(action, ids)
        if action in ("reimage", "deallocate", "start"):
            cmdlet = {
                "reimage": ("Set-AzVmss", " -Reimage"),
                "deallocate": ("Stop-AzVmss", " -Force"),
                "start": ("Start-AzVmss", ""),
            }[action]
            return Command(
                cli=self.az(action, " --instance-ids" + az_ids if ids else ""),
                powershell=self._ps(cmdlet[0], ps_ids + cmdlet[1]),
                rest=self._rest("POST", f"/{action}", body),
            )
        if action == "rolling-status":
            return Command(
                cli=self.az("rolling-upgrade get-latest"),
                powershell=self._ps("Get-AzVmssRollingUpgrade"),
                rest=self._rest("GET", "/rollingUpgrades/latest"),
            )
        if action == "os-upgrade":
            return Command(
                cli=self.az("rolling-upgrade start"),
                powershell=self._ps("Start-AzVmssRollingOSUpgrade"),
                rest=self._rest("POST", "/osRollingUpgrade"),
            )
        if action == "list-stale":
            query = shlex.quote("[?latestModelApplied==`false`].instanceId")
            return Command(
                cli=self.az("list-instances", f" --query {query} --output tsv"),
                powershell=self._ps("Get-AzVmssVM")
                + " | Where-Object { -not $_.LatestModelApplied } | Select-Object -ExpandProperty InstanceId",
                rest=self._rest(
                    "GET",
                    "/virtualMachines",
                    query="&$filter=properties/latestModelApplied%20eq%20false",
                ),
            )
        raise ValueError(f"unknown plan action {action!r}")

    def _vm_command(self, action: str, names: list[str]) -> Command:
        """A lifecycle operation of a Flexible set: the single-VM API on each VM (by name)."""
        rg = shlex.quote(self.resource_group)
        vm_url = f"{ARM}/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}/providers/Microsoft.Compute/virtualMachines"
        per_vm = {
            "deallocate": f'az vm deallocate --resource-group {rg} --name "$vm"',
            "start": f'az vm start --resource-group {rg} --name "$vm"',
            "reimage": "az rest --method post --url "
            + shlex.quote(f"{vm_url}/")
            + '"$vm"'
            + shlex.quote(f"/reimage?api-version={self.api_version}"),
        }[action]
        ps_rg = ps_quote(self.resource_group)
        ps_per_vm = {
            "deallocate": f"Stop-AzVM -ResourceGroupName {ps_rg} -Name $_ -Force",
            "start": f"Start-AzVM -ResourceGroupName {ps_rg} -Name $_",
            "reimage": f"Invoke-AzVMReimage -ResourceGroupName {ps_rg} -VMName $_",
        }[action]
        if names:
            listed = " ".join(shlex.quote(n) for n in names)
            ps_names = "@(" + ", ".join(ps_quote(n) for n in names) + ")"
        else:
            query = shlex.quote(f"[?ends_with(virtualMachineScaleSet.id || '', '/{self.name}')].name")
            listed = f"$(az vm list --resource-group {rg} --query {query} --output tsv)"
            pattern = ps_quote(f"*/virtualMachineScaleSets/{self.name}")
            ps_names = (
                f"(Get-AzVM -ResourceGroupName {ps_rg} | Where-Object {{ $_.VirtualMachineScaleSet.Id -like "
                f"{pattern} }} | Select-Object -ExpandProperty Name)"
            )
        rest = f"POST {vm_url}/<vm-name>/{action}?api-version={self.api_version}"
        return Command(
            cli=f"for vm in {listed}; do {per_vm}; done",
            powershell=f"{ps_names} | ForEach-Object {{ {ps_per_vm} }}",
            rest=rest
            + (f" (once per VM: {', '.join(names)})" if names else " (once per VM of the scale set)"),
        )
