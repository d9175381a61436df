"""No silent property (issue 13, item 5): every property path of the newest VirtualMachineScaleSet model
is classified (a rule watches it, property_classes.json lists it, or the REST model marks it read-only),
and a change to a path that is none of these is still reported, by VMSS701 at info.

The SDK tests run where azure-mgmt-compute is installed (the test extra); the runtime never imports it
(tests/test_startup.py holds that).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import REPO

from vmss_lint.core import apiversion
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.engine import properties
from vmss_lint.engine.packs import load_rules
from vmss_lint.engine.run import run

DATA = REPO / "vmss_lint" / "data"


def _globs() -> list[str]:
    return properties.pack_globs(r.spec for r in load_rules())


def _sdk() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / properties.SDK_FILE).read_text(encoding="utf-8"))
    return data


def test_the_checked_in_sdk_paths_are_current() -> None:
    pytest.importorskip("azure.mgmt.compute", reason="the generator reads the installed SDK")
    assert (DATA / properties.SDK_FILE).read_text(encoding="utf-8") == properties.render(), (
        "vmss_lint/data/sdk_properties.json is stale: run python -m vmss_lint.engine.properties"
    )


def test_the_walk_reaches_the_2024_2026_properties() -> None:
    paths = set(_sdk()["paths"])
    for path in (
        "/placement/zonePlacementPolicy",
        "/properties/resiliencyPolicy/zoneAllocationPolicy/maxZoneCount",
        "/properties/resiliencyPolicy/automaticZoneRebalancingPolicy/enabled",
        "/properties/skuProfile/vmSizes",
        "/properties/additionalCapabilities/hibernationEnabled",
        "/properties/virtualMachineProfile/securityProfile/proxyAgentSettings/enabled",
        "/properties/virtualMachineProfile/extensionProfile/extensions/*/properties/typeHandlerVersion",
    ):
        assert path in paths, path
    assert "/properties/provisioningState" in _sdk()["readonly"]


def test_every_sdk_property_is_classified() -> None:
    globs = _globs()
    lists = [*properties.listed("model_only"), *properties.listed("keys"), *properties.listed("unsourced")]
    missing = [p for p in _sdk()["paths"] if not properties.classified(p, [*globs, *lists])]
    assert not missing, (
        "properties no rule watches and vmss_lint/data/property_classes.json does not list "
        f"(add a rule, or list them with a reason): {missing}"
    )


def test_the_lists_name_only_model_paths_no_rule_watches() -> None:
    paths, globs = set(_sdk()["paths"]), _globs()
    for section in ("model_only", "keys", "unsourced"):
        for path, reason in properties.listed(section).items():
            assert path in paths, f"{section}: {path} is not a path of the SDK model"
            assert reason.strip(), f"{section}: {path} needs a reason"
            if section != "keys":
                assert not properties.classified(path, globs), f"{section}: a rule watches {path}: drop it"


def _findings(current: dict[str, Any], proposed: dict[str, Any]) -> list[Any]:
    return run(
        load_rules(),
        ScaleSetModel(doc=current, source="current", shape="rest"),
        ScaleSetModel(doc=proposed, source="proposed", shape="rest"),
        apiversion.choose(None, None),
    )


def test_an_unknown_property_is_reported_as_not_classified() -> None:
    (finding,) = _findings({"properties": {}}, {"properties": {"futureResiliencyMode": "Strict"}})
    assert (finding.rule, finding.severity.value) == ("VMSS701", "info")
    assert "not classified yet" in finding.message and "azure-mgmt-compute" in finding.message


def test_an_unsourced_property_is_reported_as_such() -> None:
    (finding,) = _findings({}, {"properties": {"externalHealthPolicy": {"enabled": True}}})
    assert finding.rule == "VMSS701" and "no source" in finding.message


def test_classified_and_read_only_changes_are_not_reported_by_vmss701() -> None:
    found = _findings(
        {"tags": {"env": "prod"}, "properties": {"provisioningState": "Updating"}},
        {"tags": {"env": "test"}, "properties": {"provisioningState": "Succeeded"}},
    )
    assert [f.rule for f in found] == ["VMSS511"]


def test_a_whole_block_of_classified_properties_is_judged_by_their_rules() -> None:
    assert properties.classified("/properties/upgradePolicy", _globs())
    assert not properties.classified("/properties/somethingNew", _globs())
    # an element glob covers adding or removing the element, not a change inside it
    assert properties.classified("/properties/virtualMachineProfile/storageProfile/dataDisks/0", _globs())


_GATE_VALUES: dict[str, tuple[Any, Any]] = {
    "scaleInPolicy": (None, {"rules": ["NewestVM"]}),
    "Trusted Launch": ("Standard", "TrustedLaunch"),
    "userData": ("b2xk", "bmV3"),
    "diskControllerType": ("SCSI", "NVMe"),
    "zone expansion": (["1"], ["1", "2"]),
    "instance mix": (None, {"allocationStrategy": "LowestPrice"}),
    "ephemeral OS disk update": (None, {"option": "Local"}),
    "automatic zone balance": (None, {"enabled": True}),
    "placement in the model": (None, {"zonePlacementPolicy": "Auto"}),
    "automatic zone placement": (
        {"zonePlacementPolicy": "Auto", "excludeZones": ["3"]},
        {"excludeZones": ["2"]},
    ),
    "zone allocation policy": (None, {"maxZoneCount": 3}),
}


def _at(pointer: str, value: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if value is None:
        return doc
    node = doc
    parts = pointer.strip("/").split("/")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return doc


@pytest.mark.parametrize("gate", apiversion.FEATURE_GATES, ids=lambda g: f"{g.minimum}-{g.feature}")
def test_each_api_version_gate_is_judged_by_its_rule(gate: apiversion.FeatureGate) -> None:
    """Below the minimum the rule refuses the change (impact recreate); from the minimum it does not."""
    import datetime

    old, new = _GATE_VALUES[gate.feature]
    before = (datetime.date.fromisoformat(gate.minimum) - datetime.timedelta(days=1)).isoformat()
    rules = load_rules()

    def refused(version: str) -> bool:
        found = run(
            rules,
            ScaleSetModel(doc=_at(gate.pointer, old), source="current", shape="rest"),
            ScaleSetModel(doc=_at(gate.pointer, new), source="proposed", shape="rest"),
            apiversion.choose(version, None),
        )
        return any(f.rule == gate.rule and f.impact.value == "recreate" for f in found)

    assert refused(before), f"{gate.feature} at {before}: {gate.rule} should refuse it"
    assert not refused(gate.minimum), f"{gate.feature} at {gate.minimum}: {gate.rule} should accept it"


def test_the_newest_documented_version_is_the_default() -> None:
    assert apiversion.choose(None, None).value == apiversion.NEWEST_DOCUMENTED == "2026-03-01"


def test_every_name_of_the_sdk_model_is_known_to_the_normalizer() -> None:
    """Inputs in az or PowerShell casing are folded onto these names; a name missing here would leave a
    newer property in the wrong case, so no rule (and no classification) would see it."""
    known = set(json.loads((DATA / "property_names.json").read_text(encoding="utf-8"))["names"])
    sdk = _sdk()
    names = {s for p in sdk["paths"] + sdk["readonly"] for s in p.strip("/").split("/") if s != "*"}
    assert sorted(names - known) == []


def test_the_reason_of_an_unsourced_property_is_in_the_message() -> None:
    (finding,) = _findings({}, {"properties": {"constrainedMaximumCapacity": True}})
    assert finding.rule == "VMSS701" and "PATCH model" in finding.message


def test_the_glob_index_answers_as_the_plain_classification() -> None:
    """The runtime index (buckets by leading segments) must agree with `classified` on every path of
    the model, on paths a level up (whole blocks) and below (inside values), and on unknown ones."""
    from vmss_lint.core.model import split_pointer

    globs = _globs()
    index = properties.GlobIndex(globs)
    paths = list(_sdk()["paths"])
    probes = {
        *paths,
        *(p.rsplit("/", 1)[0] for p in paths),
        *(p + "/x" for p in paths),
        *(p.replace("*", "3") for p in paths),
        "/properties",
        "/",
        "/properties/somethingNew/inner",
        "/zones/1",
    }
    for probe in sorted(probes):
        assert index.covers(split_pointer(probe)) == properties.classified(probe, globs), probe
