"""Inputs as users really have them: Windows PowerShell's UTF-16 files, and Bicep passed in file mode."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES

CURRENT = FIXTURES / "example" / "current.json"
PROPOSED = FIXTURES / "example" / "proposed.json"


def run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vmss_lint", "check", "--format", "json", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )


def verdict(proc: subprocess.CompletedProcess[str]) -> list[tuple[str, str]]:
    report = json.loads(proc.stdout)
    return [(f["rule"], f["pointer"]) for r in report["results"] for f in r["findings"]]


def test_utf16_with_a_bom_reads_like_utf8(tmp_path: Path) -> None:
    """`Get-AzVmss | ConvertTo-Json > current.json` in Windows PowerShell 5.1 writes UTF-16 LE with a BOM."""
    text = CURRENT.read_text(encoding="utf-8").replace("\n", "\r\n")
    for codec, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
        path = tmp_path / f"current-{codec}.json"
        path.write_bytes(bom + text.encode(codec))
        proc = run(path, PROPOSED)
        assert proc.returncode == 1, proc.stderr
        assert verdict(proc) == verdict(run(CURRENT, PROPOSED))


def test_broken_utf16_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "current.json"
    path.write_bytes(b"\xff\xfe" + b"\x00\xd8")  # a lone surrogate
    proc = run(path, PROPOSED)
    assert proc.returncode == 2 and "not valid UTF-16" in proc.stderr and proc.stderr.count("\n") == 1


def test_bicep_without_a_compiler_says_how_to_make_the_json(tmp_path: Path) -> None:
    bicep = tmp_path / "main.bicep"
    bicep.write_text(
        "resource vmss 'Microsoft.Compute/virtualMachineScaleSets@2024-07-01' = {}\n", encoding="utf-8"
    )
    proc = run(CURRENT, bicep, env={"PATH": str(tmp_path / "empty-bin")})
    assert proc.returncode == 2
    assert f"run `bicep build {bicep}` and pass the JSON" in proc.stderr
    assert "double quotes" not in proc.stderr and proc.stderr.count("\n") == 1


def test_bicep_is_compiled_when_a_compiler_is_on_path(tmp_path: Path) -> None:
    """A stand-in for the Bicep CLI (not installable here), called as the real one is: `bicep build --stdout`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "bicep"
    script.write_text('#!/bin/sh\n[ "$1 $2" = "build --stdout" ] || exit 9\ncat "${3%.bicep}.compiled"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    bicep = tmp_path / "main.bicep"
    bicep.write_text("// the proposed scale set\n", encoding="utf-8")
    (tmp_path / "main.compiled").write_text(PROPOSED.read_text(encoding="utf-8"), encoding="utf-8")
    proc = run(CURRENT, bicep, env={"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    assert proc.returncode == 1, proc.stderr
    assert verdict(proc) == verdict(run(CURRENT, PROPOSED))
