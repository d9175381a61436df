"""The CLI sizes text to the terminal without shutil, and sizes it exactly as shutil and argparse would.

`vmss_lint.cli.output.terminal_columns` stands in for `shutil.get_terminal_size().columns` (importing
shutil costs a cold start zlib, bz2 and lzma), and the help formatter of `vmss_lint.cli.parser` uses it in
place of argparse's default. These tests hold both equal to the standard library on a real
pseudo-terminal of a set size and under the COLUMNS conventions, so --help and the text report wrap the
same as before.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest
from conftest import REPO

# Run in a child whose standard output is the pseudo-terminal: both widths, then whether --help of every
# command is the same with argparse's own formatter; the answer goes to stderr, a pipe.
PROBE = """
import argparse, json, shutil, sys
from vmss_lint.cli.output import terminal_columns
from vmss_lint.cli.parser import parser
same = {}
for command in ("check", "rules", "explain"):
    ours = parser(command)
    text = ours.format_help(), ours.format_usage()
    ours.formatter_class = argparse.HelpFormatter
    same[command] = text == (ours.format_help(), ours.format_usage())
answer = {"ours": terminal_columns(), "shutil": shutil.get_terminal_size().columns, "same": same}
print(json.dumps(answer), file=sys.stderr)
"""


def _probe(columns: int | None, env: dict[str, str]) -> dict[str, object]:
    """The probe's answer, its stdout a pseudo-terminal `columns` wide (None: a pipe, no terminal)."""
    clean = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns or 0, 0, 0))
    try:
        proc = subprocess.run(
            [sys.executable, "-c", PROBE],
            stdout=slave if columns is not None else subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env={**clean, **env},
            check=False,
        )
    finally:
        os.close(slave)
        os.close(master)
    assert proc.returncode == 0, proc.stderr
    return dict(json.loads(proc.stderr))


@pytest.mark.parametrize(
    ("columns", "env", "expected"),
    [
        (93, {}, 93),  # the terminal's own width
        (93, {"COLUMNS": "120"}, 120),  # COLUMNS wins over the terminal
        (93, {"COLUMNS": "0"}, 93),  # not positive: the terminal
        (93, {"COLUMNS": "wide"}, 93),  # not a number: the terminal
        (93, {"LINES": "10"}, 93),  # LINES alone changes no width
        (None, {}, 80),  # no terminal: 80
        (None, {"COLUMNS": "-3"}, 80),
        (None, {"COLUMNS": "64"}, 64),
    ],
)
def test_terminal_columns_are_shutils_and_help_is_argparses(
    columns: int | None, env: dict[str, str], expected: int
) -> None:
    found = _probe(columns, env)
    assert found["ours"] == found["shutil"] == expected
    assert found["same"] == {"check": True, "rules": True, "explain": True}
