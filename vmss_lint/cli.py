"""The `vmss-lint` command line: argument parsing and exit codes only; the work is in `lint`.

Exit codes are a public contract: 0 nothing at or above `--fail-on`, 1 something is, 2 bad usage or bad
input (one line on stderr naming the file and the problem, never a traceback).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from vmss_lint import __version__
from vmss_lint.errors import InputError

app = typer.Typer(
    name="vmss-lint",
    help="Lint proposed changes to Azure Virtual Machine Scale Sets before you deploy them.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

FAIL_ON_HELP = "Exit 1 when a finding is at or above this severity: error, warning, info or never."


def _version(value: bool) -> None:
    if value:
        typer.echo(f"vmss-lint {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Lint proposed changes to Azure Virtual Machine Scale Sets before you deploy them."""


@app.command()
def check(
    current: Annotated[
        str | None,
        typer.Argument(help="Current model (az vmss show, REST GET, Get-AzVmss JSON) or base template."),
    ] = None,
    proposed: Annotated[str | None, typer.Argument(help="Proposed model or template.")] = None,
    more_paths: Annotated[
        list[str] | None, typer.Argument(help="Git mode only: more paths to restrict to.", show_default=False)
    ] = None,
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            help="Git mode: compare each changed file at this revision with the working tree (or --head); "
            "positional arguments then restrict the run to those paths.",
        ),
    ] = None,
    head: Annotated[
        str | None, typer.Option("--head", help="Git mode: compare with this revision, not the working tree.")
    ] = None,
    pre_commit: Annotated[
        bool,
        typer.Option(
            "--pre-commit",
            help="Git mode for the pre-commit hook: base PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF when set, else HEAD.",
        ),
    ] = False,
    patch: Annotated[
        str | None, typer.Option("--patch", help="RFC 6902 JSON Patch applied to CURRENT.")
    ] = None,
    az_update: Annotated[
        list[str] | None,
        typer.Option(
            "--az-update", help="A planned `az vmss update ...` command (repeatable, applied in order)."
        ),
    ] = None,
    output_format: Annotated[
        str | None, typer.Option("--format", help="text, json, sarif, github, junit or azure-pipelines.")
    ] = None,
    fail_on: Annotated[str | None, typer.Option("--fail-on", help=FAIL_ON_HELP)] = None,
    api_version: Annotated[
        str | None, typer.Option("--api-version", help="Judge by this Microsoft.Compute API version.")
    ] = None,
    rules_dir: Annotated[
        list[Path] | None, typer.Option("--rules-dir", help="Add a local folder of TOML rules (repeatable).")
    ] = None,
    allow_python_rules: Annotated[
        bool, typer.Option("--allow-python-rules", help="Let --rules-dir rules run their Python hooks.")
    ] = False,
    select: Annotated[
        list[str] | None,
        typer.Option("--select", help="Only these rules (id, name or id prefix; repeatable)."),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", help="Skip these rules (id, name or id prefix; repeatable)."),
    ] = None,
    instances: Annotated[
        str | None,
        typer.Option(
            "--instances",
            help="The scale set's instances (az vmss list-instances, REST list or Get-AzVmssVM JSON): "
            "the plan then names stale, protected and scale-in instances.",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file (atomically).")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help="Config file (default: nearest .vmss-lint.toml or pyproject.toml upwards)."
        ),
    ] = None,
    parameters: Annotated[
        list[str] | None,
        typer.Option(
            "--parameters", help="Template parameters file for both sides (repeatable; later wins)."
        ),
    ] = None,
    current_parameters: Annotated[
        list[str] | None,
        typer.Option(
            "--current-parameters", help="Parameters file for the CURRENT template only (repeatable)."
        ),
    ] = None,
    proposed_parameters: Annotated[
        list[str] | None,
        typer.Option(
            "--proposed-parameters", help="Parameters file for the PROPOSED template only (repeatable)."
        ),
    ] = None,
    context: Annotated[
        str | None,
        typer.Option(
            "--context",
            help="JSON with subscriptionId, resourceGroup, location, deployment, environment: what "
            "resourceGroup(), subscription(), deployment() and environment() return in templates.",
        ),
    ] = None,
    subscription_id: Annotated[
        str | None, typer.Option("--subscription-id", help="subscription().subscriptionId in templates.")
    ] = None,
    resource_group: Annotated[
        str | None, typer.Option("--resource-group", help="resourceGroup().name in templates.")
    ] = None,
) -> None:
    """Compare CURRENT with PROPOSED and report what Azure rejects and what reaches the VMs."""
    from vmss_lint.config_find import build_options, load_config
    from vmss_lint.lint import finish_report
    from vmss_lint.sources import check_inputs

    loaded = load_config(config)
    fail = (fail_on or loaded.config.fail_on or "error").lower()
    if fail not in ("error", "warning", "info", "never"):
        raise InputError("--fail-on", f"'{fail_on}' is not a level", hint="use error, warning, info or never")
    fmt = (output_format or _default_format()).lower()
    from vmss_lint.formats import FORMATS, renderer

    if fmt not in FORMATS:
        raise InputError("--format", f"unknown format '{output_format}'", hint="use " + ", ".join(FORMATS))
    options = build_options(
        loaded,
        fail_on=fail,
        api_version=api_version,
        rules_dirs=list(rules_dir or []),
        allow_python_rules=allow_python_rules,
        select=list(select or []),
        ignore=list(ignore or []),
        warn=lambda line: sys.stderr.write(f"vmss-lint: warning: {line}\n"),
    )
    if instances is not None:
        from vmss_lint.instances import load_instances

        options.instances = load_instances(instances)
    from vmss_lint.template_options import TemplateContext, TemplateParams, with_overrides

    if context is not None:
        from vmss_lint.params import load_context

        ctx = load_context(context)
    elif loaded.config.context is not None:
        from vmss_lint.params import context_from_data

        ctx = context_from_data(loaded.config.context.as_context_file(), f"{loaded.label} [context]")
    else:
        ctx = TemplateContext()
    if not parameters and not current_parameters and not proposed_parameters:
        mapping = loaded.parameter_files()
        current_parameters = _configured_parameters(loaded.root, mapping, current) or None
        proposed_parameters = _configured_parameters(loaded.root, mapping, proposed) or None
    params = TemplateParams(
        parameters=list(parameters or []),
        current_parameters=list(current_parameters) if current_parameters else None,
        proposed_parameters=list(proposed_parameters) if proposed_parameters else None,
        context=with_overrides(ctx, subscription_id, resource_group),
    )
    git_mode = base is not None or head is not None or pre_commit
    for given in [*(parameters or []), *(current_parameters or []), *(proposed_parameters or [])]:
        # In git mode a parameters file is read at each revision; elsewhere a typo must not pass silently.
        if not git_mode and not Path(given).is_file():
            raise InputError(given, "parameters file does not exist", hint="check --parameters")
    if git_mode:
        from vmss_lint.gitmode import check_git

        paths = [p for p in (current, proposed, *(more_paths or [])) if p is not None]
        report = check_git(base, head, paths, options, params=params, pre_commit=pre_commit)
    elif more_paths:
        raise InputError(
            "check", "too many arguments", hint="give CURRENT and PROPOSED, or use --base REF PATHS..."
        )
    else:
        report = check_inputs(
            current, proposed, options, patch=patch, az_updates=list(az_update or []), params=params
        )
    report = finish_report(report, options)
    text = renderer(fmt)(
        report,
        colour=_colour(output),
        rules_dirs=options.rules_dirs,
        allow_python_rules=options.allow_python_rules,
    )
    _emit(text, output)
    raise typer.Exit(1 if report.summary.failed else 0)


@app.command("rules")
def list_rules(
    rules_dir: Annotated[
        list[Path] | None, typer.Option("--rules-dir", help="Also list a local folder of TOML rules.")
    ] = None,
    allow_python_rules: Annotated[
        bool, typer.Option("--allow-python-rules", help="Let --rules-dir rules import their Python hooks.")
    ] = False,
) -> None:
    """List every rule: id, name, severity, impact, confidence and summary."""
    from vmss_lint.docs import rules_table
    from vmss_lint.registry import load_rules

    typer.echo(rules_table(load_rules(rules_dir or [], allow_python=allow_python_rules)))


@app.command()
def explain(
    rule: Annotated[str, typer.Argument(help="Rule id or name, e.g. VMSS101 or zone-removed.")],
    rules_dir: Annotated[
        list[Path] | None, typer.Option("--rules-dir", help="Also search a local folder of TOML rules.")
    ] = None,
    allow_python_rules: Annotated[
        bool, typer.Option("--allow-python-rules", help="Let --rules-dir rules import their Python hooks.")
    ] = False,
) -> None:
    """Explain one rule: what it checks, why it matters, an example, the fix and the sources."""
    from vmss_lint.docs import explain_rule, find_rule
    from vmss_lint.registry import load_rules

    found = find_rule(load_rules(rules_dir or [], allow_python=allow_python_rules), rule)
    typer.echo(explain_rule(found))


def _configured_parameters(root: Path, mapping: dict[str, list[Path]], path: str | None) -> list[str]:
    """The config's `parameters` mapping (template, relative to the config's folder -> files) for one
    side's template, if it names it."""
    if path is None:
        return []
    for template, files in mapping.items():
        if Path(path).resolve() == (root / template).resolve():
            return [str(f) for f in files]
    return []


def _default_format() -> str:
    """Native annotations where the CI system is known: GitHub Actions, then Azure Pipelines (TF_BUILD)."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        return "github"
    if os.environ.get("TF_BUILD", "").lower() == "true":
        return "azure-pipelines"
    return "text"


def _colour(output: Path | None) -> bool:
    if output is not None or os.environ.get("NO_COLOR") is not None:
        return False
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from vmss_lint.outfile import write_atomic

    write_atomic(output, text)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and map every outcome onto the exit-code contract."""
    try:
        rc = app(args=argv, prog_name="vmss-lint", standalone_mode=False)
    except InputError as exc:
        sys.stderr.write(f"vmss-lint: error: {exc}\n")
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    except _click_exceptions() as exc:
        exc.show()
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("vmss-lint: interrupted\n")
        return 2
    except RecursionError:
        sys.stderr.write("vmss-lint: error: input is nested too deeply to process\n")
        return 2
    except Exception as exc:  # a bug in vmss-lint: say so in one line; VMSS_LINT_DEBUG shows the traceback
        if os.environ.get("VMSS_LINT_DEBUG"):
            raise
        sys.stderr.write(
            f"vmss-lint: internal error: {type(exc).__name__}: {exc} "
            "(this is a bug in vmss-lint; rerun with VMSS_LINT_DEBUG=1 and report it)\n"
        )
        return 2
    return rc if isinstance(rc, int) else 0


def _click_exceptions() -> Any:
    """click's base exception, wherever this typer version keeps click (vendored or not)."""
    for cls in typer.BadParameter.__mro__:
        if cls.__name__ == "ClickException":
            return cls
    return typer.BadParameter
