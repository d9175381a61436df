"""CI formats: SARIF against the real 2.1.0 schema, escaping tables, annotation caps, JUnit, summary, --output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import FIXTURES, REPO

from vmss_lint.cli import main
from vmss_lint.core.findings import Finding, FindingLocation, Impact, Severity
from vmss_lint.core.records import replace
from vmss_lint.engine.packs import load_rules
from vmss_lint.pipeline import LintOptions, check_inputs, make_report
from vmss_lint.report.document import ApiVersionUsed, Report, ScaleSetResult
from vmss_lint.report.formats import azure_pipelines as azp
from vmss_lint.report.formats import github as gh
from vmss_lint.report.formats import renderer
from vmss_lint.report.formats import summary as md
from vmss_lint.report.formats.sarif import FINGERPRINT_KEY, fingerprint

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
CURRENT = str(FIXTURES / "example" / "current.json")
PROPOSED = str(FIXTURES / "example" / "proposed.json")
RULES = load_rules()


@pytest.fixture(autouse=True)
def _plain_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_ACTIONS", "GITHUB_EVENT_NAME", "GITHUB_STEP_SUMMARY", "VMSS_LINT_UNTRUSTED_CONFIG"):
        monkeypatch.delenv(name, raising=False)


def example(fail_on: str = "error") -> Report:
    return check_inputs(CURRENT, PROPOSED, LintOptions(fail_on=fail_on))


def finding(
    rule: str = "VMSS301",
    severity: str = "warning",
    pointer: str = "/sku/name",
    message: str = "size changes",
    line: int | None = 5,
) -> Finding:
    return Finding(
        rule=rule,
        name="vm-size-change",
        severity=Severity(severity),
        impact=Impact.DEALLOCATE,
        pointer=pointer,
        op="replace",
        old="Standard_D2s_v5",
        new="Standard_E4s_v5",
        message=message,
        fix="plan a window",
        location=None if line is None else FindingLocation(file="infra/vmss.json", line=line, column=7),
        references=["https://learn.microsoft.com/x"],
    )


def report_of(findings: list[Finding], fail_on: str = "error", name: str = "web") -> Report:
    result = ScaleSetResult(
        name=name,
        resource_group="rg-web",
        current="infra/vmss.base.json",
        proposed="infra/vmss.json",
        api_version=ApiVersionUsed(value="2025-11-01", origin="assumed"),
        impact=Impact.DEALLOCATE,
        upgrade_mode="Manual",
        findings=findings,
    )
    return make_report([result], fail_on)


# --- SARIF ---------------------------------------------------------------------------------------------------


def sarif(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(renderer("sarif")(report, rules=RULES))
    return data


def test_sarif_is_valid_against_the_official_schema() -> None:
    log = sarif(example())
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} >= {"VMSS101", "VMSS106", "VMSS301", "VMSS002", "VMSS003"}
    assert len(run["results"]) == 3
    for result in run["results"]:
        rule = rules[result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert rule["helpUri"] == next(r for r in RULES if r.spec.id == rule["id"]).spec.references[0]
        assert rule["help"]["text"] and rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert result["message"]["text"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert "security-severity" not in rule["properties"]
    levels = sorted(r["level"] for r in run["results"])
    assert levels == ["error", "error", "warning"]


def test_the_schema_really_rejects_bad_sarif() -> None:
    log = sarif(example())
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate(log)
    log = sarif(example())
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate(log)


def test_sarif_without_a_position_falls_back_to_line_1_of_the_proposed_file() -> None:
    log = sarif(report_of([finding(line=None), finding(severity="info", rule="VMSS999", pointer="/x")]))
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    results = log["runs"][0]["results"]
    location = results[0]["locations"][0]["physicalLocation"]
    assert location == {
        "artifactLocation": {"uri": "infra/vmss.json"},
        "region": {"startLine": 1, "startColumn": 1},
    }
    assert "/sku/name" in results[0]["message"]["text"]
    # A finding from a rule the renderer was not told about still gets a rule entry (valid ruleIndex).
    unknown = results[1]
    assert log["runs"][0]["tool"]["driver"]["rules"][unknown["ruleIndex"]]["id"] == "VMSS999"
    assert unknown["level"] == "note"


def test_fingerprints_are_stable_across_runs_and_line_moves() -> None:
    first = sarif(report_of([finding(line=5)]))["runs"][0]["results"][0]["partialFingerprints"][
        FINGERPRINT_KEY
    ]
    moved = sarif(report_of([finding(line=50)]))["runs"][0]["results"][0]["partialFingerprints"][
        FINGERPRINT_KEY
    ]
    again = sarif(report_of([finding(line=5)]))["runs"][0]["results"][0]["partialFingerprints"][
        FINGERPRINT_KEY
    ]
    assert first == moved == again == fingerprint("VMSS301", "rg-web", "web", "/sku/name")
    other_set = sarif(report_of([finding()], name="api"))["runs"][0]["results"][0]["partialFingerprints"]
    other_pointer = sarif(report_of([finding(pointer="/sku/tier")]))["runs"][0]["results"][0][
        "partialFingerprints"
    ]
    assert len({first, other_set[FINGERPRINT_KEY], other_pointer[FINGERPRINT_KEY]}) == 3


def test_sarif_lists_the_rules_it_is_given_and_never_shows_secrets() -> None:
    secret = finding(pointer="/properties/virtualMachineProfile/osProfile/adminPassword")
    secret = replace(secret, old="<secret>", new="<secret>")
    text = renderer("sarif")(report_of([secret]), rules=RULES)
    log = json.loads(text)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    results = json.dumps(log["runs"][0]["results"])
    assert "<secret>" in results and "Standard_" not in results
    ids = [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]]
    assert {"VMSS101", "VMSS301", "VMSS002", "VMSS003"} <= set(ids)
    assert ids[log["runs"][0]["results"][0]["ruleIndex"]] == "VMSS301"


# --- GitHub workflow commands -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("100%", "100%25", "100%25"),
        ("a\nb", "a%0Ab", "a%0Ab"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("key: value, more", "key: value, more", "key%3A value%2C more"),
        ("%0A literal", "%250A literal", "%250A literal"),
        ("::error::injected", "::error::injected", "%3A%3Aerror%3A%3Ainjected"),
    ],
)
def test_github_escaping(raw: str, data: str, prop: str) -> None:
    assert gh.escape_data(raw) == data
    assert gh.escape_property(raw) == prop


def test_github_command_shape() -> None:
    f = finding(message="line one\nline two: 50% done, ok")
    out = gh.render(report_of([f]), step_summary="")
    first = out.splitlines()[0]
    assert first.startswith(
        "::warning file=infra/vmss.json,line=5,col=7,title=VMSS301 vm-size-change (deallocate)::"
    )
    assert "line one%0Aline two: 50%25 done, ok%0A/sku/name" in first
    assert "\n" not in first
    unpositioned = gh.render(report_of([finding(line=None)]), step_summary="").splitlines()[0]
    assert unpositioned.startswith(
        "::warning file=infra/vmss.json,line=1,title="
    )  # no col without a position


def test_no_output_line_can_start_a_workflow_command() -> None:
    f = finding(message="x\n::error file=a::injected")
    many = [replace(f, pointer=f"/p{i}") for i in range(15)]
    for line in gh.render(report_of(many), step_summary="").splitlines():
        assert not line.startswith("::") or line.startswith(("::warning ", "::notice title="))


def count_commands(lines: list[str]) -> dict[str, int]:
    return {
        level: sum(line.startswith(f"::{level} ") for line in lines)
        for level in ("error", "warning", "notice")
    }


def test_github_caps_per_level_and_counts_the_rest() -> None:
    findings = (
        [finding("VMSS101", "error", f"/e{i}", line=i + 1) for i in range(25)]
        + [finding("VMSS301", "warning", f"/w{i}", line=i + 1) for i in range(3)]
        + [finding("VMSS401", "info", f"/i{i}", line=i + 1) for i in range(12)]
    )
    lines, rest = gh.annotation_lines(report_of(findings))
    counts = count_commands(lines)
    # 10 errors, all 3 warnings, 9 infos + 1 counting notice (the count needs a notice slot of its own).
    assert counts == {"error": 10, "warning": 3, "notice": 10}
    assert rest == 15 + 3
    assert lines[-1].startswith("::notice title=vmss-lint::18 more finding(s) were not annotated")
    plain = [line for line in lines if not line.startswith("::")]
    assert len(plain) == 18 and all(line.startswith("  ") for line in plain)
    # errors are annotated first, in file/line order
    assert [line.split("line=")[1].split(",")[0] for line in lines[:3]] == ["1", "2", "3"]


def test_github_exactly_at_the_caps_needs_no_count() -> None:
    findings = [finding("VMSS101", "error", f"/e{i}") for i in range(10)] + [
        finding("VMSS401", "info", f"/i{i}") for i in range(10)
    ]
    lines, rest = gh.annotation_lines(report_of(findings))
    assert rest == 0
    assert count_commands(lines) == {"error": 10, "warning": 0, "notice": 10}


def test_github_appends_the_step_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "summary.md"
    target.write_text("# earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    gh.render(example())
    text = target.read_text()
    assert text.startswith("# earlier step\n## vmss-lint")
    assert "| ❌ error | VMSS101 `zone-removed` |" in text
    assert "**FAILED**" in text


def test_github_is_the_default_under_actions(tmp_path: Path) -> None:
    env = {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path / "s.md")}
    proc = subprocess.run(
        [sys.executable, "-m", "vmss_lint", "check", CURRENT, PROPOSED],
        capture_output=True, text=True, env=env, cwd=REPO, check=False,
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stdout.startswith("::error file=fixtures/example/proposed.json,line=")
    assert (tmp_path / "s.md").read_text().startswith("## vmss-lint")


# --- Markdown summary ----------------------------------------------------------------------------------


def test_summary_escapes_table_breakers_and_html() -> None:
    f = finding(message="a | b <script>alert(1)</script>\nnext")
    f = replace(f, pointer="/tags/a|b`c")
    text = md.render(report_of([f]))
    row = next(line for line in text.splitlines() if line.startswith("| ⚠️"))
    assert row.count(" | ") == 5  # six cells, the pipe in the pointer is escaped
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "``/tags/a\\|b`c``" in text


def test_summary_stays_under_the_size_limit() -> None:
    findings = [finding(pointer=f"/p{i}", message="x" * 400) for i in range(400)]
    text = md.fitted(report_of(findings), limit=20_000)
    assert len(text.encode()) <= 20_000
    assert "more finding(s) not shown" in text


# --- Azure Pipelines -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("a;b]c", "a;b]c", "a%3Bb%5Dc"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("100% sure", "100% sure", "100% sure"),
        ("literal %3B and %0A", "literal %AZP253B and %AZP250A", "literal %AZP253B and %AZP250A"),
        ("%AZP25", "%AZP25AZP25", "%AZP25AZP25"),
    ],
)
def test_azure_escaping(raw: str, data: str, prop: str) -> None:
    assert azp.escape_data(raw) == data
    assert azp.escape_property(raw) == prop


def test_azure_logissue_shape_and_info_lines() -> None:
    findings = [
        finding("VMSS101", "error", "/zones", message="zones removed;\nrejected"),
        finding("VMSS401", "info", "/zones/3", message="##vso[task.setvariable variable=x]1"),
    ]
    lines = azp.render(report_of(findings)).splitlines()
    assert lines[0].startswith(
        "##vso[task.logissue type=error;sourcepath=infra/vmss.json;linenumber=5;columnnumber=7;code=VMSS101;]"
    )
    assert "zones removed;%0Arejected" in lines[0]
    info = lines[1]
    assert not info.startswith("##") and "##vso[" not in info
    assert all("##vso[" not in line for line in lines[1:])


# --- JUnit --------------------------------------------------------------------------------------------------


def test_junit_one_suite_per_scale_set_failures_at_fail_on() -> None:
    root = ET.fromstring(renderer("junit")(example(), rules=RULES))
    suites = root.findall("testsuite")
    assert len(suites) == 1 and suites[0].get("name") == "vmss-lint myResourceGroup/web"
    cases = suites[0].findall("testcase")
    failures = [c for c in cases if c.find("failure") is not None]
    assert sorted(c.get("name", "").split("]")[1][1:] for c in failures) == ["VMSS101", "VMSS106"]
    warning = next(c for c in cases if "[VMSS301]" in (c.get("name") or ""))
    assert warning.find("failure") is None and "Standard_D4s_v5" in (warning.findtext("system-out") or "")
    # one passing case per rule that found nothing, so an empty report is not mistaken for "not run"
    assert any("[VMSS105]" in (c.get("name") or "") and c.find("failure") is None for c in cases)
    assert root.get("failures") == "2" and int(root.get("tests", "0")) == len(cases)
    assert len({c.get("name") for c in cases}) == len(cases)


def test_junit_fail_on_warning_and_xml_safety() -> None:
    bad = finding(message="ctrl \x1b[31m and \x00 & <tag>")
    text = renderer("junit")(report_of([bad, replace(bad, message="other")], "warning"), rules=RULES)
    root = ET.fromstring(text)
    cases = [c for c in root.iter("testcase") if "[VMSS301]" in (c.get("name") or "")]
    assert len(cases) == 2 and len({c.get("name") for c in cases}) == 2
    assert all(c.find("failure") is not None for c in cases)
    assert "&lt;tag&gt;" in text and "\x00" not in text


# --- --output ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["sarif", "junit", "json", "github", "azure-pipelines"])
def test_output_is_written_whole_and_leaves_no_temp_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    target = tmp_path / "out" / "report"
    target.parent.mkdir()
    target.write_text("old content that must be replaced whole\n")
    assert main(["check", CURRENT, PROPOSED, "--format", fmt, "--output", str(target)]) == 1
    assert capsys.readouterr().out == ""
    assert main(["check", CURRENT, PROPOSED, "--format", fmt]) == 1
    assert target.read_text() == capsys.readouterr().out
    assert [p.name for p in target.parent.iterdir()] == ["report"]
    if fmt == "sarif":
        jsonschema.Draft4Validator(SCHEMA).validate(json.loads(target.read_text()))


def test_output_into_a_missing_folder_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", CURRENT, PROPOSED, "--output", str(tmp_path / "nope" / "r.sarif")]) == 2
    assert "the folder for --output does not exist" in capsys.readouterr().err


# --- trust: local Python rule hooks ------------------------------------------------------------------------


def copy_rules(tmp_path: Path, module: str) -> Path:
    """The fixture pack under a fresh module name (imported hooks are cached per name)."""
    folder = tmp_path / "rules"
    folder.mkdir()
    src = FIXTURES / "configs" / "python-rules"
    (folder / f"{module}.py").write_text((src / "acme_hooks.py").read_text())
    toml = (src / "ACME001-local-hook.toml").read_text().replace("acme_hooks:", f"{module}:")
    (folder / "ACME001-local-hook.toml").write_text(toml)
    return folder


def test_python_hooks_are_refused_without_the_flag_and_run_with_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_rules(tmp_path, "acme_hooks_flag")
    assert main(["check", CURRENT, PROPOSED, "--rules-dir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "runs Python code" in err and "--allow-python-rules" in err
    assert "vmss_lint_local_rules.acme_hooks_flag" not in sys.modules  # refused before any import
    rc = main(
        ["check", CURRENT, PROPOSED, "--rules-dir", str(folder), "--allow-python-rules", "--format", "json"]
    )
    report = json.loads(capsys.readouterr().out)
    assert rc == 1
    acme = [f for r in report["results"] for f in r["findings"] if f["rule"] == "ACME001"]
    assert [f["message"] for f in acme] == ["the local Python hook ran"]


def test_config_cannot_enable_hooks_on_a_pull_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    copy_rules(tmp_path, "acme_hooks_pr")
    (tmp_path / ".vmss-lint.toml").write_text('rules-dir = "rules"\nallow-python-rules = true\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    # A same-repository pull request: its config is trusted (see test_trust.py), but not to enable hooks.
    same_repo = {
        "pull_request": {"head": {"repo": {"full_name": "a/b"}}, "base": {"repo": {"full_name": "a/b"}}}
    }
    (tmp_path / "event.json").write_text(json.dumps(same_repo))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(tmp_path / "event.json"))
    assert main(["check", CURRENT, PROPOSED]) == 2
    err = capsys.readouterr().err
    assert "allow-python-rules is ignored on a GitHub 'pull_request' event" in err
    assert "vmss_lint_local_rules.acme_hooks_pr" not in sys.modules
    # From a fork the config is not applied at all: the base's policy (here the defaults) is.
    monkeypatch.delenv("GITHUB_EVENT_PATH")
    assert main(["check", CURRENT, PROPOSED, "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert "allow-python-rules: true" in " ".join(
        f["message"] for r in report["results"] for f in r["findings"]
    )
    assert "vmss_lint_local_rules.acme_hooks_pr" not in sys.modules
    # On a push the same config is honoured, and so is the explicit flag on a pull request.
    monkeypatch.setenv("GITHUB_EVENT_NAME", "push")
    assert main(["check", CURRENT, PROPOSED, "--format", "json"]) == 1
    assert "ACME001" in capsys.readouterr().out


def test_rules_and_explain_also_need_the_flag_to_import_hooks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = copy_rules(tmp_path, "acme_hooks_list")
    assert main(["rules", "--rules-dir", str(folder)]) == 2
    assert main(["explain", "ACME001", "--rules-dir", str(folder)]) == 2
    assert "vmss_lint_local_rules.acme_hooks_list" not in sys.modules
    capsys.readouterr()
    assert main(["rules", "--rules-dir", str(folder), "--allow-python-rules"]) == 0
    assert "ACME001" in capsys.readouterr().out


def test_json_format_is_the_reports_dump_written_by_json_dumps() -> None:
    """The JSON writer walks the records directly; it must print exactly their dump."""
    from vmss_lint.report.formats.json import render

    report = report_of([finding("VMSS301"), finding("VMSS101", severity="error", line=3)], "warning")
    assert render(report) == json.dumps(report.dump(), indent=2, ensure_ascii=False) + "\n"
