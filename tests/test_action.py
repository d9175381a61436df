"""The composite GitHub Action on a `pull_request`, run step by step (tests/actionrunner.py emulates the
runner); the repository is a real one whose HEAD is a merge commit, as actions/checkout gives for a pull
request. The other events, shallow checkouts and fetching: tests/test_action_events.py.

The install step runs for real once (a fresh venv, pip from PyPI, 40-50 s here); the other runs point it at
this interpreter through VMSS_LINT_ACTION_PYTHON, which the step honours for exactly this purpose.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from actionrunner import ACTION, STEPS, run_action
from conftest import REPO
from gitfixture import SUBNET_LINE, GitRepo, line_of, snapshot_checkout, template
from package_index import serve_wheels

from vmss_lint import __version__

SARIF_SCHEMA = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"
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


def test_action_metadata_and_no_expression_inside_run() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {
        "paths", "base", "fail-on", "parameters", "config", "sarif-file", "args", "live",
        "terraform-plans", "version", "setup-python", "python-version", "token", "trust-config",
    }  # fmt: skip
    assert set(ACTION["outputs"]) == {
        "impact", "errors", "warnings", "infos", "failed", "sarif-file", "report-file", "base",
    }  # fmt: skip
    for step in STEPS:
        if "uses" in step:  # only actions/setup-python, pinned by SHA (checked when the emulator runs it)
            assert step["uses"].startswith("actions/setup-python@")
            continue
        assert "run" in step and step["shell"] == "bash"
        assert "${{" not in step["run"], f"script injection risk in step {step.get('name')}"
        assert "--allow-python-rules" not in step["run"]
    for name in ACTION["inputs"]:
        mentions = [
            s for s in STEPS if f"inputs.{name} " in str({**s.get("env", {}), **s.get("with", {})}) + " "
        ]
        mentions += [s for s in STEPS if f"inputs.{name} " in str(s.get("if", "")) + " "]
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


def test_a_head_checkout_compares_with_the_merge_base_of_the_pull_request_base(tmp_path: Path) -> None:
    repo = pull_request(tmp_path, template(vnet="vnet-b"))
    main = repo.git("rev-parse", "main").strip()
    repo.git("checkout", "-q", "pr")  # `ref: github.event.pull_request.head.sha`: no merge commit
    payload = {"pull_request": {"base": {"ref": "main", "sha": main}}}
    run = run_action(repo, tmp_path, payload=payload)
    assert run.returncode == 1 and "VMSS106" in run.stdout
    assert run.outputs["base"] == repo.git("merge-base", "main", "pr").strip()


def test_without_a_way_to_tell_the_base_the_step_says_how_to_fix_it(tmp_path: Path) -> None:
    repo = pull_request(tmp_path, template(vnet="vnet-b"))
    repo.git("checkout", "-q", "pr")
    run = run_action(repo, tmp_path)  # no merge commit, and the payload names no base sha
    assert run.returncode == 2
    assert "::error title=vmss-lint::HEAD is not a pull request merge commit" in run.stdout
    assert "set the action's base input" in run.stdout
    run = run_action(repo, tmp_path, event="schedule", payload={})
    assert run.returncode == 2
    assert "cannot tell the base revision on a schedule event: set the action's base input" in run.stdout
    run = run_action(repo, tmp_path, {"base": "--output=/tmp/x"})  # an option is not a revision
    assert run.returncode == 2 and "is not a revision" in run.stdout


HOSTILE_MODULES = (
    "json.py",
    "tomllib.py",
    "os.py",
    "venv.py",
    "encodings/__init__.py",
    "vmss_lint/__init__.py",
    "vmss_lint/__main__.py",
    "vmss_lint/cli.py",
    "vmss_lint/cli/__init__.py",
    "pip/__init__.py",
    "argparse.py",
    "enum.py",
)


def pr_payload(head_repo: str) -> dict[str, Any]:
    """The part of a `pull_request` event payload the trust model reads, shaped like GitHub's."""
    return {
        "action": "opened",
        "number": 7,
        "pull_request": {
            "head": {"ref": "pr", "repo": {"full_name": head_repo, "fork": head_repo != "acme/infra"}},
            "base": {"ref": "main", "repo": {"full_name": "acme/infra", "fork": False}},
        },
        "repository": {"full_name": "acme/infra", "default_branch": "main"},
    }


DISARMING_CONFIG = 'fail-on = "never"\nignore = ["VMSS106"]\n'


@pytest.mark.parametrize(
    ("head_repo", "trust", "expected_rc"),
    [("mallory/infra", "auto", 1), ("acme/infra", "auto", 0), ("mallory/infra", "head", 0)],
)
def test_a_fork_pull_requests_config_cannot_switch_the_check_off(
    tmp_path: Path, head_repo: str, trust: str, expected_rc: int
) -> None:
    proposed = template(vnet="vnet-b")
    repo = GitRepo(tmp_path / "workspace")
    repo.write(TEMPLATE, template())
    repo.commit("template")
    repo.git("checkout", "-q", "-b", "pr")
    repo.write(TEMPLATE, proposed)
    repo.write(".vmss-lint.toml", DISARMING_CONFIG)
    repo.commit("the pull request, with a config that disarms the check")
    repo.git("checkout", "-q", "--detach", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pr into main", "pr")
    run = run_action(repo, tmp_path, {"trust-config": trust}, payload=pr_payload(head_repo))
    assert run.returncode == expected_rc, run.stdout + run.stderr
    if expected_rc == 1:
        assert "VMSS106" in run.summary and "VMSS011" in run.summary
        assert run.outputs["errors"] == "1" and run.outputs["warnings"] == "2"
        assert "::warning file=.vmss-lint.toml,line=1" in run.stdout  # fail-on = "never", annotated
    else:
        assert "VMSS106" not in run.summary and "VMSS011" not in run.summary


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


@pytest.mark.slow
def test_version_input_installs_that_release_from_the_package_index(tmp_path: Path) -> None:
    """`version: X` installs vmss-lint==X from the package index, not the action's checkout: a release
    numbered differently from the checkout is built and served by a real package index on loopback."""
    release = f"{__version__}.post7"
    source = snapshot_checkout(tmp_path / "release")
    for name, old, new in (
        ("pyproject.toml", f'version = "{__version__}"', f'version = "{release}"'),
        ("vmss_lint/core/version.py", f'__version__ = "{__version__}"', f'__version__ = "{release}"'),
    ):
        text = (source / name).read_text(encoding="utf-8")
        assert old in text, name
        (source / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    wheels = tmp_path / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(source)]
    subprocess.run(build, check=True, capture_output=True, timeout=300)
    action_path = snapshot_checkout(tmp_path / "action")
    repo = pull_request(tmp_path, template(vnet="vnet-b"))
    with serve_wheels(wheels) as (index, requested):
        env = {"PIP_EXTRA_INDEX_URL": index}
        run = run_action(repo, tmp_path, {"version": release}, action_path=action_path, python=None, env=env)
        assert run.returncode == 1, run.stdout + run.stderr
        assert f"vmss-lint {release}" in run.stdout  # the installed release, printed by the install step
        assert "VMSS106" in run.summary
        assert f"/files/vmss_lint-{release}-py3-none-any.whl" in requested, requested
        again = tmp_path / "again"
        again.mkdir()
        missing = run_action(repo, again, {"version": "9.9.9"}, action_path=action_path, python=None, env=env)
    assert missing.returncode == 2
    assert (
        "::error title=vmss-lint::pip could not install vmss-lint 9.9.9 from the package index"
        in missing.stdout
    )


def test_args_input_is_split_like_shell_words_and_never_evaluated(tmp_path: Path) -> None:
    repo = pull_request(tmp_path, template(vnet="vnet-b"))
    run = run_action(repo, tmp_path, {"args": "--ignore 'VMSS106'"})
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.outputs["errors"] == "0" and run.outputs["failed"] == "false"
    marker = tmp_path / "pwned"
    run = run_action(repo, tmp_path, {"args": f'--select VMSS1 "$(touch {marker})" `touch {marker}`'})
    assert not marker.exists()
    # the words reached vmss-lint literally (as paths outside the repository: one error line, exit 2)
    assert run.returncode == 2 and f"{marker}`: is outside the git repository" in run.stderr


@pytest.mark.parametrize(
    "args", ["--format sarif", "--output=x.json", "-ox.json", "--allow-python-rules", "--base main", "'open"]
)
def test_args_input_refuses_what_the_action_owns(tmp_path: Path, args: str) -> None:
    repo = pull_request(tmp_path, template(vnet="vnet-b"))
    run = run_action(repo, tmp_path, {"args": args})
    assert run.returncode == 2
    [error] = [line for line in run.stdout.splitlines() if line.startswith("::error")]
    assert "the args input" in error


def test_an_old_runner_python_is_refused_with_what_to_add(tmp_path: Path) -> None:
    repo = pull_request(tmp_path, template(vnet="vnet-b"))
    fake = tmp_path / "bin" / "python3"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 3.10.12\nexit 1\n", encoding="utf-8")
    fake.chmod(0o755)
    path = f"{fake.parent}:/usr/bin:/bin"
    run = run_action(repo, tmp_path, {"setup-python": "false"}, python=None, env={"PATH": path})
    assert run.returncode == 2
    assert f"vmss-lint needs Python 3.11 or newer, {fake} is 3.10.12" in run.stdout
    assert "actions/setup-python" in run.stdout and "setup-python input at true" in run.stdout
    assert not (tmp_path / "runner-temp" / "vmss-lint-venv").exists()


def test_version_input_must_be_a_release_number(tmp_path: Path) -> None:
    repo = pull_request(tmp_path, template(vnet="vnet-b"))
    run = run_action(repo, tmp_path, {"version": "0.1; touch x"})
    assert run.returncode == 2
    assert "the version input '0.1; touch x' is not a release number" in run.stdout


def test_one_run_writes_every_output_when_vmss_lint_can(tmp_path: Path) -> None:
    """A vmss-lint that takes `--format FORMAT:FILE` is run once for the three outputs (a recording stand-in:
    the real option is the CLI's; an older release is run once per output, as the tests above run it)."""
    repo = pull_request(tmp_path, template(vnet="vnet-b"))
    calls = tmp_path / "calls.jsonl"
    fake = tmp_path / "bin" / "vmss-lint"
    fake.parent.mkdir()
    fake.write_text(
        f"""#!{sys.executable}
import json, sys
args = sys.argv[1:]
if "--help" in args:
    print("--format FORMAT  text, json, ...; repeatable, FORMAT:FILE writes that format to FILE")
    sys.exit(0)
if args == ["--version"]:
    print("vmss-lint 0.0.0-fake")
    sys.exit(0)
open({str(calls)!r}, "a").write(json.dumps(args) + "\\n")
report = next(a.split(":", 1)[1] for a in args if a.startswith("json:"))
summary = {{"impact": "recreate", "errors": 1, "warnings": 0, "infos": 0}}
open(report, "w").write(json.dumps({{"summary": summary}}))
sys.exit(1)
""",
        encoding="utf-8",
    )
    fake.chmod(0o755)
    (tmp_path / "bin" / "python").symlink_to(sys.executable)
    run = run_action(repo, tmp_path, python=str(tmp_path / "bin" / "python"))
    assert run.returncode == 1, run.stdout + run.stderr
    [argv] = [json.loads(line) for line in calls.read_text(encoding="utf-8").splitlines()]
    formats = [argv[i + 1] for i, a in enumerate(argv) if a == "--format"]
    sarif, report = run.outputs["sarif-file"], run.outputs["report-file"]
    assert formats == ["github", f"sarif:{sarif}", f"json:{report}"]
    assert "--output" not in argv and argv[argv.index("--") :] == ["--"]
    assert (run.outputs["errors"], run.outputs["failed"]) == ("1", "true")


def test_a_base_equal_to_the_checkout_is_a_warning_not_a_silent_pass(tmp_path: Path) -> None:
    repo = pull_request(tmp_path, template(vnet="vnet-b"))
    main = repo.git("rev-parse", "main").strip()
    repo.git("checkout", "-q", "main")  # pull_request_target checks out the base branch
    payload = {"pull_request": {"base": {"ref": "main", "sha": main}}}
    run = run_action(repo, tmp_path, event="pull_request_target", payload=payload)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "::warning title=vmss-lint::the base is the checked-out commit itself" in run.stdout
