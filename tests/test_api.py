"""The Python API as a script uses it (docs/api.md), and `vmss-lint rules --format json`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO
from test_outfile import run

import vmss_lint
from vmss_lint.engine.packs import load_rules

EXAMPLE = FIXTURES / "example"


def test_check_paths_is_the_cli_report_byte_for_byte() -> None:
    report = vmss_lint.check(EXAMPLE / "current.json", str(EXAMPLE / "proposed.json"))
    assert isinstance(report, vmss_lint.Report)
    assert report.summary.failed and report.summary.errors == 2
    assert {f.rule for r in report.results for f in r.findings} == {"VMSS101", "VMSS106", "VMSS301"}
    cli = run(str(EXAMPLE / "current.json"), str(EXAMPLE / "proposed.json"), "--format", "json")
    assert vmss_lint.dumps(report) == cli.stdout
    assert json.loads(vmss_lint.dumps(report)) == report.dump()


def test_check_parsed_documents_gives_the_same_findings_without_made_up_lines() -> None:
    current = json.loads((EXAMPLE / "current.json").read_text())
    proposed = json.loads((EXAMPLE / "proposed.json").read_text())
    before = json.dumps([current, proposed])
    report = vmss_lint.check(current, proposed)
    by_path = vmss_lint.check(EXAMPLE / "current.json", EXAMPLE / "proposed.json")
    key = [(f.rule, f.pointer, f.old, f.new) for r in by_path.results for f in r.findings]
    assert [(f.rule, f.pointer, f.old, f.new) for r in report.results for f in r.findings] == key
    assert all(f.location is None for r in report.results for f in r.findings)
    assert report.results[0].current == "<current>" and report.results[0].proposed == "<proposed>"
    assert json.dumps([current, proposed]) == before, "inputs are never modified"


def test_options_are_the_flags() -> None:
    path = EXAMPLE / "current.json", EXAMPLE / "proposed.json"
    assert not vmss_lint.check(*path, ignore=["VMSS101", "VMSS106"]).summary.failed
    assert vmss_lint.check(*path, ignore=["VMSS101", "VMSS106"], fail_on="warning").summary.failed
    only = vmss_lint.check(*path, select=["zone-removed"])
    assert [f.rule for r in only.results for f in r.findings] == ["VMSS101"]
    edit = vmss_lint.check(
        EXAMPLE / "current.json",
        az_update=["az vmss update -g myResourceGroup -n web --set sku.name=Standard_D4s_v5"],
    )
    assert [f.rule for r in edit.results for f in r.findings] == ["VMSS301"]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"fail_on": "loud"}, "'loud' is not a level"),
        ({"select": ["VMS101"]}, "VMS101"),
        ({"parameters": ["no-such.parameters.json"]}, "parameters file does not exist"),
        ({"sent_as": "carrier-pigeon"}, "'carrier-pigeon' is not known"),
    ],
)
def test_bad_options_raise_input_error(kwargs: dict[str, object], needle: str) -> None:
    with pytest.raises(vmss_lint.InputError, match=needle):
        vmss_lint.check(EXAMPLE / "current.json", EXAMPLE / "proposed.json", **kwargs)  # type: ignore[arg-type]


def test_bad_input_raises_input_error_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "proposed.json"
    bad.write_text('{"properties": ', encoding="utf-8")
    with pytest.raises(vmss_lint.InputError) as info:
        vmss_lint.check(EXAMPLE / "current.json", bad)
    assert str(bad) in str(info.value)


def test_import_vmss_lint_stays_light() -> None:
    probe = (
        "import sys, vmss_lint\n"
        "print(sorted(m for m in sys.modules if m.startswith('vmss_lint') or m in ('pydantic', 'tomllib')))\n"
        "print(callable(vmss_lint.check), 'vmss_lint.api' in sys.modules)\n"
        "try:\n    vmss_lint.nothing\nexcept AttributeError as e:\n    print('AttributeError', e)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=True)
    loaded, lazy, missing = proc.stdout.splitlines()
    assert loaded == "['vmss_lint', 'vmss_lint.core', 'vmss_lint.core.version']"
    assert lazy == "True True"
    assert missing == "AttributeError module 'vmss_lint' has no attribute 'nothing'"


def test_rules_json_lists_every_rule_with_its_metadata() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "vmss_lint", "rules", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["tool"] == {"name": "vmss-lint", "version": vmss_lint.__version__}
    rules = load_rules()
    assert [r["id"] for r in doc["rules"]] == [r.spec.id for r in rules]
    by_id = {r["id"]: r for r in doc["rules"]}
    zone = by_id["VMSS101"]
    assert zone["name"] == "zone-removed" and zone["severity"] == "error" and zone["impact"] == "recreate"
    assert zone["confidence"] == "high" and zone["fix"].startswith("Keep every current zone")
    assert zone["references"] and zone["summary"] and zone["azureError"]
    for entry in doc["rules"]:
        assert set(entry) >= {
            "id",
            "name",
            "severity",
            "impact",
            "confidence",
            "summary",
            "fix",
            "references",
        }


def test_rules_refuses_an_unknown_format() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "vmss_lint", "rules", "--format", "xml"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert proc.returncode == 2 and proc.stderr.startswith("vmss-lint: error: --format: unknown format 'xml'")
