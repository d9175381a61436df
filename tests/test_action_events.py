"""The Action on every event it supports, on real repositories cloned the way actions/checkout clones.

Each test builds an "origin" (a bare repository reached over file://, so fetches really go through git's
transport), then a workspace that fetches only what actions/checkout would fetch for the event with the
given `fetch-depth` (1 by default, as in actions/checkout) and checks it out detached. The action must then
find and fetch the base itself: the merge commit's parent for a pull request, `before` for a push of several
commits, the merge base with the default branch for a new branch or a manual run, `base_sha` for a merge
queue.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from actionrunner import run_action
from gitfixture import GitRepo, clean_env, template

TEMPLATE = "infra/vmss.json"
ZEROS = "0" * 40
REPOSITORY = {"default_branch": "main", "full_name": "octo/infra"}


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, env=clean_env(), check=False
    )
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout.strip()


class Origin:
    """The remote: a bare repository, pushed to from an authoring clone."""

    def __init__(self, tmp_path: Path) -> None:
        self.bare = tmp_path / "origin.git"
        git(tmp_path, "init", "-q", "--bare", "-b", "main", str(self.bare))
        self.author = GitRepo(tmp_path / "author")
        self.author.git("remote", "add", "origin", self.url)
        self.author.write(TEMPLATE, template())
        self.author.commit("the scale set")
        self.push("main")

    @property
    def url(self) -> str:
        return self.bare.as_uri()

    def push(self, *refspecs: str) -> None:
        self.author.git("push", "-q", "--force", "origin", *refspecs)

    def sha(self, rev: str) -> str:
        return self.author.git("rev-parse", rev).strip()

    def checkout(self, tmp_path: Path, ref: str, *, depth: int = 1) -> GitRepo:
        """What actions/checkout does: init, fetch the one ref at the depth, check it out detached."""
        ws = GitRepo(tmp_path / "workspace", commit=False)
        ws.git("remote", "add", "origin", self.url)
        ws.git("fetch", "-q", "--no-tags", f"--depth={depth}", "origin", f"+{ref}:refs/remotes/checkout")
        ws.git("checkout", "-q", "--detach", "refs/remotes/checkout")
        assert ws.git("rev-parse", "--is-shallow-repository").strip() == "true"
        return ws


def findings(tmp_path: Path) -> list[str]:
    report = json.loads((tmp_path / "runner-temp" / "vmss-lint-report.json").read_text(encoding="utf-8"))
    return [f["rule"] for r in report["results"] for f in r["findings"]]


@pytest.fixture
def origin(tmp_path: Path) -> Origin:
    return Origin(tmp_path)


def branch_moving_the_subnet(origin: Origin, branch: str) -> tuple[str, str]:
    """A branch off main whose first commit moves the scale set to another VNet: (fork point, that commit)."""
    fork_point = origin.sha("HEAD")
    origin.author.git("checkout", "-q", "-b", branch)
    origin.author.write(TEMPLATE, template(vnet="vnet-b"))
    return fork_point, origin.author.commit("move the scale set")


def push_payload(origin: Origin, before: str, ref: str, **extra: Any) -> dict[str, Any]:
    return {"ref": ref, "before": before, "after": origin.sha("HEAD"), "repository": REPOSITORY, **extra}


def test_pull_request_with_the_default_fetch_depth_fetches_the_merge_commit_parent(
    origin: Origin, tmp_path: Path
) -> None:
    a = origin.author
    a.git("checkout", "-q", "-b", "pr")
    a.write(TEMPLATE, template(vnet="vnet-b"))
    a.commit("the pull request")
    a.git("checkout", "-q", "main")
    a.write("README.md", "main moved on\n")
    main = a.commit("unrelated work on main")
    a.git("checkout", "-q", "--detach", "main")
    a.git("merge", "-q", "--no-ff", "-m", "Merge pr into main", "pr")
    origin.push("main", "pr", "HEAD:refs/pull/7/merge")
    ws = origin.checkout(tmp_path, "refs/pull/7/merge")  # fetch-depth 1: the parents are not there
    payload = {"pull_request": {"base": {"ref": "main", "sha": main}}, "repository": REPOSITORY}
    run = run_action(ws, tmp_path, payload=payload)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "VMSS106" in findings(tmp_path)
    assert run.outputs["base"] == main and run.outputs["failed"] == "true"
    assert run.outputs["report-file"].endswith("vmss-lint-report.json")


def test_push_of_a_new_branch_compares_with_the_merge_base_of_the_default_branch(
    origin: Origin, tmp_path: Path
) -> None:
    a = origin.author
    fork_point, _ = branch_moving_the_subnet(origin, "feature")
    a.write("notes.md", "more\n")
    a.commit("a second commit")
    a.git("checkout", "-q", "main")
    a.write("README.md", "main moved on\n")
    a.commit("main moved on")
    origin.push("main", "feature")
    ws = origin.checkout(tmp_path, "refs/heads/feature")
    payload = push_payload(origin, ZEROS, "refs/heads/feature", created=True)
    run = run_action(ws, tmp_path, event="push", payload=payload, ref="refs/heads/feature")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "VMSS106" in findings(tmp_path)
    assert run.outputs["base"] == fork_point
    assert "a new branch: comparing with the merge base of main" in run.stdout


@pytest.mark.parametrize("depth", [1, 2])
def test_push_of_several_commits_fetches_the_before_commit(
    origin: Origin, tmp_path: Path, depth: int
) -> None:
    a = origin.author
    before = origin.sha("HEAD")
    a.write(TEMPLATE, template(vnet="vnet-b"))
    a.commit("move the scale set")
    for i in range(3):
        a.write("notes.md", f"note {i}\n")
        a.commit(f"unrelated {i}")
    origin.push("main")
    ws = origin.checkout(tmp_path, "refs/heads/main", depth=depth)
    lacks = subprocess.run(["git", "cat-file", "-e", f"{before}^{{commit}}"], cwd=ws.path, env=clean_env())
    assert lacks.returncode != 0  # the action has to fetch it
    run = run_action(ws, tmp_path, event="push", payload=push_payload(origin, before, "refs/heads/main"))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "VMSS106" in findings(tmp_path)
    assert run.outputs["base"] == before
    assert "fetch-depth" not in run.stdout  # no advice that repeats the setting


def test_first_push_of_the_default_branch_is_skipped_with_a_notice(origin: Origin, tmp_path: Path) -> None:
    ws = origin.checkout(tmp_path, "refs/heads/main")
    run = run_action(ws, tmp_path, event="push", payload=push_payload(origin, ZEROS, "refs/heads/main"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "::notice title=vmss-lint::the first push of the default branch main" in run.stdout
    assert (run.outputs["failed"], run.outputs["errors"], run.outputs["sarif-file"]) == ("false", "0", "")


def test_force_push_whose_before_is_gone_falls_back_to_the_merge_base(origin: Origin, tmp_path: Path) -> None:
    a = origin.author
    fork_point = origin.sha("HEAD")
    a.git("checkout", "-q", "-b", "feature")
    a.write("notes.md", "rewritten away\n")
    gone = a.commit("a commit the force push drops")
    a.git("reset", "-q", "--hard", fork_point)
    a.write(TEMPLATE, template(vnet="vnet-b"))
    a.commit("move the scale set")
    origin.push("main", "feature")
    ws = origin.checkout(tmp_path, "refs/heads/feature")
    run = run_action(
        ws, tmp_path, event="push", payload=push_payload(origin, gone, "refs/heads/feature", forced=True)
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"the push's before commit {gone[:12]} is not on origin" in run.stdout
    assert run.outputs["base"] == fork_point


def test_merge_group_uses_the_payload_base_sha(origin: Origin, tmp_path: Path) -> None:
    a = origin.author
    base_sha = origin.sha("HEAD")
    a.git("checkout", "-q", "-b", "gh-readonly-queue/main/pr-7-abc")
    a.write(TEMPLATE, template(vnet="vnet-b"))
    a.write("README.md", "queued\n")
    head_sha = a.commit("Merge pull request #7")
    origin.push("gh-readonly-queue/main/pr-7-abc")
    ws = origin.checkout(tmp_path, "refs/heads/gh-readonly-queue/main/pr-7-abc")
    payload = {
        "merge_group": {"base_sha": base_sha, "head_sha": head_sha, "base_ref": "refs/heads/main"},
        "repository": REPOSITORY,
    }
    run = run_action(
        ws, tmp_path, event="merge_group", payload=payload, ref="refs/heads/gh-readonly-queue/main/pr-7-abc"
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "VMSS106" in findings(tmp_path)
    assert run.outputs["base"] == base_sha


def test_workflow_dispatch_compares_with_the_default_branch_or_the_base_input(
    origin: Origin, tmp_path: Path
) -> None:
    a = origin.author
    fork_point, moved = branch_moving_the_subnet(origin, "release")
    a.write(TEMPLATE, template(vnet="vnet-b", capacity=3))
    a.commit("one more VM")
    origin.push("main", "release")
    ws = origin.checkout(tmp_path, "refs/heads/release")
    payload = {"ref": "refs/heads/release", "inputs": {}, "repository": REPOSITORY}
    run = run_action(ws, tmp_path, event="workflow_dispatch", payload=payload, ref="refs/heads/release")
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.outputs["base"] == fork_point
    assert "VMSS106" in findings(tmp_path)
    # base input: a commit the shallow checkout lacks is fetched; only the capacity changed since then
    run = run_action(
        ws, tmp_path, {"base": moved}, event="workflow_dispatch", payload=payload, ref="refs/heads/release"
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.outputs["base"] == moved
    assert "VMSS106" not in findings(tmp_path) and "VMSS550" in findings(tmp_path)


def test_workflow_dispatch_on_the_default_branch_without_base_is_skipped(
    origin: Origin, tmp_path: Path
) -> None:
    ws = origin.checkout(tmp_path, "refs/heads/main")
    payload = {"ref": "refs/heads/main", "inputs": {}, "repository": REPOSITORY}
    run = run_action(ws, tmp_path, event="workflow_dispatch", payload=payload, ref="refs/heads/main")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "::notice title=vmss-lint::workflow_dispatch on the default branch main" in run.stdout
    assert "set the action's base input" in run.stdout


def test_a_base_that_cannot_be_fetched_is_one_error_line(origin: Origin, tmp_path: Path) -> None:
    ws = origin.checkout(tmp_path, "refs/heads/main")
    run = run_action(ws, tmp_path, {"base": "no-such-branch"}, event="push", payload={})
    assert run.returncode == 2
    errors = [line for line in run.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and "the base input no-such-branch is not in the checkout" in errors[0]


def test_a_complete_clone_stays_complete(origin: Origin, tmp_path: Path) -> None:
    """fetch-depth: 0 has the whole history; the action's fetches (of a missing branch) must not make it
    shallow."""
    fork_point, _ = branch_moving_the_subnet(origin, "feature")
    origin.author.git("checkout", "-q", "main")
    origin.author.write("README.md", "main moved on\n")
    main = origin.author.commit("main moved on")
    origin.push("main", "feature")
    ws = GitRepo(tmp_path / "workspace", commit=False)
    ws.git("remote", "add", "origin", origin.url)
    ws.git("fetch", "-q", "--no-tags", "origin", "+refs/heads/feature:refs/remotes/checkout")  # not main
    ws.git("checkout", "-q", "--detach", "refs/remotes/checkout")
    payload = {"ref": "refs/heads/feature", "inputs": {}, "repository": REPOSITORY}
    for inputs, base in (({"base": "origin/main"}, main), ({}, fork_point)):
        run = run_action(
            ws, tmp_path, inputs, event="workflow_dispatch", payload=payload, ref="refs/heads/feature"
        )
        assert run.returncode == 1, run.stdout + run.stderr
        assert run.outputs["base"] == base
        assert ws.git("rev-parse", "--is-shallow-repository").strip() == "false"
