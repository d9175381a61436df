"""The rule index (engine/triggers.py): a pair tries only the rules its changes can fire, and that never
loses a finding. Every rule being tried on every pair was half of an in-process pair's time."""

from __future__ import annotations

from typing import Any

import pytest
from test_properties import _at  # a model holding one value at a pointer

from vmss_lint.compare import compare
from vmss_lint.core import apiversion
from vmss_lint.core.findings import Impact, Severity
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.core.records import record_fields
from vmss_lint.engine import helpers as h
from vmss_lint.engine.conditions import _tests, condition_pointers, presence_pointers
from vmss_lint.engine.context import RuleContext
from vmss_lint.engine.packs import load_rules
from vmss_lint.engine.run import run
from vmss_lint.engine.spec import ApiRange, Condition, Constraint, Example, LoadedRule, Match, RuleSpec
from vmss_lint.engine.triggers import RuleTriggers, triggers_for

API = apiversion.choose(None, None)
BASE: dict[str, Any] = {
    "location": "westeurope",
    "sku": {"name": "Standard_D2s_v5", "capacity": 2},
    "tags": {"owner": "a"},
    "properties": {"upgradePolicy": {"mode": "Manual"}, "overprovision": True},
}


def _rule(ident: str, **how: Any) -> LoadedRule:
    spec = RuleSpec(
        id=ident,
        name=f"test-{ident.lower()}",
        severity=Severity.WARNING,
        impact=Impact.MODEL_ONLY,
        summary="test rule",
        why="test",
        fix="test",
        references=["https://example.invalid"],
        example=Example(current={}, proposed={}),
        **how,
    )
    return LoadedRule(spec, f"test/{ident}.toml", "test")


OWNER = _rule("TEST001", match=Match(path="/tags/owner"))
# Violated when overprovisioning is on and the upgrade mode is not Rolling; reported on overprovision.
MIXED = _rule(
    "TEST002",
    constraint=[
        Constraint(
            report="/properties/overprovision",
            when=[Condition(true=["/properties/overprovision"], not_equals={h.MODE: "Rolling"})],
        )
    ],
)


def _models(proposed: dict[str, Any]) -> tuple[ScaleSetModel, ScaleSetModel]:
    current = ScaleSetModel(doc=BASE, source="current", shape="rest")
    return current, ScaleSetModel(doc=proposed, source="proposed", shape="rest")


def _tried(rules: list[LoadedRule], proposed: dict[str, Any]) -> set[str]:
    current, new = _models(proposed)
    ctx = RuleContext(current, new, compare(current, new), API)
    return {r.spec.id for r in RuleTriggers(rules).tried(ctx)}


def _fired(rules: list[LoadedRule], proposed: dict[str, Any]) -> set[str]:
    current, new = _models(proposed)
    return {f.rule for f in run(rules, current, new, API)}


def _changed(**edits: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "location": "westeurope",
        "sku": {"name": "Standard_D2s_v5", "capacity": edits.get("capacity", 2)},
        "tags": {"owner": edits.get("owner", "a")},
        "properties": {
            "upgradePolicy": {"mode": edits.get("mode", "Manual")},
            "overprovision": edits.get("overprovision", True),
        },
    }
    return doc


def test_a_rule_whose_paths_the_change_does_not_reach_is_not_tried() -> None:
    assert _tried([OWNER, MIXED], _changed(capacity=3)) == set()


def test_a_change_that_reaches_a_match_tries_and_fires_it() -> None:
    assert _tried([OWNER, MIXED], _changed(owner="b")) == {"TEST001"}
    assert _fired([OWNER, MIXED], _changed(owner="b")) == {"TEST001"}


def test_a_constraint_introduced_through_another_pointer_it_reads_still_fires() -> None:
    current = {**BASE, "properties": {"upgradePolicy": {"mode": "Rolling"}, "overprovision": True}}
    # The violation is reported on /properties/overprovision, which does not change: the mode does.
    old, new = (
        ScaleSetModel(doc=current, source="current", shape="rest"),
        ScaleSetModel(doc=_changed(mode="Manual"), source="proposed", shape="rest"),
    )
    ctx = RuleContext(old, new, compare(old, new), API)
    assert [c.pointer for c in ctx.changes] == [h.MODE]
    assert {r.spec.id for r in RuleTriggers([OWNER, MIXED]).tried(ctx)} == {"TEST002"}
    assert [f.rule for f in run([OWNER, MIXED], old, new, API)] == ["TEST002"]


def test_a_constraint_is_tried_when_a_block_above_a_pointer_it_reads_changes() -> None:
    # An explicit removal of the whole upgrade policy is one change, above the mode the constraint reads.
    proposed = {k: v for k, v in BASE.items() if k != "properties"}
    proposed["properties"] = {"overprovision": True}
    removed = frozenset({"/properties/upgradePolicy"})
    current = ScaleSetModel(
        doc={**BASE, "properties": {"upgradePolicy": {"mode": "Rolling"}, "overprovision": True}},
        source="current",
        shape="rest",
    )
    new = ScaleSetModel(doc=proposed, source="proposed", shape="rest", removed=removed)
    ctx = RuleContext(current, new, compare(current, new), API)
    assert [c.pointer for c in ctx.changes] == ["/properties/upgradePolicy"]
    assert {r.spec.id for r in RuleTriggers([MIXED]).tried(ctx)} == {"TEST002"}
    assert [f.rule for f in run([MIXED], current, new, API)] == ["TEST002"]


def test_a_constraint_the_scale_set_already_breaks_is_not_tried_on_an_unrelated_change() -> None:
    assert _tried([MIXED], _changed(capacity=5)) == set()
    assert _fired([MIXED], _changed(capacity=5)) == set()


def test_hooks_and_wildcard_globs_are_always_tried() -> None:
    hooked = _rule("TEST003", hook="vmss_lint.rules.hooks.core:vm_size_change")
    anywhere = _rule("TEST004", match=Match(path="/*/owner"))
    assert _tried([OWNER, hooked, anywhere], _changed(capacity=3)) == {"TEST003", "TEST004"}


def test_the_index_is_built_once_per_rule_set() -> None:
    rules = [OWNER, MIXED]
    assert triggers_for(rules) is triggers_for(list(rules))
    assert triggers_for(rules) is not triggers_for([OWNER])


# One value per Condition field, chosen so that `_tests` reaches every read the field makes.
_SAMPLES: dict[str, Any] = {
    "model": None,
    "orchestration": "flexible",
    "upgrade_mode": ["Rolling"],
    "os_type": "linux",
    "ephemeral_os": True,
    "health_source": True,
    "health_probe": True,
    "health_extension": True,
    "zonal": True,
    "api": ApiRange(min="2020-01-01"),
    "with_extension": ["Microsoft.Azure.Extensions"],
    "without_extension": ["Microsoft.Azure.Extensions"],
    "true": ["/properties/a"],
    "not_true": ["/properties/b"],
    "set": ["/properties/c"],
    "unset": ["/properties/d"],
    "equals": {"/properties/e": "x"},
    "not_equals": {"/properties/f": "x"},
    "contains": {"/properties/g": "x"},
    "above": {"/properties/h": 1},
    "fewer": {"/properties/i": 1},
    "more": {"/properties/j": 1},
    "items_added": ["/properties/k"],
}


def _reads(condition: Condition, doc: dict[str, Any]) -> set[str]:
    model = ScaleSetModel(doc=doc, source="x", shape="rest")
    read: set[str] = set()

    def get(pointer: str) -> Any:
        read.add(pointer)
        return model.get(pointer)

    ctx = RuleContext(model, model, [], API)
    list(_tests(condition, get, ctx))
    return read


def _covered(pointer: str, listed: set[str]) -> bool:
    return any(pointer == p or pointer.startswith(p + "/") for p in listed)


@pytest.mark.parametrize("name", [f.name for f in record_fields(Condition)])
def test_condition_pointers_lists_every_pointer_a_condition_reads(name: str) -> None:
    assert name in _SAMPLES, f"Condition.{name} is new: give it a sample here and list what it reads"
    if _SAMPLES[name] is None:
        return
    condition = Condition(**{name: _SAMPLES[name]})
    listed = condition_pointers(condition)
    extension = {"name": "e", "properties": {"publisher": "Microsoft.ManagedServices", "type": "x"}}
    windows = {
        "properties": {
            "virtualMachineProfile": {
                "storageProfile": {"osDisk": {"osType": "Windows"}},
                "extensionProfile": {"extensions": [extension]},
            }
        }
    }
    for doc in ({}, BASE, windows):
        missed = {p for p in _reads(condition, doc) if not _covered(p, listed)}
        assert not missed, f"Condition.{name} reads {sorted(missed)}, which condition_pointers leaves out"


def _verdicts(condition: Condition, doc: dict[str, Any]) -> list[bool | None]:
    model = ScaleSetModel(doc=doc, source="x", shape="rest")
    return list(_tests(condition, model.get, RuleContext(model, model, [], API)))


@pytest.mark.parametrize("name", [n for n, v in _SAMPLES.items() if v is not None])
def test_presence_pointers_lists_every_pointer_where_an_empty_container_is_not_absent(name: str) -> None:
    """Compare counts [] or {} sent for an absent value as no change; the index must not skip a
    constraint whose verdict tells them apart."""
    condition = Condition(**{name: _SAMPLES[name]})
    for pointer in condition_pointers(condition):
        for empty in ([], {}):
            if _verdicts(condition, _at(pointer, empty)) != _verdicts(condition, {}):
                assert pointer in presence_pointers(condition), (name, pointer, empty)


def test_a_constraint_introduced_by_an_empty_container_still_fires() -> None:
    sent = _rule(
        "TEST005",
        constraint=[Constraint(report="/properties/x", when=[Condition(set=["/properties/x"])])],
    )
    proposed = {**BASE, "properties": {**BASE["properties"], "x": []}}
    current, new = _models(proposed)
    assert compare(current, new) == []  # no change to compare: [] for absent
    assert _fired([sent], proposed) == {"TEST005"}


def test_every_builtin_constraint_reads_known_pointers() -> None:
    """A constraint reading no pointer could never be introduced; the index keeps such a rule always
    tried, but a built-in one would be a rule that cannot fire."""
    for rule in load_rules():
        for constraint in rule.spec.constraint or []:
            assert any(condition_pointers(c) for c in constraint.when), rule.spec.id
