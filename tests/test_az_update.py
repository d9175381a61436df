"""Planned `az vmss update` commands: Microsoft's documented commands, azure-cli's typing rules, and refusals."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from vmss_lint.core.errors import InputError, LimitExceeded
from vmss_lint.inputs.edits import az_update
from vmss_lint.inputs.edits.az_command import parse_az_update
from vmss_lint.inputs.edits.az_update import (
    AzUpdateCommand,
    EditTrace,
    apply_az_update,
    check_target,
    emulate,
    trace_pointer,
)

SRC = "--az-update #1"
IPC = "virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0].ipConfigurations[0]"
IPC_PTR = "/virtualMachineProfile/networkProfile/networkInterfaceConfigurations/0/ipConfigurations/0"


def vmss() -> dict[str, Any]:
    """A scale set in the flattened shape `az vmss show` prints (SDK casing, no `properties` envelopes)."""
    return {
        "name": "myScaleSet",
        "resourceGroup": "myResourceGroup",
        "location": "westeurope",
        "sku": {"name": "Standard_DS1_v2", "tier": "Standard", "capacity": 2},
        "tags": {"Env": "prod", "a/b": "x"},
        "upgradePolicy": {"mode": "Manual", "rollingUpgradePolicy": None},
        "platformFaultDomainCount": 1,
        "virtualMachineProfile": {
            "storageProfile": {
                "imageReference": {
                    "publisher": "Canonical",
                    "offer": "UbuntuServer",
                    "version": "16.04.201712040",
                }
            },
            "securityProfile": {"securityType": "TrustedLaunch", "encryptionAtHost": True},
            "networkProfile": {
                "networkInterfaceConfigurations": [
                    {
                        "name": "nic1",
                        "primary": True,
                        "enableIpForwarding": False,
                        "ipConfigurations": [
                            {
                                "name": "ipc1",
                                "subnet": {"id": "/subscriptions/s/resourceGroups/rg/.../subnets/default"},
                                "loadBalancerBackendAddressPools": [{"id": "/lb/backendAddressPools/be"}],
                                "loadBalancerInboundNatPools": [{"id": "/lb/inboundNatPools/nat"}],
                            }
                        ],
                    },
                    {"name": "nic2", "primary": False, "ipConfigurations": []},
                    {"name": "nic2", "primary": False, "ipConfigurations": []},
                ]
            },
        },
    }


def run(*commands: str, doc: dict[str, Any] | None = None) -> tuple[dict[str, Any], list[EditTrace]]:
    doc = vmss() if doc is None else doc
    traces: list[EditTrace] = []
    for command in commands:
        doc, new = apply_az_update(doc, parse_az_update(command), SRC)
        traces += new
    return doc, traces


def get(doc: Any, pointer: str) -> Any:
    for part in pointer.split("/")[1:]:
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


# Microsoft docs, verbatim (tutorial-modify-scale-sets-cli.md and the app-gateway swap)
RG = "az vmss update --resource-group myResourceGroup --name myScaleSet"
APPGW = (
    "/subscriptions/{subscriptionId}/resourceGroups/myResourceGroup/providers/Microsoft.Network/"
    "applicationGateways/{applicationGatewayName}/backendAddressPools/{applicationGatewayBackendPoolName}"
)
DOCS_IMAGE = f"{RG} --set virtualMachineProfile.storageProfile.imageReference.version=16.04.201801090"
DOCS_SWAP = (
    f"{RG} --remove {IPC}.loadBalancerBackendAddressPools 0",
    f"{RG} --remove {IPC}.loadBalancerInboundNatPools 0",
    f'{RG} --add {IPC}.ApplicationGatewayBackendAddressPools \'{{"id": "{APPGW}"}}\'',
)


def test_docs_image_version() -> None:
    cmd = parse_az_update(DOCS_IMAGE)
    assert (cmd.resource_group, cmd.name, cmd.subscription) == ("myResourceGroup", "myScaleSet", None)
    doc, traces = run(DOCS_IMAGE)
    assert doc["virtualMachineProfile"]["storageProfile"]["imageReference"]["version"] == "16.04.201801090"
    assert [t.label for t in traces] == [
        "--set #1 virtualMachineProfile.storageProfile.imageReference.version"
    ]
    assert trace_pointer(traces[0]) == "/virtualMachineProfile/storageProfile/imageReference/version"


def test_docs_load_balancer_to_application_gateway() -> None:
    doc, traces = run(*DOCS_SWAP[:2])
    ipc = get(doc, IPC_PTR)
    assert ipc["loadBalancerBackendAddressPools"] == []
    assert ipc["loadBalancerInboundNatPools"] == []
    assert [t.op for t in traces] == ["remove", "remove"]
    assert trace_pointer(traces[0]) == f"{IPC_PTR}/loadBalancerBackendAddressPools"
    assert trace_pointer(traces[0], removed=True) == f"{IPC_PTR}/loadBalancerBackendAddressPools/0"
    # The tutorial's third command was written for SDK-era azure-cli. 2.91 indexes the show dict exactly,
    # so the PascalCase (and absent) list is not found: azure-cli refuses it, and so does vmss-lint.
    with pytest.raises(InputError, match="Couldn't find 'ApplicationGatewayBackendAddressPools'"):
        run(DOCS_SWAP[2])
    # What works with 2.91: set the absent list whole.
    doc, traces = run(f'{RG} --set \'{IPC}.applicationGatewayBackendAddressPools=[{{"id": "{APPGW}"}}]\'')
    assert get(doc, IPC_PTR)["applicationGatewayBackendAddressPools"] == [{"id": APPGW}]
    assert trace_pointer(traces[0]) == f"{IPC_PTR}/applicationGatewayBackendAddressPools"


@pytest.mark.parametrize(
    ("sets", "pointer", "expected"),
    [
        # bash removes the double quotes of an unquoted word: azure-cli receives zones=[1,2,3]
        ('zones=["1","2","3"]', "/zones", [1, 2, 3]),
        ('\'zones=["1","2","3"]\'', "/zones", ["1", "2", "3"]),
        ("platformFaultDomainCount=5", "/platformFaultDomainCount", 5),
        ("upgradePolicy.mode=Rolling", "/upgradePolicy/mode", "Rolling"),
        ("upgradePolicy.MODE=Automatic", "/upgradePolicy/MODE", "Automatic"),  # a new key, as typed
        ("x=01", "/x", "01"),
        ("x=1", "/x", 1),
        ("x=-1.5", "/x", -1.5),
        ("x=true", "/x", True),
        ("x=True", "/x", True),
        ("x=null", "/x", None),
        ("x=None", "/x", None),
        ("x=latest", "/x", "latest"),
        ("x=", "/x", ""),
        ("x=NaN", "/x", "NaN"),
        ("x=(1,2)", "/x", [1, 2]),
        ("'x={\"a\": 1}'", "/x", {"a": 1}),
        ("\"x={'a': True}\"", "/x", {"a": True}),
        ("'x=a=b'", "/x", "a=b"),
        ("x=1 --force-string", "/x", "1"),
        ("x=true --force-string", "/x", "true"),
        ("tags.env=dev", "/tags/env", "dev"),  # free-form map: exact keys, Env stays
        (
            "upgradePolicy.rollingUpgradePolicy.maxSurge=true",
            "/upgradePolicy/rollingUpgradePolicy/maxSurge",
            True,
        ),
        (
            "virtualMachineProfile.licenseType=Windows_Server",
            "/virtualMachineProfile/licenseType",
            "Windows_Server",
        ),
        ("newThing=1", "/newThing", 1),
        (
            '\'virtualMachineProfile.diagnosticsProfile={"bootDiagnostics": {"enabled": true}}\'',
            "/virtualMachineProfile/diagnosticsProfile",
            {"bootDiagnostics": {"enabled": True}},
        ),
        (
            "virtualMachineProfile.networkProfile.networkInterfaceConfigurations[name=nic1].primary=false",
            "/virtualMachineProfile/networkProfile/networkInterfaceConfigurations/0/primary",
            False,
        ),
        (
            "virtualMachineProfile.networkProfile.networkInterfaceConfigurations[primary=true].name=n",
            "/virtualMachineProfile/networkProfile/networkInterfaceConfigurations/0/name",
            "n",
        ),
        (
            "virtualMachineProfile.networkProfile.networkInterfaceConfigurations[-3].ipConfigurations[0].name=x",
            "/virtualMachineProfile/networkProfile/networkInterfaceConfigurations/0/ipConfigurations/0/name",
            "x",
        ),
        (
            f"{IPC}.loadBalancerBackendAddressPools[0]={{}}",
            f"{IPC_PTR}/loadBalancerBackendAddressPools/0",
            {},
        ),
    ],
)
def test_set_values_and_paths(sets: str, pointer: str, expected: Any) -> None:
    doc, traces = run(f"az vmss update -g rg -n ss --set {sets}")
    assert get(doc, pointer) == expected
    assert trace_pointer(traces[-1]) == pointer
    assert traces[-1].op == "set"


def test_free_form_keys_are_exact_and_pointers_escape() -> None:
    doc, traces = run("az vmss update -n ss --set tags.a/b=y")
    assert doc["tags"] == {"Env": "prod", "a/b": "y"}
    assert trace_pointer(traces[0]) == "/tags/a~1b"


def test_add_builds_dicts_from_key_value_runs() -> None:
    cmd = f"az vmss update -n ss --add {IPC}.loadBalancerBackendAddressPools id=/a name=b 7 id=/c '[1]'"
    doc, traces = run(cmd)
    assert get(doc, IPC_PTR)["loadBalancerBackendAddressPools"][1:] == [
        {"id": "/a", "name": "b"}, 7, {"id": "/c"}, [1],
    ]  # fmt: skip
    assert traces[0].path[-1] == "loadBalancerBackendAddressPools"


def test_remove_key_and_negative_index() -> None:
    doc, traces = run(
        "az vmss update -n ss --remove tags.Env --remove "
        "virtualMachineProfile.networkProfile.networkInterfaceConfigurations -1"
    )
    assert doc["tags"] == {"a/b": "x"}
    assert len(doc["virtualMachineProfile"]["networkProfile"]["networkInterfaceConfigurations"]) == 2
    assert (trace_pointer(traces[0]), trace_pointer(traces[0], removed=True)) == ("/tags", "/tags/Env")
    assert traces[1].removed_path == (
        "virtualMachineProfile",
        "networkProfile",
        "networkInterfaceConfigurations",
        2,
    )


def test_edits_keep_command_line_order_and_numbering() -> None:
    cmd = parse_az_update(
        "az vmss update -g rg -n ss --set a=1 b=2 --max-surge --add c x --set d=4 --remove e"
    )
    assert [e.label.split(" ")[:2] for e in cmd.edits] == [
        ["--set", "#1"], ["--set", "#2"], ["--max-surge", "#3"], ["--add", "#4"], ["--set", "#5"], ["--remove", "#6"],
    ]  # fmt: skip
    nic = "virtualMachineProfile.networkProfile.networkInterfaceConfigurations[name=nic1].primary"
    assert parse_az_update(f"az vmss update -n ss --set {nic}=false").edits[0].label == f"--set #1 {nic}"
    doc, _ = run("az vmss update -n ss --set x=1 --set x=2 y=3")
    assert (doc["x"], doc["y"]) == (2, 3)


def test_input_is_not_mutated() -> None:
    doc = vmss()
    before = copy.deepcopy(doc)
    run(*DOCS_SWAP[:2], DOCS_IMAGE, doc=doc)
    assert doc == before


@pytest.mark.parametrize(
    ("command", "where", "problem"),
    [
        (
            "--set virtualMachineProfile.nope.x=1",
            "--set #1 virtualMachineProfile.nope.x",
            "Couldn't find 'nope' in 'virtualMachineProfile'",
        ),
        (
            "--set virtualMachineProfile.diagnosticsProfile.bootDiagnostics.enabled=true",
            "--set #1",
            "Couldn't find 'diagnosticsProfile'",
        ),
        (
            "--set virtualMachineProfile.networkProfile.networkInterfaceConfigurations[5].name=x",
            "--set #1",
            "index 5 doesn't exist",
        ),
        (
            "--set virtualMachineProfile.networkProfile.networkInterfaceConfigurations[name=nic2].primary=true",
            "--set #1",
            "non-unique key 'name'",
        ),
        (
            "--set virtualMachineProfile.networkProfile.networkInterfaceConfigurations[name=nic9].primary=true",
            "--set #1",
            "item with value 'nic9' doesn't exist",
        ),
        ("--set sku.name.x=1", "--set #1 sku.name.x", "Couldn't find 'x' in 'sku.name'"),
        ("--set =1", "--set #1 ", "Empty key in --set"),
        ("--set 'x={1, 2}'", "--set #1 x", "literal that JSON cannot carry"),
        ("--add sku Standard", "--add #1 sku", "not a list"),
        ("--add nothing x", "--add #1 nothing", "Couldn't find 'nothing'"),
        ("--remove tags.missing", "--remove #1 tags.missing", "Couldn't find 'missing' in 'tags'"),
        ("--remove zonesX", "--remove #1 zonesX", "Couldn't find 'zonesX'"),
        ("--remove sku 0", "--remove #1 sku", "not a list"),
        (f"--remove {IPC}.loadBalancerBackendAddressPools 3", "--remove #1", "index 3 doesn't exist"),
        (f"--remove {IPC}.loadBalancerBackendAddressPools first", "--remove #1", "is not an integer"),
        (f"--remove {IPC}.loadBalancerBackendAddressPools[0]", "--remove #1", "can't delete"),
        ("--set UpgradePolicy.mode=Rolling", "--set #1", "Couldn't find 'UpgradePolicy' in ''"),
        ("--set virtualmachineprofile.licenseType=x", "--set #1", "Couldn't find 'virtualmachineprofile'"),
        ("--set a=1 --set sku[0]=x", "--set #2 sku[0]", "not a list"),
    ],
)
def test_edit_errors_name_the_edit(command: str, where: str, problem: str) -> None:
    with pytest.raises(InputError) as info:
        run(f"az vmss update -g rg -n ss {command}")
    text = str(info.value)
    assert "\n" not in text
    assert info.value.source == SRC
    assert (info.value.where or "").startswith(where)
    assert problem in info.value.problem


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("az vm update -g rg -n vm --set x=1", "expected a planned `az vmss update` command"),
        ("", "expected a planned `az vmss update` command"),
        (
            "az vmss update -n ss --imds-mode x",
            "flag --imds-mode is not supported by vmss-lint yet; express it as --set PATH=VALUE",
        ),
        ("az vmss update -n ss --instance-id 3 --set x=1", "--instance-id applies to single VM instances"),
        ("az vmss update -n ss --protect-from-scale-in true", "--protect-from-scale-in applies to single VM"),
        ("az vmss update -n ss --ids /a /b", "--ids must be exactly one scale-set resource ID"),
        (
            "az vmss update -n ss --ids /subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/virtualMachineScaleSets/x",
            "--ids must be exactly one",
        ),
        ("az vmss update -n $NAME --set x=1", "shell expansion"),
        ("az vmss update -n ss --set x=`date`", "shell expansion"),
        ("az vmss update -n ss --set x=1 | jq .", "one `az vmss update` command per string"),
        ("az vmss update -n ss --set x=1\naz vmss update -n ss --set y=1", "one `az vmss update` command"),
        ("az vmss update -n ss --set 'x=1", "can't split the command as bash would"),
        ("az vmss update -n ss stray", "unexpected argument 'stray'"),
        ("az vmss update -n ss --set", "--set expects at least one value"),
        ("az vmss update -n ss --remove a 0 1", "--remove takes PATH [INDEX]"),
        ("az vmss update -n ss -n other", "-n is given twice with different values"),
        ("az vmss update -n ss --max-surge maybe", "--max-surge: expected true or false"),
        ("az vmss update -n ss --priority Cheap", "'Cheap' is not one of Regular, Low, Spot"),
        ("az vmss update -n ss --max-batch-instance-percent ten", "expected a number"),
        ("az vmss update -n ss --ppg myPpg", "expected a full resource ID"),
        ("az vmss update -n ss --enable-terminate-notification", "please set --terminate-notification-time"),
        (
            "az vmss update -n ss --enable-terminate-notification false --terminate-notification-time 5",
            "please enable --enable-terminate-notification",
        ),
        (
            "az vmss update -n ss --enable-automatic-repairs false --automatic-repairs-action Restart",
            "please enable --enable-automatic-repairs",
        ),
        (
            "az vmss update -n ss --enable-automatic-repairs true",
            "please set --automatic-repairs-grace-period or",
        ),
        ("az vmss update -n ss --automatic-repairs-grace-period 1h", "expected whole minutes"),
        ("az vmss update -n ss --vm-sku a --vm-sku b", "--vm-sku is given twice"),
    ],
)
def test_command_errors(command: str, problem: str) -> None:
    with pytest.raises(InputError) as info:
        parse_az_update(command, source=SRC)
    assert problem in str(info.value)
    assert "\n" not in str(info.value)


def test_oversized_command_is_a_limit() -> None:
    with pytest.raises(LimitExceeded):
        parse_az_update("az vmss update -n ss --set x=" + "1" * az_update.MAX_COMMAND_CHARS)


def test_shell_forms_prompt_continuation_comment_ids_and_harmless_flags() -> None:
    cmd = parse_az_update(
        "$ az vmss update \\\n  --ids /subscriptions/sub1/resourceGroups/RG1/providers/Microsoft.Compute/"
        "virtualMachineScaleSets/ss1 \\\n  --set 'a=x y' --no-wait -o json --query id  # later: --set b=2\n"
    )
    assert (cmd.subscription, cmd.resource_group, cmd.name) == ("sub1", "RG1", "ss1")
    assert cmd.accepted == ("--no-wait", "-o json", "--query id")
    assert [e.args for e in cmd.edits] == [("a=x y",)]
    assert parse_az_update("az vmss update --name=ss --set=x=1").edits[0].args == ("x=1",)


@pytest.mark.parametrize(
    ("flags", "pointer", "expected"),
    [
        ("--license-type Windows_Server", "/virtualMachineProfile/licenseType", "Windows_Server"),
        ("--priority spot", "/virtualMachineProfile/priority", "Spot"),
        ("--max-price -1", "/virtualMachineProfile/billingProfile/maxPrice", -1.0),
        ("--vm-sku Standard_D4s_v5", "/sku/name", "Standard_D4s_v5"),
        ("--zones 1 2", "/zones", ["1", "2"]),
        ("--scale-in-policy newestvm Default", "/scaleInPolicy/rules", ["NewestVM", "Default"]),
        ("--force-deletion", "/scaleInPolicy/forceDeletion", True),
        ("--upgrade-policy-mode rolling", "/upgradePolicy/mode", "Rolling"),
        ("--max-surge", "/upgradePolicy/rollingUpgradePolicy/maxSurge", True),
        ("--max-surge false", "/upgradePolicy/rollingUpgradePolicy/maxSurge", False),
        (
            "--max-unhealthy-instance-percent 30",
            "/upgradePolicy/rollingUpgradePolicy/maxUnhealthyInstancePercent",
            30,
        ),
        (
            "--pause-time-between-batches PT5S",
            "/upgradePolicy/rollingUpgradePolicy/pauseTimeBetweenBatches",
            "PT5S",
        ),
        (
            "--enable-cross-zone-upgrade=true",
            "/upgradePolicy/rollingUpgradePolicy/enableCrossZoneUpgrade",
            True,
        ),
        ("--automatic-repairs-grace-period 30", "/automaticRepairsPolicy/gracePeriod", "PT30M"),
        (
            "--enable-automatic-repairs --automatic-repairs-action reimage",
            "/automaticRepairsPolicy",
            {"enabled": True, "repairAction": "Reimage"},
        ),
        (
            "--ppg /subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/proximityPlacementGroups/p",
            "/proximityPlacementGroup",
            {
                "id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/proximityPlacementGroups/p"
            },
        ),
        (
            "--terminate-notification-time 10",
            "/virtualMachineProfile/scheduledEventsProfile/terminateNotificationProfile",
            {"notBeforeTimeout": "PT10M"},
        ),
        (
            "--enable-terminate-notification true --terminate-notification-time 5",
            "/virtualMachineProfile/scheduledEventsProfile/terminateNotificationProfile",
            {"enable": True, "notBeforeTimeout": "PT5M"},
        ),
        ("--user-data hello", "/virtualMachineProfile/userData", "aGVsbG8="),
        ("--ultra-ssd-enabled", "/additionalCapabilities/ultraSSDEnabled", True),
        # update_vmss replaces securityProfile: TrustedLaunch already set, so only uefiSettings survives
        (
            "--enable-secure-boot",
            "/virtualMachineProfile/securityProfile",
            {"uefiSettings": {"secureBootEnabled": True}},
        ),
        (
            "--security-type Standard",
            "/virtualMachineProfile/securityProfile",
            {"securityType": "Standard"},  # uefiSettings: None is not nullable in the AAZ schema: not sent
        ),
    ],
)
def test_custom_arguments(flags: str, pointer: str, expected: Any) -> None:
    result = emulate(vmss(), parse_az_update(f"az vmss update -g rg -n ss {flags}"), SRC)
    assert get(result.body, rest(pointer)) == expected
    traces = result.traces
    assert any(pointer.startswith(trace_pointer(t)) or trace_pointer(t).startswith(pointer) for t in traces)
    assert traces[0].label.startswith(flags.split()[0].split("=")[0])


def rest(pointer: str) -> str:
    """A pointer into the flattened show dict as the same place in the PUT body."""
    top = pointer.split("/")[1]
    return (
        pointer
        if top in ("sku", "zones", "tags", "location", "identity", "plan")
        else "/properties" + pointer
    )


def test_security_type_trusted_launch_from_standard_gets_defaults() -> None:
    doc = vmss()
    doc["virtualMachineProfile"]["securityProfile"] = None
    cmd = parse_az_update("az vmss update -n ss --enable-secure-boot --security-type TrustedLaunch")
    result = emulate(doc, cmd, SRC)
    assert result.body["properties"]["virtualMachineProfile"]["securityProfile"] == {
        "securityType": "TrustedLaunch", "uefiSettings": {"secureBootEnabled": True, "vTpmEnabled": True},
    }  # fmt: skip
    assert (
        result.traces[0].label
        == "--enable-secure-boot/--security-type #1 virtualMachineProfile.securityProfile"
    )


def test_custom_arguments_apply_after_generic_edits() -> None:
    """update_vmss is the generic update's setter, so it wins over a --set of the same property."""
    result = emulate(vmss(), parse_az_update("az vmss update -n ss --vm-sku B --set sku.name=A"), SRC)
    assert result.body["sku"]["name"] == "B"
    assert [t.label for t in result.traces] == ["--set #2 sku.name", "--vm-sku #1 sku.name"]
    assert [e.label for e, _ in result.no_effect] == ["--set #2 sku.name"]


def test_check_target() -> None:
    cmd = parse_az_update(DOCS_IMAGE)
    assert check_target(cmd, "MYRESOURCEGROUP", "myscaleset") is None
    assert check_target(cmd, None, None) is None
    assert check_target(cmd, "myResourceGroup", "other") == (
        "the az command targets another scale set: name 'myScaleSet' (the current model's is 'other')"
    )
    both = check_target(cmd, "rg2", "other") or ""
    assert "resource group 'myResourceGroup' (the current model's is 'rg2')" in both
    assert "name 'myScaleSet' (the current model's is 'other')" in both, "every differing part is named"
    by_id = parse_az_update(
        "az vmss update --ids /subscriptions/aaaa/resourceGroups/rg/providers/Microsoft.Compute/"
        "virtualMachineScaleSets/ss --set x=1"
    )
    assert "subscription 'aaaa' (the current model's is 'bbbb')" in (
        check_target(by_id, "rg", "ss", "bbbb") or ""
    )
    bare = parse_az_update("az vmss update --set x=1")
    assert isinstance(bare, AzUpdateCommand) and check_target(bare, "rg", "ss") is None
