"""The command line's grammar: the subcommands, their arguments and help, and what is refused before parsing.

Parsing uses the standard library's argparse, not a CLI framework: the command runs on every commit, and
the framework we started with (typer) cost more start-up time than the whole check of a model pair. Options
may come before, between or after the paths (`parse_intermixed_args`), abbreviations of long options are
refused (a typo must not silently pick another option), and a usage error is one `vmss-lint: error:` line
naming the command and pointing at its `--help`, like every other bad input.

Only the parser of the command that runs is built. Its help text is argparse's own, wrapped to the
terminal's width (`vmss_lint.cli.output.terminal_columns`, without importing shutil: see `_Formatter`).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from vmss_lint.cli.output import terminal_columns
from vmss_lint.core.escape import printable

DESCRIPTION = "Lint proposed changes to Azure Virtual Machine Scale Sets before you deploy them."
FAIL_ON_HELP = "Exit 1 when a finding is at or above this severity: error, warning, info or never."
COMMANDS = {
    "check": "Compare CURRENT with PROPOSED and report what Azure rejects and what reaches the VMs.",
    "rules": "List every rule: id, name, severity, impact, confidence and summary.",
    "explain": "Explain one rule: what it checks, why it matters, an example, the fix and the sources.",
}


class UsageError(Exception):
    """Bad command-line usage: reported as one line, exit 2, like bad input."""


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, sized to the terminal by `terminal_columns` instead of
    `shutil.get_terminal_size` (the same columns; `tests/test_cli_terminal.py` holds the two equal).

    argparse makes a formatter for every `add_argument` (to check a metavar against nargs) and for the
    usage line `parse_intermixed_args` captures, so its default imports shutil on every run, and with it
    zlib, bz2 and lzma: 6.6 M instructions of a cold check (which otherwise never needs shutil when its
    output is not a terminal).
    """

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
        **more: Any,
    ) -> None:
        width = terminal_columns() - 2 if width is None else width  # what argparse's default computes
        super().__init__(prog, indent_increment, max_help_position, width, **more)


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing its usage block and exiting, so `main` owns every exit."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def parser(command: str) -> argparse.ArgumentParser:
    """The parser of one subcommand; built only for the command that runs."""
    built = _Parser(
        prog=f"vmss-lint {command}",
        description=COMMANDS[command],
        allow_abbrev=False,
        formatter_class=_Formatter,
    )
    add = built.add_argument
    add(
        "--rules-dir",
        metavar="DIR",
        action="append",
        type=Path,
        help="Also use a local folder of TOML rules.",
    )
    add("--allow-python-rules", action="store_true", help="Let --rules-dir rules run their Python hooks.")
    if command == "explain":
        add("rule", help="Rule id or name, e.g. VMSS101 or zone-removed.")
    if command == "rules":
        add(
            "--format", metavar="FORMAT", dest="output_format", default="text", help="text (a table) or json."
        )
    if command == "check":
        for flags, settings in _CHECK_ARGUMENTS:
            add(*flags.split(), help=_CHECK_HELP[flags], **settings)
    return built


# How `vmss-lint check` parses its own arguments, in the order its --help lists them: the flags
# (space-separated), then argparse's settings; the help text of each is in `_CHECK_HELP`.
_CHECK_ARGUMENTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("paths", {"nargs": "*", "metavar": "PATH"}),
    ("--base", {"metavar": "REF"}),
    ("--head", {"metavar": "REF"}),
    ("--pre-commit", {"action": "store_true"}),
    ("--patch", {"metavar": "FILE"}),
    ("--az-update", {"metavar": "COMMAND", "action": "append"}),
    ("--format", {"metavar": "FORMAT[:FILE]", "dest": "output_format", "action": "append"}),
    ("--plan", {"action": "store_true"}),
    ("--shell", {"choices": ("az", "pwsh", "rest")}),
    ("--color", {"choices": ("auto", "always", "never"), "default": "auto"}),
    ("--fail-on", {"metavar": "LEVEL"}),
    ("--api-version", {"metavar": "VERSION"}),
    ("--sent-as", {"metavar": "HOW", "choices": ("deployment", "rest-patch")}),
    ("--select", {"metavar": "RULE", "action": "append"}),
    ("--ignore", {"metavar": "RULE", "action": "append"}),
    ("--instances", {"metavar": "FILE"}),
    ("--output -o", {"metavar": "FILE", "type": Path}),
    ("--config", {"metavar": "FILE", "type": Path}),
    ("--trust-config", {"metavar": "WHEN"}),
    ("--parameters", {"metavar": "FILE", "action": "append"}),
    ("--current-parameters", {"metavar": "FILE", "action": "append"}),
    ("--proposed-parameters", {"metavar": "FILE", "action": "append"}),
    ("--context", {"metavar": "FILE"}),
    ("--subscription-id", {"metavar": "ID"}),
    ("--live", {"metavar": "RG/NAME"}),
    ("--cloud", {"metavar": "NAME"}),
    ("--arm-endpoint", {"metavar": "URL"}),
    ("--terraform-plans", {"metavar": "GLOB", "action": "append"}),
    ("--save-current", {"metavar": "FILE"}),
    ("--save-instances", {"metavar": "FILE"}),
    ("--resource-group", {"metavar": "NAME"}),
)

# What each of check's arguments means, as its --help prints it (argparse rewraps the text).
_CHECK_HELP = {
    "paths": "CURRENT (az vmss show, REST GET, Get-AzVmss JSON, or base template) and PROPOSED (model or "
    "template); in git mode, the paths to restrict the run to.",
    "--base": "Git mode: compare each changed file at this revision with the working tree (or --head); "
    "positional arguments then restrict the run to those paths.",
    "--head": "Git mode: compare with this revision, not the working tree.",
    "--pre-commit": "Git mode for the pre-commit hook: base PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF when set, "
    "else HEAD.",
    "--patch": "RFC 6902 JSON Patch applied to CURRENT.",
    "--az-update": "A planned `az vmss update ...` command (repeatable, in order).",
    "--format": "text (concise), full, json, sarif, github, junit or azure-pipelines; repeatable, FORMAT:FILE "
    "writes that format to FILE (e.g. --format github --format sarif:out.sarif). A FORMAT without a file goes "
    "to -o, else to stdout.",
    "--plan": "Text: also print the upgrade plan and its commands.",
    "--shell": "Text: the plan's commands as Azure CLI (default), Azure PowerShell or REST; implies --plan.",
    "--color": "Colour text on stdout: auto (a terminal, unless NO_COLOR; FORCE_COLOR forces), always, never.",
    "--fail-on": FAIL_ON_HELP,
    "--api-version": "Judge by this Microsoft.Compute API version.",
    "--sent-as": "How PROPOSED is sent: deployment (default: a template or full model, what it leaves out is "
    "reported) or rest-patch (a REST PATCH body: what it leaves out is unchanged).",
    "--select": "Only these rules (id, name or id prefix; repeatable).",
    "--ignore": "Skip these rules (id, name or id prefix; repeatable).",
    "--instances": "The scale set's instances (az vmss list-instances, REST list or Get-AzVmssVM JSON): the "
    "plan then names stale, protected and scale-in instances.",
    "--output -o": "Write the report to this file (atomically).",
    "--config": "Config file (default: nearest .vmss-lint.toml or pyproject.toml upwards).",
    "--trust-config": "Whose config applies: auto (default: the base revision's on an untrusted CI event such "
    "as a pull request from a fork), base (always the base revision's) or head (always the working tree's). "
    "See SECURITY.md.",
    "--parameters": "Template parameters file for both sides (repeatable; later wins).",
    "--current-parameters": "Parameters file for the CURRENT template only.",
    "--proposed-parameters": "Parameters file for the PROPOSED template only.",
    "--context": "JSON with subscriptionId, resourceGroup, location, deployment, environment: what "
    "resourceGroup(), subscription(), deployment() and environment() return in templates.",
    "--subscription-id": "subscription().subscriptionId in templates (and of --live).",
    "--live": "CURRENT is the running scale set RG/NAME or azure:///<resource id> (needs vmss-lint[azure]); "
    "in git mode each changed template is compared with it instead of with the base revision.",
    "--cloud": "AzureCloud (default), AzureChinaCloud or AzureUSGovernment, for --live.",
    "--arm-endpoint": "A custom Azure Resource Manager endpoint, for --live.",
    "--terraform-plans": "Git mode: files matching this glob (repeatable; e.g. '**/tfplan.json') are Terraform "
    "plan JSON, whatever their name; others are still recognised by their shape.",
    "--save-current": "Save the fetched live model, to repeat the run offline.",
    "--save-instances": "Save the fetched live instance list (for --instances).",
    "--resource-group": "resourceGroup().name in templates.",
}


def top_help() -> str:
    """`vmss-lint --help`: the commands, written by hand (no parser is built for it)."""
    width = max(len(c) for c in COMMANDS)
    lines = [
        "usage: vmss-lint [--version] [--help] COMMAND [ARGS]...",
        "",
        DESCRIPTION,
        "",
        "commands:",
        *(f"  {name.ljust(width)}  {text}" for name, text in COMMANDS.items()),
        "",
        "options:",
        "  --version  Show the version and exit.",
        "  --help     Show this message and exit.",
        "",
        "Run 'vmss-lint COMMAND --help' for a command's options.",
    ]
    return "\n".join(lines) + "\n"


def parse(command: str, args: list[str]) -> argparse.Namespace:
    """One command's arguments, after the refusals below; raises SystemExit when --help printed its text.

    A lone `--` ends the options everywhere: what follows is positional, whatever it looks like.
    (argparse's intermixed parsing still reads `--select=X` after `--` as an option, so the split is ours.)
    """
    _refuse_file_names_as_options(args)
    _refuse_unquoted_az_update(args)
    tail: list[str] = []
    if command == "check" and "--" in args:  # the only command whose positionals are file names
        cut = args.index("--")
        args, tail = args[:cut], args[cut + 1 :]
    ns = parser(command).parse_intermixed_args(args)
    if tail:
        ns.paths = [*ns.paths, *tail]
    return ns


def _refuse_file_names_as_options(args: Sequence[str]) -> None:
    """With --pre-commit the file names come from the repository (anyone's commit), after the hook's args.
    The hook passes `--` before them; should a user's own `args:` drop it, a committed file named
    `--select=X.json` or `-o.json` would still become an option. An option-looking word that names an
    existing file is therefore refused: the check fails closed instead of being reconfigured by a file name.
    """
    if "--pre-commit" not in args[: args.index("--") if "--" in args else len(args)]:
        return
    for word in args:
        if word == "--":
            return
        if word.startswith("-") and word != "--pre-commit" and os.path.lexists(word):
            raise UsageError(
                f"'{printable(word)}' is a file name that reads as an option: "
                "end the hook's args with -- so that file names are never options"
            )


def _refuse_unquoted_az_update(args: Sequence[str]) -> None:
    """`--az-update az vmss update -g rg ...` without quotes gives the option the single word `az` and
    leaves the rest to argparse, whose "unrecognized arguments: -g rg" does not say what went wrong. A
    planned command always has spaces, so a value without any is this mistake: say to quote it."""
    for i, word in enumerate(args):
        if word == "--":
            return
        if word == "--az-update" and i + 1 < len(args):
            value = args[i + 1]
        elif word.startswith("--az-update="):
            value = word.partition("=")[2]
        else:
            continue
        if not value.split(maxsplit=1)[1:]:
            raise UsageError(
                f"vmss-lint check: --az-update got '{printable(value)}' alone: pass the whole command as one "
                'quoted argument, e.g. --az-update "az vmss update -g RG -n NAME --set sku.name=SIZE"'
            )
