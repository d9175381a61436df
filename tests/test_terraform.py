"""Terraform plans (`terraform show -json`) judged by Azure's rules, end to end through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import tfplan
from conftest import FIXTURES

FORMATS = ["text", "json", "sarif", "github", "azure-pipelines", "junit"]


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vmss_lint", "check", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def judged(path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    proc = run("--format", "json", *args, path)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def rules_of(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["rule"]: f for r in report["results"] for f in r["findings"]}


def moved_subnet(vnet: str) -> dict[str, Any]:
    nic = tfplan.vmss()["network_interface"][0]
    ipc = dict(nic["ip_configuration"][0], subnet_id=tfplan.subnet(vnet))
    return tfplan.vmss(network_interface=[dict(nic, ip_configuration=[ipc])])


def test_an_in_place_update_that_azure_rejects_fails_with_the_terraform_address(tmp_path: Path) -> None:
    """hashicorp/terraform-provider-azurerm#14532: the plan shows an update, Azure refuses another VNet."""
    path = tfplan.write(
        tmp_path / "plan.json", tfplan.plan(tfplan.change(tfplan.vmss(), moved_subnet("vnet-b"), ["update"]))
    )
    rc, report = judged(path)
    assert rc == 1
    finding = rules_of(report)["VMSS106"]
    assert finding["severity"] == "error"
    location = finding["location"]
    assert location["valueFrom"] == f"{tfplan.ADDRESS}.network_interface[0].ip_configuration[0].subnet_id"
    line = path.read_text(encoding="utf-8").splitlines()[location["line"] - 1]
    assert '"subnet_id"' in line and "vnet-b" in line  # the after side's line in the plan
    assert tfplan.ADDRESS in report["results"][0]["proposed"]


def test_same_vnet_subnet_change_is_not_an_error(tmp_path: Path) -> None:
    after = moved_subnet("vnet-a")
    ipc = after["network_interface"][0]["ip_configuration"][0]
    ipc["subnet_id"] = tfplan.subnet("vnet-a", "other")
    rc, report = judged(
        tfplan.write(tmp_path / "plan.json", tfplan.plan(tfplan.change(tfplan.vmss(), after, ["update"])))
    )
    assert rc == 0
    assert "VMSS106" not in rules_of(report)
    assert "VMSS402" in rules_of(report)


def test_terraform_verdicts_match_the_equivalent_arm_change(tmp_path: Path) -> None:
    """The same subnet move and zone removal, as a plan and as two REST models: the same rules fire."""
    after = moved_subnet("vnet-b")
    after["zones"] = ["1", "2"]
    _, tf = judged(
        tfplan.write(tmp_path / "plan.json", tfplan.plan(tfplan.change(tfplan.vmss(), after, ["update"])))
    )
    current = json.loads((FIXTURES / "example" / "current.json").read_text(encoding="utf-8"))
    proposed = json.loads(json.dumps(current))
    props = proposed["properties"]["virtualMachineProfile"]["networkProfile"][
        "networkInterfaceConfigurations"
    ][0]
    ipc = props["properties"]["ipConfigurations"][0]["properties"]
    ipc["subnet"]["id"] = ipc["subnet"]["id"].replace("nsgExistingVnet", "otherVnet")
    proposed["zones"] = ["1", "2"]
    (tmp_path / "c.json").write_text(json.dumps(current), encoding="utf-8")
    (tmp_path / "p.json").write_text(json.dumps(proposed), encoding="utf-8")
    proc = run("--format", "json", tmp_path / "c.json", tmp_path / "p.json")
    arm = json.loads(proc.stdout)
    errors = {r for r, f in rules_of(tf).items() if f["severity"] == "error"}
    assert (
        errors == {r for r, f in rules_of(arm).items() if f["severity"] == "error"} == {"VMSS101", "VMSS106"}
    )


def test_a_replacement_azure_needs_is_one_warning_not_an_error(tmp_path: Path) -> None:
    """Zones removed: Azure rejects it in place, so Terraform's replacement is the only way; no false error."""
    doc = tfplan.plan(
        tfplan.change(
            tfplan.vmss(), tfplan.vmss(zones=["1", "2"]), ["delete", "create"], replace_paths=[["zones"]]
        )
    )
    rc, report = judged(tfplan.write(tmp_path / "plan.json", doc))
    assert rc == 0
    found = rules_of(report)
    assert "VMSS101" not in found
    assert found["VMSS008"]["severity"] == "warning" and found["VMSS008"]["impact"] == "recreate"
    assert "replacement is needed" in found["VMSS008"]["message"] and "VMSS101" in found["VMSS008"]["message"]
    assert "replaces the scale set" in report["results"][0]["plan"]["summary"]
    rc, _ = judged(tfplan.write(tmp_path / "plan.json", doc), "--fail-on", "warning")
    assert rc == 1


def test_a_replacement_azure_would_not_need_says_so_and_names_the_attribute(tmp_path: Path) -> None:
    """hashicorp/terraform-provider-azurerm#11528: upgrade_mode forces a replacement Azure does not need."""
    probe = f"{tfplan.SUB}/providers/Microsoft.Network/loadBalancers/lb/probes/http"
    after = tfplan.vmss(upgrade_mode="Rolling", health_probe_id=probe)
    doc = tfplan.plan(
        tfplan.change(tfplan.vmss(), after, ["create", "delete"], replace_paths=[["upgrade_mode"]])
    )
    _, report = judged(tfplan.write(tmp_path / "plan.json", doc))
    message = rules_of(report)["VMSS008"]["message"]
    assert (
        "upgrade_mode" in message
        and "would accept this change in place" in message
        and "avoidable" in message
    )


def test_create_and_delete(tmp_path: Path) -> None:
    created = tfplan.change(
        None, tfplan.vmss(), ["create"], address="azurerm_linux_virtual_machine_scale_set.new"
    )
    deleted = tfplan.change(
        tfplan.vmss(name="old-vmss"), None, ["delete"], address="azurerm_linux_virtual_machine_scale_set.old"
    )
    _, report = judged(tfplan.write(tmp_path / "plan.json", tfplan.plan(created, deleted)))
    status = {r["name"]: (r["status"], [f["rule"] for f in r["findings"]]) for r in report["results"]}
    assert status["web-vmss"][0] == "created" and "VMSS005" in status["web-vmss"][1]
    assert status["old-vmss"][0] == "deleted" and "VMSS004" in status["old-vmss"][1]
    deleted_finding = next(f for r in report["results"] if r["name"] == "old-vmss" for f in r["findings"])
    assert deleted_finding["severity"] == "warning" and "Terraform plan deletes" in deleted_finding["message"]


def test_known_after_apply_is_unknown_never_an_error(tmp_path: Path) -> None:
    after = tfplan.vmss(network_interface=moved_subnet("vnet-b")["network_interface"])
    doc = tfplan.plan(
        tfplan.change(
            tfplan.vmss(),
            after,
            ["update"],
            after_unknown={"network_interface": [{"ip_configuration": [{"subnet_id": True}]}]},
        )
    )
    rc, report = judged(tfplan.write(tmp_path / "plan.json", doc))
    assert rc == 0
    found = rules_of(report)
    assert "VMSS106" not in found
    assert found["VMSS001"]["severity"] == "info"
    assert "knows this value only after apply" in found["VMSS001"]["message"]


CANARIES = ("Pa55w0rd-CANARY-tf", "c2VjcmV0LWN1c3RvbS1kYXRhLUNBTkFSWQ==", "protected-CANARY-key")


@pytest.mark.parametrize("fmt", FORMATS)
def test_sensitive_values_never_reach_any_output(tmp_path: Path, fmt: str) -> None:
    ext = {
        "name": "script",
        "publisher": "Microsoft.Azure.Extensions",
        "type": "CustomScript",
        "type_handler_version": "2.1",
        "auto_upgrade_minor_version": True,
        "automatic_upgrade_enabled": False,
        "force_update_tag": None,
        "provision_after_extensions": [],
        "settings": '{"commandToExecute": "./run.sh"}',
        "protected_settings": json.dumps({"storageAccountKey": CANARIES[2]}),
    }
    before = tfplan.vmss(admin_password="old-secret-CANARY-0", custom_data=None)
    after = tfplan.vmss(admin_password=CANARIES[0], custom_data=CANARIES[1], extension=[ext])
    sensitive = {"admin_password": True, "custom_data": True, "extension": [{"protected_settings": True}]}
    doc = tfplan.plan(tfplan.change(before, after, ["update"], sensitive=sensitive))
    path = tfplan.write(tmp_path / "plan.json", doc)
    out = tmp_path / f"report.{fmt}"
    proc = run("--format", fmt, "--output", out, path)
    assert proc.returncode in (0, 1), proc.stderr
    text = out.read_text(encoding="utf-8") + proc.stdout + proc.stderr
    assert "VMSS350" in text  # the password change is reported ...
    for canary in (*CANARIES, "old-secret-CANARY-0"):
        assert canary not in text  # ... and never shown


def test_azurerm_rolls_and_reimages_instances_under_manual_mode(tmp_path: Path) -> None:
    doc = tfplan.plan(tfplan.change(tfplan.vmss(), tfplan.vmss(sku="Standard_D4s_v5"), ["update"]))
    _, report = judged(tfplan.write(tmp_path / "plan.json", doc))
    finding = rules_of(report)["VMSS009"]
    assert (
        finding["severity"] == "warning"
        and "reimages each" in finding["message"]
        and "sku" in finding["message"]
    )


def test_provider_features_from_the_plan_are_honoured(tmp_path: Path) -> None:
    no_reimage = tfplan.plan(
        tfplan.change(tfplan.vmss(), tfplan.vmss(sku="Standard_D4s_v5"), ["update"]),
        features={"reimage_on_manual_upgrade": False},
    )
    _, report = judged(tfplan.write(tmp_path / "a.json", no_reimage))
    assert rules_of(report)["VMSS009"]["severity"] == "info"
    no_roll = tfplan.plan(
        tfplan.change(tfplan.vmss(), tfplan.vmss(sku="Standard_D4s_v5"), ["update"]),
        features={"roll_instances_when_required": False},
    )
    _, report = judged(tfplan.write(tmp_path / "b.json", no_roll))
    assert "VMSS009" not in rules_of(report)
    rolling = tfplan.plan(
        tfplan.change(
            tfplan.vmss(upgrade_mode="Automatic"),
            tfplan.vmss(upgrade_mode="Automatic", sku="Standard_D4s_v5"),
            ["update"],
        )
    )
    _, report = judged(tfplan.write(tmp_path / "c.json", rolling))
    assert "VMSS009" not in rules_of(report)  # Azure rolls it; azurerm does not


def test_an_unmapped_attribute_change_is_said(tmp_path: Path) -> None:
    after = tfplan.vmss(some_future_attribute="on")
    before = tfplan.vmss(some_future_attribute="off")
    _, report = judged(
        tfplan.write(tmp_path / "plan.json", tfplan.plan(tfplan.change(before, after, ["update"])))
    )
    assert any("some_future_attribute" in n and "not judged" in n for n in report["notices"])


def test_legacy_resource_type_is_said_not_dropped(tmp_path: Path) -> None:
    legacy = tfplan.change(
        tfplan.vmss(), tfplan.vmss(sku="x"), ["update"], rtype="azurerm_virtual_machine_scale_set"
    )
    _, report = judged(tfplan.write(tmp_path / "plan.json", tfplan.plan(legacy)))
    assert report["results"] == [] and any("legacy" in n and "not checked" in n for n in report["notices"])


def test_an_unknown_format_version_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tfplan.write(tmp_path / "plan.json", tfplan.plan(version="2.0"))
    proc = run(path)
    assert proc.returncode == 2
    assert (
        proc.stderr.count("\n") == 1
        and "format_version '2.0'" in proc.stderr
        and "Traceback" not in proc.stderr
    )


def test_a_plan_must_be_passed_alone(tmp_path: Path) -> None:
    path = tfplan.write(tmp_path / "plan.json", tfplan.plan())
    proc = run(path, FIXTURES / "example" / "current.json")
    assert proc.returncode == 2 and "holds both sides" in proc.stderr


def test_orchestrated_flexible_scale_set(tmp_path: Path) -> None:
    base = {
        "id": f"{tfplan.SUB}/providers/Microsoft.Compute/virtualMachineScaleSets/flex",
        "name": "flex",
        "resource_group_name": "rg-web",
        "location": "westeurope",
        "sku_name": "Standard_D2s_v5",
        "instances": 2,
        "platform_fault_domain_count": 1,
        "zones": ["1", "2", "3"],
        "os_profile": [
            {
                "custom_data": None,
                "linux_configuration": [
                    {
                        "admin_username": "azureuser",
                        "admin_password": None,
                        "computer_name_prefix": "flex",
                        "admin_ssh_key": [{"username": "azureuser", "public_key": "ssh-rsa AAAA flex"}],
                        "disable_password_authentication": True,
                        "provision_vm_agent": True,
                        "patch_mode": "ImageDefault",
                        "patch_assessment_mode": "ImageDefault",
                    }
                ],
                "windows_configuration": [],
            }
        ],
        "source_image_reference": tfplan.vmss()["source_image_reference"],
    }
    after = json.loads(json.dumps(base))
    after["zones"] = ["1"]
    after["os_profile"][0]["linux_configuration"][0]["computer_name_prefix"] = "other"
    rc_ = tfplan.change(
        base,
        after,
        ["update"],
        rtype="azurerm_orchestrated_virtual_machine_scale_set",
        address="azurerm_orchestrated_virtual_machine_scale_set.flex",
    )
    rc, report = judged(tfplan.write(tmp_path / "plan.json", tfplan.plan(rc_)))
    assert rc == 1
    found = rules_of(report)
    assert {"VMSS101", "VMSS151"} <= set(found)
    assert found["VMSS151"]["location"]["valueFrom"].endswith(
        "os_profile[0].linux_configuration[0].computer_name_prefix"
    )


REAL = FIXTURES / "terraform" / "regula-create-plan.json"


def real_after() -> dict[str, Any]:
    """The real plan's scale set as it would be in state after apply: the unknowns filled in."""
    doc = json.loads(REAL.read_text(encoding="utf-8"))
    after: dict[str, Any] = doc["resource_changes"][0]["change"]["after"]
    after["id"] = f"{tfplan.SUB}/providers/Microsoft.Compute/virtualMachineScaleSets/mytestscaleset-1"
    after["resource_group_name"] = "rg-web"
    after["computer_name_prefix"] = "mytestscaleset-1"
    after["platform_fault_domain_count"] = 5
    after["network_interface"][0]["ip_configuration"][0]["subnet_id"] = tfplan.subnet(
        "demo-network", "demo-subnet-2"
    )
    return after


def test_the_real_create_plan_is_a_creation_with_its_unknowns_unjudged() -> None:
    rc, report = judged(REAL)
    assert rc == 0
    [result] = report["results"]
    assert result["status"] == "created" and result["name"] == "mytestscaleset-1"
    assert [f["rule"] for f in result["findings"]] == ["VMSS005"]


def test_a_real_plan_changed_to_another_publisher_and_vnet_fails(tmp_path: Path) -> None:
    before = real_after()
    after = real_after()
    after["source_image_reference"][0].update(publisher="MicrosoftWindowsServer", offer="WindowsServer")
    after["network_interface"][0]["ip_configuration"][0]["subnet_id"] = tfplan.subnet("other-network")
    real = json.loads(REAL.read_text(encoding="utf-8"))["resource_changes"][0]["change"]
    rc_ = tfplan.change(
        before,
        after,
        ["update"],
        address="azurerm_linux_virtual_machine_scale_set.demo",
        sensitive=real["after_sensitive"],
    )
    rc, report = judged(tfplan.write(tmp_path / "plan.json", tfplan.plan(rc_)))
    assert rc == 1
    errors = {r for r, f in rules_of(report).items() if f["severity"] == "error"}
    assert {"VMSS103", "VMSS106"} <= errors


def test_the_mapping_table_in_the_docs_is_current() -> None:
    from conftest import REPO

    from vmss_lint.inputs.terraform.reference import rewrite

    page = (REPO / "docs" / "terraform.md").read_text(encoding="utf-8")
    assert rewrite(page) == page, "run: python -m vmss_lint.inputs.terraform.reference docs/terraform.md"


def test_git_mode_judges_a_committed_plan_on_its_own(tmp_path: Path) -> None:
    """A plan file changed in a commit is judged alone (it holds both sides), whatever its base version."""
    from gitfixture import GitRepo, clean_env

    repo = GitRepo(tmp_path / "repo")
    repo.write("plans/web.plan.json", tfplan.plan(tfplan.change(tfplan.vmss(), tfplan.vmss(), ["update"])))
    repo.commit("a plan with no change")
    repo.write(
        "plans/web.plan.json", tfplan.plan(tfplan.change(tfplan.vmss(), moved_subnet("vnet-b"), ["update"]))
    )
    proc = subprocess.run(
        [sys.executable, "-m", "vmss_lint", "check", "--format", "json", "--base", "HEAD"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env=clean_env(),
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert "VMSS106" in rules_of(report)
    assert rules_of(report)["VMSS106"]["location"]["file"] == "plans/web.plan.json"


MAIN_TF = """\
resource "azurerm_linux_virtual_machine_scale_set" "web" {
  name                = "web-vmss"
  resource_group_name = "rg-web"   # a comment with a { brace
  sku                 = "Standard_D2s_v5"
  custom_data         = base64encode(<<EOT
#cloud-config
runcmd: [ "echo {" ]
EOT
  )
  tags = {
    env = "prod"
  }

  network_interface {
    name    = "nic"
    primary = true

    ip_configuration {
      name      = "internal"
      primary   = true
      subnet_id = azurerm_subnet.internal.id
    }
  }
}

resource "azurerm_linux_virtual_machine_scale_set" "other" {
  sku = "Standard_B1s"
}
"""


def test_findings_point_at_the_tf_line_next_to_the_plan(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MAIN_TF, encoding="utf-8")
    address = "azurerm_linux_virtual_machine_scale_set.web"
    after = moved_subnet("vnet-b")
    after["sku"] = "Standard_E4s_v5"
    doc = tfplan.plan(tfplan.change(tfplan.vmss(), after, ["update"], address=address))
    _, report = judged(tfplan.write(tmp_path / "plan.json", doc))
    found = rules_of(report)
    lines = MAIN_TF.splitlines()
    subnet = found["VMSS106"]["location"]
    assert subnet["file"].endswith("main.tf") and "subnet_id" in lines[subnet["line"] - 1]
    assert subnet["valueFrom"] == f"{address}.network_interface[0].ip_configuration[0].subnet_id"
    size = found["VMSS301"]["location"]
    assert size["file"].endswith("main.tf") and lines[size["line"] - 1].strip().startswith("sku ")


def test_a_module_resource_keeps_the_plan_line(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MAIN_TF, encoding="utf-8")
    doc = tfplan.plan(tfplan.change(tfplan.vmss(), moved_subnet("vnet-b"), ["update"]))  # module.web....
    _, report = judged(tfplan.write(tmp_path / "plan.json", doc))
    assert rules_of(report)["VMSS106"]["location"]["file"].endswith("plan.json")


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_terraform_address_is_in_every_format(tmp_path: Path, fmt: str) -> None:
    path = tfplan.write(
        tmp_path / "plan.json", tfplan.plan(tfplan.change(tfplan.vmss(), moved_subnet("vnet-b"), ["update"]))
    )
    proc = run("--format", fmt, path)
    assert proc.returncode == 1, proc.stderr
    assert f"{tfplan.ADDRESS}.network_interface[0].ip_configuration[0].subnet_id" in proc.stdout
