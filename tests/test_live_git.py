"""The live scale set as CURRENT in git mode and in the Action (`--base REF --live RG/NAME`, `live:`):
the revisions pick the changed files, the loopback ARM (tests/armserver.py) is what runs, and each changed
template is compared with it. No test reaches the network."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("azure.mgmt.compute", reason="the live scale set needs the azure extra")
pytest.importorskip("cryptography", reason="the loopback ARM needs a test certificate")

from actionrunner import run_action
from armserver import LoopbackAzure
from gitfixture import GitRepo, clean_env, template
from test_live import BASE, LIVE, NAME, RG, SUB, TEMPLATE, web_scale_set

PARAMS = TEMPLATE.parent / "azuredeploy.parameters.json"


@pytest.fixture
def azure(tmp_path: Path) -> Iterator[LoopbackAzure]:
    with web_scale_set(tmp_path) as server:
        yield server


def repository(tmp_path: Path) -> GitRepo:
    """main holds the web template; the branch `pr` resizes its VMs and adds an unrelated template."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("infra/azuredeploy.json", TEMPLATE.read_text(encoding="utf-8"))
    params: dict[str, Any] = json.loads(PARAMS.read_text(encoding="utf-8"))
    repo.write("infra/azuredeploy.parameters.json", params)
    repo.commit("the web scale set")
    repo.git("checkout", "-q", "-b", "pr")
    params["parameters"]["vmSku"] = {"value": "Standard_E4s_v5"}
    repo.write("infra/azuredeploy.parameters.json", params)
    repo.write("other/vmss.json", template())  # declares the scale set "web" too, in vnet-a
    repo.write("other/app.json", template().replace('"name": "web"', '"name": "api"'))
    repo.commit("resize; more templates")
    return repo


def vmss_lint(azure: LoopbackAzure, repo: GitRepo, *args: str) -> subprocess.CompletedProcess[str]:
    env = clean_env({**azure.env(), "VMSS_LINT_AZURE_RETRIES": "1"})
    env = {k: v for k, v in env.items() if not k.startswith(("AZURE_SUBSCRIPTION", "ARM_"))}
    env["AZURE_ARM_ENDPOINT"] = azure.arm_endpoint
    return subprocess.run(
        [sys.executable, "-m", "vmss_lint", "check", *args],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env={**env, "AZURE_SUBSCRIPTION_ID": SUB},
        check=False,
        timeout=120,
    )


def test_git_mode_compares_the_changed_templates_with_the_live_scale_set(
    azure: LoopbackAzure, tmp_path: Path
) -> None:
    repo = repository(tmp_path)
    proc = vmss_lint(azure, repo, "--base", "main", "--live", f"{RG}/{NAME}", "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    by_file = {r["proposed"]: r for r in report["results"]}
    web = by_file["infra/azuredeploy.json"]
    assert web["current"] == LIVE
    assert "VMSS301" in {f["rule"] for f in web["findings"]}  # the resize, against what runs
    assert "Protected from scale-set actions: 4" in " ".join(web["plan"]["notes"])  # live instances
    notices = " ".join(report["notices"])
    assert f"git mode: the files changed since main, compared with {LIVE}" in notices
    assert "other/app.json: declares the scale set 'api'; not compared with" in notices
    assert "other/vmss.json" in by_file  # the same name: compared with the live one too
    paths = [r.path for r in azure.requests]
    assert paths.count(BASE) == 1  # fetched once for the whole run
    assert azure.requests[0].query.get("$expand") == ["userData"]  # git mode always asks for it


def test_git_mode_with_a_live_resource_id_and_a_path_restriction(
    azure: LoopbackAzure, tmp_path: Path
) -> None:
    repo = repository(tmp_path)
    proc = vmss_lint(azure, repo, "--base", "main", f"--live={LIVE}", "--format", "json", "--", "infra")
    assert proc.returncode in (0, 1), proc.stderr
    [result] = json.loads(proc.stdout)["results"]
    assert (result["current"], result["proposed"]) == (LIVE, "infra/azuredeploy.json")


def test_git_mode_refuses_a_live_current_as_a_path(azure: LoopbackAzure, tmp_path: Path) -> None:
    repo = repository(tmp_path)
    proc = vmss_lint(azure, repo, "--base", "main", LIVE)
    assert proc.returncode == 2
    assert "in git mode name the live scale set with --live" in proc.stderr
    assert not azure.requests


def test_action_live_input_compares_the_pull_request_with_what_runs(
    azure: LoopbackAzure, tmp_path: Path
) -> None:
    repo = repository(tmp_path)
    repo.git("checkout", "-q", "--detach", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pr into main", "pr")
    env = {**azure.env(), "AZURE_SUBSCRIPTION_ID": SUB, "VMSS_LINT_AZURE_RETRIES": "1"}
    env = {k: v for k, v in env.items() if k != "PATH"}
    run = run_action(
        repo, tmp_path, {"live": f"{RG}/{NAME}", "paths": "infra", "fail-on": "warning"}, env=env
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.outputs["failed"] == "true" and int(run.outputs["warnings"]) >= 1
    report = json.loads(Path(run.outputs["report-file"]).read_text(encoding="utf-8"))
    [result] = report["results"]
    assert result["current"] == LIVE and "VMSS301" in {f["rule"] for f in result["findings"]}
    assert "loopback-token" not in run.stdout + run.stderr
    assert os.path.isfile(run.outputs["sarif-file"])
