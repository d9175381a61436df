"""Today's Azure, end to end: Microsoft's own documented procedures pass, with the plan Azure would run.

Example 1 of "Modify a scale set" (virtual-machine-scale-sets-upgrade-scale-set.md, 05/19/2026) upgrades
Ubuntu Server 20.04 -> 22.04 in one `az vmss update`; the seed catalog called the offer create-time and
vmss-lint used to fail it. The az form goes through the real CLI (subprocess), as a user runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from conftest import REPO

FOCAL_AZ = "fixtures/models/focal-az.json"
# The docs' command, with every imageReference field in one call ("you need to set all the updated
# properties in a single call").
MODIFY_EXAMPLE_1 = (
    "az vmss update --resource-group myResourceGroup --name myScaleSet "
    "--set virtualMachineProfile.storageProfile.imageReference.offer=0001-com-ubuntu-server-jammy "
    "virtualMachineProfile.storageProfile.imageReference.publisher=Canonical "
    "virtualMachineProfile.storageProfile.imageReference.sku=22_04-lts-gen2 "
    "virtualMachineProfile.storageProfile.imageReference.version=latest"
)


def check(*args: str) -> tuple[int, dict[str, Any]]:
    env = {**os.environ}
    env.pop("GITHUB_ACTIONS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "vmss_lint", "check", *args, "--format", "json"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        check=False,
    )
    assert proc.stderr == "", proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout)
    return proc.returncode, report


def test_modify_a_scale_set_example_1_passes_with_a_warning_and_a_rolling_plan() -> None:
    code, report = check(FOCAL_AZ, "--az-update", MODIFY_EXAMPLE_1)
    assert code == 0
    (result,) = report["results"]
    findings = {f["rule"]: f for f in result["findings"]}
    assert {f["severity"] for f in findings.values()} == {"warning"}
    offer = findings["VMSS104"]
    assert offer["impact"] == "update-instances"
    assert "seed catalog lists the offer as create-time" in offer["message"]
    assert "current Microsoft docs" in offer["message"]
    plan = result["plan"]
    assert plan["impact"] == "update-instances"
    actions = [s["action"] for s in plan["steps"]]
    # A Rolling set: deploying the model is the rollout; nothing is deallocated or recreated.
    assert actions[0] == "rolling-upgrade"
    assert "deallocate" not in actions
    assert "new scale set" not in plan["summary"]


def test_same_example_on_a_marketplace_plan_image_is_still_an_error() -> None:
    code, report = check(
        "fixtures/models/marketplace-plan-rest.json",
        "--patch",
        "fixtures/patches/plan-image-sku.json",
    )
    assert code == 1
    (finding,) = [f for f in report["results"][0]["findings"] if f["rule"] == "VMSS313"]
    assert finding["severity"] == "error"
    assert "Changing property 'imageReference.sku' is not allowed." in finding["message"]


# --- plans Azure would accept (addendum section 3, R1 and R2) -------------------------------------------


def _plan(base: str, *ops: dict[str, Any], api: str | None = None) -> dict[str, Any]:
    from conftest import FIXTURES

    from vmss_lint.arm.files import parse_text
    from vmss_lint.engine.packs import load_rules
    from vmss_lint.inputs.read import model_from
    from vmss_lint.inputs.sources import apply_patch
    from vmss_lint.pipeline import LintOptions, lint_pair, make_report

    file = parse_text((FIXTURES / "models" / base).read_bytes(), f"fixtures/models/{base}")
    current, proposed = model_from(file), apply_patch(file, list(ops), "patch.json")
    result = lint_pair(current, proposed, load_rules(), LintOptions(api_version=api))
    plan: dict[str, Any] = make_report([result], "error").dump()["results"][0]["plan"]
    return plan


RESIZE = {"op": "replace", "path": "/sku/name", "value": "Standard_E4s_v5"}
MANUAL = {"op": "replace", "path": "/properties/upgradePolicy/mode", "value": "Manual"}
SURGE = {"op": "replace", "path": "/properties/upgradePolicy/rollingUpgradePolicy/maxSurge", "value": True}


def test_ephemeral_os_set_is_never_planned_a_deallocate() -> None:
    plan = _plan("ephemeral-rest.json", MANUAL, RESIZE)
    assert plan["impact"] == "deallocate"
    actions = [s["action"] for s in plan["steps"]]
    assert "deallocate" not in actions and "start" not in actions
    (replace,) = [s for s in plan["steps"] if s["action"] == "replace"]
    assert "Operation 'deallocate' is not supported" in replace["detail"]
    assert "maxSurge" in replace["detail"] and "scale out" in replace["detail"]
    assert "ephemeral" in plan["summary"]


def test_persistent_os_set_is_still_deallocated_for_a_family_change() -> None:
    plan = _plan("web-rest.json", MANUAL, RESIZE)
    assert [s["action"] for s in plan["steps"]][:2] == ["deallocate", "deploy"]


def test_rolling_max_surge_resize_is_rolled_by_replacing_instances_with_the_quota_caveat() -> None:
    plan = _plan("web-rest.json", SURGE, RESIZE)
    actions = [s["action"] for s in plan["steps"]]
    assert "deallocate" not in actions and actions[0] == "rolling-upgrade"
    detail = plan["steps"][0]["detail"]
    assert "new VMs" in detail and "quota" in detail and "falls back to in place" in detail
    assert "nothing is deallocated" in plan["summary"]


def test_rest_commands_use_the_api_version_the_run_judged_by() -> None:
    plan = _plan("web-rest.json", MANUAL, RESIZE, api="2026-03-01")
    rests = [s["commands"]["rest"] for s in plan["steps"] if s.get("commands")]
    assert rests and all("api-version=2026-03-01" in r for r in rests)
    older = _plan("web-rest.json", MANUAL, RESIZE, api="2024-03-01")
    assert all("api-version=2024-03-01" in s["commands"]["rest"] for s in older["steps"] if s.get("commands"))
