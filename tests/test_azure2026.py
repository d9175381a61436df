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
