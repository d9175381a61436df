"""Suppressions: a reason is required, one silences exactly what it names, expired and unused ones are findings."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES

from vmss_lint.cli import main
from vmss_lint.config.file import SuppressionSpec
from vmss_lint.core.errors import InputError
from vmss_lint.engine.run import EngineOptions
from vmss_lint.engine.suppress import Suppression, apply_suppressions, suppressions_from_metadata
from vmss_lint.pipeline import LintOptions, check_inputs
from vmss_lint.report.document import Report

CURRENT = str(FIXTURES / "example" / "current.json")
PROPOSED = str(FIXTURES / "example" / "proposed.json")
TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _plain_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_ACTIONS", "GITHUB_EVENT_NAME", "GITHUB_STEP_SUMMARY", "VMSS_LINT_UNTRUSTED_CONFIG"):
        monkeypatch.delenv(name, raising=False)


def example() -> Report:
    return check_inputs(CURRENT, PROPOSED, LintOptions())


def sup(source: str = "cfg.toml", **fields: Any) -> Suppression:
    return Suppression(SuppressionSpec.model_validate({"reason": "accepted in CHG-1", **fields}), source)


def fired(results: list[Any]) -> list[tuple[str, str]]:
    return [(f.rule, f.pointer) for r in results for f in r.findings]


def test_a_suppression_silences_exactly_one_finding() -> None:
    report = example()
    assert len(fired(report.results)) == 3
    results, notices = apply_suppressions(
        report.results, [sup(rule="VMSS301", pointer="/sku/name")], today=TODAY
    )
    assert ("VMSS301", "/sku/name") not in fired(results)
    assert len(fired(results)) == 2
    assert notices == [
        "suppression of VMSS301 at /sku/name (cfg.toml:1) silenced 1 finding(s): accepted in CHG-1"
    ]


def test_summary_is_recounted_after_suppression() -> None:
    options = LintOptions(
        fail_on="warning",
        engine=EngineOptions(ignore=["VMSS101", "VMSS106"]),
        suppressions=[sup(rule="vm-size-change", pointer="/sku/*")],
    )
    report = check_inputs(CURRENT, PROPOSED, options)
    assert report.summary.warnings == 0 and report.summary.errors == 0
    assert report.summary.failed is False
    # The impact of the scale set is still what Azure will do: suppressing silences, it does not fix.
    assert report.results[0].impact.value == "deallocate"


@pytest.mark.parametrize(
    ("fields", "matches"),
    [
        ({"rule": "VMSS301"}, True),  # default pointer /** matches anything
        ({"rule": "vm-size-change", "pointer": "/sku/name"}, True),
        ({"rule": "VMSS301", "pointer": "/SKU/Name"}, True),  # pointers compare case-insensitively
        ({"rule": "VMSS301", "pointer": "/sku/tier"}, False),
        ({"rule": "VMSS101", "pointer": "/sku/name"}, False),
        ({"rule": "VMSS301", "file": "*/example/proposed.json"}, True),
        ({"rule": "VMSS301", "file": "*/other.json"}, False),
    ],
)
def test_matching(fields: dict[str, Any], matches: bool) -> None:
    results, _ = apply_suppressions(example().results, [sup(**fields)], today=TODAY)
    assert (("VMSS301", "/sku/name") not in fired(results)) is matches


def test_deep_glob() -> None:
    results, _ = apply_suppressions(
        example().results, [sup(rule="VMSS106", pointer="/properties/**/subnet/id")], today=TODAY
    )
    assert "VMSS106" not in [rule for rule, _ in fired(results)]


def test_expired_suppression_is_vmss003_and_does_not_suppress() -> None:
    results, notices = apply_suppressions(
        example().results, [sup(rule="VMSS301", expires="2026-05-31")], today=TODAY
    )
    rules = [rule for rule, _ in fired(results)]
    assert "VMSS301" in rules
    assert rules.count("VMSS003") == 1
    meta = next(f for r in results for f in r.findings if f.rule == "VMSS003")
    assert meta.name == "expired-suppression" and meta.severity.value == "warning"
    assert "expired on 2026-05-31" in meta.message and "accepted in CHG-1" in meta.message
    assert meta.location is not None and meta.location.file == "cfg.toml"
    assert notices == []


def test_expiry_day_itself_still_applies() -> None:
    results, _ = apply_suppressions(
        example().results, [sup(rule="VMSS301", expires="2026-06-01")], today=TODAY
    )
    assert [rule for rule, _ in fired(results)].count("VMSS301") == 0


def test_unused_suppression_is_vmss002() -> None:
    results, _ = apply_suppressions(example().results, [sup(rule="VMSS105")], today=TODAY)
    meta = [f for r in results for f in r.findings if f.rule == "VMSS002"]
    assert len(meta) == 1 and meta[0].name == "unused-suppression" and meta[0].severity.value == "info"
    assert "matched no finding" in meta[0].message


def test_file_scoped_suppression_for_a_file_not_checked_is_not_unused() -> None:
    # pre-commit passes subsets of files: a suppression for another file is not "unused" in this run.
    results, _ = apply_suppressions(
        example().results, [sup(rule="VMSS105", file="infra/*.json")], today=TODAY
    )
    assert "VMSS002" not in [rule for rule, _ in fired(results)]


def test_meta_rules_honour_ignore() -> None:
    results, _ = apply_suppressions(
        example().results, [sup(rule="VMSS105")], today=TODAY, engine=EngineOptions(ignore=["VMSS002"])
    )
    assert "VMSS002" not in [rule for rule, _ in fired(results)]


def test_no_results_turns_meta_findings_into_notices() -> None:
    results, notices = apply_suppressions([], [sup(rule="VMSS105", expires="2020-01-01")], today=TODAY)
    assert results == [] and len(notices) == 1 and "VMSS003" in notices[0]


# --- reason is required --------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reason_is_required(reason: str | None) -> None:
    data: dict[str, Any] = {"rule": "VMSS301"}
    if reason is not None:
        data["reason"] = reason
    with pytest.raises(ValueError, match="reason"):
        SuppressionSpec.model_validate(data)


def test_config_suppression_without_reason_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        ["check", CURRENT, PROPOSED, "--config", str(FIXTURES / "configs" / "missing-reason.vmss-lint.toml")]
    )
    assert rc == 2
    err = capsys.readouterr().err
    assert "suppress[0]: 'reason' is required" in err and "say why" in err


# --- end to end through the CLI ----------------------------------------------------------------------------


def test_cli_applies_config_suppressions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / ".vmss-lint.toml"
    cfg.write_text(
        '[[suppress]]\nrule = "VMSS101"\npointer = "/zones"\nreason = "zone 3 is being drained (OPS-7)"\n\n'
        '[[suppress]]\nrule = "VMSS105"\nreason = "left over"\n'
    )
    rc = main(["check", CURRENT, PROPOSED, "--format", "json", "--config", str(cfg)])
    report = json.loads(capsys.readouterr().out)
    rules = [f["rule"] for r in report["results"] for f in r["findings"]]
    assert "VMSS101" not in rules and "VMSS106" in rules and "VMSS002" in rules
    unused = next(f for r in report["results"] for f in r["findings"] if f["rule"] == "VMSS002")
    assert unused["location"] == {
        "file": str(cfg),
        "line": 6,
        "column": 1,
        "valueFrom": None,
        "valueAt": None,
    }
    assert rc == 1  # VMSS106 still fails the run
    assert any("zone 3 is being drained" in n for n in report["notices"])


# --- template metadata --------------------------------------------------------------------------------------


def test_metadata_suppressions_apply_to_their_own_template_only() -> None:
    meta = {"_generator": {"name": "bicep"}, "vmss-lint": {"suppress": [{"rule": "VMSS301", "reason": "ok"}]}}
    own = suppressions_from_metadata(meta, PROPOSED)
    results, _ = apply_suppressions(example().results, own, today=TODAY)
    assert "VMSS301" not in [rule for rule, _ in fired(results)]
    other = suppressions_from_metadata(meta, str(FIXTURES / "elsewhere" / "other.json"))
    results, _ = apply_suppressions(example().results, other, today=TODAY)
    rules = [rule for rule, _ in fired(results)]
    assert "VMSS301" in rules and "VMSS002" not in rules  # not checked here, so not unused either


def test_metadata_without_our_key_has_no_suppressions() -> None:
    assert suppressions_from_metadata({"_generator": {"name": "bicep"}}, "t.json") == []


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"vmss-lint": {"supress": []}}, "unknown key 'supress'"),
        ({"vmss-lint": {"suppress": {}}}, "must be a list"),
        ({"vmss-lint": {"suppress": [{"rule": "VMSS301"}]}}, "'reason' is required"),
        ({"vmss-lint": "all"}, "must be an object"),
    ],
)
def test_bad_metadata_is_an_input_error(meta: dict[str, Any], expected: str) -> None:
    with pytest.raises(InputError, match=expected) as info:
        suppressions_from_metadata(meta, "infra/vmss.json")
    assert "infra/vmss.json" in str(info.value) and "metadata.vmss-lint" in str(info.value)
