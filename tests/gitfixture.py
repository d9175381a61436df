"""A throw-away git repository for the git-mode, pre-commit and Action tests, and the edits they make.

The scale set is the bundled example's current model; `MOVED_VNET` moves its NIC to a subnet of another
virtual network (VMSS106, an error), `UNRELATED` only adds a tag.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import FIXTURES, REPO

BASE_MODEL = (FIXTURES / "example" / "current.json").read_text(encoding="utf-8")
OLD_SUBNET = "virtualNetworks/nsgExistingVnet/subnets/nsgExistingSubnet"
NEW_SUBNET = "virtualNetworks/otherVnet/subnets/default"


def moved_vnet(text: str = BASE_MODEL) -> str:
    assert OLD_SUBNET in text
    return text.replace(OLD_SUBNET, NEW_SUBNET)


def unrelated(text: str = BASE_MODEL) -> str:
    """The same scale set with one more tag: a model-only change that must pass."""
    return text.replace('"name": "web",', '"name": "web",\n  "tags": {"owner": "team-web"},', 1)


def subnet_id(vnet: str) -> str:
    return (
        "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-web/providers/"
        f"Microsoft.Network/virtualNetworks/{vnet}/subnets/default"
    )


SUBNET_LINE = '"id": "[parameters(\'subnetId\')]"'


def template(vnet: str = "vnet-a", sku: str = "Standard_D2s_v5", capacity: int = 2) -> str:
    """An ARM template with one scale set whose subnet comes from a parameter (default in `vnet`)."""
    nic = {
        "name": "nic",
        "properties": {
            "primary": True,
            "ipConfigurations": [
                {"name": "ip", "properties": {"subnet": {"id": "[parameters('subnetId')]"}}}
            ],
        },
    }
    doc = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"subnetId": {"type": "string", "defaultValue": subnet_id(vnet)}},
        "resources": [
            {
                "type": "Microsoft.Compute/virtualMachineScaleSets",
                "apiVersion": "2024-07-01",
                "name": "web",
                "location": "westeurope",
                "sku": {"name": sku, "capacity": capacity},
                "properties": {
                    "upgradePolicy": {"mode": "Manual"},
                    "virtualMachineProfile": {"networkProfile": {"networkInterfaceConfigurations": [nic]}},
                },
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"


def parameters(vnet: str) -> str:
    doc = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"subnetId": {"value": subnet_id(vnet)}},
    }
    return json.dumps(doc, indent=2) + "\n"


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
}


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a developer's shell: no CI or pre-commit variables leaking in from ours."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GITHUB_", "PRE_COMMIT", "GIT_", "RUNNER_", "VMSS_LINT_")) and k != "CI"
    }
    env.update(GIT_ENV)
    env.update(extra or {})
    return env


class GitRepo:
    """A git repository in a temporary folder, driven through the real `git`."""

    def __init__(self, path: Path, *, commit: bool = True) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Test User")
        self.git("config", "user.email", "test@example.com")
        self.git("config", "commit.gpgsign", "false")
        if commit:
            self.write("README.md", "infra\n")
            self.commit("initial")

    def git(self, *args: str) -> str:
        proc = subprocess.run(
            ["git", *args], cwd=self.path, capture_output=True, text=True, env=clean_env(), check=False
        )
        assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
        return proc.stdout

    def write(self, rel: str, content: str | dict[str, Any]) -> Path:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else json.dumps(content, indent=2) + "\n"
        target.write_text(text, encoding="utf-8")
        return target

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def vmss_lint(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """`vmss-lint ARGS` run from the repository with a clean environment.

        In-process through the CLI's `main` (the exit-code mapping under test), because a fresh interpreter
        per call made these tests slow on a busy machine; `VMSS_LINT_TEST_SUBPROCESS=1` runs the real
        command instead.
        """
        if os.environ.get("VMSS_LINT_TEST_SUBPROCESS"):
            return subprocess.run(
                [sys.executable, "-m", "vmss_lint", *args],
                cwd=self.path,
                capture_output=True,
                text=True,
                env=clean_env(env),
                check=False,
            )
        from vmss_lint.cli import main

        out, err = io.StringIO(), io.StringIO()
        saved_env, saved_cwd = dict(os.environ), os.getcwd()
        try:
            os.environ.clear()
            os.environ.update(clean_env(env))
            os.chdir(self.path)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                rc = main(list(args))
        finally:
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)
        return subprocess.CompletedProcess(list(args), rc, out.getvalue(), err.getvalue())

    def json_report(self, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        proc = self.vmss_lint(*args, "--format", "json", env=env)
        assert proc.returncode in (0, 1), proc.stderr
        report: dict[str, Any] = json.loads(proc.stdout)
        return proc.returncode, report


def rules_of(report: dict[str, Any]) -> list[str]:
    return [f["rule"] for r in report["results"] for f in r["findings"]]


def snapshot_checkout(dest: Path) -> Path:
    """This checkout as it is on disk (tracked and untracked files, not ignored ones), committed in a
    repository of its own: what a user's `rev:` or `uses: ...@ref` would fetch, without the noise of
    other work in progress that is not yet tracked."""
    snapshot = GitRepo(dest, commit=False)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout
    for name in filter(None, os.fsdecode(listed).split("\0")):
        source = REPO / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    snapshot.commit("snapshot of the checkout under test")
    return dest
