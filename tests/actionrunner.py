"""Runs the composite GitHub Action (action.yml) step by step with bash, the way the runner runs it.

The runner is emulated only where it must be: `${{ inputs.* }}`, `${{ github.token }}` and
`${{ steps.*.outputs.* }}` in a step's `env:`/`with:` are filled in, a step's `if: inputs.X == 'v'` is
evaluated, each `run:` goes to `bash --noprofile --norc -eo pipefail` with the GITHUB_* variables of the
event, and $GITHUB_OUTPUT is parsed as the runner parses it. The one `uses:` step, actions/setup-python, is
not run (it downloads a Python): it is checked to be pinned by commit SHA and its `python-path` output is
this interpreter, or the `setup_python` given.

The install step runs for real only where a test asks (python=None); the other runs point it at this
interpreter through VMSS_LINT_ACTION_PYTHON, which the step honours for exactly this purpose.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from conftest import REPO
from gitfixture import GitRepo, clean_env

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
SETUP_PYTHON = re.compile(r"actions/setup-python@[0-9a-f]{40}")
PR_PAYLOAD = {"pull_request": {"base": {"ref": "main"}}, "repository": {"default_branch": "main"}}


def expand(value: str, inputs: dict[str, str], steps: dict[str, dict[str, str]]) -> str:
    def one(match: re.Match[str]) -> str:
        expr = match.group(1)
        if expr.startswith("inputs."):
            return inputs[expr.removeprefix("inputs.")]
        if expr == "github.token":
            return ""  # no token here: fetches from the loopback origin need none
        m = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
        assert m, f"the emulator does not know {expr!r}"
        return steps.get(m.group(1), {}).get(m.group(2), "")

    return EXPR.sub(one, value)


def condition(step: dict[str, Any], inputs: dict[str, str]) -> bool:
    """The only `if:` the action uses: `inputs.NAME == 'VALUE'`."""
    if "if" not in step:
        return True
    m = re.fullmatch(r"inputs\.([\w-]+)\s*==\s*'([^']*)'", str(step["if"]).strip())
    assert m, f"the emulator does not know the condition {step['if']!r}"
    return inputs[m.group(1)] == m.group(2)


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
    setup_python: str = sys.executable,
    event: str = "pull_request",
    payload: dict[str, Any] | None = None,
    ref: str = "refs/pull/7/merge",
    env: dict[str, str] | None = None,
) -> ActionRun:
    """Run every step in order, stopping at the first failing one, as the runner does."""
    declared = ACTION["inputs"]
    inputs = {name: str(spec.get("default", "")) for name, spec in declared.items()}
    for name, value in (with_ or {}).items():
        assert name in declared, f"unknown input {name}"
        inputs[name] = value
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    summary = tmp_path / "step-summary.md"
    summary.touch()
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(PR_PAYLOAD if payload is None else payload), encoding="utf-8")
    steps: dict[str, dict[str, str]] = {}
    stdout = stderr = ""
    rc = 0
    for index, step in enumerate(STEPS):
        if not condition(step, inputs):
            continue
        if "uses" in step:
            assert SETUP_PYTHON.fullmatch(step["uses"]), f"{step['uses']} is not actions/setup-python@SHA"
            assert step["with"]["update-environment"] is False
            steps[step["id"]] = {"python-path": setup_python, "python-version": "3"}
            continue
        output_file = tmp_path / f"output-{index}"
        output_file.touch()
        step_env = clean_env(
            {
                "CI": "true",
                "GITHUB_ACTIONS": "true",
                "GITHUB_ACTION_PATH": str(action_path),
                "GITHUB_WORKSPACE": str(repo.path),
                "GITHUB_EVENT_NAME": event,
                "GITHUB_EVENT_PATH": str(event_path),
                "GITHUB_BASE_REF": "main" if event.startswith("pull_request") else "",
                "GITHUB_HEAD_REF": "pr" if event.startswith("pull_request") else "",
                "GITHUB_REF": ref,
                "GITHUB_SHA": repo.git("rev-parse", "HEAD").strip(),
                "GITHUB_SERVER_URL": "https://github.com",
                "GITHUB_OUTPUT": str(output_file),
                "GITHUB_STEP_SUMMARY": str(summary),
                "RUNNER_TEMP": str(runner_temp),
                **(env or {}),
            }
        )
        if python is not None:
            step_env["VMSS_LINT_ACTION_PYTHON"] = python
        for name, value in (step.get("env") or {}).items():
            step_env[name] = expand(str(value), inputs, steps)
        script = tmp_path / f"step-{index}.sh"
        script.write_text(step["run"], encoding="utf-8")
        assert step["shell"] == "bash"
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=repo.path,
            env=step_env,
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
