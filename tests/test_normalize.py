"""Reading models: the same scale set in REST, az and PowerShell shape becomes one canonical model."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from conftest import FIXTURES

from vmss_lint.arm.files import parse_text, read_file
from vmss_lint.compare import compare
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.core.shapes import detect_shape
from vmss_lint.inputs.az_shape import to_az_shape
from vmss_lint.inputs.read import model_from

MODELS = FIXTURES / "models"


def _model(path: Path) -> ScaleSetModel:
    return model_from(read_file(path))


@pytest.mark.parametrize(
    ("name", "shape"), [("web-rest", "rest"), ("web-az", "az"), ("web-powershell", "powershell")]
)
def test_three_shapes_give_one_canonical_model(name: str, shape: str) -> None:
    model = _model(MODELS / f"{name}.json")
    assert model.shape == shape
    assert model.doc == _model(MODELS / "web-rest.json").doc
    assert (model.subscription, model.resource_group) == ("11111111-2222-3333-4444-555555555555", "rg-web")
    assert model.observed


def test_canonical_model_uses_rest_casing_and_envelopes() -> None:
    doc = _model(MODELS / "web-az.json").doc
    osdisk = doc["properties"]["virtualMachineProfile"]["storageProfile"]["osDisk"]
    assert osdisk["diskSizeGB"] == 30 and "diskSizeGb" not in osdisk
    nic = doc["properties"]["virtualMachineProfile"]["networkProfile"]["networkInterfaceConfigurations"][0]
    assert set(nic) == {"name", "properties"}
    assert nic["properties"]["enableIPForwarding"] is False
    ext = doc["properties"]["virtualMachineProfile"]["extensionProfile"]["extensions"][1]
    assert ext["properties"]["type"] == "CustomScript"
    assert "id" not in ext and "provisioningState" not in ext["properties"]


def test_read_only_fields_are_dropped() -> None:
    doc = _model(MODELS / "web-rest.json").doc
    text = json.dumps(doc)
    for key in (
        "provisioningState",
        "uniqueId",
        "timeCreated",
        "exactVersion",
        "etag",
        "principalId",
        "resourceGroup",
    ):
        assert f'"{key}"' not in text, key
    assert "id" not in doc and "type" not in doc


def test_free_form_maps_are_untouched() -> None:
    raw = json.loads((MODELS / "web-rest.json").read_text())
    ext = raw["properties"]["virtualMachineProfile"]["extensionProfile"]["extensions"][0]
    ext["properties"]["settings"] = {"Name": "x", "PROVISIONINGSTATE": "kept", "diskSizeGb": 1}
    raw["tags"] = {"DiskSizeGb": "kept as written"}
    model = model_from(parse_text(json.dumps(raw), "t.json"))
    canon_ext = model.doc["properties"]["virtualMachineProfile"]["extensionProfile"]["extensions"][0]
    assert canon_ext["properties"]["settings"] == {"Name": "x", "PROVISIONINGSTATE": "kept", "diskSizeGb": 1}
    assert model.doc["tags"] == {"DiskSizeGb": "kept as written"}


def test_x_ms_examples_file_is_unwrapped() -> None:
    model = _model(MODELS / "rest-get-userdata.json")
    assert model.name == "myVirtualMachineScaleSet"
    assert model.upgrade_mode == "Automatic"
    assert model.resource_group == "myResourceGroup"


def test_powershell_enum_numbers() -> None:
    raw = json.loads((MODELS / "web-powershell.json").read_text())
    for number, mode in ((0, "Automatic"), (1, "Manual"), (2, "Rolling")):
        raw["UpgradePolicy"]["Mode"] = number
        assert model_from(parse_text(json.dumps(raw), "ps.json")).upgrade_mode == mode


def test_az_shape_round_trip() -> None:
    canonical = _model(MODELS / "web-rest.json")
    flat = to_az_shape(canonical.doc)
    assert detect_shape(flat) == "az"
    assert "properties" not in flat and "virtualMachineProfile" in flat
    again = model_from(parse_text(json.dumps(flat), "flat.json"))
    assert again.doc == canonical.doc


def test_inputs_are_not_modified() -> None:
    file = read_file(MODELS / "web-az.json")
    before = copy.deepcopy(file.value)
    model_from(file)
    assert file.value == before


def test_every_corpus_rest_example_loads() -> None:
    for path in sorted(MODELS.glob("rest-*.json")):
        if "vm-get" in path.name:
            continue  # a single VM instance, not a scale set
        model = _model(path)
        assert not compare(model, model)
