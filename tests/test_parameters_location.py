"""A finding whose value a parameters file set is placed on that file's line (the file a pull request
changed, so GitHub shows the annotation inline), with the template's line as the related place:
SARIF `relatedLocations`, "property at FILE:LINE:COL" in the other formats, `location.valueAt` in JSON.

The template is the bundled web template (fixtures/templates/web, written for these tests); git mode
runs on a real repository in a temporary folder, where only the parameters file changes.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import FIXTURES
from gitfixture import GitRepo
from test_output_schema import problems

PARAMS = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "vmssName": { "value": "web" },
    "zones": { "value": ZONES }
  }
}
"""
ZONES_LINE = 6  # the line of "zones" above
TEMPLATE_LINE = "azuredeploy.json:32:7"  # where the template's "zones" property is


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    r = GitRepo(tmp_path / "repo")
    shutil.copyfile(FIXTURES / "templates" / "web" / "azuredeploy.json", r.path / "azuredeploy.json")
    r.write("azuredeploy.parameters.json", PARAMS.replace("ZONES", '["1", "2", "3"]'))
    r.commit("web")
    r.write("azuredeploy.parameters.json", PARAMS.replace("ZONES", '["1", "2"]'))
    return r


def zone_finding(report: dict[str, object]) -> dict[str, object]:
    [result] = report["results"]  # type: ignore[misc]
    [zone] = [f for f in result["findings"] if f["rule"] == "VMSS101"]
    return zone  # type: ignore[no-any-return]


def test_git_mode_annotates_the_parameters_file(repo: GitRepo) -> None:
    proc = repo.vmss_lint("check", "--base", "HEAD", "--format", "github")
    assert proc.returncode == 1, proc.stderr
    [annotation] = [line for line in proc.stdout.splitlines() if "VMSS101" in line and line.startswith("::")]
    assert annotation.startswith(f"::error file=azuredeploy.parameters.json,line={ZONES_LINE},col=25,")
    assert f"(property at {TEMPLATE_LINE})" in annotation


def test_git_mode_between_two_revisions_names_the_file_not_a_temporary_copy(repo: GitRepo) -> None:
    repo.commit("fewer zones")
    proc = repo.vmss_lint("check", "--base", "HEAD~1", "--head", "HEAD", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert problems(report) == []
    location = zone_finding(report)["location"]
    assert location["file"] == "azuredeploy.json"  # type: ignore[index]
    assert location["valueAt"] == {"file": "azuredeploy.parameters.json", "line": ZONES_LINE, "column": 25}  # type: ignore[index]


def test_sarif_has_the_template_as_related_location(repo: GitRepo) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    proc = repo.vmss_lint("check", "--base", "HEAD", "--format", "sarif")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    schema = json.loads(
        (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
    )
    jsonschema.Draft4Validator(schema).validate(doc)
    [result] = [r for r in doc["runs"][0]["results"] if r["ruleId"] == "VMSS101"]
    where = result["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"] == "azuredeploy.parameters.json"
    assert where["region"]["startLine"] == ZONES_LINE
    [related] = result["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "azuredeploy.json"
    assert related["physicalLocation"]["region"] == {"startLine": 32, "startColumn": 7}


@pytest.mark.parametrize("fmt", ["text", "azure-pipelines", "junit"])
def test_the_other_formats_point_at_the_parameters_file_and_name_the_template(
    repo: GitRepo, fmt: str
) -> None:
    proc = repo.vmss_lint("check", "--base", "HEAD", "--format", fmt)
    assert proc.returncode == 1, proc.stderr
    assert f"property at {TEMPLATE_LINE}" in proc.stdout
    if fmt == "text":
        assert any(
            line.startswith(f"azuredeploy.parameters.json:{ZONES_LINE}:25: VMSS101 error")
            for line in proc.stdout.splitlines()
        )
    elif fmt == "azure-pipelines":
        assert f"sourcepath=azuredeploy.parameters.json;linenumber={ZONES_LINE};" in proc.stdout
    else:
        [case] = [
            c for c in ET.fromstring(proc.stdout).iter("testcase") if "VMSS101" in (c.get("name") or "")
        ]
        assert case.get("file") == "azuredeploy.parameters.json" and case.get("line") == str(ZONES_LINE)


def test_a_value_from_the_template_itself_stays_on_the_template(repo: GitRepo) -> None:
    """Without a parameters file the default value is in the template: no valueAt, no related place."""
    repo.write("azuredeploy.parameters.json", PARAMS.replace("ZONES", '["1", "2", "3"]'))
    template = (repo.path / "azuredeploy.json").read_text()
    old = '"vmSku": { "type": "string", "defaultValue": "Standard_D2s_v5" }'
    assert old in template
    repo.write("azuredeploy.json", template.replace(old, old.replace("D2s_v5", "E8s_v5")))
    proc = repo.vmss_lint("check", "--base", "HEAD", "--format", "json")
    findings = [f for r in json.loads(proc.stdout)["results"] for f in r["findings"]]
    assert findings and all(f["location"] is None or f["location"]["valueAt"] is None for f in findings)
