"""`--az-update` against recorded azure-cli 2.91.0 outcomes, without azure-cli installed.

`fixtures/azcli/recorded-2.91.0.jsonl` holds what the real `az vmss update` did for a sample of the
differential corpus (recorded by tests/record_azcli.py through the loopback harness): its exit code, the PUT
body it sent (or none) and its error. Each row must agree with vmss-lint (docs/edits.md says what agreeing
means). The issue's own examples are spelled out below so their outcome is visible in the test names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from azcli_compare import compare
from azcli_corpus import FIXTURES

from vmss_lint.cli import main
from vmss_lint.inputs.edits.aaz_put import schema

RECORDED = Path(__file__).resolve().parent.parent / "fixtures" / "azcli" / "recorded-2.91.0.jsonl"
ROWS = [json.loads(line) for line in RECORDED.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_recording_and_schema_come_from_the_same_cli() -> None:
    assert {row["cli"] for row in ROWS} == {schema().cli_version} == {"2.91.0"}
    assert len(ROWS) >= 50
    assert {row["exit"] == 0 for row in ROWS} == {True, False}  # accepted and refused edits both covered


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['model']}: {r['args'][:70]}" for r in ROWS])
def test_vmss_lint_agrees_with_recorded_azure_cli(row: dict[str, Any]) -> None:
    verdict = compare(row["model"], row["args"], row["exit"], row["put"], row["error"], row["other"])
    assert verdict.agree, f"{verdict.kind}: {verdict.detail}"


WEB = str(FIXTURES / "web-rest.json")
SSH = str(FIXTURES / "rest-create-ssh.json")


def _check(current: str, args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = main(["check", current, "--format", "json", "--az-update", f"az vmss update {args}"])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else {}), err


@pytest.mark.parametrize(
    ("current", "args", "reason"),
    [
        (
            WEB,
            "-g rg-web -n web --set SinglePlacementGroup=true",
            "does not send the top-level 'SinglePlacementGroup'",
        ),
        (WEB, "-g rg-web -n web --set name=other", "does not send the top-level 'name'"),
        (
            WEB,
            "-g rg-web -n web --set virtualMachineProfile.osProfile.ComputerNamePrefix=x",
            "the PUT azure-cli sends is the same without it",
        ),
        (WEB, "-g rg-web -n web --remove tags", "Azure keeps a property the PUT omits"),
    ],
)
def test_dropped_edits_are_a_warning_not_an_error(
    current: str, args: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, _ = _check(current, args, capsys)
    findings = [f for r in report["results"] for f in r["findings"]]
    assert [f["rule"] for f in findings] == ["VMSS007"]
    assert findings[0]["severity"] == "warning" and reason in findings[0]["message"]
    assert any("emulating azure-cli 2.91.0" in n for n in report["notices"])
    assert code == 0


@pytest.mark.parametrize(
    ("current", "args", "needle"),
    [
        (WEB, "-g rg-web -n web --set UpgradePolicy.mode=Rolling", "Couldn't find 'UpgradePolicy'"),
        (WEB, "-g rg-web -n web --set zones=[1,2,3]", "Expect <class 'str'>, got 1 (<class 'int'>)"),
        (SSH, "--set tags.env=dev", "Couldn't find 'tags'"),
        (WEB, "-g rg-web -n web --set overprovision=FALSE", "Expect <class 'bool'>, got FALSE"),
        (WEB, "-g rg-web -n web --set sku.capacity=4.5", "Expect <class 'int'>, got 4.5"),
    ],
)
def test_edits_azure_cli_refuses_are_exit_2(
    current: str, args: str, needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _check(current, args, capsys)
    assert code == 2 and needle in err and err.count("\n") == 1, err


# QA: edits without a value, checked against the real azure-cli 2.91.0 (rows in the recording above).
# `--set PATH` without `=VALUE` is not a usage error to azure-cli: it sets PATH to '' like `--set PATH=`.
@pytest.mark.parametrize(
    "args", ["--set sku.capacity", "--set sku.capacity=", "--set tags", "--set overprovision"]
)
def test_a_set_without_a_value_is_the_empty_string_azure_cli_refuses(
    args: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _check(WEB, f"-g rg-web -n web {args}", capsys)
    assert code == 2 and "azure-cli would refuse it: Expect <class '" in err and "got  (<class 'str'>)" in err
    assert ("has no =VALUE, so azure-cli sets it to the empty string" in err) == ("=" not in args), err
    assert err.count("\n") == 1, err


@pytest.mark.parametrize(
    "args", ["--set tags.env", "--set tags.env=", "--set virtualMachineProfile.licenseType"]
)
def test_a_set_without_a_value_sends_the_empty_string(args: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, report, _ = _check(WEB, f"-g rg-web -n web {args}", capsys)
    assert code == 0 and [f for r in report["results"] for f in r["findings"] if f["rule"] == "VMSS007"] == []
    assert any(row["args"] == args and row["exit"] == 0 for row in ROWS if row["model"] == "web-rest")


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ("--add zones", "the value is already the current one"),  # nothing appended: the same PUT
        (
            "--remove virtualMachineProfile.networkProfile.networkInterfaceConfigurations",
            "Azure keeps a property",
        ),
    ],
)
def test_an_add_without_a_value_or_a_remove_of_a_whole_list_has_no_effect(
    args: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, _ = _check(WEB, f"-g rg-web -n web {args}", capsys)
    findings = [f for r in report["results"] for f in r["findings"]]
    assert code == 0 and [f["rule"] for f in findings] == ["VMSS007"] and reason in findings[0]["message"]


def test_an_add_without_a_value_to_an_object_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _check(WEB, "-g rg-web -n web --add tags", capsys)
    assert code == 2 and "'tags' is a dict, not a list" in err
    assert [row["error"] for row in ROWS if row["model"] == "web-rest" and row["args"] == "--add tags"] == [
        "CLIError: invalid syntax: `--add property.listProperty <key=value, string or JSON string>`"
    ]
