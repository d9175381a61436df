"""Rules are data: few built-in rules need Python, the hooks share one helper library, and a third-party
pack (fixtures/plugin_pack) uses the data features and the documented hook API."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, REPO

from vmss_lint.core import apiversion
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.core.records import record_fields
from vmss_lint.engine import packs
from vmss_lint.engine.run import run
from vmss_lint.engine.spec import Condition, Constraint, LoadedRule, Match, RuleSpec

HOOKS = REPO / "vmss_lint" / "rules" / "hooks"
PACK = FIXTURES / "plugin_pack" / "vmss_lint_extra_rules"
MAX_HOOK_SHARE = 0.25


def test_at_most_a_quarter_of_the_builtin_rules_use_a_hook() -> None:
    rules = [r for r in packs.load_rules() if r.pack == "vmss"]
    hooked = sorted(r.spec.id for r in rules if r.spec.hook is not None)
    share = len(hooked) / len(rules)
    assert share <= MAX_HOOK_SHARE, (
        f"{len(hooked)} of {len(rules)} built-in rules ({share:.0%}) use a Python hook; at most "
        f"{MAX_HOOK_SHARE:.0%} may (say it in TOML, see docs/writing-rules.md): {', '.join(hooked)}"
    )


_HELPERS = {"truthy", "falsy", "lower", "has_health_extension", "zones_added", "added_zones", "list_items"}


@pytest.mark.parametrize("module", sorted(HOOKS.glob("*.py")), ids=lambda p: p.name)
def test_hook_modules_use_the_one_helper_library(module: Path) -> None:
    """A second definition of a shared predicate is how VMSS260 and VMSS601 came to disagree."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    assert not defined & _HELPERS, f"{module.name} redefines {sorted(defined & _HELPERS)}"
    relative = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level > 0]
    assert not relative, f"{module.name}: import helpers from vmss_lint.engine.helpers"


def _lint(rule: LoadedRule, current: dict[str, Any], proposed: dict[str, Any]) -> list[str]:
    found = run(
        [rule],
        ScaleSetModel(doc=current, source="current", shape="rest"),
        ScaleSetModel(doc=proposed, source="proposed", shape="rest"),
        apiversion.choose(None, None),
    )
    return [f.rule for f in found]


@pytest.fixture
def pack(monkeypatch: pytest.MonkeyPatch) -> list[LoadedRule]:
    """The third-party pack as the registry loads an installed one (its hook imported by module name)."""
    monkeypatch.syspath_prepend(str(PACK.parent))
    return packs._load_folder(PACK, "extra", "vmss_lint_extra_rules")


def test_plugin_pack_uses_data_features_and_a_hook(pack: list[LoadedRule]) -> None:
    by_id = {r.spec.id: r.spec for r in pack}
    assert by_id["ACME002"].cases and by_id["ACME003"].constraint
    assert by_id["ACME004"].hook == "vmss_lint_extra_rules.hooks:unapproved_extension_added"


@pytest.mark.parametrize("rule_id", ["ACME001", "ACME002", "ACME003", "ACME004"])
def test_plugin_pack_examples_fire_and_fixed_forms_are_silent(pack: list[LoadedRule], rule_id: str) -> None:
    (rule,) = [r for r in pack if r.spec.id == rule_id]
    example = rule.spec.example
    assert example is not None
    assert _lint(rule, example.current, example.proposed) == [rule_id]
    if example.fixed is not None:
        assert _lint(rule, example.current, example.fixed) == []


def test_plugin_pack_constraint_blames_only_the_change_that_introduces_it(pack: list[LoadedRule]) -> None:
    (rule,) = [r for r in pack if r.spec.id == "ACME003"]
    assert rule.spec.example is not None
    already_broken = rule.spec.example.proposed
    assert _lint(rule, already_broken, already_broken | {"tags": {"x": "y"}}) == []


def _fields(cls: type[Any]) -> list[str]:
    return [f.name for f in record_fields(cls)]


@pytest.mark.parametrize("cls", [RuleSpec, Match, Condition, Constraint], ids=lambda c: c.__name__)
def test_writing_rules_documents_every_field(cls: type[Any]) -> None:
    text = (REPO / "docs" / "writing-rules.md").read_text(encoding="utf-8")
    missing = [name for name in _fields(cls) if f"`{name}`" not in text]
    assert not missing, f"docs/writing-rules.md does not document {cls.__name__} fields {missing}"


def test_writing_rules_documents_the_whole_hook_api() -> None:
    from vmss_lint.engine import helpers

    text = (REPO / "docs" / "writing-rules.md").read_text(encoding="utf-8")
    assert [name for name in helpers.__all__ if name not in text] == []


def _patch_mode_change(extension: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    current = {"properties": {"virtualMachineProfile": {"extensionProfile": {"extensions": [extension]}}}}
    proposed = {
        "properties": {
            "virtualMachineProfile": {
                "extensionProfile": {"extensions": [extension]},
                "osProfile": {"linuxConfiguration": {"patchSettings": {"patchMode": "AutomaticByPlatform"}}},
            }
        }
    }
    return current, proposed


def test_automatic_by_platform_counts_the_health_extension_as_the_rolling_rule_does() -> None:
    """VMSS260 and VMSS601 now share one definition: publisher and type, unresolved counts as present."""
    from vmss_lint.arm.expressions.api import Unknown

    rule = {r.spec.id: r for r in packs.load_rules()}["VMSS260"]
    impostor = {"name": "h", "properties": {"publisher": "Example.Other", "type": "ApplicationHealthLinux"}}
    assert _lint(rule, *_patch_mode_change(impostor)) == ["VMSS260"]
    unresolved = {"name": "h", "properties": {"publisher": Unknown("a parameter", "[p]"), "type": "X"}}
    assert _lint(rule, *_patch_mode_change(unresolved)) == []
    real = {
        "name": "h",
        "properties": {"publisher": "Microsoft.ManagedServices", "type": "ApplicationHealthLinux"},
    }
    assert _lint(rule, *_patch_mode_change(real)) == []
