"""Terraform plans in git mode and the Action (issue #16): plans named by a `terraform-plans` glob, and
`.tf` lines for resources of child modules (a local `source` in the plan's configuration)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import tfplan
from actionrunner import run_action
from gitfixture import GitRepo, clean_env
from test_terraform import MAIN_TF, judged, moved_subnet, rules_of

from vmss_lint.inputs.git.selection import named_plan


def moved_plan(address: str = tfplan.ADDRESS, calls: dict[str, Any] | None = None) -> dict[str, Any]:
    doc = tfplan.plan(tfplan.change(tfplan.vmss(), moved_subnet("vnet-b"), ["update"], address=address))
    if calls is not None:
        doc["configuration"]["root_module"] = {"module_calls": copy.deepcopy(calls)}
    return doc


def check(repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vmss_lint", "check", *args],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env=clean_env(),
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("path", "pattern", "named"),
    [
        ("tfplan.json", "**/tfplan.json", True),
        ("envs/prod/tfplan.json", "**/tfplan.json", True),
        ("envs/prod/tfplan.json", "tfplan.json", True),  # no slash: the file name in any folder
        ("envs/prod/plan.tfplan", "envs/*/plan.tfplan", True),
        ("envs/a/b/plan.tfplan", "envs/*/plan.tfplan", False),  # * stays within one folder
        ("envs/a/b/plan.tfplan", "envs/**/plan.tfplan", True),
        ("plan-prod.out", "plan*.out", True),
        ("infra/plan-prod.out", "/plan*.out", False),  # a leading / anchors at the top
        ("plan1.json", "plan[0-9].json", True),
        ("planx.json", "plan[!x].json", False),
    ],
)
def test_terraform_plans_globs(path: str, pattern: str, named: bool) -> None:
    assert (named_plan(path, [pattern]) is not None) is named


def plan_repo(tmp_path: Path, name: str) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.write(name, tfplan.plan(tfplan.change(tfplan.vmss(), tfplan.vmss(), ["update"])))
    repo.commit("a plan with no change")
    repo.write(name, moved_plan())
    return repo


def test_a_plan_named_by_a_glob_is_judged_whatever_its_extension(tmp_path: Path) -> None:
    repo = plan_repo(tmp_path, "plans/web.tfplan")
    proc = check(repo, "--base", "HEAD", "--format", "json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["results"] == []  # not .json: not looked at
    proc = check(repo, "--base", "HEAD", "--format", "json", "--terraform-plans", "plans/*.tfplan")
    assert proc.returncode == 1, proc.stderr
    found = rules_of(json.loads(proc.stdout))
    assert found["VMSS106"]["location"]["file"] == "plans/web.tfplan"


def test_the_config_key_names_plans_too(tmp_path: Path) -> None:
    repo = plan_repo(tmp_path, "plans/web.tfplan")
    repo.write(".vmss-lint.toml", 'terraform-plans = ["**/*.tfplan"]\n')
    proc = check(repo, "--base", "HEAD", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert "VMSS106" in rules_of(json.loads(proc.stdout))


def test_a_file_the_glob_names_that_is_not_a_plan_is_one_error_line(tmp_path: Path) -> None:
    repo = plan_repo(tmp_path, "plans/web.tfplan")
    repo.write("plans/notes.tfplan", "terraform plan output, as text\n")
    proc = check(repo, "--base", "HEAD", "--terraform-plans", "plans/*.tfplan")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "plans/notes.tfplan" in proc.stderr and "matches terraform-plans 'plans/*.tfplan'" in proc.stderr
    assert "terraform show -json" in proc.stderr


def test_the_action_terraform_plans_input(tmp_path: Path) -> None:
    repo = plan_repo(tmp_path, "plans/web.tfplan")
    repo.commit("the plan moves the subnet")
    run = run_action(repo, tmp_path, {"terraform-plans": "plans/*.tfplan", "base": "HEAD~1"}, event="push")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "VMSS106" in run.stdout and "file=plans/web.tfplan" in run.stdout


MODULE_ADDRESS = "module.web.azurerm_linux_virtual_machine_scale_set.web"


def module_layout(root: Path, source: str = "../../modules/vmss") -> Path:
    """envs/prod holds the plan, modules/vmss the scale set's .tf (MAIN_TF declares `web`)."""
    (root / "modules" / "vmss").mkdir(parents=True)
    (root / "modules" / "vmss" / "main.tf").write_text(MAIN_TF, encoding="utf-8")
    (root / "envs" / "prod").mkdir(parents=True)
    calls = {"web": {"source": source, "module": {"resources": []}}}
    return tfplan.write(root / "envs" / "prod" / "plan.json", moved_plan(MODULE_ADDRESS, calls))


def test_a_child_module_resource_points_at_its_tf_line(tmp_path: Path) -> None:
    GitRepo(tmp_path / "repo")  # a work tree: the module folder is inside it
    plan = module_layout(tmp_path / "repo")
    _, report = judged(plan)
    where = rules_of(report)["VMSS106"]["location"]
    assert Path(where["file"]).resolve() == (tmp_path / "repo" / "modules" / "vmss" / "main.tf").resolve()
    assert "subnet_id" in MAIN_TF.splitlines()[where["line"] - 1]
    assert where["valueFrom"] == f"{MODULE_ADDRESS}.network_interface[0].ip_configuration[0].subnet_id"


def test_a_nested_module_follows_each_call(tmp_path: Path) -> None:
    root = tmp_path / "stack"
    (root / "modules" / "app" / "vmss").mkdir(parents=True)
    (root / "modules" / "app" / "vmss" / "main.tf").write_text(MAIN_TF, encoding="utf-8")
    calls = {"app": {"source": "./modules/app", "module": {"module_calls": {"web": {"source": "./vmss"}}}}}
    address = 'module.app["eu"].module.web.azurerm_linux_virtual_machine_scale_set.web'
    doc = moved_plan(address, calls)
    doc["resource_changes"][0]["module_address"] = 'module.app["eu"].module.web'
    _, report = judged(tfplan.write(root / "plan.json", doc))
    where = rules_of(report)["VMSS106"]["location"]
    assert where["file"].endswith("modules/app/vmss/main.tf")


def test_a_module_outside_the_confinement_or_from_a_registry_keeps_the_plan_line(tmp_path: Path) -> None:
    plan = module_layout(tmp_path / "no-repo")  # no .git: confined to the plan's folder, ../../ escapes it
    _, report = judged(plan)
    assert rules_of(report)["VMSS106"]["location"]["file"].endswith("plan.json")
    registry = {"web": {"source": "Azure/vmss/azurerm", "version_constraint": "1.0.0"}}
    doc = moved_plan(MODULE_ADDRESS, registry)
    _, report = judged(tfplan.write(tmp_path / "registry.json", doc))
    assert rules_of(report)["VMSS106"]["location"]["file"].endswith("registry.json")
