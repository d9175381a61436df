"""Cross-property rules blame only the change that breaks a constraint, never the state it started from.

Plus the pure helpers the image rules decide with (generation from a SKU name).
"""

from __future__ import annotations

from typing import Any

import pytest

from vmss_lint.core import apiversion
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.engine.packs import load_rules
from vmss_lint.engine.run import run
from vmss_lint.rules.hooks.image import generation_change

RULES = {r.spec.id: r for r in load_rules()}
MODE = "/properties/upgradePolicy/mode"
HEALTH = {
    "name": "health",
    "properties": {"publisher": "Microsoft.ManagedServices", "type": "ApplicationHealthLinux"},
}


def _fired(
    rule_id: str, current: dict[str, Any], proposed: dict[str, Any], removed: frozenset[str] = frozenset()
) -> bool:
    findings = run(
        [RULES[rule_id]],
        ScaleSetModel(doc=current, source="current", shape="rest"),
        ScaleSetModel(doc=proposed, source="proposed", shape="rest", removed=removed),
        apiversion.choose(None, None),
    )
    return any(f.rule == rule_id for f in findings)


def _rolling(extensions: list[dict[str, Any]] | None = None, mode: str = "Rolling") -> dict[str, Any]:
    vmp: dict[str, Any] = {"extensionProfile": {"extensions": extensions}} if extensions is not None else {}
    return {"properties": {"upgradePolicy": {"mode": mode}, "virtualMachineProfile": vmp}}


def test_pre_existing_violation_is_not_the_changes_fault() -> None:
    # A Rolling set that (somehow) has no health signal today: a tag edit must not be blocked.
    current = _rolling()
    assert not _fired("VMSS601", current, {"tags": {"env": "prod"}})


def test_removing_the_last_health_signal_fires() -> None:
    assert _fired("VMSS601", _rolling([HEALTH]), _rolling([]))


def test_removed_parent_removes_the_probe() -> None:
    probe = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb/probes/p"
    current = _rolling()
    current["properties"]["virtualMachineProfile"]["networkProfile"] = {"healthProbe": {"id": probe}}
    removed = frozenset({"/properties/virtualMachineProfile/networkProfile/healthProbe"})
    assert _fired("VMSS601", current, {}, removed)


def test_unresolved_extension_counts_as_health() -> None:
    class Unknown:  # what the template evaluator leaves for a value it cannot resolve
        reason = "parameter 'ext' has no value"

    proposed = _rolling([{"name": "health", "properties": {"publisher": Unknown(), "type": Unknown()}}])
    assert not _fired("VMSS601", _rolling(mode="Manual"), proposed)


def test_flexible_needs_the_extension_not_a_probe() -> None:
    probe = {"healthProbe": {"id": "/subscriptions/s/resourceGroups/rg/providers/x/probes/p"}}
    current = {"properties": {"orchestrationMode": "Flexible", "upgradePolicy": {"mode": "Manual"}}}
    current["properties"]["virtualMachineProfile"] = {"networkProfile": probe}
    assert _fired("VMSS601", current, {"properties": {"upgradePolicy": {"mode": "Rolling"}}})


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("22_04-lts", "22_04-lts-gen2", (1, 2)),
        ("2022-datacenter-g2", "2022-datacenter", (2, 1)),
        ("server-gen1", "server", (1, 2)),  # Ubuntu 24.04: the unmarked twin of a -gen1 SKU is Gen2
        ("20_04-lts-gen2", "22_04-lts-gen2", None),
        ("19_10-gen1", "20_04-lts-gen2", (1, 2)),
        ("7-LVM", "7lvm-gen2", None),
        ("18.04-LTS", "18_04-lts-gen2", (1, 2)),  # UbuntuServer: the Gen2 twin writes '_' for '.'
        ("2019-Datacenter", "2019-datacenter-gensecond", (1, 2)),
        ("2022-datacenter-azure-edition", "2022-datacenter-azure-edition-core", None),  # no marker: no claim
        ("16.04-LTS", "18_04-lts-gen2", None),  # another release: the generation of 16.04-LTS is not said
    ],
)
def test_generation_change(old: str, new: str, expected: tuple[int, int] | None) -> None:
    assert generation_change(old, new) == expected
