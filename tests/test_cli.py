"""The CLI contract: exit codes, one-line errors for bad input, colour rules, rules/explain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO

from vmss_lint.cli import main

EXAMPLE = FIXTURES / "example"
WEB = FIXTURES / "models" / "web-rest.json"


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "vmss_lint", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=REPO,
        check=False,
    )


def test_example_fails_with_exit_1_and_reads_well() -> None:
    proc = run_cli("check", "fixtures/example/current.json", "fixtures/example/proposed.json")
    assert proc.returncode == 1, proc.stderr
    assert (
        "fixtures/example/proposed.json:77:12: VMSS101 error [recreate] zone 3 would be removed"
        in proc.stdout
    )
    assert "fixtures/example/proposed.json:58:29: VMSS106 error [recreate] the subnet moves" in proc.stdout
    assert "\033[" not in proc.stdout  # not a terminal: no colour
    assert proc.stderr == ""


def test_identical_models_exit_0() -> None:
    proc = run_cli("check", str(WEB), str(WEB))
    assert proc.returncode == 0
    assert "All checks passed: no findings in 1 scale set" in proc.stdout


@pytest.mark.parametrize(("fail_on", "code"), [("error", 1), ("warning", 1), ("info", 1), ("never", 0)])
def test_fail_on_levels(fail_on: str, code: int, tmp_path: Path) -> None:
    assert (
        main(
            [
                "check",
                str(EXAMPLE / "current.json"),
                str(EXAMPLE / "proposed.json"),
                "--fail-on",
                fail_on,
                "--format",
                "json",
                "-o",
                str(tmp_path / "report.json"),
            ]
        )
        == code
    )


def test_warning_only_passes_at_default_fail_on(tmp_path: Path) -> None:
    doc = json.loads(WEB.read_text())
    doc["sku"]["name"] = "Standard_E8s_v5"
    proposed = tmp_path / "p.json"
    proposed.write_text(json.dumps(doc))
    assert (
        main(["check", str(WEB), str(proposed), "--format", "json", "-o", str(tmp_path / "report.json")]) == 0
    )
    assert (
        main(
            [
                "check",
                str(WEB),
                str(proposed),
                "--fail-on",
                "warning",
                "--format",
                "json",
                "-o",
                str(tmp_path / "report.json"),
            ]
        )
        == 1
    )


def test_json_contract_shape() -> None:
    proc = run_cli(
        "check", "fixtures/example/current.json", "fixtures/example/proposed.json", "--format", "json"
    )
    report = json.loads(proc.stdout)
    assert report["schemaVersion"] == "1.0"
    assert set(report) >= {"schemaVersion", "tool", "results", "summary"}
    result = report["results"][0]
    assert set(result) >= {"name", "impact", "upgradeMode", "findings", "plan", "apiVersion"}
    finding = result["findings"][0]
    assert set(finding) >= {
        "rule",
        "name",
        "severity",
        "impact",
        "pointer",
        "op",
        "old",
        "new",
        "message",
        "fix",
    }
    assert finding["severity"] in ("error", "warning", "info")
    assert report["summary"]["failed"] is True


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


BAD_INPUTS = [
    ("not-json.json", b"{ this is not json", "not valid JSON"),
    ("empty.json", b"", "empty"),
    ("latin1.json", b'{"name": "caf\xe9"}', "UTF-8"),
    ("array.json", b"[1, 2, 3]", "expected a JSON object"),
    ("other.json", b'{"hello": "world"}', "not a virtual machine scale set"),
    (
        "wrongtype.json",
        b'{"name": "x", "sku": "Standard_D2s_v3", "properties": {"virtualMachineProfile": {}}}',
        "'sku' must be an object",
    ),
    (
        "wronglist.json",
        b'{"properties": {"virtualMachineProfile": {"storageProfile": {"dataDisks": {"lun": 0}}}}}',
        "'dataDisks' must be a list",
    ),
    ("deep.json", b"[" * 100_000 + b"]" * 100_000, "nest"),
]


@pytest.mark.parametrize(("name", "data", "needle"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_one_line_exit_2(tmp_path: Path, name: str, data: bytes, needle: str) -> None:
    path = _write(tmp_path, name, data)
    proc = run_cli("check", str(WEB), path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith("vmss-lint: error: ") and path in proc.stderr
    assert needle.lower() in proc.stderr.lower()
    assert "Traceback" not in proc.stderr


def test_missing_parameters_file_is_exit_2() -> None:
    proc = run_cli("check", str(WEB), str(WEB), "--parameters", "nope.parameters.json")
    assert proc.returncode == 2
    assert "nope.parameters.json: parameters file does not exist" in proc.stderr


def test_missing_file() -> None:
    proc = run_cli("check", str(WEB), "does-not-exist.json")
    assert proc.returncode == 2
    assert "does-not-exist.json: proposed file does not exist" in proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["check", str(WEB)],
        ["check", str(WEB), str(WEB), "--fail-on", "sometimes"],
        ["check", str(WEB), str(WEB), "--format", "yaml"],
        ["check", str(WEB), str(WEB), "--api-version", "latest"],
        ["check", str(WEB), str(WEB), "--no-such-flag"],
        ["explain", "VMSS999"],
    ],
)
def test_bad_usage_exit_2(args: list[str]) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


def test_inputs_are_never_modified(tmp_path: Path) -> None:
    cur = tmp_path / "cur.json"
    prop = tmp_path / "prop.json"
    cur.write_bytes((EXAMPLE / "current.json").read_bytes())
    prop.write_bytes((EXAMPLE / "proposed.json").read_bytes())
    before = (cur.read_bytes(), prop.read_bytes())
    run_cli("check", str(cur), str(prop), "--format", "json", "-o", str(tmp_path / "out.json"))
    assert (cur.read_bytes(), prop.read_bytes()) == before
    assert json.loads((tmp_path / "out.json").read_text())["summary"]["errors"] >= 2


def test_rules_and_explain_read_well() -> None:
    table = run_cli("rules")
    assert table.returncode == 0
    assert "VMSS101" in table.stdout and "zone-removed" in table.stdout
    by_id = run_cli("explain", "VMSS101")
    by_name = run_cli("explain", "zone-removed")
    assert by_id.returncode == 0 and by_id.stdout == by_name.stdout
    for section in ("Why it matters:", "Example:", "Fix:", "References:", "What Azure answers:"):
        assert section in by_id.stdout


def test_version() -> None:
    from vmss_lint import __version__

    proc = run_cli("--version")
    assert proc.returncode == 0 and __version__ in proc.stdout


@pytest.mark.parametrize(
    ("env", "marker"),
    [({"GITHUB_ACTIONS": "true"}, "::error "), ({"TF_BUILD": "True"}, "##vso[task.logissue type=error")],
)
def test_default_format_follows_the_ci_system(env: dict[str, str], marker: str) -> None:
    full_env = {
        k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "TF_BUILD", "GITHUB_STEP_SUMMARY")
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "vmss_lint",
            "check",
            "fixtures/example/current.json",
            "fixtures/example/proposed.json",
        ],
        capture_output=True,
        text=True,
        env={**full_env, **env},
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 1
    assert marker in proc.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["chek"], "unknown command 'chek'"),
        (
            ["check", str(WEB), str(WEB), "--form", "json"],
            "unrecognized arguments: --form",
        ),  # no abbreviations
        (["check", str(WEB), str(WEB), str(WEB)], "too many arguments"),
        (["check", str(WEB), str(WEB), "--format"], "--format: expected one argument"),
        (["explain"], "the following arguments are required: rule"),
    ],
)
def test_usage_errors_are_one_line_naming_the_command(args: list[str], needle: str) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("vmss-lint: error: "), proc.stderr
    assert needle in proc.stderr


def test_options_may_come_between_and_after_the_paths() -> None:
    proc = run_cli(
        "check",
        "--fail-on",
        "never",
        "fixtures/example/current.json",
        "--format",
        "json",
        "fixtures/example/proposed.json",
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]["errors"] >= 2


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"], ["rules", "--help"], ["explain", "-h"]])
def test_help_exits_0(args: list[str]) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 0 and proc.stderr == ""
    assert "usage: vmss-lint" in proc.stdout


def test_no_arguments_prints_help_and_exits_2() -> None:
    proc = run_cli()
    assert proc.returncode == 2
    assert "commands:" in proc.stdout and "check" in proc.stdout


def test_pre_commit_refuses_a_file_name_that_reads_as_an_option(tmp_path: Path) -> None:
    """A user's hook `args:` without the trailing `--`: the committed file name must not become an option."""
    (tmp_path / "--select=VMSS999.json").write_text("{}", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "vmss_lint", "check", "--pre-commit", "--select=VMSS999.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "reads as an option" in proc.stderr and "--" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_lone_double_dash_ends_the_options(tmp_path: Path) -> None:
    """After `--` a word that looks like an option is a path (argparse's intermixed parsing alone gets it wrong)."""
    current = tmp_path / "--select=VMSS999.json"
    current.write_text((FIXTURES / "example" / "current.json").read_text(encoding="utf-8"), encoding="utf-8")
    proposed = FIXTURES / "example" / "proposed.json"
    proc = subprocess.run(
        [sys.executable, "-m", "vmss_lint", "check", "--format", "json", "--", current.name, str(proposed)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    rules = {f["rule"] for s in json.loads(proc.stdout)["results"] for f in s["findings"]}
    assert {"VMSS101", "VMSS106"} <= rules


STORAGE_ONLY = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "resources": [
        {
            "type": "Microsoft.Storage/storageAccounts",
            "apiVersion": "2023-01-01",
            "name": "st1",
            "location": "westus",
            "sku": {"name": "Standard_LRS"},
            "kind": "StorageV2",
        }
    ],
}


def test_two_templates_without_a_scale_set_are_refused_not_passed(tmp_path: Path) -> None:
    """A mistyped path to the network template must not "pass" with 0 scale sets (QA finding 7)."""
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(STORAGE_ONLY))
    b.write_text(json.dumps(STORAGE_ONLY))
    proc = run_cli("check", str(a), str(b))
    assert proc.returncode == 2, proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "deploys a Microsoft.Compute/virtualMachineScaleSets resource" in lines[0]
    assert "Traceback" not in proc.stderr


def test_a_model_against_a_template_without_a_scale_set_says_it_declares_none(tmp_path: Path) -> None:
    template = tmp_path / "storage.json"
    template.write_text(json.dumps(STORAGE_ONLY))
    proc = run_cli("check", str(EXAMPLE / "current.json"), str(template))
    assert proc.returncode == 2, proc.stdout
    assert "this template deploys no Microsoft.Compute/virtualMachineScaleSets resource" in proc.stderr
    assert "one of those" not in proc.stderr
