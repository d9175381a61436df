"""The trust model: on an untrusted CI event the policy comes from the base revision, never the PR head.

Each test builds a real git repository whose base commit has a scale set (and perhaps a config), then a
working tree that moves the NIC to another virtual network (VMSS106, an error) and changes the config the
way a hostile pull request would. The run gets the environment a CI system gives it (GitHub's variables
and a real event payload file, or Azure Pipelines' variables) and goes through the CLI's `main`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from gitfixture import BASE_MODEL, GitRepo, moved_vnet, rules_of, template, unrelated

MODEL = "infra/web.json"
HOSTILE = """\
fail-on = "never"
ignore = ["VMSS106"]
select = ["VMSS5"]
api-version = "2019-03-01"
allow-python-rules = true

[severity]
VMSS106 = "info"

[parameters]
"infra/web.json" = "infra/elsewhere.parameters.json"

[[suppress]]
rule = "VMSS106"
reason = "trust me"
expires = 9999-12-31
"""


def pr_repo(
    tmp_path: Path, base_cfg: str | None, head_cfg: str | None, head_model: str | None = None
) -> GitRepo:
    """main holds the model (and `base_cfg`); the working tree is the pull request's head."""
    repo = GitRepo(tmp_path / "repo")
    repo.write(MODEL, BASE_MODEL)
    if base_cfg is not None:
        repo.write(".vmss-lint.toml", base_cfg)
    repo.commit("base")
    repo.write(MODEL, head_model if head_model is not None else moved_vnet())
    if head_cfg is not None:
        repo.write(".vmss-lint.toml", head_cfg)
    return repo


def github_env(tmp_path: Path, event: str, *, fork: bool | None = True) -> dict[str, str]:
    """GITHUB_* of a run on `event`, with a payload shaped like GitHub's (None: no payload file)."""
    path = tmp_path / f"event-{event}.json"
    if fork is not None:
        head = "mallory/infra" if fork else "acme/infra"
        payload: dict[str, Any] = {
            "action": "synchronize",
            "number": 7,
            "pull_request": {
                "number": 7,
                "head": {"ref": "pr", "sha": "1" * 40, "repo": {"full_name": head, "fork": fork}},
                "base": {"ref": "main", "sha": "2" * 40, "repo": {"full_name": "acme/infra", "fork": False}},
            },
            "repository": {"full_name": "acme/infra"},
        }
        path.write_text(json.dumps(payload), encoding="utf-8")
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(path),
        "CI": "true",
    }


def azure_env(reason: str, fork: bool = False) -> dict[str, str]:
    return {"TF_BUILD": "True", "BUILD_REASON": reason, "SYSTEM_PULLREQUEST_ISFORK": str(fork)}


def weakening_messages(report: dict[str, Any]) -> list[str]:
    found = [f["message"] for r in report["results"] for f in r["findings"] if f["rule"] == "VMSS011"]
    return found + [n for n in report["notices"] if n.startswith("VMSS011")]


def test_a_fork_pull_request_cannot_disarm_the_check_and_each_weakening_is_named(tmp_path: Path) -> None:
    repo = pr_repo(tmp_path, None, HOSTILE)
    # Locally the head's config is honoured, as before: it really does turn the error into a pass.
    rc, report = repo.json_report("check", "--base", "main")
    assert rc == 0 and "VMSS106" not in rules_of(report)

    rc, report = repo.json_report("check", "--base", "main", env=github_env(tmp_path, "pull_request"))
    assert rc == 1, report
    assert "VMSS106" in rules_of(report)
    assert report["summary"]["failOn"] == "error"
    messages = weakening_messages(report)
    for expected in (
        'fail-on: "never"',
        'ignore: ["VMSS106"]',
        'select: ["VMSS5"]',
        'api-version: "2019-03-01"',
        "allow-python-rules: true",
        'severity.VMSS106: "info"',
        'parameters."infra/web.json": "infra/elsewhere.parameters.json"',
        "suppress: VMSS106 at /** until 9999-12-31",
    ):
        assert sum(expected in m for m in messages) == 1, (expected, messages)
    assert all("from the fork mallory/infra" in m for m in messages)
    found = [f for r in report["results"] for f in r["findings"] if f["rule"] == "VMSS011"]
    assert {f["severity"] for f in found} == {"warning"}
    assert {f["location"]["file"] for f in found} == {str(repo.path / ".vmss-lint.toml")}
    lines = {f["message"].split(" changes ")[1].split(":")[0]: f["location"]["line"] for f in found}
    assert lines == {
        "fail-on": 1,
        "ignore": 2,
        "select": 3,
        "api-version": 4,
        "allow-python-rules": 5,
        "severity.VMSS106": 7,
        'parameters."infra/web.json"': 10,
        "suppress": 13,
    }
    assert any("the policy comes from main (no config: the defaults)" in n for n in report["notices"])


def test_the_base_revisions_config_is_the_one_applied(tmp_path: Path) -> None:
    repo = pr_repo(tmp_path, 'fail-on = "warning"\nignore = ["VMSS5"]\n', 'fail-on = "never"\n', unrelated())
    rc, report = repo.json_report("check", "--base", "main", env=github_env(tmp_path, "pull_request"))
    # The base ignores VMSS5xx (the tag change), so nothing is left but the refused fail-on.
    assert [f for f in rules_of(report) if f.startswith("VMSS5")] == []
    assert report["summary"]["failOn"] == "warning"
    assert rc == 1  # VMSS011 is a warning, and the base fails on warnings
    assert any("main:.vmss-lint.toml" in n for n in report["notices"])
    assert [m.split(",")[0] for m in weakening_messages(report)] == [
        f'{repo.path / ".vmss-lint.toml"} changes fail-on: "never"'
    ]


def test_a_head_revision_is_judged_by_its_own_config_not_the_checkout(tmp_path: Path) -> None:
    """`--head REV` with the base checked out (as a pipeline that lints a ref it did not check out does):
    the weakenings are the head revision's, although the working tree's config is the base's."""
    repo = pr_repo(tmp_path, 'fail-on = "error"\n', None)
    repo.git("checkout", "-q", "-b", "pr")
    repo.write(".vmss-lint.toml", HOSTILE)
    repo.commit("the pull request")
    repo.git("checkout", "-q", "main")
    assert (repo.path / ".vmss-lint.toml").read_text(encoding="utf-8") == 'fail-on = "error"\n'
    env = github_env(tmp_path, "pull_request")
    rc, report = repo.json_report("check", "--base", "main", "--head", "pr", env=env)
    assert rc == 1 and "VMSS106" in rules_of(report)
    messages = weakening_messages(report)
    assert any('fail-on: "never"' in m and "pr:.vmss-lint.toml" in m for m in messages), messages
    assert any('ignore: ["VMSS106"]' in m for m in messages), messages


def test_deleting_the_config_in_the_head_is_a_weakening_too(tmp_path: Path) -> None:
    repo = pr_repo(tmp_path, 'fail-on = "warning"\n', None, unrelated())
    (repo.path / ".vmss-lint.toml").unlink()
    rc, report = repo.json_report("check", "--base", "main", "--trust-config=base")
    assert rc == 1 and report["summary"]["failOn"] == "warning"
    assert any("the head (no config file) changes fail-on: null" in m for m in weakening_messages(report))


UNTRUSTED = "untrusted"
TRUSTED = "trusted"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("local", TRUSTED),
        ("github-push", TRUSTED),
        ("github-pull_request-same-repo", TRUSTED),
        ("github-pull_request_target-same-repo", TRUSTED),
        ("github-pull_request-fork", UNTRUSTED),
        ("github-pull_request_target-fork", UNTRUSTED),
        ("github-pull_request-no-payload", UNTRUSTED),
        ("github-merge_group", UNTRUSTED),
        ("github-issue_comment", UNTRUSTED),
        ("github-workflow_run", UNTRUSTED),
        ("azure-PullRequest", UNTRUSTED),
        ("azure-PullRequest-fork", UNTRUSTED),
        ("azure-IndividualCI", TRUSTED),
    ],
)
def test_each_event_is_detected(tmp_path: Path, name: str, expected: str) -> None:
    repo = pr_repo(tmp_path, None, 'fail-on = "never"\n')
    env: dict[str, str] = {}
    if name.startswith("github-"):
        event = name.split("-")[1]
        fork: bool | None = None if name.endswith("no-payload") else not name.endswith("same-repo")
        env = github_env(tmp_path, event, fork=fork)
    elif name.startswith("azure-"):
        env = azure_env(name.split("-")[1], fork=name.endswith("fork"))
    rc, report = repo.json_report("check", "--base", "main", env=env)
    if expected == UNTRUSTED:
        assert rc == 1 and "VMSS106" in rules_of(report)
        assert len(weakening_messages(report)) == 1
    else:
        assert rc == 0 and weakening_messages(report) == []


def test_trust_config_flag_and_environment_force_either_way(tmp_path: Path) -> None:
    repo = pr_repo(tmp_path, None, 'fail-on = "never"\n')
    fork = github_env(tmp_path, "pull_request")
    assert repo.json_report("check", "--base", "main", "--trust-config", "head", env=fork)[0] == 0
    assert repo.json_report("check", "--base", "main", env={**fork, "VMSS_LINT_TRUST_CONFIG": "head"})[0] == 0
    assert repo.json_report("check", "--base", "main", "--trust-config=base")[0] == 1
    assert repo.json_report("check", "--base", "main", env={"VMSS_LINT_TRUST_CONFIG": "base"})[0] == 1
    bad = repo.vmss_lint("check", "--base", "main", "--trust-config", "maybe")
    assert bad.returncode == 2
    assert bad.stderr == (
        "vmss-lint: error: --trust-config: 'maybe' is not a trust setting (use auto, base or head)\n"
    )


def test_a_head_that_only_strengthens_is_not_applied_and_not_reported(tmp_path: Path) -> None:
    repo = pr_repo(tmp_path, None, 'fail-on = "info"\n', unrelated())
    rc, report = repo.json_report("check", "--base", "main", "--trust-config=base")
    assert rc == 0 and report["summary"]["failOn"] == "error"
    assert weakening_messages(report) == []
    assert any("also changes fail-on: not applied" in n for n in report["notices"])
    # Honoured, it would fail the run on the tag change.
    assert repo.json_report("check", "--base", "main")[0] == 1


def test_the_head_cannot_suppress_the_finding_about_itself(tmp_path: Path) -> None:
    head = 'fail-on = "never"\n\n[[suppress]]\nrule = "VMSS011"\nreason = "not me"\n'
    repo = pr_repo(tmp_path, None, head)
    rc, report = repo.json_report("check", "--base", "main", "--trust-config=base")
    messages = weakening_messages(report)
    assert rc == 1 and len(messages) == 2
    assert any("suppress: VMSS011 at /** (no expiry)" in m for m in messages)


def metadata_template(vnet: str, suppress: bool) -> str:
    doc = json.loads(template(vnet=vnet))
    if suppress:
        doc["metadata"] = {"vmss-lint": {"suppress": [{"rule": "VMSS106", "reason": "moving on purpose"}]}}
    return json.dumps(doc, indent=2) + "\n"


@pytest.mark.parametrize("already_at_base", [False, True])
def test_template_metadata_suppressions_the_head_adds_are_refused(
    tmp_path: Path, already_at_base: bool
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("infra/vmss.json", metadata_template("vnet-a", suppress=already_at_base))
    repo.commit("base")
    repo.write("infra/vmss.json", metadata_template("vnet-b", suppress=True))
    rc, report = repo.json_report("check", "--base", "main", env=github_env(tmp_path, "pull_request"))
    messages = weakening_messages(report)
    if already_at_base:  # the base's own decision stands
        assert rc == 0 and "VMSS106" not in rules_of(report) and messages == []
    else:
        assert rc == 1 and "VMSS106" in rules_of(report)
        assert len(messages) == 1
        assert messages[0].startswith("infra/vmss.json changes metadata.vmss-lint.suppress: VMSS106 at /**")
    # Locally the head's suppression applies either way.
    assert repo.json_report("check", "--base", "main")[0] == 0


OWNER_RULE = """\
id = "ACME001"
name = "owner-tag-changed"
severity = "error"
impact = "model-only"
summary = "The owner tag changes."
why = "Our cost reports key on the owner tag."
fix = "Keep the owner tag."
references = ["https://example.invalid/tagging-policy"]

[match]
path = "/tags/owner"

[example]
current = { tags = { owner = "platform" } }
proposed = { tags = { owner = "someone-else" } }
"""


def test_rules_dir_rules_come_from_the_base_revision(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write(MODEL, unrelated())
    repo.write(".vmss-lint.toml", 'rules-dir = "rules"\n')
    repo.write("rules/ACME001-owner.toml", OWNER_RULE)
    repo.commit("base")
    repo.write(MODEL, unrelated().replace("team-web", "team-other"))
    repo.write("rules/ACME001-owner.toml", OWNER_RULE.replace('severity = "error"', 'severity = "info"'))
    rc, report = repo.json_report("check", "--base", "main", env=github_env(tmp_path, "merge_group"))
    acme = [f for r in report["results"] for f in r["findings"] if f["rule"] == "ACME001"]
    assert rc == 1 and [f["severity"] for f in acme] == ["error"]
    assert [m.split(", which")[0] for m in weakening_messages(report)] == [
        f'{repo.path / ".vmss-lint.toml"} changes the rules in rules-dir "rules": rules/ACME001-owner.toml'
    ]
    rc, report = repo.json_report("check", "--base", "main")
    assert rc == 0 and [
        f["severity"] for r in report["results"] for f in r["findings"] if f["rule"] == "ACME001"
    ] == ["info"]


HOOK = """\
from pathlib import Path
Path({marker!r}).write_text("the pull request's hook ran")

def size_changed(ctx):
    return []
"""


@pytest.mark.parametrize("ci", ["merge_group", "issue_comment", "workflow_run", "azure"])
def test_python_hooks_a_head_enables_never_run_on_untrusted_events(tmp_path: Path, ci: str) -> None:
    marker = tmp_path / "hook-ran"
    repo = pr_repo(tmp_path, None, 'rules-dir = "rules"\nallow-python-rules = true\n')
    rule = (
        Path(__file__).parent.parent / "fixtures/configs/python-rules/ACME001-local-hook.toml"
    ).read_text()
    repo.write("rules/ACME001-local-hook.toml", rule.replace("acme_hooks:", f"acme_hooks_{ci}:"))
    repo.write(f"rules/acme_hooks_{ci}.py", HOOK.format(marker=str(marker)))
    env = azure_env("PullRequest") if ci == "azure" else github_env(tmp_path, ci)
    rc, report = repo.json_report("check", "--base", "main", env=env)
    assert not marker.exists()
    assert rc == 1 and "VMSS106" in rules_of(report)
    named = weakening_messages(report)
    assert any("allow-python-rules: true" in m for m in named) and any(
        'rules-dir: ["rules"]' in m for m in named
    )


def test_file_mode_on_an_untrusted_event_uses_the_defaults(tmp_path: Path) -> None:
    (tmp_path / ".vmss-lint.toml").write_text('ignore = ["VMSS106"]\n', encoding="utf-8")
    (tmp_path / "current.json").write_text(metadata_template("vnet-a", suppress=False), encoding="utf-8")
    (tmp_path / "proposed.json").write_text(metadata_template("vnet-b", suppress=True), encoding="utf-8")
    repo = GitRepo(tmp_path / "unused")  # only for its runner: the files are outside any repository
    repo.path = tmp_path
    rc, report = repo.json_report("check", "current.json", "proposed.json", env=azure_env("PullRequest"))
    assert rc == 1 and "VMSS106" in rules_of(report)
    messages = weakening_messages(report)
    assert len(messages) == 2
    assert any('ignore: ["VMSS106"]' in m for m in messages)
    assert any(m.startswith("proposed.json changes metadata.vmss-lint.suppress: VMSS106") for m in messages)
    assert any("the built-in defaults (file mode has no base revision)" in n for n in report["notices"])
    assert repo.json_report("check", "current.json", "proposed.json")[0] == 0


def test_a_config_symlinked_out_of_the_repository_is_still_read_at_the_base(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write(MODEL, BASE_MODEL)
    repo.write("ci/lint.toml", 'fail-on = "warning"\n')
    repo.commit("base")
    repo.write(MODEL, unrelated())
    outside = tmp_path / "outside.toml"
    outside.write_text('fail-on = "never"\n', encoding="utf-8")
    (repo.path / "ci" / "lint.toml").unlink()
    (repo.path / "ci" / "lint.toml").symlink_to(outside)
    _rc, report = repo.json_report(
        "check", "--base", "main", "--config", "ci/lint.toml", "--trust-config=base"
    )
    assert report["summary"]["failOn"] == "warning"
    assert any('changes fail-on: "never"' in m for m in weakening_messages(report))
