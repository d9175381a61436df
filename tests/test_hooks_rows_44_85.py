"""The transition logic of the catalog-row 44-85 hooks, on cases the fixture bases cannot reach.

Fixture cases (fixtures/cases/VMSS1xx-5xx) cover each rule once firing and once silent; these tests pin
the branches in between: the instance list in the scale-in message, Flexible and removal paths, whole-list
additions, and that secrets never reach a message.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conftest import FIXTURES

from vmss_lint.core import apiversion
from vmss_lint.core.findings import Finding
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.engine.packs import load_rules
from vmss_lint.engine.run import run
from vmss_lint.inputs.instances import load_instances

RULES = {r.spec.id: r for r in load_rules()}
VMP = "/properties/virtualMachineProfile"
CRG_A = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/capacityReservationGroups/crg-a"


def lint(
    current: dict[str, Any],
    proposed: dict[str, Any],
    *ids: str,
    removed: frozenset[str] = frozenset(),
    instances: list[dict[str, Any]] | None = None,
) -> list[Finding]:
    return run(
        [RULES[i] for i in ids],
        ScaleSetModel(doc=current, source="current", shape="rest"),
        ScaleSetModel(doc=proposed, source="proposed", shape="rest", removed=removed),
        apiversion.choose(None, None),
        instances=instances,
    )


def vmp(profile: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"properties": {"virtualMachineProfile": profile, **props}}


def test_scale_in_names_protected_and_likely_deleted_instances() -> None:
    instances = load_instances(FIXTURES / "instances" / "web-rest.json")
    base = {
        "zones": ["1", "2", "3"],
        "sku": {"capacity": 6},
        "properties": {"scaleInPolicy": {"rules": ["Default"]}},
    }
    proposed = copy.deepcopy(base)
    proposed["sku"]["capacity"] = 4
    (finding,) = lint(base, proposed, "VMSS358", instances=instances)
    assert "deletes 2 VMs" in finding.message
    assert "protected and skipped: 1, 4" in finding.message
    assert "most likely deleted:" in finding.message
    deleted = finding.message.split("most likely deleted: ", 1)[1].split(";", 1)[0].split(", ")
    assert len(deleted) == 2 and not {"1", "4"} & set(deleted)


def test_scale_in_to_zero_on_flexible_with_force_deletion() -> None:
    current = {"sku": {"capacity": 3}, "properties": {"orchestrationMode": "Flexible"}}
    proposed = {
        "sku": {"capacity": 0},
        "properties": {
            "orchestrationMode": "Flexible",
            "scaleInPolicy": {"rules": ["OldestVM"], "forceDeletion": True},
        },
    }
    (finding,) = lint(current, proposed, "VMSS358", "VMSS550")
    assert finding.rule == "VMSS358"
    assert "(all of them)" in finding.message and "OldestVM" in finding.message
    assert "force-deleted" in finding.message
    assert "NICs and disks" not in finding.message  # Flexible sets can keep them


def test_scale_out_under_automatic_mode_does_not_claim_a_mixed_fleet() -> None:
    current = {"sku": {"capacity": 2}, "properties": {"upgradePolicy": {"mode": "Automatic"}}}
    proposed = {"sku": {"capacity": 3}, "properties": {"upgradePolicy": {"mode": "Automatic"}}}
    (finding,) = lint(current, proposed, "VMSS550", "VMSS358")
    assert finding.rule == "VMSS550" and "mixed" not in finding.message


def test_capacity_reservation_removed_or_changed_needs_deallocation() -> None:
    current = vmp({"capacityReservation": {"capacityReservationGroup": {"id": CRG_A}}})
    removed = lint(
        current,
        vmp({}),
        "VMSS357",
        "VMSS469",
        removed=frozenset({f"{VMP}/capacityReservation"}),
    )
    assert [f.rule for f in removed] == ["VMSS357"]
    assert "removed while the VMs are deallocated" in removed[0].message
    changed = lint(
        current,
        vmp({"capacityReservation": {"capacityReservationGroup": {"id": CRG_A[:-1] + "b"}}}),
        "VMSS357",
    )
    assert "crg-a -> crg-b" in changed[0].message


def test_capacity_reservation_during_zone_expansion_is_left_to_the_cross_rules() -> None:
    proposed = vmp({"capacityReservation": {"capacityReservationGroup": {"id": CRG_A}}})
    proposed["zones"] = ["1", "2"]
    assert lint({"zones": ["1"]}, proposed, "VMSS357", "VMSS469") == []


def test_security_type_on_flexible_names_the_caveat_once() -> None:
    current = vmp({"securityProfile": {"securityType": "Standard"}}, orchestrationMode="Flexible")
    proposed = vmp(
        {"securityProfile": {"securityType": "TrustedLaunch", "uefiSettings": {"vTpmEnabled": True}}},
        orchestrationMode="Flexible",
    )
    (finding,) = lint(current, proposed, "VMSS254")
    assert finding.pointer.endswith("/securityType")
    # Trusted Launch upgrade: GA on Uniform, preview on Flexible (trusted-launch-existing-vmss.md, 06/2025)
    assert "Flexible" in finding.message and "preview" in finding.message
    assert finding.impact == "reimage"


def test_removing_the_health_extension_says_what_depends_on_it() -> None:
    health = {
        "name": "health",
        "properties": {"publisher": "Microsoft.ManagedServices", "type": "ApplicationHealthWindows"},
    }
    (finding,) = lint(
        vmp({"extensionProfile": {"extensions": [health]}}),
        vmp({"extensionProfile": {"extensions": []}}),
        "VMSS455",
    )
    assert "Application Health extension" in finding.message


def test_whole_data_disk_list_added_reports_each_disk() -> None:
    disks = [{"lun": 0, "diskSizeGB": 32}, {"lun": 3, "diskSizeGB": 64}]
    found = lint(vmp({"storageProfile": {}}), vmp({"storageProfile": {"dataDisks": disks}}), "VMSS450")
    assert [f.pointer for f in found] == [
        f"{VMP}/storageProfile/dataDisks/0",
        f"{VMP}/storageProfile/dataDisks/1",
    ]
    assert "lun 3 (64 GB)" in found[1].message


def test_custom_data_messages_never_carry_the_value() -> None:
    secret = "I2Nsb3VkLWNvbmZpZwpwYXNzd29yZDogaHVudGVyMgo="
    (changed,) = lint(
        vmp({"osProfile": {"customData": "I2Nsb3VkLWNvbmZpZwo="}}),
        vmp({"osProfile": {"customData": secret}}),
        "VMSS351",
    )
    assert secret not in changed.message and secret not in str(changed.new)
    assert "32 bytes after base64 decoding" in changed.message


def test_license_type_left_out_of_a_patch_points_to_none() -> None:
    (finding,) = lint(
        vmp({"licenseType": "Windows_Server"}),
        vmp({}),
        "VMSS461",
        "VMSS252",
        removed=frozenset({f"{VMP}/licenseType"}),
    )
    assert finding.rule == "VMSS461" and "'None'" in finding.message


def test_public_ip_added_whole_is_not_a_create_time_change() -> None:
    def ipc(props: dict[str, Any]) -> dict[str, Any]:
        config = {"name": "nic", "properties": {"ipConfigurations": [{"name": "ipc", "properties": props}]}}
        return vmp({"networkProfile": {"networkInterfaceConfigurations": [config]}})

    pip = {
        "name": "pip",
        "properties": {
            "publicIPAddressVersion": "IPv4",
            "ipTags": [{"ipTagType": "RoutingPreference", "tag": "Internet"}],
        },
    }
    found = lint(ipc({}), ipc({"publicIPAddressConfiguration": pip}), "VMSS159", "VMSS459")
    assert [f.rule for f in found] == ["VMSS459"]
    assert found[0].pointer.endswith("/publicIPAddressConfiguration") and found[0].op == "add"


def _subnet(subnet_id: str) -> dict[str, Any]:
    ipc = {"name": "ipc", "properties": {"subnet": {"id": subnet_id}}}
    nic = {"name": "nic", "properties": {"ipConfigurations": [ipc]}}
    return vmp({"networkProfile": {"networkInterfaceConfigurations": [nic]}})


SUBNET_A = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-a/subnets/x"


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        # ARM ids ignore case: the same VNet written in other case, another subnet of it
        (
            "/SUBSCRIPTIONS/S1/resourcegroups/RG/providers/microsoft.network/VIRTUALNETWORKS/VNET-A/subnets/y",
            ("VMSS402", "same"),
        ),
        # another VNet: the rejection
        (
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-b/subnets/x",
            ("VMSS106", "vnet-b"),
        ),
        # no leading '/' or not an id at all: no claim about the VNet either way
        (
            "subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-b/subnets/x",
            ("VMSS402", "cannot tell"),
        ),
        ("vnet-b/x", ("VMSS402", "cannot tell")),
    ],
)
def test_subnet_ids_are_parsed_or_not_claimed(new: str, expected: tuple[str, str]) -> None:
    found = lint(_subnet(SUBNET_A), _subnet(new), "VMSS106", "VMSS402")
    assert [f.rule for f in found] == [expected[0]]
    assert expected[1] in found[0].message
