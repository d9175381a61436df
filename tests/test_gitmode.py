"""Git mode on real repositories: what changed between two revisions, file by file."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from gitfixture import (
    BASE_MODEL,
    NEW_SUBNET,
    SUBNET_LINE,
    GitRepo,
    line_of,
    moved_vnet,
    parameters,
    rules_of,
    subnet_id,
    template,
    unrelated,
)

from vmss_lint.inputs.git.mode import parameters_for_template, template_for_parameters

SPACED = "infra dir/scale set é.json"


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    r = GitRepo(tmp_path / "repo")
    r.write(SPACED, BASE_MODEL)
    r.write("package.json", {"name": "web", "version": "1.0.0"})
    r.commit("scale set")
    return r


def test_moved_vnet_is_an_error_on_the_right_line_of_a_path_with_spaces(repo: GitRepo) -> None:
    proposed = moved_vnet()
    repo.write(SPACED, proposed)
    rc, report = repo.json_report("check", "--base", "HEAD")
    assert rc == 1
    [result] = report["results"]
    assert result["current"] == f"HEAD:{SPACED}"
    assert result["proposed"] == SPACED
    [finding] = [f for f in result["findings"] if f["rule"] == "VMSS106"]
    assert finding["location"]["file"] == SPACED
    assert finding["location"]["line"] == line_of(proposed, NEW_SUBNET)


def test_unrelated_change_passes_and_unchanged_files_are_not_reported(repo: GitRepo) -> None:
    repo.write(SPACED, unrelated())
    rc, report = repo.json_report("check", "--base", "HEAD")
    assert rc == 0
    assert [r["status"] for r in report["results"]] == ["changed"]
    assert not [f for f in rules_of(report) if f.startswith("VMSS1")]


def test_nothing_changed_is_exit_0_with_no_results(repo: GitRepo) -> None:
    rc, report = repo.json_report("check", "--base", "HEAD")
    assert (rc, report["results"]) == (0, [])


def test_renamed_file_is_compared_with_its_old_name(repo: GitRepo) -> None:
    (repo.path / "infra").mkdir()
    repo.git("mv", SPACED, "infra/renamed.json")
    repo.write("infra/renamed.json", moved_vnet())
    repo.commit("rename and move")
    rc, report = repo.json_report("check", "--base", "HEAD~1", "--head", "HEAD")
    assert rc == 1
    [result] = report["results"]
    assert (result["current"], result["proposed"]) == (f"HEAD~1:{SPACED}", "infra/renamed.json")
    assert "VMSS106" in rules_of(report)


def test_new_file_is_a_creation_and_deleted_file_is_reported(repo: GitRepo) -> None:
    repo.write("infra/new.json", moved_vnet())  # untracked: still a new file of the working tree
    (repo.path / SPACED).unlink()
    rc, report = repo.json_report("check", "--base", "HEAD")
    assert rc == 0
    statuses = sorted((r["status"], r["proposed"] or r["current"]) for r in report["results"])
    assert statuses == [("created", "infra/new.json"), ("unmanaged", f"HEAD:{SPACED}")]
    # Only infos: a created scale set has nothing to compare, a deleted file leaves the scale set in Azure.
    assert sorted(rules_of(report)) == ["VMSS004", "VMSS005"]
    assert report["summary"]["errors"] == report["summary"]["warnings"] == 0
    assert any("was deleted" in n and SPACED in n for n in report["notices"])


def test_json_that_is_not_ours_is_skipped_silently(repo: GitRepo) -> None:
    repo.write("package.json", {"name": "web", "version": "2.0.0"})
    repo.write("tsconfig.json", '{ // comments are fine\n "compilerOptions": {} }\n')
    repo.write("broken.json", "{ not json at all")
    repo.write("patch.json", [{"op": "replace", "path": "/sku/name", "value": "x"}])
    proc = repo.vmss_lint("check", "--base", "HEAD", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    report = json.loads(proc.stdout)
    assert report["results"] == []
    assert [n.split(" (")[0] for n in report["notices"]] == ["git mode: HEAD"]


def test_broken_scale_set_json_is_an_input_error(repo: GitRepo) -> None:
    repo.write(SPACED, BASE_MODEL.replace('"name": "web",', '"name": "web"', 1))
    proc = repo.vmss_lint("check", "--base", "HEAD")
    assert proc.returncode == 2
    assert SPACED in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_paths_restrict_the_run_and_accept_the_old_name(repo: GitRepo) -> None:
    repo.write("other.json", BASE_MODEL)
    repo.commit("second scale set")
    repo.write("other.json", moved_vnet())
    repo.write(SPACED, unrelated())
    rc, report = repo.json_report("check", "--base", "HEAD", SPACED)
    assert rc == 0
    assert [r["proposed"] for r in report["results"]] == [SPACED]
    rc, report = repo.json_report("check", "--base", "HEAD", "other.json", SPACED)
    assert rc == 1
    assert sorted(r["proposed"] for r in report["results"]) == sorted(["other.json", SPACED])
    rc, report = repo.json_report("check", "--base", "HEAD", "infra dir")  # a folder
    assert [r["proposed"] for r in report["results"]] == [SPACED]
    rc, report = repo.json_report("check", "--base", "HEAD", "infra")  # a prefix of a name is not a folder
    assert report["results"] == []


def test_paths_are_relative_to_the_current_directory(repo: GitRepo) -> None:
    repo.write(SPACED, moved_vnet())
    sub = repo.path / "infra dir"
    proc = repo.vmss_lint("check", "--base", "HEAD", "--format", "json", str(sub / "scale set é.json"))
    assert proc.returncode == 1
    proc = repo.vmss_lint("check", "--base", "HEAD", "/elsewhere/x.json")
    assert proc.returncode == 2 and "outside the git repository" in proc.stderr


def test_head_compares_two_commits_and_ignores_the_working_tree(repo: GitRepo) -> None:
    repo.write(SPACED, moved_vnet())
    moved = repo.commit("move")
    repo.write(SPACED, BASE_MODEL)  # the working tree is back to the base: irrelevant with --head
    rc, report = repo.json_report("check", "--base", "HEAD~1", "--head", moved)
    assert rc == 1 and "VMSS106" in rules_of(report)
    rc, report = repo.json_report("check", "--base", "HEAD~1")
    assert (rc, report["results"]) == (0, [])


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--base", "no-such-branch"], "unknown revision 'no-such-branch'"),
        (["--base", "HEAD", "--head", "nope"], "--head: unknown revision 'nope'"),
        (["--base", "--upload-pack=x"], "--base: expected one argument"),  # refused by the parser
        (["--base=--upload-pack=x"], "not a revision"),  # reaches git mode, which never passes it to git
        (["--head", "HEAD"], "needs a base revision"),
    ],
)
def test_bad_revisions_exit_2_with_one_line(repo: GitRepo, args: list[str], needle: str) -> None:
    proc = repo.vmss_lint("check", *args)
    assert proc.returncode == 2
    assert needle in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


def test_repository_without_commits(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "empty", commit=False)
    repo.write("vmss.json", BASE_MODEL)
    proc = repo.vmss_lint("check", "--base", "HEAD")
    assert proc.returncode == 2 and "no commits yet" in proc.stderr
    # A first commit through the hook: everything is new, nothing to compare, not a failure.
    repo.git("add", "vmss.json")
    rc, report = repo.json_report("check", "--pre-commit", "vmss.json")
    assert rc == 0
    assert [r["status"] for r in report["results"]] == ["created"]


def test_not_a_repository_exits_2(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    shutil.rmtree(repo.path / ".git")
    proc = repo.vmss_lint("check", "--base", "HEAD")
    assert proc.returncode == 2 and "not inside a git working tree" in proc.stderr


def test_too_many_paths_outside_git_mode(repo: GitRepo) -> None:
    proc = repo.vmss_lint("check", "a.json", "b.json", "c.json")
    assert proc.returncode == 2 and "too many arguments" in proc.stderr


def test_pre_commit_refs_use_the_merge_base_and_the_to_ref(repo: GitRepo) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    repo.write(SPACED, moved_vnet())
    repo.commit("move the scale set")
    repo.git("checkout", "-q", "main")
    repo.write("README.md", "main moved on\n")
    repo.commit("unrelated work on main")
    env = {"PRE_COMMIT_FROM_REF": "main", "PRE_COMMIT_TO_REF": "feature"}
    # main is checked out: the proposed side is read from the to-ref, not the working tree.
    rc, report = repo.json_report("check", "--pre-commit", SPACED, env=env)
    assert rc == 1 and "VMSS106" in rules_of(report)
    assert report["notices"][0].startswith("git mode: main (")
    # Without the refs the hook compares HEAD with the working tree, where nothing changed.
    rc, report = repo.json_report("check", "--pre-commit", SPACED)
    assert (rc, report["results"]) == (0, [])


def test_each_batch_of_a_split_file_list_gives_the_same_findings(repo: GitRepo) -> None:
    repo.write("a.json", BASE_MODEL)
    repo.write("b.json", BASE_MODEL)
    repo.commit("two more")
    for name in ("a.json", "b.json", SPACED):
        repo.write(name, moved_vnet())
    repo.git("add", "-A")
    _, whole = repo.json_report("check", "--pre-commit", "a.json", "b.json", SPACED)
    parts = [
        repo.json_report("check", "--pre-commit", *batch)[1] for batch in (["a.json"], ["b.json", SPACED])
    ]
    assert sorted(r["proposed"] for p in parts for r in p["results"]) == sorted(
        r["proposed"] for r in whole["results"]
    )
    assert sorted(rules_of(parts[0]) + rules_of(parts[1])) == sorted(rules_of(whole))


def test_parameters_file_names() -> None:
    assert template_for_parameters("infra/azuredeploy.parameters.json") == [
        "infra/azuredeploy.json",
        "infra/azuredeploy.bicep",
    ]
    assert template_for_parameters("infra/main.json") == []
    assert parameters_for_template("x/web.json") == "x/web.parameters.json"
    assert parameters_for_template("x/main.bicep") == "x/main.parameters.json"
    assert parameters_for_template("x/web.parameters.json") is None


def _fake_bicep(bin_dir: Path) -> None:
    """A stand-in for the Bicep CLI (not installable here): prints the JSON file next to the .bicep one."""
    script = bin_dir / "bicep"
    script.write_text('#!/bin/sh\n[ "$1 $2" = "build --stdout" ] || exit 9\ncat "${3%.bicep}.compiled"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_bicep_is_skipped_with_a_hint_when_no_compiler_is_on_path(repo: GitRepo, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    git = shutil.which("git")
    assert git is not None
    (bin_dir / "git").symlink_to(git)
    repo.write("main.bicep", "resource vmss 'Microsoft.Compute/virtualMachineScaleSets@2024-07-01' = {}\n")
    proc = repo.vmss_lint("check", "--base", "HEAD", "--format", "json", env={"PATH": str(bin_dir)})
    assert proc.returncode == 0, proc.stderr
    assert "main.bicep: skipped, no Bicep compiler on PATH" in proc.stdout
    assert "az bicep install" in proc.stdout


def test_bicep_is_compiled_on_both_sides(repo: GitRepo, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_bicep(bin_dir)
    repo.write("main.bicep", "// scale set\n")
    repo.write("main.compiled", BASE_MODEL)
    repo.commit("bicep")
    repo.write("main.bicep", "// scale set, moved\n")
    repo.write("main.compiled", moved_vnet())
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    rc, report = repo.json_report("check", "--base", "HEAD", env=env)
    assert rc == 1
    [result] = report["results"]
    assert result["proposed"] == "main.bicep"
    # Lines in the compiled JSON mean nothing in the .bicep file, so none is claimed.
    assert all(f["location"] is None for f in result["findings"])
    assert "VMSS106" in rules_of(report)


TEMPLATE, PARAMS = "infra/azuredeploy.json", "infra/azuredeploy.parameters.json"


@pytest.fixture
def template_repo(tmp_path: Path) -> GitRepo:
    r = GitRepo(tmp_path / "templates")
    r.write(TEMPLATE, template())
    r.write(PARAMS, parameters("vnet-a"))
    r.commit("template and parameters")
    return r


def test_changed_parameters_file_relints_its_template(template_repo: GitRepo) -> None:
    template_repo.write(PARAMS, parameters("vnet-b"))
    template_repo.git("add", "-A")
    # pre-commit passes only the parameters file: the template is linted all the same.
    proc = template_repo.vmss_lint("check", "--pre-commit", "--format", "json", PARAMS)
    assert proc.returncode == 1, proc.stderr
    assert "vmss-lint-" not in proc.stdout  # no temporary path leaks into the report
    report = json.loads(proc.stdout)
    [result] = report["results"]
    assert (result["current"], result["proposed"]) == (f"HEAD:{TEMPLATE}", TEMPLATE)
    [finding] = [f for f in result["findings"] if f["rule"] == "VMSS106"]
    text = (template_repo.path / TEMPLATE).read_text(encoding="utf-8")
    assert finding["location"]["file"] == TEMPLATE
    assert finding["location"]["line"] == line_of(text, SUBNET_LINE)
    assert any(f"parameters from HEAD:{PARAMS}" in n for n in report["notices"])
    assert any(f"parameters from {PARAMS}" in n for n in report["notices"])


def test_template_change_uses_each_sides_own_parameters(template_repo: GitRepo) -> None:
    template_repo.write(TEMPLATE, template(sku="Standard_E2s_v5"))
    rc, report = template_repo.json_report("check", "--base", "HEAD")
    assert rc == 0  # same parameters file on both sides: a size change, no VNet move
    assert "VMSS301" in rules_of(report) and "VMSS106" not in rules_of(report)


def test_template_and_parameters_in_different_batches_agree(template_repo: GitRepo) -> None:
    template_repo.write(TEMPLATE, template(sku="Standard_E2s_v5"))
    template_repo.write(PARAMS, parameters("vnet-b"))
    template_repo.git("add", "-A")
    batches = [template_repo.json_report("check", "--pre-commit", *b)[1] for b in ([TEMPLATE], [PARAMS])]
    _, whole = template_repo.json_report("check", "--pre-commit", TEMPLATE, PARAMS)
    assert sorted(rules_of(batches[0])) == sorted(rules_of(batches[1])) == sorted(rules_of(whole))
    assert {"VMSS106", "VMSS301"} <= set(rules_of(whole))
    assert len(whole["results"]) == 1


def test_explicit_parameters_file_is_read_at_each_revision(template_repo: GitRepo) -> None:
    template_repo.write("prod.parameters.json", parameters("vnet-a"))
    template_repo.commit("prod parameters")
    template_repo.write("prod.parameters.json", parameters("vnet-b"))
    template_repo.write(TEMPLATE, template(sku="Standard_D4s_v5"))
    rc, report = template_repo.json_report("check", "--base", "HEAD", "--parameters", "prod.parameters.json")
    assert rc == 1 and "VMSS106" in rules_of(report)


def _parent(vnet: str) -> dict[str, object]:
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "scale-set",
                "properties": {
                    "mode": "Incremental",
                    "templateLink": {"relativePath": "linked/vmss.json"},
                    "parameters": {"subnetId": {"value": subnet_id(vnet)}},
                },
            }
        ],
    }


def test_linked_templates_are_read_from_the_same_revision(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "linked")
    repo.write("infra/main.json", _parent("vnet-a"))
    repo.write("infra/linked/vmss.json", template())
    repo.commit("parent and linked template")
    repo.write("infra/main.json", _parent("vnet-b"))
    repo.commit("move the scale set")
    (repo.path / "infra" / "linked" / "vmss.json").unlink()  # the working tree does not matter with --head
    rc, report = repo.json_report("check", "--base", "HEAD~1", "--head", "HEAD", "infra/main.json")
    assert rc == 1, report["notices"]
    [finding] = [f for r in report["results"] for f in r["findings"] if f["rule"] == "VMSS106"]
    assert finding["location"]["file"] == "infra/linked/vmss.json"
    assert not any("not followed" in n for n in report["notices"])


def test_broken_parameters_file_is_an_input_error(template_repo: GitRepo) -> None:
    template_repo.write(PARAMS, parameters("vnet-b").replace('"value"', '"value" "oops"', 1))
    proc = template_repo.vmss_lint("check", "--base", "HEAD")
    assert proc.returncode == 2
    assert PARAMS in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_pre_commit_ignores_untracked_files(repo: GitRepo) -> None:
    repo.write("new.json", moved_vnet())  # not staged: not part of the commit
    rc, report = repo.json_report("check", "--pre-commit")
    assert (rc, report["results"]) == (0, [])
    rc, report = repo.json_report("check", "--base", "HEAD")  # a user's new file is a change
    assert [r["status"] for r in report["results"]] == ["created"]


def test_template_metadata_suppression_silences_exactly_that_finding(template_repo: GitRepo) -> None:
    doc = json.loads(template(sku="Standard_E2s_v5"))
    doc["metadata"] = {
        "vmss-lint": {
            "suppress": [{"rule": "VMSS106", "reason": "the scale set is recreated in this change"}]
        }
    }
    template_repo.write(TEMPLATE, doc)
    template_repo.write(PARAMS, parameters("vnet-b"))
    rc, report = template_repo.json_report("check", "--base", "HEAD")
    assert rc == 0  # the error is suppressed with a reason; the size warning stays
    assert "VMSS106" not in rules_of(report) and "VMSS301" in rules_of(report)
