"""The upgrade plan for Manual, Rolling and Automatic scale sets, with and without an instance list.

Findings are built here with the impact under test, so the plan is checked on its own: which steps, in
which order, with which exact commands, and what it says about batches, health gates and instances.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
from conftest import FIXTURES
from syrupy.assertion import SnapshotAssertion

from vmss_lint.arm.files import parse_text
from vmss_lint.core.apiversion import NEWEST_DOCUMENTED as API
from vmss_lint.core.findings import Finding, Impact, Severity
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.core.records import to_json
from vmss_lint.inputs.instances import load_instances
from vmss_lint.inputs.read import model_from
from vmss_lint.inputs.sources import apply_patch
from vmss_lint.plan.commands import Target, ps_quote
from vmss_lint.plan.upgrade import build_plan
from vmss_lint.report.document import UpgradePlan

URL = (
    "https://management.azure.com/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-web"
    "/providers/Microsoft.Compute/virtualMachineScaleSets/web"
)
POINTERS = {
    Impact.UPDATE_INSTANCES: "/properties/virtualMachineProfile/storageProfile/dataDisks/2",
    Impact.REIMAGE: "/properties/virtualMachineProfile/osProfile/customData",
    Impact.DEALLOCATE: "/sku/name",
    Impact.RECREATE: "/zones",
}


def models(*ops: dict[str, Any], base: str = "web-rest.json") -> tuple[ScaleSetModel, ScaleSetModel]:
    file = parse_text((FIXTURES / "models" / base).read_bytes(), f"fixtures/models/{base}")
    return model_from(file), apply_patch(file, list(ops), "patch.json")


def mode(name: str) -> dict[str, Any]:
    return {"op": "replace", "path": "/properties/upgradePolicy/mode", "value": name}


def finding(impact: Impact, pointer: str | None = None) -> Finding:
    return Finding(
        rule="VMSS999",
        name="test-change",
        severity=Severity.WARNING if impact != Impact.RECREATE else Severity.ERROR,
        impact=impact,
        pointer=pointer or POINTERS[impact],
        message="test",
    )


def plan_for(
    upgrade_mode: str, *impacts: Impact, ops: tuple[dict[str, Any], ...] = (), instances: str | None = None
) -> UpgradePlan:
    current, proposed = models(mode(upgrade_mode), *ops)
    inst = load_instances(FIXTURES / "instances" / instances) if instances else None
    return build_plan(current, proposed, [finding(i) for i in impacts], instances=inst)


def actions(plan: UpgradePlan) -> list[str]:
    return [s.action for s in plan.steps]


# --- Manual --------------------------------------------------------------------------------------------


def test_manual_model_change_is_update_instances_with_exact_commands() -> None:
    plan = plan_for("Manual", Impact.UPDATE_INSTANCES)
    assert plan.upgrade_mode == "Manual" and plan.impact == Impact.UPDATE_INSTANCES
    assert actions(plan) == ["update-instances", "verify"]
    assert "nothing reaches the running VMs" in plan.summary
    cmd = plan.steps[0].commands
    assert cmd is not None
    assert cmd.cli == "az vmss update-instances --resource-group rg-web --name web --instance-ids '*'"
    assert (
        cmd.powershell
        == "Update-AzVmssInstance -ResourceGroupName 'rg-web' -VMScaleSetName 'web' -InstanceId '*'"
    )
    assert cmd.rest == f'POST {URL}/manualupgrade?api-version={API} {{"instanceIds": ["*"]}}'
    verify = plan.steps[1].commands
    assert verify is not None
    assert verify.cli == (
        "az vmss list-instances --resource-group rg-web --name web "
        "--query '[?latestModelApplied==`false`].instanceId' --output tsv"
    )
    assert verify.rest.startswith(f"GET {URL}/virtualMachines?api-version={API}&$filter=")


def test_manual_reimage_only_for_reimage_changes() -> None:
    plan = plan_for("Manual", Impact.UPDATE_INSTANCES, Impact.REIMAGE)
    assert actions(plan) == ["update-instances", "reimage", "verify"]
    reimage = plan.steps[1]
    assert "osProfile.customData takes effect only when the OS disk is rebuilt" in reimage.detail
    assert reimage.commands is not None
    assert reimage.commands.cli == "az vmss reimage --resource-group rg-web --name web"
    assert (
        reimage.commands.powershell == "Set-AzVmss -ResourceGroupName 'rg-web' -VMScaleSetName 'web' -Reimage"
    )
    assert reimage.commands.rest == f"POST {URL}/reimage?api-version={API}"
    assert "reimage" not in actions(plan_for("Manual", Impact.UPDATE_INSTANCES))


def test_deallocate_then_update_then_start() -> None:
    plan = plan_for("Manual", Impact.DEALLOCATE, Impact.UPDATE_INSTANCES)
    assert actions(plan) == ["deallocate", "deploy", "update-instances", "start", "verify"]
    dealloc, start = plan.steps[0].commands, plan.steps[3].commands
    assert dealloc is not None and start is not None
    assert dealloc.cli == "az vmss deallocate --resource-group rg-web --name web"
    # Stop-AzVmss deallocates unless -StayProvisioned; -Force skips the confirmation prompt.
    assert dealloc.powershell == "Stop-AzVmss -ResourceGroupName 'rg-web' -VMScaleSetName 'web' -Force"
    assert "-StayProvisioned" not in dealloc.powershell
    assert dealloc.rest == f"POST {URL}/deallocate?api-version={API}"
    assert start.powershell == "Start-AzVmss -ResourceGroupName 'rg-web' -VMScaleSetName 'web'"
    assert "sku.name" in plan.steps[0].detail


def test_deallocate_on_a_rolling_set_warns_to_do_it_before_deploying() -> None:
    plan = plan_for("Rolling", Impact.DEALLOCATE)
    assert actions(plan)[:4] == ["deallocate", "deploy", "update-instances", "start"]
    assert "before you deploy" in plan.steps[0].detail


def test_ephemeral_os_disk_cannot_be_deallocated() -> None:
    ephemeral = {
        "op": "add",
        "path": "/properties/virtualMachineProfile/storageProfile/osDisk/diffDiskSettings",
        "value": {"option": "Local"},
    }
    plan = plan_for("Manual", Impact.DEALLOCATE, ops=(ephemeral,))
    # Azure refuses deallocate on ephemeral OS disks: the plan replaces the instances instead (addendum R1)
    assert "deallocate" not in actions(plan) and "replace" in actions(plan)
    assert any("ephemeral OS disks" in s.detail for s in plan.steps if s.action == "replace")


# --- Rolling -------------------------------------------------------------------------------------------


def test_rolling_six_instances_at_20_percent_is_three_batches() -> None:
    plan = plan_for("Rolling", Impact.UPDATE_INSTANCES)
    assert actions(plan) == ["rolling-upgrade", "watch", "verify"]
    assert plan.rolling is not None
    assert (plan.rolling.instances, plan.rolling.batch_size, plan.rolling.batches) == (6, 2, 3)
    step = plan.steps[0]
    assert step.batches == 3 and step.commands is None
    assert step.detail.startswith("3 batch(es) of up to 2 instance(s) (20% of 6), no pause between batches.")
    assert "more than 20% of all instances are unhealthy" in step.detail
    assert "MaxUnhealthyUpgradedInstancePercentExceededInRollingUpgrade" in step.detail
    assert "in 3 batch(es)" in plan.summary
    watch = plan.steps[1].commands
    assert watch is not None
    assert watch.cli == "az vmss rolling-upgrade get-latest --resource-group rg-web --name web"
    assert watch.powershell == "Get-AzVmssRollingUpgrade -ResourceGroupName 'rg-web' -VMScaleSetName 'web'"
    assert watch.rest == f"GET {URL}/rollingUpgrades/latest?api-version={API}"


def test_rolling_policy_values_pause_health_gates_and_max_surge() -> None:
    policy = "/properties/upgradePolicy/rollingUpgradePolicy"
    ops = (
        {"op": "replace", "path": "/sku/capacity", "value": 10},
        {"op": "replace", "path": f"{policy}/maxUnhealthyInstancePercent", "value": 30},
        {"op": "replace", "path": f"{policy}/maxUnhealthyUpgradedInstancePercent", "value": 10},
        {"op": "replace", "path": f"{policy}/pauseTimeBetweenBatches", "value": "PT1M30S"},
        {"op": "replace", "path": f"{policy}/maxSurge", "value": True},
    )
    plan = plan_for("Rolling", Impact.UPDATE_INSTANCES, ops=ops)
    assert plan.rolling is not None
    assert (plan.rolling.batch_size, plan.rolling.batches, plan.rolling.max_surge) == (2, 5, True)
    detail = plan.steps[0].detail
    assert detail.startswith(
        "5 batch(es) of up to 2 instance(s) (20% of 10), 1 min 30 s pause between batches."
    )
    assert "more than 30% of all instances" in detail and "more than 10% of the upgraded" in detail
    assert "new instance ids and new IP addresses" in detail and "spare quota" in detail


def test_rolling_reimage_goes_in_batches_of_the_rolling_batch_size() -> None:
    plan = plan_for("Rolling", Impact.REIMAGE, instances="web-rest.json")
    reimages = [s for s in plan.steps if s.action == "reimage"]
    assert [s.instance_ids for s in reimages] == [["0", "1"], ["2", "5"], ["7"]]
    first = reimages[0].commands
    assert first is not None
    assert first.cli == "az vmss reimage --resource-group rg-web --name web --instance-ids 0 1"
    assert first.powershell == (
        "Set-AzVmss -ResourceGroupName 'rg-web' -VMScaleSetName 'web' -InstanceId '0','1' -Reimage"
    )
    assert first.rest == f'POST {URL}/reimage?api-version={API} {{"instanceIds": ["0", "1"]}}'


# --- Automatic -----------------------------------------------------------------------------------------


def test_automatic_says_all_instances_may_restart_at_once() -> None:
    plan = plan_for("Automatic", Impact.UPDATE_INSTANCES)
    assert actions(plan) == ["automatic-upgrade", "verify"]
    assert "every instance may restart at the same time" in plan.summary
    assert "no ordering guarantee" in plan.steps[0].detail
    assert plan.rolling is None


def test_automatic_os_upgrade_and_repairs_are_mentioned() -> None:
    ops = (
        {
            "op": "replace",
            "path": "/properties/upgradePolicy/automaticOSUpgradePolicy/enableAutomaticOSUpgrade",
            "value": True,
        },
        {
            "op": "add",
            "path": "/properties/automaticRepairsPolicy",
            "value": {"enabled": True, "gracePeriod": "PT30M", "repairAction": "Reimage"},
        },
    )
    image = "/properties/virtualMachineProfile/storageProfile/imageReference/sku"
    current, proposed = models(mode("Automatic"), *ops)
    plan = build_plan(current, proposed, [finding(Impact.UPDATE_INSTANCES, image)])
    text = " ".join(plan.notes)
    assert "Automatic OS image upgrades are enabled" in text and "(20% per batch)" in text
    assert "set enableAutomaticOSUpgrade to false, upgrade all instances" in text
    assert "repairAction Reimage" in text and "(PT30M)" in text
    assert plan.rolling is not None  # AOSU batches come from rollingUpgradePolicy even on Automatic


# --- impacts without a rollout ------------------------------------------------------------------------


def test_recreate_has_no_steps_and_says_what_to_do() -> None:
    plan = plan_for("Rolling", Impact.RECREATE, Impact.UPDATE_INSTANCES, instances="web-az.json")
    assert plan.steps == []
    assert "Azure rejects this change" in plan.summary and "new scale set" in plan.summary
    assert plan.notes == ["Rejected: /zones (VMSS999 test-change)."]


@pytest.mark.parametrize(
    ("impact", "text"),
    [
        (Impact.NONE, "Nothing effective"),
        (Impact.MODEL_ONLY, "Scale-set level"),
        (Impact.SCALE, "instance count"),
    ],
)
def test_no_rollout_below_update_instances(impact: Impact, text: str) -> None:
    current, proposed = models(mode("Manual"))
    plan = build_plan(current, proposed, [], impact=impact)
    assert plan.steps == [] and text in plan.summary


# --- instance-aware plans ------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["az", "rest", "powershell"])
def test_instances_name_stale_and_protected_and_commands_use_real_ids(shape: str) -> None:
    plan = plan_for("Manual", Impact.UPDATE_INSTANCES, instances=f"web-{shape}.json")
    assert plan.instance_count == 6
    assert plan.stale_instances == ["4", "5"]
    assert [
        (p.instance_id, p.protect_from_scale_in, p.protect_from_scale_set_actions)
        for p in plan.protected_instances or []
    ] == [
        ("1", True, False),
        ("4", True, True),
    ]
    step = plan.steps[0]
    assert step.instance_ids == ["0", "1", "2", "5", "7"]  # 4 is protected from scale-set actions
    assert step.commands is not None
    assert step.commands.cli.endswith("--instance-ids 0 1 2 5 7")
    assert step.commands.powershell.endswith("-InstanceId '0','1','2','5','7'")
    assert step.commands.rest.endswith('{"instanceIds": ["0", "1", "2", "5", "7"]}')
    notes = " ".join(plan.notes)
    assert "(latestModelApplied false): 4, 5" in notes
    assert "Protected from scale-set actions: 4" in notes
    assert (
        "az vmss update --resource-group rg-web --name web --instance-id 4 --protect-from-scale-set-actions false"
        in notes
    )
    assert "Protected from scale-in: 1." in notes


def test_rolling_batches_leave_out_protected_instances() -> None:
    plan = plan_for("Rolling", Impact.UPDATE_INSTANCES, instances="web-rest.json")
    assert plan.rolling is not None
    # 6 instances, batch size ceil(20% of 6) = 2, 5 upgradable (4 is protected): 3 batches.
    assert (plan.rolling.instances, plan.rolling.batch_size, plan.rolling.batches) == (6, 2, 3)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [("Default", ["7", "5", "0"]), ("NewestVM", ["7", "5", "0"]), ("OldestVM", ["2", "0", "5"])],
)
def test_scale_in_candidates_follow_the_policy(rule: str, expected: list[str]) -> None:
    ops = (
        {"op": "replace", "path": "/sku/capacity", "value": 3},
        {"op": "replace", "path": "/properties/scaleInPolicy/rules", "value": [rule]},
    )
    current, proposed = models(mode("Manual"), *ops)
    inst = load_instances(FIXTURES / "instances" / "web-az.json")
    plan = build_plan(current, proposed, [], impact=Impact.SCALE, instances=inst)
    assert plan.scale_in_policy == rule
    assert plan.scale_in_candidates == expected
    assert f"Capacity 6 -> 3: scale-in deletes 3 VM(s) with their disks (scaleInPolicy {rule})" in " ".join(
        plan.notes
    )


def test_scale_in_without_instances_says_how_to_find_out() -> None:
    current, proposed = models(mode("Manual"), {"op": "replace", "path": "/sku/capacity", "value": 4})
    plan = build_plan(current, proposed, [], impact=Impact.SCALE)
    assert plan.scale_in_candidates is None and plan.scale_in_policy == "Default"
    assert any("scale-in deletes 2 VM(s)" in n and "pass --instances" in n for n in plan.notes)


def test_scale_out_in_manual_mode_makes_a_mixed_fleet() -> None:
    current, proposed = models(mode("Manual"), {"op": "replace", "path": "/sku/capacity", "value": 8})
    plan = build_plan(current, proposed, [], impact=Impact.SCALE)
    assert any("2 new VM(s) are created from the proposed model while the existing" in n for n in plan.notes)


def test_instances_of_another_scale_set_are_not_used() -> None:
    current, proposed = models(mode("Manual"))
    inst = load_instances(FIXTURES / "models" / "rest-vm-get-userdata.json")
    plan = build_plan(current, proposed, [finding(Impact.UPDATE_INSTANCES)], instances=inst)
    assert plan.instance_count is None and plan.steps[0].instance_ids == []
    assert "not web: not used for this plan" in plan.notes[0]


def test_flexible_sets_use_instance_names() -> None:
    current, proposed = models(
        mode("Manual"), {"op": "replace", "path": "/properties/orchestrationMode", "value": "Flexible"}
    )
    inst = load_instances(FIXTURES / "instances" / "web-rest.json")
    plan = build_plan(current, proposed, [finding(Impact.UPDATE_INSTANCES)], instances=inst)
    assert plan.steps[0].instance_ids == ["web_0", "web_1", "web_2", "web_5", "web_7"]
    assert "verify" not in actions(plan)
    assert any("instance (VM) names" in n for n in plan.notes)


def test_flexible_per_vm_steps_use_the_vm_api_by_name() -> None:
    """R4: deallocate/start/reimage of Flexible instances go through the single-VM API (orchestration
    modes API comparison); update-instances keeps the scale-set call with VM names (R3)."""
    current, proposed = models(
        mode("Manual"), {"op": "replace", "path": "/properties/orchestrationMode", "value": "Flexible"}
    )
    inst = load_instances(FIXTURES / "instances" / "web-rest.json")
    plan = build_plan(current, proposed, [finding(Impact.DEALLOCATE)], instances=inst)
    steps = {s.action: s for s in plan.steps}
    deallocate, start = steps["deallocate"].commands, steps["start"].commands
    assert deallocate is not None and start is not None
    assert deallocate.cli == (
        'for vm in web_0 web_1 web_2 web_5 web_7; do az vm deallocate --resource-group rg-web --name "$vm"; done'
    )
    assert deallocate.powershell.startswith("@('web_0', 'web_1', 'web_2', 'web_5', 'web_7') | ForEach-Object")
    assert "Stop-AzVM -ResourceGroupName 'rg-web' -Name $_ -Force" in deallocate.powershell
    assert "/providers/Microsoft.Compute/virtualMachines/<vm-name>/deallocate?api-version=" in deallocate.rest
    assert "az vm start" in start.cli and "virtualMachineScaleSets" not in start.cli
    update = steps["update-instances"].commands
    assert update is not None and "az vmss update-instances" in update.cli and "web_7" in update.cli


def test_flexible_reimage_without_an_instance_list_finds_the_vms_of_the_set() -> None:
    current, proposed = models(
        mode("Manual"), {"op": "replace", "path": "/properties/orchestrationMode", "value": "Flexible"}
    )
    plan = build_plan(current, proposed, [finding(Impact.REIMAGE)])
    (reimage,) = [s for s in plan.steps if s.action == "reimage"]
    assert reimage.commands is not None
    assert reimage.commands.cli.startswith(
        "for vm in $(az vm list --resource-group rg-web --query "
        "'[?ends_with(virtualMachineScaleSet.id || '\"'\"''\"'\"', '\"'\"'/web'\"'\"')].name' --output tsv); do az rest"
    )
    # run it in bash with a stand-in `az` that lists two VMs and echoes every other call
    stub = 'az() { if [ "$1 $2" = "vm list" ]; then printf "web_a\\nweb_b\\n"; else echo "$@"; fi; }; '
    out = subprocess.run(
        ["bash", "-c", stub + reimage.commands.cli], capture_output=True, text=True, check=True
    )
    url = "https://management.azure.com/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines"
    assert out.stdout.splitlines() == [
        f"rest --method post --url {url}/web_a/reimage?api-version={API}",
        f"rest --method post --url {url}/web_b/reimage?api-version={API}",
    ]
    assert "Invoke-AzVMReimage -ResourceGroupName 'rg-web' -VMName $_" in reimage.commands.powershell
    assert "-like '*/virtualMachineScaleSets/web'" in reimage.commands.powershell


def test_uniform_per_vm_steps_stay_on_the_scale_set_api() -> None:
    current, proposed = models(mode("Manual"))
    plan = build_plan(current, proposed, [finding(Impact.REIMAGE)])
    (reimage,) = [s for s in plan.steps if s.action == "reimage"]
    assert reimage.commands is not None and reimage.commands.cli.startswith("az vmss reimage")


# --- commands ------------------------------------------------------------------------------------------


def test_placeholders_are_quoted_so_a_pasted_command_cannot_redirect() -> None:
    file = parse_text(json.dumps({"name": "", "properties": {"virtualMachineProfile": {}}}), "bare.json")
    target = Target(model_from(file))
    cmd = target.command("update-instances", ["0"])
    assert (
        cmd.cli
        == "az vmss update-instances --resource-group '<resource-group>' --name '<scale-set-name>' --instance-ids 0"
    )
    assert "/subscriptions/<subscription-id>/resourceGroups/<resource-group>/" in cmd.rest


def test_quoting_for_bash_and_powershell() -> None:
    assert ps_quote("it's $HOME `x`") == "'it''s $HOME `x`'"
    current, proposed = models()
    target = Target(current, proposed)
    target.resource_group = "rg (web) $x"
    cmd = target.command("start", ["web's vm"])
    assert (
        cmd.cli == "az vmss start --resource-group 'rg (web) $x' --name web --instance-ids 'web'\"'\"'s vm'"
    )
    assert (
        cmd.powershell
        == "Start-AzVmss -ResourceGroupName 'rg (web) $x' -VMScaleSetName 'web' -InstanceId 'web''s vm'"
    )


def test_os_upgrade_command() -> None:
    current, proposed = models()
    cmd = Target(current, proposed).command("os-upgrade")
    assert cmd.cli == "az vmss rolling-upgrade start --resource-group rg-web --name web"
    assert cmd.powershell == "Start-AzVmssRollingOSUpgrade -ResourceGroupName 'rg-web' -VMScaleSetName 'web'"
    assert cmd.rest == f"POST {URL}/osRollingUpgrade?api-version={API}"


# --- whole plans, as JSON (the public contract) -------------------------------------------------------


@pytest.mark.parametrize("upgrade_mode", ["Manual", "Rolling", "Automatic"])
def test_plan_snapshot(upgrade_mode: str, snapshot_json: SnapshotAssertion) -> None:
    plan = plan_for(upgrade_mode, Impact.UPDATE_INSTANCES, Impact.REIMAGE, instances="web-az.json")
    assert to_json(plan) == snapshot_json


def test_cli_threads_instances_into_the_json_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    from vmss_lint.cli import main

    patch = tmp_path / "patch.json"
    patch.write_text(json.dumps([{"op": "replace", "path": "/sku/capacity", "value": 4}]))
    rc = main(
        [
            "check",
            str(FIXTURES / "models" / "web-rest.json"),
            "--patch",
            str(patch),
            "--instances",
            str(FIXTURES / "instances" / "web-powershell.json"),
            "--format",
            "json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert rc in (0, 1)
    plan = out["results"][0]["plan"]
    assert plan["instanceCount"] == 6 and plan["staleInstances"] == ["4", "5"]
    assert plan["scaleInCandidates"] == ["7", "5"]
