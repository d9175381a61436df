"""Instance lists: the three saved shapes read the same, bad files are one-line errors, scale-in order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from vmss_lint.core.errors import InputError
from vmss_lint.inputs.instances import (
    Instance,
    load_instances,
    parse_instances,
    scale_in_candidates,
    sort_ids,
)

SHAPES = ("az", "rest", "powershell")


@pytest.mark.parametrize("shape", SHAPES)
def test_each_shape_reads_the_web_instances(shape: str) -> None:
    got = load_instances(FIXTURES / "instances" / f"web-{shape}.json")
    assert [i["instanceId"] for i in got] == ["0", "1", "2", "4", "5", "7"]
    assert [i["name"] for i in got] == ["web_0", "web_1", "web_2", "web_4", "web_5", "web_7"]
    assert [i["zone"] for i in got] == ["1", "2", "3", "1", "2", "3"]
    assert [i["instanceId"] for i in got if i["latestModelApplied"] is False] == ["4", "5"]
    assert [i["instanceId"] for i in got if i["protectFromScaleSetActions"]] == ["4"]
    assert [i["instanceId"] for i in got if i["protectFromScaleIn"]] == ["1", "4"]
    assert {i["scaleSet"] for i in got} == {"web"}
    # Only the documented flat keys survive: nothing else from the file (user data, OS profile) is kept.
    assert set(got[0]) == {
        "instanceId",
        "name",
        "latestModelApplied",
        "protectFromScaleIn",
        "protectFromScaleSetActions",
        "zone",
        "timeCreated",
        "scaleSet",
    }


def test_the_three_shapes_agree_exactly() -> None:
    az, rest, ps = (load_instances(FIXTURES / "instances" / f"web-{s}.json") for s in SHAPES)
    # PowerShell 5.1's /Date(ms)/ keeps milliseconds only; compare the rest exactly.
    for row in (*az, *rest, *ps):
        row["timeCreated"] = row["timeCreated"][:23]
    assert az == rest == ps


def test_timestamps_are_utc_iso() -> None:
    az = load_instances(FIXTURES / "instances" / "web-az.json")
    ps = load_instances(FIXTURES / "instances" / "web-powershell.json")
    assert az[0]["timeCreated"] == "2026-03-02T10:13:40.123456+00:00"
    assert ps[0]["timeCreated"] == "2026-03-02T10:13:40.123000+00:00"


def test_a_single_vm_get_example_is_a_one_element_list() -> None:
    got = load_instances(FIXTURES / "models" / "rest-vm-get-userdata.json")
    assert got == [
        {
            "instanceId": "0",
            "name": "{vmss-vm-name}",
            "latestModelApplied": True,
            "protectFromScaleIn": False,
            "protectFromScaleSetActions": False,
            "zone": None,
            "timeCreated": None,
            "scaleSet": "{vmss-name}",
        }
    ]


def test_a_single_powershell_object_and_string_booleans() -> None:
    vm = {
        "InstanceId": "3",
        "Name": "web_3",
        "LatestModelApplied": "False",
        "ProtectionPolicy": {"ProtectFromScaleIn": "true"},
        "TimeCreated": "2026-01-02T03:04:05Z",
    }
    (inst,) = parse_instances(vm, "one.json")
    assert inst == Instance(
        instance_id="3",
        name="web_3",
        latest_model_applied=False,
        protect_from_scale_in=True,
        created="2026-01-02T03:04:05+00:00",
    )


def test_instance_id_from_the_resource_id_when_missing() -> None:
    vm = {
        "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/web/virtualMachines/12"
    }
    (inst,) = parse_instances({"value": [vm]}, "list.json")
    assert (inst.instance_id, inst.scale_set, inst.name) == ("12", "web", None)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"name": "web", "sku": {}}, "not an instance list"),
        ("text", "expected a list of VMs"),
        ([1], "expected a VM object"),
        ([{"latestModelApplied": True}], "neither an instanceId nor a name"),
        ([{"instanceId": "1", "latestModelApplied": "maybe"}], "'latestModelApplied' must be true or false"),
        ([{"instanceId": "1"}, {"instanceId": "1"}], "listed twice"),
        ([{"instanceId": "1", "timeCreated": "yesterday"}], "'timeCreated' is not a date"),
        ([{"instanceId": "1", "timeCreated": 5}], "'timeCreated' must be a date string"),
    ],
)
def test_bad_lists_are_input_errors(value: Any, message: str) -> None:
    with pytest.raises(InputError) as err:
        parse_instances(value, "bad.json")
    assert message in str(err.value)
    assert str(err.value).startswith("bad.json")


def test_bad_file_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from vmss_lint.cli import main

    bad = tmp_path / "instances.json"
    bad.write_text(json.dumps({"value": [{"instanceId": "1", "latestModelApplied": "maybe"}]}))
    model = str(FIXTURES / "models" / "web-rest.json")
    rc = main(["check", model, model, "--instances", str(bad)])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.count("\n") == 1 and "latestModelApplied" in err and "Traceback" not in err
    rc = main(["check", model, model, "--instances", str(tmp_path / "missing.json")])
    assert rc == 2 and "instances file does not exist" in capsys.readouterr().err


def _vm(iid: str, zone: str | None, created: str | None = None, **flags: bool) -> Instance:
    return Instance(instance_id=iid, name=f"web_{iid}", zone=zone, created=created, **flags)


def test_default_scale_in_balances_zones_then_takes_the_highest_id() -> None:
    vms = [_vm("0", "1"), _vm("1", "1"), _vm("2", "1"), _vm("3", "2"), _vm("9", "2"), _vm("10", "3")]
    order = [i.instance_id for i in scale_in_candidates(vms, 4, "Default")]
    # zone 1 has the most VMs: its highest id (2) goes first; zones 1 and 2 then tie at two: highest id 9;
    # zone 1 is again the biggest (0, 1): 1; then every zone has one VM left: the highest id overall, 10.
    assert order == ["2", "9", "1", "10"]


def test_regional_vms_go_first_after_a_zone_expansion() -> None:
    vms = [_vm("0", None), _vm("1", "1"), _vm("2", "1"), _vm("3", None)]
    assert [i.instance_id for i in scale_in_candidates(vms, 3, "Default")] == ["3", "0", "2"]


def test_newest_and_oldest_vm_use_creation_time_then_id() -> None:
    vms = [
        _vm("5", None, "2026-01-01T00:00:00+00:00"),
        _vm("6", None, "2025-01-01T00:00:00+00:00"),
        _vm("7", None, "2027-01-01T00:00:00+00:00"),
        _vm("8", None, None),
    ]
    assert [i.instance_id for i in scale_in_candidates(vms, 2, "NewestVM")] == ["7", "5"]
    assert [i.instance_id for i in scale_in_candidates(vms, 2, "OldestVM")] == ["6", "5"]


def test_protected_vms_are_never_chosen() -> None:
    vms = [
        _vm("0", None),
        _vm("1", None, protect_from_scale_in=True),
        _vm("2", None, protect_from_scale_set_actions=True),
    ]
    assert [i.instance_id for i in scale_in_candidates(vms, 3, "Default")] == ["0"]


def test_ids_sort_numerically() -> None:
    assert sort_ids(["10", "2", "web_b", "1", "web_a"]) == ["1", "2", "10", "web_a", "web_b"]
