"""Compiling Bicep to the ARM JSON it deploys: a `.bicep` input is judged by that JSON.

Both file mode (`vmss_lint.arm.files.read_file`) and git mode compile through here, so they find the
compiler the same way and report a compile error the same way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from vmss_lint.core.errors import InputError

BICEP_HINT = (
    "install the Bicep CLI (`az bicep install`, or the standalone `bicep` binary) so that `bicep` or `az` "
    "is on PATH, then run vmss-lint again"
)


def bicep_command() -> list[str] | None:
    """How to compile Bicep here: the standalone CLI first (faster), else `az bicep`."""
    if shutil.which("bicep"):
        return ["bicep", "build", "--stdout"]
    if shutil.which("az"):
        return ["az", "bicep", "build", "--stdout", "--file"]
    return None


def compile_bicep(command: list[str], file: Path, label: str) -> bytes:
    """The ARM JSON a `.bicep` file compiles to; a compile error is the user's input error."""
    proc = subprocess.run([*command, str(file)], capture_output=True, check=False, cwd=file.parent)
    if proc.returncode != 0:
        lines = os.fsdecode(proc.stderr).strip().splitlines()
        raise InputError(label, "bicep build failed: " + (lines[0] if lines else f"exit {proc.returncode}"))
    return proc.stdout
