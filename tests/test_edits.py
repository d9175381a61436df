"""Edits (JSON Patch, planned `az vmss update` commands) give the same findings as the full proposed model."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from vmss_lint.arm.files import read_file
from vmss_lint.cli import main
from vmss_lint.inputs.read import model_from
from vmss_lint.inputs.sources import apply_az_update
from vmss_lint.pipeline import LintOptions, check_inputs

WEB = FIXTURES / "models" / "web-rest.json"
WEB_AZ = FIXTURES / "models" / "web-az.json"
WEB_PS = FIXTURES / "models" / "web-powershell.json"
SUB = "11111111-2222-3333-4444-555555555555"
APPGW_POOL = (
    f"/subscriptions/{SUB}/resourceGroups/rg-web/providers/Microsoft.Network/applicationGateways/agw-web/"
    "backendAddressPools/pool-web"
)
IPC = "/properties/virtualMachineProfile/networkProfile/networkInterfaceConfigurations/0/properties/ipConfigurations/0/properties"


def _findings(report: Any) -> set[tuple[str, str, str, str]]:
    return {(f.rule, f.pointer, f.severity.value, f.impact.value) for r in report.results for f in r.findings}


def _proposed_file(tmp_path: Path, edit: Any) -> str:
    doc = json.loads(WEB.read_text())
    edit(doc)
    path = tmp_path / "proposed.json"
    path.write_text(json.dumps(doc))
    return str(path)


def _patch_file(tmp_path: Path, ops: list[dict[str, Any]]) -> str:
    path = tmp_path / "patch.json"
    path.write_text(json.dumps(ops))
    return str(path)


def _set_path(doc: dict[str, Any], pointer: str, value: Any) -> None:
    parts = pointer.strip("/").split("/")
    node: Any = doc
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[parts[-1]] = value


SCENARIOS = [
    pytest.param(
        ['az vmss update --resource-group rg-web --name web --set zones=\'["1","2"]\''],
        [{"op": "replace", "path": "/zones", "value": ["1", "2"]}],
        lambda d: d.__setitem__("zones", ["1", "2"]),
        {"VMSS101"},
        id="zone-removed",
    ),
    pytest.param(
        ["az vmss update -g rg-web -n web --set sku.name=Standard_E4s_v5"],
        [{"op": "replace", "path": "/sku/name", "value": "Standard_E4s_v5"}],
        lambda d: d["sku"].__setitem__("name", "Standard_E4s_v5"),
        {"VMSS301"},
        id="vm-size",
    ),
    pytest.param(
        [
            "az vmss update -g rg-web -n web --set virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0]"
            f".ipConfigurations[0].subnet.id=/subscriptions/{SUB}/resourceGroups/rg-web/providers/Microsoft.Network/"
            "virtualNetworks/vnet-spoke/subnets/snet-web"
        ],
        [
            {
                "op": "replace",
                "path": IPC + "/subnet/id",
                "value": f"/subscriptions/{SUB}/resourceGroups/rg-web/providers/Microsoft.Network/virtualNetworks/vnet-spoke/subnets/snet-web",
            }
        ],
        lambda d: _set_path(
            d,
            IPC + "/subnet/id",
            f"/subscriptions/{SUB}/resourceGroups/rg-web/providers/Microsoft.Network/virtualNetworks/vnet-spoke/subnets/snet-web",
        ),
        {"VMSS106"},
        id="subnet-other-vnet",
    ),
    pytest.param(
        ["az vmss update -g rg-web -n web --set singlePlacementGroup=true"],
        [{"op": "replace", "path": "/properties/singlePlacementGroup", "value": True}],
        lambda d: d["properties"].__setitem__("singlePlacementGroup", True),
        {"VMSS105"},
        id="single-placement-group",
    ),
    pytest.param(
        [
            "az vmss update -g rg-web -n web --set virtualMachineProfile.storageProfile.imageReference.publisher=RedHat",
        ],
        [
            {
                "op": "replace",
                "path": "/properties/virtualMachineProfile/storageProfile/imageReference/publisher",
                "value": "RedHat",
            }
        ],
        lambda d: d["properties"]["virtualMachineProfile"]["storageProfile"]["imageReference"].__setitem__(
            "publisher", "RedHat"
        ),
        {"VMSS103"},
        id="image-publisher",
    ),
]


@pytest.mark.parametrize(("commands", "patch", "edit", "expected"), SCENARIOS)
def test_edit_kinds_agree(
    tmp_path: Path, commands: list[str], patch: list[dict[str, Any]], edit: Any, expected: set[str]
) -> None:
    by_model = check_inputs(str(WEB), _proposed_file(tmp_path, edit), LintOptions())
    by_patch = check_inputs(str(WEB), None, LintOptions(), patch=_patch_file(tmp_path, patch))
    by_az = check_inputs(str(WEB), None, LintOptions(), az_updates=commands)
    assert _findings(by_model) == _findings(by_patch) == _findings(by_az)
    assert expected <= {f[0] for f in _findings(by_model)}
    # Every finding from an edit names the edit that caused it.
    assert all(f.edit for r in by_az.results for f in r.findings)
    assert all(f.edit and f.edit.startswith("patch op") for r in by_patch.results for f in r.findings)


@pytest.mark.parametrize("current", [WEB, WEB_AZ, WEB_PS], ids=["rest", "az", "powershell"])
def test_az_update_paths_are_flattened_whatever_the_current_shape(current: Path) -> None:
    report = check_inputs(
        str(current),
        None,
        LintOptions(),
        az_updates=["az vmss update -g rg-web -n web --set zones='[\"1\"]'"],
    )
    assert {f.rule for r in report.results for f in r.findings} == {"VMSS101"}


def test_microsoft_docs_image_version_bump() -> None:
    # Verbatim from the "Modify a scale set" tutorial (resource group and name adapted to the model).
    cmd = (
        "az vmss update --resource-group rg-web --name web "
        "--set virtualMachineProfile.storageProfile.imageReference.version=16.04.201801090"
    )
    report = check_inputs(str(WEB), None, LintOptions(), az_updates=[cmd])
    result = report.results[0]
    assert result.status == "changed"
    assert not [f for f in result.findings if f.severity.value == "error"]


def test_microsoft_docs_load_balancer_to_application_gateway_swap(tmp_path: Path) -> None:
    base = "az vmss update --resource-group rg-web --name web "
    ipc = "virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0].ipConfigurations[0]"
    commands = [
        base + f"--remove {ipc}.loadBalancerBackendAddressPools 0",
        base + f"--remove {ipc}.loadBalancerInboundNatPools 0",
        # The tutorial's `--add {ipc}.ApplicationGatewayBackendAddressPools ...` was written for SDK-era
        # azure-cli; 2.91 indexes the show dict exactly and refuses it (test_az_update). This is the form
        # that works today: set the absent list whole.
        base + f'--set \'{ipc}.applicationGatewayBackendAddressPools=[{{"id": "{APPGW_POOL}"}}]\'',
    ]
    by_az = check_inputs(str(WEB), None, LintOptions(), az_updates=commands)

    def swap(doc: dict[str, Any]) -> None:
        ipconfig = doc["properties"]["virtualMachineProfile"]["networkProfile"][
            "networkInterfaceConfigurations"
        ][0]["properties"]["ipConfigurations"][0]["properties"]
        ipconfig["loadBalancerBackendAddressPools"] = ipconfig["loadBalancerBackendAddressPools"][1:]
        ipconfig["loadBalancerInboundNatPools"] = []
        ipconfig["applicationGatewayBackendAddressPools"] = [{"id": APPGW_POOL}]

    doc = copy.deepcopy(json.loads(WEB.read_text()))
    swap(doc)
    # Same edits as a JSON Patch on the REST document.
    patch = [
        {"op": "remove", "path": IPC + "/loadBalancerBackendAddressPools/0"},
        {"op": "remove", "path": IPC + "/loadBalancerInboundNatPools/0"},
        {"op": "add", "path": IPC + "/applicationGatewayBackendAddressPools", "value": [{"id": APPGW_POOL}]},
    ]
    assert by_az.results[0].status == "changed"
    edits = {f.edit for f in by_az.results[0].findings}
    assert all(e is not None and e.startswith("#") for e in edits)

    proposed_file = tmp_path / "swapped.json"
    proposed_file.write_text(json.dumps(doc))
    by_model = check_inputs(str(WEB), str(proposed_file), LintOptions())
    by_patch = check_inputs(str(WEB), None, LintOptions(), patch=_patch_file(tmp_path, patch))
    assert _findings(by_model) == _findings(by_patch) == _findings(by_az)

    # The three commands build exactly the model the tutorial describes.
    current = model_from(read_file(WEB))
    proposed = current
    for number, command in enumerate(commands, 1):
        proposed = apply_az_update(proposed, command, number, len(commands))
    assert proposed.doc == model_from(read_file(proposed_file)).doc


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--az-update", "az vm update -g rg -n web --set x=1"], "az vmss update"),
        (
            ["--az-update", "az vmss update -g rg-web -n web --set virtualMachineProfile.nope[3].x=1"],
            "--set #1",
        ),
        (["--az-update", "az vmss update -g rg-web -n web --remove zones 9"], "--remove #1"),
        (
            ["--az-update", "az vmss update -g rg-web -n web --instance-id 3 --set sku.name=x"],
            "--instance-id",
        ),
        (["--az-update", "az vmss update -g rg-web -n web --frobnicate 1"], "--frobnicate"),
        (["--patch", str(FIXTURES / "models" / "web-rest.json")], "JSON Patch must be a list"),
    ],
)
def test_bad_edits_are_one_line_exit_2(
    args: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", str(WEB), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("vmss-lint: error: ")
    assert needle in err


@pytest.mark.parametrize(
    ("ops", "needle"),
    [
        (
            [{"op": "test", "path": "/sku/name", "value": "Standard_A1"}],
            "op #1 (test /sku/name): test failed",
        ),
        ([{"op": "replace", "path": "/properties/nope/x", "value": 1}], "op #1 (replace /properties/nope/x)"),
        ([{"op": "frob", "path": "/sku"}], "op #1"),
        ([{"path": "/sku"}], "op #1: malformed operation"),
        (
            [{"op": "remove", "path": "/sku/name"}, {"op": "remove", "path": "/sku/name"}],
            "op #2 (remove /sku/name)",
        ),
    ],
)
def test_bad_patch_ops_name_the_op(
    tmp_path: Path, ops: list[dict[str, Any]], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", str(WEB), "--patch", _patch_file(tmp_path, ops)])
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err, err
    assert err.count("\n") == 1


def test_az_update_aimed_at_another_scale_set_is_an_error() -> None:
    report = check_inputs(
        str(WEB), None, LintOptions(), az_updates=["az vmss update -g rg-other -n web --set sku.capacity=8"]
    )
    assert [f.rule for f in report.results[0].findings] == ["VMSS006", "VMSS550"]
    assert report.summary.failed
