"""The README's pre-commit and Action snippets work when pasted: every pin is a full commit SHA, the
vmss-lint commit they pin is in this repository's history and has the hooks and inputs the snippets use,
and the Action snippet's vmss-lint step runs (through tests/actionrunner.py) on a pull request."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from actionrunner import ACTION, run_action
from conftest import REPO
from gitfixture import GitRepo, template

README = (REPO / "README.md").read_text(encoding="utf-8")
SHA = re.compile(r"[0-9a-f]{40}")


def yaml_blocks() -> list[tuple[str, Any]]:
    blocks = re.findall(r"```yaml\n(.*?)```", README, flags=re.S)
    return [(text, yaml.safe_load(text)) for text in blocks]


def block(marker: str) -> tuple[str, Any]:
    [found] = [(text, doc) for text, doc in yaml_blocks() if marker in text]
    return found


def at_commit(sha: str, path: str) -> str:
    proc = subprocess.run(
        ["git", "show", f"{sha}:{path}"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, f"{path} at {sha}: {proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def history() -> None:
    proc = subprocess.run(
        ["git", "rev-parse", "--is-shallow-repository"], cwd=REPO, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0 or proc.stdout.strip() != "false":
        pytest.skip("needs this repository's full git history")


def pinned_commit(sha: str) -> None:
    """A commit of this repository that the current HEAD contains: on main once HEAD is."""
    proc = subprocess.run(
        ["git", "merge-base", "--is-ancestor", sha, "HEAD"], cwd=REPO, capture_output=True, check=False
    )
    assert proc.returncode == 0, f"{sha} is not a commit in HEAD's history: pin a commit of main"


def test_the_pre_commit_snippet_pins_a_commit_that_has_its_hooks(history: None) -> None:
    text, doc = block(".pre-commit-config.yaml")
    [repo] = doc["repos"]
    rev = repo["rev"]
    assert SHA.fullmatch(rev), f"rev {rev!r} is not a full commit SHA (no release is tagged)"
    assert re.search(rf"rev: {rev}  # main as of \d{{4}}-\d{{2}}-\d{{2}}", text)
    pinned_commit(rev)
    ids = {hook["id"] for hook in repo["hooks"]}
    mentioned = set(re.findall(r"vmss-lint(?:-strict)?", text.split("hooks:", 1)[1]))
    for manifest in (
        (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"),
        at_commit(rev, ".pre-commit-hooks.yaml"),
    ):
        published = {hook["id"] for hook in yaml.safe_load(manifest)}
        assert ids | mentioned <= published, (
            f"the snippet names hooks {ids | mentioned}, published {published}"
        )
    docs = (REPO / "docs" / "templates.md").read_text(encoding="utf-8")
    assert f"rev: {rev}" in docs  # the same pin in the git-mode docs
    assert f"vmss-lint@{rev}'" in README  # and in the install line


def test_the_action_snippet_pins_every_action_by_sha_and_guards_the_upload(history: None) -> None:
    _, doc = block(".github/workflows/vmss-lint.yml")
    steps = doc["jobs"]["vmss-lint"]["steps"]
    for step in steps:
        ref = step["uses"].partition("@")[2]
        assert SHA.fullmatch(ref), f"{step['uses']} is not pinned by a full commit SHA"
    ours = next(s for s in steps if s["uses"].startswith("<owner>/vmss-lint@"))
    sha = ours["uses"].partition("@")[2]
    pinned_commit(sha)
    pinned_inputs = set(yaml.safe_load(at_commit(sha, "action.yml"))["inputs"])
    assert set(ours.get("with", {})) <= pinned_inputs & set(ACTION["inputs"])
    upload = next(s for s in steps if "upload-sarif" in s["uses"])
    guard = " ".join(str(upload["if"]).split())
    assert "github.event.pull_request.head.repo.full_name == github.repository" in guard
    assert "steps.lint.outputs.sarif-file != ''" in guard
    events = doc.get("on", doc.get(True))  # YAML 1.1 reads the key `on` as true
    assert set(events) == {"pull_request", "push", "merge_group", "workflow_dispatch"}
    checkout = next(s for s in steps if s["uses"].startswith("actions/checkout@"))
    assert checkout["with"] == {"persist-credentials": False}  # no fetch-depth: the action fetches the base


def test_the_action_snippet_step_runs_on_a_pull_request(tmp_path: Path) -> None:
    _, doc = block(".github/workflows/vmss-lint.yml")
    ours = next(s for s in doc["jobs"]["vmss-lint"]["steps"] if s["uses"].startswith("<owner>/vmss-lint@"))
    repo = GitRepo(tmp_path / "workspace")
    repo.write("infra/vmss.json", template())
    repo.commit("template")
    repo.git("checkout", "-q", "-b", "pr")
    repo.write("infra/vmss.json", template(vnet="vnet-b"))
    repo.commit("the pull request")
    repo.git("checkout", "-q", "--detach", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pr into main", "pr")
    run = run_action(repo, tmp_path, {k: str(v) for k, v in (ours.get("with") or {}).items()})
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.outputs["failed"] == "true" and run.outputs["sarif-file"]
    assert "VMSS106" in run.summary
