"""The text formats as a user meets them from a shell: the linter line shape, the summary, --plan and
--shell, --format full, colour (--color, NO_COLOR, FORCE_COLOR) and wrapping on a real pseudo-terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from conftest import REPO

EXAMPLE = ["fixtures/example/current.json", "fixtures/example/proposed.json"]
RESIZE = [
    "fixtures/example/current.json",
    "--az-update",
    "az vmss update -g myResourceGroup -n web --set sku.name=Standard_D4s_v5",
]
# path:line:col: RULE severity [impact] message   (or path: RULE ... when no position is known)
FINDING = re.compile(
    r"^(?P<path>[^\s:]+)(?::(?P<line>\d+):(?P<col>\d+))?: VMSS\d{3} (error|warning|info) \[[a-z-]+\] \S"
)
ANSI = "\033["


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GITHUB_ACTIONS", "TF_BUILD", "NO_COLOR", "FORCE_COLOR")
    }
    return {**env, "TERM": "xterm", **extra}


def piped(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vmss_lint", "check", *args],
        capture_output=True,
        text=True,
        env=clean_env(**env),
        cwd=REPO,
        check=False,
    )


def on_tty(*args: str, **env: str) -> str:
    """The command's output as a terminal shows it (stdout and stderr on one pseudo-terminal)."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "vmss_lint", "check", *args],
        stdout=slave,
        stderr=slave,
        cwd=REPO,
        env=clean_env(**env),
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait()
    os.close(master)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def test_concise_is_one_linter_line_per_finding_and_one_summary() -> None:
    proc = piped(*EXAMPLE)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    heads = [line for line in lines if not line.startswith(" ")]
    assert [FINDING.match(line) is not None for line in heads[:-1]] == [True] * 3, heads
    positions = [(m["path"], int(m["line"])) for m in map(FINDING.match, heads[:-1]) if m]
    assert positions == sorted(positions), "findings in file and line order, like ruff"
    assert heads[-1] == (
        "Found 3 findings (2 errors, 1 warning) in 1 scale set; highest impact: recreate; FAILED (--fail-on error)"
    )
    assert (
        "fixtures/example/proposed.json:77:12: VMSS101 error [recreate] zone 3 would be removed"
        in proc.stdout
    )
    assert "fix:" not in proc.stdout and "plan" not in proc.stdout, "concise: no fix and no plan"
    # VMSS301's message quotes both sizes, so no change line; VMSS106's does not, so the ids are shown.
    assert "    /sku/name" not in proc.stdout and "/properties/subnet/id: /subscriptions/" in proc.stdout


def test_a_finding_without_a_position_names_the_file_without_line() -> None:
    proc = piped(*RESIZE)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1].startswith(
        "fixtures/example/current.json: VMSS301 warning [deallocate] "
    )
    assert proc.stdout.endswith("; highest impact: deallocate; passed (--fail-on error)\n")


def test_no_findings_says_all_checks_passed() -> None:
    proc = piped("fixtures/example/current.json", "fixtures/example/current.json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "All checks passed: no findings in 1 scale set; highest impact: none.\n"


@pytest.mark.parametrize(
    ("args", "shown", "hidden"),
    [
        (
            ["--plan"],
            "$ az vmss deallocate --resource-group myResourceGroup --name web",
            ["PS> ", "pwsh:", "rest:"],
        ),
        (["--shell", "pwsh"], "PS> Stop-AzVmss", ["$ az ", "rest:"]),
        (["--shell", "rest"], "POST https://management.azure.com/", ["$ az ", "PS> "]),
        ([], "Found 1 finding", ["deallocate --resource-group", "plan for"]),
    ],
)
def test_plan_and_shell_choose_the_commands(args: list[str], shown: str, hidden: list[str]) -> None:
    proc = piped(*RESIZE, *args)
    assert proc.returncode == 0, proc.stderr
    assert shown in proc.stdout
    for text in hidden:
        assert text not in proc.stdout
    if args:
        assert "plan for myResourceGroup/web (deallocate): " in proc.stdout


def test_full_keeps_every_detail() -> None:
    proc = piped(*RESIZE, "--format", "full")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("note: ") and "scale set web in myResourceGroup: changed, impact deallocate" in out
    assert "judged by API version" in out and "    fix: Plan a maintenance window" in out
    for label in ("az:   az vmss deallocate", "pwsh: Stop-AzVmss", "rest: POST https://"):
        assert label in out, label
    only_az = piped(*RESIZE, "--format", "full", "--shell", "az").stdout
    assert "$ az vmss deallocate" in only_az and "pwsh:" not in only_az


@pytest.mark.parametrize(
    ("how", "env", "args", "coloured"),
    [
        ("tty", {}, [], True),
        ("tty", {"NO_COLOR": "1"}, [], False),
        ("tty", {"NO_COLOR": ""}, [], True),  # no-color.org: only a non-empty value counts
        ("tty", {"TERM": "dumb"}, [], False),
        ("tty", {}, ["--color", "never"], False),
        ("tty", {"NO_COLOR": "1"}, ["--color", "always"], True),
        ("pipe", {}, [], False),
        ("pipe", {"FORCE_COLOR": "1"}, [], True),
        ("pipe", {"FORCE_COLOR": ""}, [], False),
        ("pipe", {"FORCE_COLOR": "1", "NO_COLOR": "1"}, [], False),  # the user's opt-out wins
        ("pipe", {}, ["--color", "always"], True),
    ],
)
def test_colour(how: str, env: dict[str, str], args: list[str], coloured: bool) -> None:
    out = on_tty(*EXAMPLE, *args, **env) if how == "tty" else piped(*EXAMPLE, *args, **env).stdout
    assert (ANSI in out) is coloured, out[:300]
    if coloured:
        assert "\033[1;31merror\033[0m" in out


def test_colour_never_reaches_a_file(tmp_path: object) -> None:
    out = f"{tmp_path}/report.txt"
    proc = piped(*EXAMPLE, "--color", "always", "--format", "json", "--format", f"text:{out}")
    assert proc.returncode == 1, proc.stderr
    with open(out, encoding="utf-8") as handle:
        assert ANSI not in handle.read()
    assert ANSI not in proc.stdout, "json is never coloured"


def test_wrapped_to_the_terminal_and_never_when_piped() -> None:
    wide = piped(*EXAMPLE).stdout
    assert max(len(line) for line in wide.splitlines()) > 150, "piped: one line per finding"
    narrow = on_tty(*EXAMPLE, "--color", "never", COLUMNS="70")
    lines = narrow.splitlines()
    assert max(len(line) for line in lines) <= 70 or all(
        " " not in line.strip() for line in lines if len(line) > 70
    )
    # The location stays first and whole; continuation lines are indented.
    assert any(line.startswith("fixtures/example/proposed.json:77:12: VMSS101 error") for line in lines)
    starts = [line for line in lines if not line.startswith(" ")]
    assert all(FINDING.match(line) or line.startswith("Found ") for line in starts), starts
    assert narrow.replace("\n    ", " ").count("Found 3 findings (2 errors, 1 warning)") == 1
