"""The JSON output against its published JSON Schema (`vmss_lint/data/report.schema.json`, shipped in the
package): every fixture case's full report, and CLI runs that reach the parts cases do not (template
locations with `valueFrom`, an instance list, created and deleted scale sets from a what-if result).

The schema is strict (no unknown field anywhere), so a field added to the output without being documented
in the schema fails here; docs/output.md tells consumers to ignore fields they do not know.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from caserunner import run_case
from conftest import CASES, FIXTURES, case_files

from vmss_lint.cli import main

SCHEMA: dict[str, Any] = json.loads(
    resources.files("vmss_lint").joinpath("data", "report.schema.json").read_text(encoding="utf-8")
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
WEB_MODEL = FIXTURES / "models" / "web-rest.json"


def problems(report: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(report)]


def cli_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    rc = main(["check", *args, "--format", "json"])
    out, err = capsys.readouterr()
    assert rc in (0, 1), err
    report: dict[str, Any] = json.loads(out)
    return report


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", case_files(), ids=lambda p: str(p.relative_to(CASES)).replace("/", "-"))
def test_every_fixture_case_report_matches_the_schema(path: Path) -> None:
    assert problems(run_case(path)) == []


def test_the_schema_rejects_what_the_contract_forbids() -> None:
    """Not vacuous: an unknown field, an unknown impact and a missing required field are all caught."""
    report = run_case(CASES / "VMSS101" / "rest-zone-removed.json")
    assert problems(report) == []
    extra = copy.deepcopy(report)
    extra["results"][0]["findings"][0]["note"] = "undocumented"
    bad_impact = copy.deepcopy(report)
    bad_impact["results"][0]["impact"] = "reboot"
    missing = copy.deepcopy(report)
    del missing["summary"]["failOn"]
    bad_pointer = copy.deepcopy(report)
    bad_pointer["results"][0]["findings"][0]["pointer"] = "zones"
    for broken in (extra, bad_impact, missing, bad_pointer):
        assert problems(broken), broken


def test_example_with_an_instance_list(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    proposed = json.loads(WEB_MODEL.read_text(encoding="utf-8"))
    proposed["sku"]["capacity"] = 4
    proposed["sku"]["name"] = "Standard_E4s_v5"
    target = tmp_path / "proposed.json"
    target.write_text(json.dumps(proposed), encoding="utf-8")
    args = [str(WEB_MODEL), str(target), "--instances", str(FIXTURES / "instances" / "web-rest.json")]
    report = cli_json(args, capsys)
    plan = report["results"][0]["plan"]
    assert plan["instanceCount"] == 6 and plan["protectedInstances"] and plan["scaleInCandidates"]
    assert problems(report) == []


def test_template_pair_with_locations(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    web = FIXTURES / "templates" / "web"
    params = json.loads((web / "azuredeploy.parameters.json").read_text(encoding="utf-8"))
    params["parameters"]["vmSku"] = {"value": "Standard_E8s_v5"}
    changed = tmp_path / "prod.parameters.json"
    changed.write_text(json.dumps(params, indent=2), encoding="utf-8")
    template = str(web / "azuredeploy.json")
    report = cli_json([template, template, "--proposed-parameters", str(changed)], capsys)
    located = [f["location"] for r in report["results"] for f in r["findings"] if f["location"]]
    assert any(loc["valueFrom"] for loc in located), report
    assert problems(report) == []


def test_what_if_with_created_and_deleted_scale_sets(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    live = json.loads(WEB_MODEL.read_text(encoding="utf-8"))
    new = copy.deepcopy(live)
    new["name"] = "web2"
    new["id"] = live["id"][: -len("web")] + "web2"
    whatif = {
        "status": "Succeeded",
        "error": None,
        "changes": [
            {"resourceId": new["id"], "changeType": "Create", "before": None, "after": new, "delta": []},
            {"resourceId": live["id"], "changeType": "Delete", "before": live, "after": None, "delta": []},
        ],
    }
    path = tmp_path / "whatif.json"
    path.write_text(json.dumps(whatif), encoding="utf-8")
    report = cli_json([str(path)], capsys)
    assert {r["status"] for r in report["results"]} == {"created", "deleted"}
    assert problems(report) == []


def test_terraform_plan(capsys: pytest.CaptureFixture[str]) -> None:
    report = cli_json([str(FIXTURES / "terraform" / "regula-create-plan.json")], capsys)
    assert report["results"], report
    assert problems(report) == []
