"""The `vmss-lint` command line (`vmss_lint.cli:main`, the console script): dispatch and exit codes.

Exit codes are a public contract: 0 nothing at or above `--fail-on`, 1 something is, 2 bad usage or bad
input (one line on stderr naming the file and the problem, never a traceback).

The package, along its seams: `parser` (the subcommands' arguments, help and the refusals before parsing),
`options` (arguments into the config, `LintOptions`, template parameters and the live CURRENT),
`commands` (check, rules, explain), `output` (destinations, formats, colour, stderr lines).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from vmss_lint.cli.output import redacted, stderr
from vmss_lint.cli.parser import COMMANDS, UsageError, parse, top_help
from vmss_lint.core.errors import InputError
from vmss_lint.core.escape import printable
from vmss_lint.core.version import __version__

__all__ = ["UsageError", "main", "run"]


def run(argv: Sequence[str]) -> int:
    """Dispatch one command line; raises InputError / UsageError for `main` to report."""
    args = list(argv)
    if not args or args[0] in ("-h", "--help"):
        sys.stdout.write(top_help())
        return 0 if args else 2
    if args[0] == "--version":
        sys.stdout.write(f"vmss-lint {__version__}\n")
        return 0
    command, rest = args[0], args[1:]
    if command not in COMMANDS:
        raise UsageError(f"unknown command '{command}': use {', '.join(COMMANDS)} (see 'vmss-lint --help')")
    try:
        ns = parse(command, rest)
    except SystemExit as exc:  # --help printed its text
        return exc.code if isinstance(exc.code, int) else 0
    from vmss_lint.cli import commands

    if command == "rules":
        return commands.rules(ns)
    if command == "explain":
        return commands.explain(ns)
    from vmss_lint.core.budget import run_budget

    with run_budget():  # one expression-work budget for the whole run, every template and side of it
        return commands.check(ns)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and map every outcome onto the exit-code contract.

    Every line written to stderr goes through `vmss_lint.core.redact.redact_text`, the redaction point
    the report goes through too: an error may quote a value read from the inputs.
    """
    from vmss_lint.core.redact import run_secrets

    with run_secrets():  # one command line, one run: its secrets are dropped when it returns
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except (InputError, UsageError) as exc:
        stderr(f"vmss-lint: error: {printable(str(exc))}")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("vmss-lint: interrupted\n")
        return 2
    except RecursionError:
        sys.stderr.write("vmss-lint: error: input is nested too deeply to process\n")
        return 2
    except Exception as exc:  # a bug in vmss-lint: say so in one line; VMSS_LINT_DEBUG shows the traceback
        if os.environ.get("VMSS_LINT_DEBUG"):
            import traceback

            sys.stderr.write(redacted(traceback.format_exc()))  # redacted like every other line
            return 2
        stderr(
            f"vmss-lint: internal error: {type(exc).__name__}: {printable(str(exc))} "
            "(this is a bug in vmss-lint; rerun with VMSS_LINT_DEBUG=1 and report it)"
        )
        return 2
