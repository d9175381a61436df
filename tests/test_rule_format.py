"""The data features of the rule format, one behaviour each: several paths, conditions on either model,
value predicates, defaults, block reports, cases, constraints and message formats. Each rule is real
TOML parsed and validated like a pack's, then round-tripped through the compiled index form."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vmss_lint.core import apiversion
from vmss_lint.core.errors import InputError
from vmss_lint.core.findings import Finding
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.engine.index import rule_from_data, rule_to_data
from vmss_lint.engine.packs import parse_rule
from vmss_lint.engine.run import run
from vmss_lint.engine.spec import LoadedRule

HEAD = """
id = "TEST100"
name = "test-rule"
severity = "warning"
impact = "model-only"
summary = "Summary {old} -> {new}."
why = "Because."
fix = "Fix it."
references = ["https://example.invalid"]
"""
EXAMPLE = """
[example]
current = {}
proposed = {}
"""
VMP = "/properties/virtualMachineProfile"
OTHER = {"name": "o", "properties": {"publisher": "Acme", "type": "Agent"}}
HEALTH = {
    "name": "h",
    "properties": {"publisher": "Microsoft.ManagedServices", "type": "ApplicationHealthLinux"},
}


def rule(body: str) -> LoadedRule:
    spec = parse_rule(HEAD + body + EXAMPLE, "test.toml")
    assert rule_from_data(json.loads(json.dumps(rule_to_data(spec)))) == spec  # the index holds it exactly
    return LoadedRule(spec, "test.toml", "test")


def lint(
    body: str,
    current: dict[str, Any],
    proposed: dict[str, Any],
    api: str | None = None,
    removed: frozenset[str] = frozenset(),
) -> list[Finding]:
    return run(
        [rule(body)],
        ScaleSetModel(doc=current, source="current", shape="rest"),
        ScaleSetModel(doc=proposed, source="proposed", shape="rest", removed=removed),
        apiversion.choose(api, None),
    )


def props(**values: Any) -> dict[str, Any]:
    return {"properties": values}


def test_several_paths_and_exclude() -> None:
    body = '[match]\npaths = ["/properties/a", "/properties/b/*"]\nexclude = ["/properties/b/skip"]\n'
    found = lint(body, props(a=1, b={"x": 1, "skip": 1}), props(a=2, b={"x": 2, "skip": 2}))
    assert [f.pointer for f in found] == ["/properties/a", "/properties/b/x"]


@pytest.mark.parametrize(
    ("kind", "old", "new", "fires"),
    [
        ("grown", 10, 20, True),
        ("grown", 20, 10, False),
        ("shrunk", "20", 10, True),
        ("shrunk", "x", 10, False),
        ("added", None, "v", True),
        ("added", "u", "v", False),
        ("removed", "u", None, True),
        ("toggled", None, True, True),  # with default = false below
        ("toggled", False, "false", False),
        ("enabled", False, "True", True),
        ("enabled", True, False, False),
        ("disabled", True, None, True),
        ("changed", "Spot", "spot", False),  # ignore_case
    ],
)
def test_value_predicates(kind: str, old: Any, new: Any, fires: bool) -> None:
    default = "default = false\n" if kind in ("toggled", "enabled", "disabled") else ""
    body = f'[match]\npath = "/properties/v"\nchange = "{kind}"\nignore_case = true\n{default}'
    current = props(v=old) if old is not None else props()
    proposed = props(v=new) if new is not None else props()
    removed = frozenset({"/properties/v"}) if new is None else frozenset()
    assert bool(lint(body, current, proposed, removed=removed)) is fires


def test_default_stands_for_an_absent_value_in_filters_and_message() -> None:
    body = '[match]\npath = "/properties/priority"\ndefault = "Regular"\nignore_case = true\nchange = "changed"\n'
    (finding,) = lint(body, props(), props(priority="Spot"))
    assert finding.message == "Summary Regular -> Spot." and finding.old is None and finding.op == "add"
    assert lint(body, props(), props(priority="regular")) == []
    shown = lint(body.replace("change =", "report_default = true\nchange ="), props(), props(priority="Spot"))
    assert (shown[0].old, shown[0].op) == ("Regular", "replace")


def test_conditions_on_current_and_proposed_models() -> None:
    body = (
        '[match]\npath = "/properties/x"\n'
        '[[match.when]]\nmodel = "current"\norchestration = "flexible"\n'
        '[[match.when]]\nupgrade_mode = ["Rolling", "automatic"]\nos_type = "linux"\nephemeral_os = false\n'
    )
    linux = {"osProfile": {"linuxConfiguration": {}}}
    flex = props(
        orchestrationMode="Flexible", x=1, upgradePolicy={"mode": "rolling"}, virtualMachineProfile=linux
    )
    changed = json.loads(json.dumps(flex))
    changed["properties"]["x"] = 2
    assert len(lint(body, flex, changed)) == 1
    uniform = json.loads(json.dumps(flex))
    del uniform["properties"]["orchestrationMode"]
    changed_uniform = json.loads(json.dumps(changed))
    del changed_uniform["properties"]["orchestrationMode"]
    assert lint(body, uniform, changed_uniform) == []


def test_api_range_condition() -> None:
    body = '[match]\npath = "/properties/x"\n[[match.when]]\napi = { min = "2023-03-01" }\n'
    assert lint(body, props(x=1), props(x=2), api="2024-03-01")
    assert not lint(body, props(x=1), props(x=2), api="2022-03-01")


def test_pointer_conditions() -> None:
    body = (
        '[match]\npath = "/properties/x"\n[[match.when]]\ntrue = ["/properties/t"]\nunset = ["/properties/u"]\n'
        'equals = { "/properties/e" = ["A", "b"] }\nabove = { "/sku/capacity" = 100 }\n'
        'fewer = { "/zones" = 2 }\ncontains = { "/properties/id" = "/versions/" }\n'
    )
    base = {"sku": {"capacity": 101}, "zones": ["1"], **props(x=1, t="True", e="a", id="/g/versions/1")}
    changed = json.loads(json.dumps(base))
    changed["properties"]["x"] = 2
    assert lint(body, base, changed)
    changed["sku"]["capacity"] = 100
    assert not lint(body, base, changed)


def test_more_condition_counts_list_elements() -> None:
    body = '[match]\npath = "/properties/x"\n[[match.when]]\nmore = { "/zones" = 2 }\n'
    assert lint(body, {"zones": ["1", "2", "3"], **props(x=1)}, {"zones": ["1", "2", "3"], **props(x=2)})
    assert not lint(body, {"zones": ["1", "2"], **props(x=1)}, {"zones": ["1", "2"], **props(x=2)})
    assert not lint(body, props(x=1), props(x=2))  # absent is empty


def test_block_report_is_one_finding_per_block() -> None:
    body = '[match]\npaths = ["/plan"]\nreport = "block"\n'
    (whole,) = lint(body, {}, {"plan": {"name": "n", "product": "p"}})
    assert (whole.pointer, whole.op) == ("/plan", "add")
    (leaf,) = lint(body, {"plan": {"name": "n"}}, {"plan": {"name": "m"}})
    assert leaf.pointer == "/plan/name"


def test_cases_first_match_claims_the_change() -> None:
    body = (
        '[[cases]]\npath = "/properties/mode"\nnew = ["Rolling"]\nmessage = "to rolling"\n'
        '[[cases]]\npath = "/properties/**"\nmessage = "other {field}"\n'
    )
    found = lint(body, props(mode="Manual", y=1), props(mode="Rolling", y=2))
    assert sorted(f.message for f in found) == ["other ", "to rolling"]


def test_item_and_field_placeholders_and_formats() -> None:
    disks = "/properties/virtualMachineProfile/storageProfile/dataDisks"
    body = (
        f'[match]\npath = "{disks}/*/**"\n'
        'message = "lun {item[lun]} {item[name]:or (unnamed)}: {field} {old!s} -> {new!s}; id {new:last}"\n'
    )
    cur = {
        "properties": {"virtualMachineProfile": {"storageProfile": {"dataDisks": [{"lun": 3, "x": False}]}}}
    }
    new = json.loads(json.dumps(cur))
    new["properties"]["virtualMachineProfile"]["storageProfile"]["dataDisks"][0]["x"] = True
    (finding,) = lint(body, cur, new)
    assert finding.message == "lun 3 (unnamed): x False -> True; id True"


def test_secret_format_describes_and_never_prints() -> None:
    body = f'[match]\npath = "{VMP}/osProfile/customData"\nmessage = "customData {{old:secret}} -> {{new:secret}}"\n'
    (finding,) = lint(
        body, {}, {"properties": {"virtualMachineProfile": {"osProfile": {"customData": "c2VjcmV0"}}}}
    )
    assert finding.message.startswith("customData not set -> <secret: 6 bytes after base64 decoding>")
    assert "c2VjcmV0" not in json.dumps(finding.__dict__, default=str)


CONSTRAINT = """
[[constraint]]
report = "/properties/upgradePolicy/mode"
message = "rolling without health on {new}"
when = [{ upgrade_mode = ["rolling"], health_source = false }]
"""


def rolling(*extensions: dict[str, Any], mode: str = "Rolling", flexible: bool = False) -> dict[str, Any]:
    model: dict[str, Any] = props(upgradePolicy={"mode": mode})
    if extensions:
        model["properties"]["virtualMachineProfile"] = {"extensionProfile": {"extensions": list(extensions)}}
    if flexible:
        model["properties"]["orchestrationMode"] = "Flexible"
    return model


def test_constraint_fires_only_when_the_change_introduces_it() -> None:
    (finding,) = lint(CONSTRAINT, rolling(HEALTH, mode="Manual"), rolling(OTHER))
    assert finding.message == "rolling without health on Rolling" and finding.op is None
    assert lint(CONSTRAINT, rolling(), rolling()) == []  # already broken: not this change's fault
    assert lint(CONSTRAINT, rolling(mode="Manual"), rolling(HEALTH)) == []


def test_constraint_on_an_unresolved_health_extension_stays_silent() -> None:
    from vmss_lint.arm.expressions.api import Unknown

    unknown = {
        "name": "h",
        "properties": {
            "publisher": Unknown("a parameter", "[parameters('p')]"),
            "type": "ApplicationHealthLinux",
        },
    }
    assert lint(CONSTRAINT, rolling(mode="Manual"), rolling(unknown)) == []


def test_health_probe_is_no_health_source_on_a_flexible_set() -> None:
    probe = {"virtualMachineProfile": {"networkProfile": {"healthProbe": {"id": "/lb/probes/p"}}}}
    cur, new = rolling(mode="Manual", flexible=True), rolling(flexible=True)
    cur["properties"].update(probe)
    new["properties"].update(probe)
    assert lint(CONSTRAINT, cur, new)
    for model in (cur, new):
        del model["properties"]["orchestrationMode"]
    assert not lint(CONSTRAINT, cur, new)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("[match]\nops = ['add']\n", "needs 'path' or 'paths'"),
        ("[match]\npath = 'x'\n", "JSON pointer"),
        ("[match]\npath = '/x'\nchange = 'bigger'\n", "invalid rule"),
        ("[match]\npath = '/x'\nmessage = '{old:loud}'\n", "invalid rule"),
        ("[match]\npath = '/x'\n[[match.when]]\nsurprise = true\n", "unknown key"),
        ("[[constraint]]\nreport = '/x'\nwhen = [{ model = 'current', zonal = true }]\n", "invalid rule"),
        ("[[constraint]]\nreport = '/x'\nwhen = []\n", "invalid rule"),
        ("[match]\npath = '/x'\n[[constraint]]\nreport = '/x'\nwhen = [{ zonal = true }]\n", "exactly one"),
    ],
)
def test_format_mistakes_fail_loudly(body: str, problem: str) -> None:
    with pytest.raises(InputError) as err:
        rule(body)
    assert problem in str(err.value) or problem in repr(err.value.__dict__)


def test_list_items_added_and_removed_with_their_placeholders() -> None:
    added = '[match]\npath = "/zones"\nchange = "items-added"\nmessage = "+{added} -{removed}"\n'
    assert [f.message for f in lint(added, {"zones": ["1"]}, {"zones": ["3", "1", "2"]})] == ["+2, 3 -"]
    assert (
        lint(added, {"zones": ["1", "2"]}, {"zones": ["1", "3"]}) == []
    )  # a zone replaced is not "only added"
    removed = added.replace("items-added", "items-removed")
    assert [f.message for f in lint(removed, {"zones": ["1", "2"]}, {"zones": ["1", "3"]})] == ["+3 -2"]


def test_constraint_on_added_zones_quotes_another_property() -> None:
    body = (
        '[[constraint]]\nreport = "/zones"\nmessage = "+{added} with {proposed[/properties/fd]}"\n'
        'when = [{ items_added = ["/zones"], not_equals = { "/properties/fd" = [1, 5] } }]\n'
    )
    assert [f.message for f in lint(body, props(fd=2), {"zones": ["2", "1"]})] == ["+1, 2 with 2"]
    assert lint(body, props(fd=5), {"zones": ["1"]}) == []
    assert lint(body, {"zones": ["1"], **props(fd=2)}, {"zones": ["1"]}) == []  # nothing added
