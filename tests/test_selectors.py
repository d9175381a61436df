"""A typo in --select/--ignore, the config's lists or a suppression must not switch a check off silently."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES

CURRENT, PROPOSED = FIXTURES / "example" / "current.json", FIXTURES / "example" / "proposed.json"


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vmss_lint", "check", *map(str, args), CURRENT, PROPOSED],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--select", "VMS101"], "did you mean VMSS101"),
        (["--ignore", "VMSS999"], "'VMSS999' is not a rule id"),
        (["--select", "zone-remove"], "did you mean zone-removed"),
        (["--ignore", "subnet-other-vnet", "--ignore", "nope-nope"], "'nope-nope'"),
    ],
)
def test_unknown_selectors_are_exit_2_with_a_suggestion(args: list[str], says: str) -> None:
    proc = run(*args)
    assert proc.returncode == 2, proc.stdout
    assert says in proc.stderr and proc.stderr.count("\n") == 1


@pytest.mark.parametrize("args", [["--select", "VMSS1"], ["--select", "zone-removed"], ["--ignore", "vmss3"]])
def test_known_ids_names_and_prefixes_still_work(args: list[str]) -> None:
    assert run(*args).returncode == 1


def test_a_config_list_and_a_suppression_are_checked_too(tmp_path: Path) -> None:
    (tmp_path / ".vmss-lint.toml").write_text('ignore = ["VMSS10l"]\n', encoding="utf-8")
    proc = run(cwd=tmp_path)
    assert proc.returncode == 2 and "'VMSS10l'" in proc.stderr and "did you mean" in proc.stderr
    (tmp_path / ".vmss-lint.toml").write_text(
        '[[suppress]]\nrule = "VMSS1O1"\npointer = "/zones"\nreason = "a typo in the rule id"\n',
        encoding="utf-8",
    )
    proc = run(cwd=tmp_path)
    assert proc.returncode == 2 and "suppression" in proc.stderr and "'VMSS1O1'" in proc.stderr
