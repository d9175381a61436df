"""The `vmss-lint` command line: arguments into options and inputs, `vmss_lint.pipeline` runs, exit codes.

Exit codes are a public contract: 0 nothing at or above `--fail-on`, 1 something is, 2 bad usage or bad
input (one line on stderr naming the file and the problem, never a traceback).

Parsing uses the standard library's argparse, not a CLI framework: the command runs on every commit, and
the framework we started with (typer) cost more start-up time than the whole check of a model pair. Options
may come before, between or after the paths (`parse_intermixed_args`), abbreviations of long options are
refused (a typo must not silently pick another option), and a usage error is one `vmss-lint: error:` line
naming the command and pointing at its `--help`, like every other bad input.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from vmss_lint.core.errors import InputError
from vmss_lint.core.escape import printable
from vmss_lint.core.version import __version__

if TYPE_CHECKING:
    from vmss_lint.arm.template_options import TemplateContext, TemplateParams
    from vmss_lint.config.find import LoadedConfig
    from vmss_lint.engine.spec import LoadedRule
    from vmss_lint.inputs.live import LiveCurrent
    from vmss_lint.pipeline import LintOptions
    from vmss_lint.report.destinations import Destination
    from vmss_lint.report.document import Report

DESCRIPTION = "Lint proposed changes to Azure Virtual Machine Scale Sets before you deploy them."
FAIL_ON_HELP = "Exit 1 when a finding is at or above this severity: error, warning, info or never."
COMMANDS = {
    "check": "Compare CURRENT with PROPOSED and report what Azure rejects and what reaches the VMs.",
    "rules": "List every rule: id, name, severity, impact, confidence and summary.",
    "explain": "Explain one rule: what it checks, why it matters, an example, the fix and the sources.",
}


class UsageError(Exception):
    """Bad command-line usage: reported as one line, exit 2, like bad input."""


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing its usage block and exiting, so `main` owns every exit."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _parser(command: str) -> _Parser:
    """The parser of one subcommand; built only for the command that runs."""
    parser = _Parser(prog=f"vmss-lint {command}", description=COMMANDS[command], allow_abbrev=False)
    add = parser.add_argument
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
    if command in ("rules", "explain"):
        return parser
    add(
        "paths",
        nargs="*",
        metavar="PATH",
        help="CURRENT (az vmss show, REST GET, Get-AzVmss JSON, or base template) and PROPOSED (model or "
        "template); in git mode, the paths to restrict the run to.",
    )
    add(
        "--base",
        metavar="REF",
        help="Git mode: compare each changed file at this revision with the working tree (or --head); "
        "positional arguments then restrict the run to those paths.",
    )
    add("--head", metavar="REF", help="Git mode: compare with this revision, not the working tree.")
    add(
        "--pre-commit",
        action="store_true",
        help="Git mode for the pre-commit hook: base PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF when set, else HEAD.",
    )
    add("--patch", metavar="FILE", help="RFC 6902 JSON Patch applied to CURRENT.")
    add(
        "--az-update",
        metavar="COMMAND",
        action="append",
        help="A planned `az vmss update ...` command (repeatable, in order).",
    )
    add(
        "--format",
        metavar="FORMAT[:FILE]",
        dest="output_format",
        action="append",
        help="text (concise), full, json, sarif, github, junit or azure-pipelines; repeatable, FORMAT:FILE writes that "
        "format to FILE (e.g. --format github --format sarif:out.sarif). A FORMAT without a file goes to "
        "-o, else to stdout.",
    )
    add("--plan", action="store_true", help="Text: also print the upgrade plan and its commands.")
    add(
        "--shell",
        choices=("az", "pwsh", "rest"),
        help="Text: the plan's commands as Azure CLI (default), Azure PowerShell or REST; implies --plan.",
    )
    add(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="Colour text on stdout: auto (a terminal, unless NO_COLOR; FORCE_COLOR forces), always, never.",
    )
    add("--fail-on", metavar="LEVEL", help=FAIL_ON_HELP)
    add("--api-version", metavar="VERSION", help="Judge by this Microsoft.Compute API version.")
    add(
        "--sent-as",
        metavar="HOW",
        choices=("deployment", "rest-patch"),
        help="How PROPOSED is sent: deployment (default: a template or full model, what it leaves out is "
        "reported) or rest-patch (a REST PATCH body: what it leaves out is unchanged).",
    )
    add(
        "--select",
        metavar="RULE",
        action="append",
        help="Only these rules (id, name or id prefix; repeatable).",
    )
    add(
        "--ignore",
        metavar="RULE",
        action="append",
        help="Skip these rules (id, name or id prefix; repeatable).",
    )
    add(
        "--instances",
        metavar="FILE",
        help="The scale set's instances (az vmss list-instances, REST list or Get-AzVmssVM JSON): the plan "
        "then names stale, protected and scale-in instances.",
    )
    add("--output", "-o", metavar="FILE", type=Path, help="Write the report to this file (atomically).")
    add(
        "--config",
        metavar="FILE",
        type=Path,
        help="Config file (default: nearest .vmss-lint.toml or pyproject.toml upwards).",
    )
    add(
        "--trust-config",
        metavar="WHEN",
        help="Whose config applies: auto (default: the base revision's on an untrusted CI event such as a "
        "pull request from a fork), base (always the base revision's) or head (always the working tree's). "
        "See SECURITY.md.",
    )
    add(
        "--parameters",
        metavar="FILE",
        action="append",
        help="Template parameters file for both sides (repeatable; later wins).",
    )
    add(
        "--current-parameters",
        metavar="FILE",
        action="append",
        help="Parameters file for the CURRENT template only.",
    )
    add(
        "--proposed-parameters",
        metavar="FILE",
        action="append",
        help="Parameters file for the PROPOSED template only.",
    )
    add(
        "--context",
        metavar="FILE",
        help="JSON with subscriptionId, resourceGroup, location, deployment, environment: what resourceGroup(), "
        "subscription(), deployment() and environment() return in templates.",
    )
    add("--subscription-id", metavar="ID", help="subscription().subscriptionId in templates (and of --live).")
    add(
        "--live",
        metavar="RG/NAME",
        help="CURRENT is the running scale set RG/NAME or azure:///<resource id> (needs vmss-lint[azure]); in "
        "git mode each changed template is compared with it instead of with the base revision.",
    )
    add(
        "--cloud",
        metavar="NAME",
        help="AzureCloud (default), AzureChinaCloud or AzureUSGovernment, for --live.",
    )
    add("--arm-endpoint", metavar="URL", help="A custom Azure Resource Manager endpoint, for --live.")
    add(
        "--terraform-plans",
        metavar="GLOB",
        action="append",
        help="Git mode: files matching this glob (repeatable; e.g. '**/tfplan.json') are Terraform plan JSON, "
        "whatever their name; others are still recognised by their shape.",
    )
    add("--save-current", metavar="FILE", help="Save the fetched live model, to repeat the run offline.")
    add("--save-instances", metavar="FILE", help="Save the fetched live instance list (for --instances).")
    add("--resource-group", metavar="NAME", help="resourceGroup().name in templates.")
    return parser


def _top_help() -> str:
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


def run(argv: Sequence[str]) -> int:
    """Dispatch one command line; raises InputError / UsageError for `main` to report."""
    args = list(argv)
    if not args or args[0] in ("-h", "--help"):
        sys.stdout.write(_top_help())
        return 0 if args else 2
    if args[0] == "--version":
        sys.stdout.write(f"vmss-lint {__version__}\n")
        return 0
    command, rest = args[0], args[1:]
    if command not in COMMANDS:
        raise UsageError(f"unknown command '{command}': use {', '.join(COMMANDS)} (see 'vmss-lint --help')")
    _refuse_file_names_as_options(rest)
    _refuse_unquoted_az_update(rest)
    try:
        ns = _parse(command, rest)
    except SystemExit as exc:  # --help printed its text
        return exc.code if isinstance(exc.code, int) else 0
    if command == "rules":
        return _rules(ns)
    if command == "explain":
        return _explain(ns)
    from vmss_lint.core.budget import run_budget

    with run_budget():  # one expression-work budget for the whole run, every template and side of it
        return _check(ns)


def _parse(command: str, args: list[str]) -> argparse.Namespace:
    """A lone `--` ends the options everywhere: what follows is positional, whatever it looks like.
    (argparse's intermixed parsing still reads `--select=X` after `--` as an option, so the split is ours.)
    """
    tail: list[str] = []
    if command == "check" and "--" in args:  # the only command whose positionals are file names
        cut = args.index("--")
        args, tail = args[:cut], args[cut + 1 :]
    ns = _parser(command).parse_intermixed_args(args)
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


def _refuse_a_folder_in_file_mode(paths: Sequence[str]) -> None:
    """`vmss-lint check infra/` means "the templates in there": that is git mode, which compares each
    changed file with a revision. Say so instead of "is a directory, not a JSON file"."""
    for path in paths:
        if Path(path).is_dir():
            raise UsageError(
                f"vmss-lint check: '{printable(path)}' is a folder: to check the files in it that changed, "
                f"use git mode: vmss-lint check --base REF {printable(path)} (e.g. --base origin/main)"
            )


def _check(ns: argparse.Namespace) -> int:
    """`vmss-lint check`: flags and config into options and inputs, one pipeline run, render, exit code."""
    from vmss_lint.config.find import load_config
    from vmss_lint.pipeline import rules_for
    from vmss_lint.report.destinations import reserve_all, write_all

    paths: list[str] = ns.paths
    live = _live(ns, paths)
    if live is not None and ns.live is not None and not _git_mode(ns):
        paths = [live.fetched.target.label, *paths]
    loaded = _trusted_config(ns, load_config(ns.config))
    fail_on = _fail_on(ns, loaded)
    destinations = _destinations(ns)
    # Every output file is checked and reserved now: a bad -o or FORMAT:FILE fails before the work.
    with reserve_all(destinations, _named_files(ns, loaded, paths)) as outputs:
        options = _options(ns, loaded, fail_on, live)
        rules = rules_for(options)
        report = _report(ns, loaded, paths, live, options, rules)
        from vmss_lint.report.formats import renderer

        texts = [
            renderer(out.destination.format)(report, rules=rules, **_text_options(ns, out.reserved is None))
            for out in outputs
        ]
        write_all(outputs, texts, sys.stdout.write)
    return 1 if report.summary.failed else 0


def _trusted_config(ns: argparse.Namespace, head: LoadedConfig) -> LoadedConfig:
    """The config the run applies: the head's, or on an untrusted event the base revision's
    (`vmss_lint.config.trust`)."""
    from vmss_lint.config.events import decide

    why = decide(ns.trust_config)
    if why is None:
        return head
    from vmss_lint.config.trust import GitSides, trusted_config

    git = GitSides(ns.base, ns.head, ns.pre_commit) if _git_mode(ns) else None
    return trusted_config(head, why, explicit=ns.config, git=git)


def _named_files(ns: argparse.Namespace, loaded: LoadedConfig, paths: list[str]) -> list[str | Path]:
    """Every file the command line (or the config) names as an input: `-o` must never overwrite one."""
    return [
        *paths,
        *[p for p in (ns.patch, ns.instances, ns.context, ns.config, loaded.path) if p is not None],
        *(ns.parameters or []),
        *(ns.current_parameters or []),
        *(ns.proposed_parameters or []),
    ]


def _fail_on(ns: argparse.Namespace, loaded: LoadedConfig) -> str:
    fail = (ns.fail_on or loaded.config.fail_on or "error").lower()
    if fail not in ("error", "warning", "info", "never"):
        raise InputError(
            "--fail-on", f"'{ns.fail_on}' is not a level", hint="use error, warning, info or never"
        )
    return fail


def _destinations(ns: argparse.Namespace) -> list[Destination]:
    """Every `--format FORMAT[:FILE]` with `-o` (see `vmss_lint.report.destinations`); none: the CI
    system's native format, else text, to -o or stdout."""
    from vmss_lint.report.destinations import parse_destinations
    from vmss_lint.report.formats import FORMATS

    return parse_destinations(ns.output_format or [], ns.output, _default_format(), FORMATS)


def _options(
    ns: argparse.Namespace, loaded: LoadedConfig, fail_on: str, live: LiveCurrent | None
) -> LintOptions:
    """The run's options: the command line over the config file (see `build_options`); the instances
    from --instances, else those fetched with a live CURRENT."""
    from vmss_lint.config.find import build_options

    instances = None
    if ns.instances is not None:
        from vmss_lint.inputs.instances import load_instances

        instances = load_instances(ns.instances)
    elif live is not None:
        from vmss_lint.inputs.instances import parse_instances

        instances = [i.as_dict() for i in parse_instances(live.fetched.instances, live.file.path)]
    options = build_options(
        loaded,
        fail_on=fail_on,
        api_version=ns.api_version,
        rules_dirs=list(ns.rules_dir or []),
        allow_python_rules=ns.allow_python_rules,
        select=list(ns.select or []),
        ignore=list(ns.ignore or []),
        instances=instances,
        warn=lambda line: _stderr(f"vmss-lint: warning: {printable(line)}"),
    )
    if getattr(ns, "sent_as", None):
        from vmss_lint.core.records import replace

        options = replace(options, sent_as=ns.sent_as)
    return options


def _report(
    ns: argparse.Namespace,
    loaded: LoadedConfig,
    paths: list[str],
    live: LiveCurrent | None,
    options: LintOptions,
    rules: list[LoadedRule],
) -> Report:
    """Git mode (--base/--head/--pre-commit) reads revisions; otherwise CURRENT (a file or the live scale
    set) and PROPOSED are files, linted by `vmss_lint.api.run_files`, the function the Python API uses."""
    current = paths[0] if paths else None
    proposed = paths[1] if len(paths) > 1 else None
    git_mode = _git_mode(ns)
    params = _template_params(ns, loaded, current, proposed, live, git_mode=git_mode)
    untrusted = loaded.untrusted_why
    if git_mode:
        from vmss_lint.api import with_notices
        from vmss_lint.inputs.git.mode import git_inputs
        from vmss_lint.pipeline import check

        found = git_inputs(
            ns.base,
            ns.head,
            paths,
            params=params,
            pre_commit=ns.pre_commit,
            live=live.file if live is not None else None,
            plan_patterns=_plan_patterns(ns, loaded),
            untrusted=untrusted,
        )
        return check(with_notices(found, loaded.notices), options, rules)
    _refuse_a_folder_in_file_mode(paths)
    if len(paths) > 2:
        raise UsageError(
            "vmss-lint check: too many arguments: give CURRENT and PROPOSED, or use --base REF PATHS..."
        )
    from vmss_lint.api import run_files

    return run_files(
        live.file if live is not None else current,
        proposed,
        patch=ns.patch,
        az_updates=list(ns.az_update or []),
        params=params,
        options=options,
        rules=rules,
        untrusted=untrusted,
        notices=loaded.notices,
    )


def _template_params(
    ns: argparse.Namespace,
    loaded: LoadedConfig,
    current: str | None,
    proposed: str | None,
    live: LiveCurrent | None,
    *,
    git_mode: bool,
) -> TemplateParams:
    """--parameters/--context and friends, else the config's `parameters` mapping and `[context]`; a live
    CURRENT supplies its subscription and resource group."""
    from vmss_lint.api import template_params
    from vmss_lint.arm.template_options import with_overrides

    context = _context(ns, loaded)
    if live is not None:
        context = live.context_overrides(context)
    parameters: list[str] = ns.parameters or []
    current_parameters: list[str] | None = ns.current_parameters
    proposed_parameters: list[str] | None = ns.proposed_parameters
    if not parameters and not current_parameters and not proposed_parameters:
        current_parameters = _configured_parameters(loaded, current) or None
        proposed_parameters = _configured_parameters(loaded, proposed) or None
    return template_params(
        list(parameters),
        list(current_parameters) if current_parameters else None,
        list(proposed_parameters) if proposed_parameters else None,
        with_overrides(context, ns.subscription_id, ns.resource_group),
        must_exist=not git_mode,
        hint="check --parameters",
    )


def _context(ns: argparse.Namespace, loaded: LoadedConfig) -> TemplateContext:
    """What resourceGroup(), subscription(), deployment() return: --context, else the config's [context]."""
    if ns.context is not None:
        from vmss_lint.inputs.params import load_context

        return load_context(ns.context)
    if loaded.config.context is not None:
        from vmss_lint.inputs.params import context_from_data

        return context_from_data(loaded.config.context.as_context_file(), f"{loaded.label} [context]")
    from vmss_lint.arm.template_options import TemplateContext

    return TemplateContext()


def _names_live(path: str | None) -> bool:
    """`vmss_lint.inputs.live.is_live` without importing that module (a test holds the two equal)."""
    return path is not None and path.lower().startswith("azure://")


def _live(ns: argparse.Namespace, paths: list[str]) -> LiveCurrent | None:
    """A live CURRENT (`azure:///…` or --live): fetched once, before anything else reads it."""
    if ns.live is None and not _names_live(paths[0] if paths else None):
        return None  # most runs: the live-input module (four dataclasses) is never imported
    from vmss_lint.inputs import live

    git_mode = _git_mode(ns)
    if git_mode and ns.live is None:
        raise UsageError(
            "vmss-lint check: in git mode name the live scale set with --live (RG/NAME or azure:///...); "
            "positional arguments there restrict the run to those paths"
        )
    target = live.parse_target(paths[0] if paths and ns.live is None else None, ns.live, ns.subscription_id)
    assert target is not None
    proposed = paths[0] if ns.live is not None and paths else (paths[1] if len(paths) > 1 else None)
    return live.live_current(
        target,
        None if git_mode else proposed,
        cloud=live.cloud_from(ns.cloud, ns.arm_endpoint),
        save_current=ns.save_current,
        save_instances=ns.save_instances,
        user_data=True if git_mode else None,
    )


def _git_mode(ns: argparse.Namespace) -> bool:
    return ns.base is not None or ns.head is not None or bool(ns.pre_commit)


def _plan_patterns(ns: argparse.Namespace, loaded: LoadedConfig) -> list[str]:
    """--terraform-plans over the config's `terraform-plans` (git mode: which files are plans by name)."""
    return list(ns.terraform_plans or loaded.config.terraform_plans or [])


def _rules(ns: argparse.Namespace) -> int:
    from vmss_lint.engine.docs import rules_json, rules_table
    from vmss_lint.engine.packs import load_rules

    fmt = ns.output_format.lower()
    if fmt not in ("text", "json"):
        raise InputError(
            "--format", f"unknown format '{printable(ns.output_format)}'", hint="use text or json"
        )
    rules = load_rules(ns.rules_dir or [], allow_python=ns.allow_python_rules)
    sys.stdout.write((rules_json(rules, __version__) if fmt == "json" else rules_table(rules)) + "\n")
    return 0


def _explain(ns: argparse.Namespace) -> int:
    from vmss_lint.engine.docs import explain_rule, find_rule
    from vmss_lint.engine.packs import load_rules

    found = find_rule(load_rules(ns.rules_dir or [], allow_python=ns.allow_python_rules), ns.rule)
    sys.stdout.write(explain_rule(found) + "\n")
    return 0


def _configured_parameters(loaded: LoadedConfig, path: str | None) -> list[str]:
    """The config's `parameters` mapping (template, relative to the config's folder -> files) for one
    side's template, if it names it.

    The config file is data a pull request can change, so each mapped file must resolve (symlinks
    included) inside the config file's folder; one that does not is refused before it is opened, and
    the message names the mapping as written, never the file's content (see `vmss_lint.core.confine`).
    """
    from vmss_lint.core.confine import confined

    if path is None:
        return []
    root = loaded.root
    for template, files in loaded.parameter_files().items():
        if Path(path).resolve() != (root / template).resolve():
            continue
        written = loaded.config.parameters[template]
        for file, as_written in zip(files, [written] if isinstance(written, str) else written, strict=True):
            if confined(file, root) is None:
                raise InputError(
                    loaded.label,
                    f"[parameters] maps '{template}' to '{as_written}', which resolves outside the config "
                    f"file's folder ({root}); refused, not read",
                    hint="a configured parameters file must be inside that folder; pass others with --parameters",
                )
        return [str(f) for f in files]
    return []


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
    import shutil

    terminal = to_stdout and sys.stdout.isatty()
    return {
        "colour": to_stdout and _colour(ns.color, terminal),
        "width": shutil.get_terminal_size().columns if terminal else None,
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and map every outcome onto the exit-code contract.

    Every line written to stderr goes through `vmss_lint.core.redact.redact_text`, the redaction point
    the report goes through too: an error may quote a value read from the inputs.
    """
    from vmss_lint.core.redact import forget_all

    forget_all()
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except (InputError, UsageError) as exc:
        _stderr(f"vmss-lint: error: {printable(str(exc))}")
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

            sys.stderr.write(_redacted(traceback.format_exc()))  # redacted like every other line
            return 2
        _stderr(
            f"vmss-lint: internal error: {type(exc).__name__}: {printable(str(exc))} "
            "(this is a bug in vmss-lint; rerun with VMSS_LINT_DEBUG=1 and report it)"
        )
        return 2


def _redacted(text: str) -> str:
    from vmss_lint.core.redact import redact_text

    return redact_text(text)


def _stderr(line: str) -> None:
    sys.stderr.write(_redacted(line) + "\n")
