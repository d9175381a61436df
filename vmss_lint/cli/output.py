"""Where the report goes and how it looks there: `--format FORMAT[:FILE]` with `-o`, the CI system's native
format by default, colour and wrapping only on a terminal; and every line the command writes to stderr.

The destinations themselves (parsing, reserving every file before the work, writing atomically) are
`vmss_lint.report.destinations`; this module chooses from the command line and the environment.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from vmss_lint.engine.spec import LoadedRule
    from vmss_lint.report.destinations import Destination, Opened
    from vmss_lint.report.document import Report


def destinations(ns: argparse.Namespace) -> list[Destination]:
    """Every `--format FORMAT[:FILE]` with `-o` (see `vmss_lint.report.destinations`); none: the CI
    system's native format, else text, to -o or stdout."""
    from vmss_lint.report.destinations import parse_destinations
    from vmss_lint.report.formats import FORMATS

    return parse_destinations(ns.output_format or [], ns.output, _default_format(), FORMATS)


def write_reports(
    ns: argparse.Namespace, outputs: Sequence[Opened], report: Report, rules: list[LoadedRule]
) -> None:
    """Render the report once per destination and write them all (`write_all`: files atomically)."""
    from vmss_lint.report.destinations import write_all
    from vmss_lint.report.formats import renderer

    texts = [
        renderer(out.destination.format)(report, rules=rules, **_text_options(ns, out.reserved is None))
        for out in outputs
    ]
    write_all(outputs, texts, sys.stdout.write)


def _default_format() -> str:
    """Native annotations where the CI system is known: GitHub Actions, then Azure Pipelines (TF_BUILD)."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return "github"
    if os.environ.get("TF_BUILD", "").lower() == "true":
        return "azure-pipelines"
    return "text"


def _text_options(ns: argparse.Namespace, to_stdout: bool) -> dict[str, object]:
    """What the text formats take from the command line: colour and wrapping only on standard output
    (a file is for tools), the plan and its dialect."""
    terminal = to_stdout and sys.stdout.isatty()
    return {
        "colour": to_stdout and _colour(ns.color, terminal),
        "width": terminal_columns() if terminal else None,
        "plan": ns.plan,
        "shell": ns.shell,
    }


def _colour(choice: str, terminal: bool) -> bool:
    """--color, then the conventions: NO_COLOR (no-color.org: only a non-empty value counts) turns colour
    off, FORCE_COLOR (non-empty) turns it on even when piped; NO_COLOR wins when both are set, because
    it is the user's opt-out. `auto` colours a terminal whose TERM is not `dumb`."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return terminal and os.environ.get("TERM") != "dumb"


def terminal_columns() -> int:
    """`shutil.get_terminal_size().columns` without importing shutil: COLUMNS when it is a positive
    number, else the width of the terminal on standard output, else 80.

    shutil imports zlib, bz2 and lzma (6.6 M instructions of a cold start), and argparse sizes a help
    formatter with it on every run (`vmss_lint.cli.parser._Formatter`); a test holds the two equal.
    """
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        size = os.get_terminal_size(sys.__stdout__.fileno())  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80
    return size.columns or 80


def stderr(line: str) -> None:
    """One line on standard error, through `vmss_lint.core.redact.redact_text`, the redaction point the
    report goes through too: an error or a warning may quote a value read from the inputs."""
    sys.stderr.write(redacted(line) + "\n")


def redacted(text: str) -> str:
    """`text` with every secret the run has read replaced (see `vmss_lint.core.redact`)."""
    from vmss_lint.core.redact import redact_text

    return redact_text(text)
