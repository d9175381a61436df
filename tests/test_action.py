"""The composite GitHub Action, run step by step with bash the way the runner runs it.

The runner is emulated only where it must be: `${{ inputs.* }}` and `${{ steps.*.outputs.* }}` in a step's
`env:` are filled in, each `run:` goes to `bash --noprofile --norc -eo pipefail` with the GITHUB_*
variables of a `pull_request` run, and $GITHUB_OUTPUT is parsed as the runner parses it. The repository
is a real one whose HEAD is a merge commit, as actions/checkout gives for a pull request.

The install step runs for real once (a fresh venv, pip from PyPI, 40-50 s here); the other runs point it at
this interpreter through VMSS_LINT_ACTION_PYTHON, which the step honours for exactly this purpose.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO
from gitfixture import SUBNET_LINE, GitRepo, clean_env, line_of, snapshot_checkout, template

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
SARIF_SCHEMA = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

TEMPLATE, PARAMS = "infra/vmss.json", "infra/vmss.parameters.json"


def pull_request(tmp_path: Path, proposed: str) -> GitRepo:
    """main has the template; a PR branch changes it; main moves on; HEAD is the PR's merge commit."""
    repo = GitRepo(tmp_path / "workspace")
    repo.write(TEMPLATE, template())
    repo.commit("template")
    repo.git("checkout", "-q", "-b", "pr")
    repo.write(TEMPLATE, proposed)
    repo.commit("the pull request")
    repo.git("checkout", "-q", "main")
    repo.write("README.md", "main moved on\n")
    repo.commit("unrelated work on main")
    repo.git("checkout", "-q", "--detach", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pr into main", "pr")
    return repo


def expand(value: str, inputs: dict[str, str], steps: dict[str, dict[str, str]]) -> str:
    def one(match: re.Match[str]) -> str:
        expr = match.group(1)
        if expr.startswith("inputs."):
            return inputs[expr.removeprefix("inputs.")]
        m = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
        assert m, f"the emulator does not know {expr!r}"
        return steps[m.group(1)].get(m.group(2), "")

    return EXPR.sub(one, value)


def parse_output_file(path: Path) -> dict[str, str]:
    """$GITHUB_OUTPUT as the runner reads it: name=value lines, or name<<DELIM ... DELIM blocks."""
    out: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            end = lines.index(delim, i + 1)
            out[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
            continue
        name, _, value = line.partition("=")
        out[name] = value
        i += 1
    return out


class ActionRun:
    def __init__(self, returncode: int, stdout: str, stderr: str, outputs: dict[str, str], summary: str):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr
        self.outputs, self.summary = outputs, summary


def run_action(
    repo: GitRepo,
    tmp_path: Path,
    with_: dict[str, str] | None = None,
    *,
    action_path: Path = REPO,
    python: str | None = sys.executable,
    event: str = "pull_request",
) -> ActionRun:
    """Run every step in order, stopping at the first failing one, as the runner does."""
    declared = ACTION["inputs"]
    inputs = {name: spec.get("default", "") for name, spec in declared.items()}
    for name, value in (with_ or {}).items():
        assert name in declared, f"unknown input {name}"
        inputs[name] = value
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    summary = tmp_path / "step-summary.md"
    summary.touch()
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps({"pull_request": {"base": {"ref": "main"}}}), encoding="utf-8")
    steps: dict[str, dict[str, str]] = {}
    stdout = stderr = ""
    rc = 0
    for index, step in enumerate(STEPS):
        output_file = tmp_path / f"output-{index}"
        output_file.touch()
        env = clean_env(
            {
                "CI": "true",
                "GITHUB_ACTIONS": "true",
                "GITHUB_ACTION_PATH": str(action_path),
                "GITHUB_WORKSPACE": str(repo.path),
                "GITHUB_EVENT_NAME": event,
                "GITHUB_EVENT_PATH": str(event_path),
                "GITHUB_BASE_REF": "main" if event.startswith("pull_request") else "",
                "GITHUB_HEAD_REF": "pr",
                "GITHUB_REF": "refs/pull/7/merge",
                "GITHUB_SHA": repo.git("rev-parse", "HEAD").strip(),
                "GITHUB_OUTPUT": str(output_file),
                "GITHUB_STEP_SUMMARY": str(summary),
                "RUNNER_TEMP": str(runner_temp),
            }
        )
        if python is not None:
            env["VMSS_LINT_ACTION_PYTHON"] = python
        for name, value in (step.get("env") or {}).items():
            env[name] = expand(str(value), inputs, steps)
        script = tmp_path / f"step-{index}.sh"
        script.write_text(step["run"], encoding="utf-8")
        assert step["shell"] == "bash"
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=repo.path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        stdout += proc.stdout
        stderr += proc.stderr
        if "id" in step:
            steps[step["id"]] = parse_output_file(output_file)
        rc = proc.returncode
        if rc != 0:
            break
    outputs = {name: expand(spec["value"], inputs, steps) for name, spec in ACTION.get("outputs", {}).items()}
    return ActionRun(rc, stdout, stderr, outputs, summary.read_text(encoding="utf-8"))


def test_action_metadata_and_no_expression_inside_run() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {"paths", "base", "fail-on", "parameters", "config", "sarif-file"}
    assert set(ACTION["outputs"]) == {"impact", "errors", "warnings", "infos", "sarif-file"}
    for step in STEPS:
        assert "run" in step and step["shell"] == "bash"
        assert "${{" not in step["run"], f"script injection risk in step {step.get('name')}"
        assert "--allow-python-rules" not in step["run"]
    for name in ACTION["inputs"]:
        mentions = [s for s in STEPS if f"inputs.{name} " in str(s.get("env", {})) + " "]
        assert mentions, f"input {name} reaches no step"
    lint_env = next(s for s in STEPS if s.get("id") == "lint")["env"]
    assert lint_env["VMSS_LINT_UNTRUSTED_CONFIG"] == "1"


def test_pull_request_moving_the_vnet_is_annotated_on_the_right_line(tmp_path: Path) -> None:
    proposed = template(vnet="vnet-b")
    repo = pull_request(tmp_path, proposed)
    run = run_action(repo, tmp_path, {"sarif-file": str(tmp_path / "out.sarif")})
    assert run.returncode == 1, run.stderr
    line = line_of(proposed, SUBNET_LINE)
    annotations = [a for a in run.stdout.splitlines() if a.startswith("::error ")]
    assert any(f"file={TEMPLATE},line={line}," in a and "VMSS106" in a for a in annotations), run.stdout
    assert run.outputs["impact"] == "recreate"
    assert int(run.outputs["errors"]) >= 1
    assert run.outputs["sarif-file"] == str(tmp_path / "out.sarif")
    assert "VMSS106" in run.summary

    jsonschema = pytest.importorskip("jsonschema")
    sarif = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    results = sarif["runs"][0]["results"]
    hit = next(r for r in results if r["ruleId"] == "VMSS106")
    where = hit["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["uri"] == TEMPLATE
    assert where["region"]["startLine"] == line


def test_unrelated_pull_request_passes_with_zero_counts(tmp_path: Path) -> None:
    repo = pull_request(tmp_path, template().replace('"capacity": 2', '"capacity": 2, "tier": "Standard"'))
    run = run_action(repo, tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (run.outputs["errors"], run.outputs["warnings"]) == ("0", "0")
    assert Path(run.outputs["sarif-file"]).is_file()
    assert "::error " not in run.stdout


def test_fail_on_never_reports_without_failing(tmp_path: Path) -> None:
    repo = pull_request(tmp_path, template(vnet="vnet-b"))
    run = run_action(repo, tmp_path, {"fail-on": "never"})
    assert run.returncode == 0, run.stderr
    assert int(run.outputs["errors"]) >= 1


def test_paths_input_restricts_and_is_never_executed(tmp_path: Path) -> None:
    repo = pull_request(tmp_path, template(vnet="vnet-b"))
    marker = tmp_path / "pwned"
    run = run_action(repo, tmp_path, {"paths": f"docs/\n$(touch {marker})\n`touch {marker}`"})
    assert not marker.exists()
    assert run.returncode == 0, run.stderr  # the template is not under the given paths
    assert run.outputs["errors"] == "0"


def test_explicit_base_input(tmp_path: Path) -> None:
    repo = pull_request(tmp_path, template(vnet="vnet-b"))
    repo.git("checkout", "-q", "pr")  # not a merge commit: the base must be given
    run = run_action(repo, tmp_path, {"base": "main"})
    assert run.returncode == 1 and "VMSS106" in run.stdout


def test_without_a_merge_commit_or_base_the_step_says_how_to_fix_it(tmp_path: Path) -> None:
    repo = pull_request(tmp_path, template(vnet="vnet-b"))
    repo.git("checkout", "-q", "pr")
    run = run_action(repo, tmp_path)
    assert run.returncode == 2
    assert "::error title=vmss-lint::cannot tell the base revision" in run.stdout
    assert "fetch-depth: 2" in run.stdout
    run = run_action(repo, tmp_path, {"base": "--output=/tmp/x"})  # an option is not a revision
    assert run.returncode == 2 and "not a revision" in run.stderr


HOSTILE_MODULES = (
    "json.py",
    "tomllib.py",
    "os.py",
    "venv.py",
    "encodings/__init__.py",
    "vmss_lint/__init__.py",
    "vmss_lint/__main__.py",
    "vmss_lint/cli.py",
    "pip/__init__.py",
    "argparse.py",
    "enum.py",
)


def plant_hostile_python(repo: GitRepo, marker: Path) -> None:
    """A pull request that ships modules named like the stdlib's and vmss-lint's own; importing any of them
    writes the marker (and the module's name into it)."""
    for name in HOSTILE_MODULES:
        repo.write(
            name,
            # The builtin open, no import: importing a module here could reach a planted one half-way
            # (pathlib -> re -> the planted enum.py) and fail before the marker is written.
            f"open({str(marker)!r}, 'a').write({name!r} + '\\n')\n" if "pathlib" not in name else "",
        )
    repo.commit("the pull request also ships Python")


def hostile_pull_request(tmp_path: Path, marker: Path) -> GitRepo:
    """As `pull_request`, but the PR branch carries the hostile modules too (so the merge commit has them)."""
    repo = GitRepo(tmp_path / "workspace")
    repo.write(TEMPLATE, template())
    repo.commit("template")
    repo.git("checkout", "-q", "-b", "pr")
    repo.write(TEMPLATE, template(vnet="vnet-b"))
    repo.commit("the pull request")
    plant_hostile_python(repo, marker)
    repo.git("checkout", "-q", "main")
    repo.write("README.md", "main moved on\n")
    repo.commit("unrelated work on main")
    repo.git("checkout", "-q", "--detach", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pr into main", "pr")
    return repo


def test_no_python_from_the_pull_request_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pr-code-ran"
    repo = hostile_pull_request(tmp_path, marker)
    assert (repo.path / "json.py").is_file() and (repo.path / "vmss_lint" / "__init__.py").is_file()
    # The planted modules do work when Python imports from the checkout: the test can fail.
    subprocess.run([sys.executable, "-c", "import json"], cwd=repo.path, check=True, capture_output=True)
    assert marker.exists()
    marker.unlink()
    run = run_action(repo, tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "VMSS106" in run.summary
    assert run.outputs["errors"] != "" and int(run.outputs["errors"]) >= 1
    assert not marker.exists(), f"pull request code ran: {marker.read_text()}"


@pytest.mark.slow
def test_install_step_builds_its_own_environment_from_the_action_checkout(tmp_path: Path) -> None:
    action_path = snapshot_checkout(tmp_path / "action")
    marker = tmp_path / "pr-code-ran"
    repo = hostile_pull_request(tmp_path, marker)
    run = run_action(repo, tmp_path, action_path=action_path, python=None)
    assert run.returncode == 1, run.stdout + run.stderr
    assert not marker.exists(), f"pull request code ran: {marker.read_text()}"
    venv_python = tmp_path / "runner-temp" / "vmss-lint-venv" / "bin" / "python"
    assert venv_python.exists()
    assert "vmss-lint " in run.stdout  # the installed version, printed by the install step
    assert "VMSS106" in run.summary
