"""The three subcommands: `check` (options and inputs, one pipeline run, the reports, the exit code),
`rules` and `explain` (the rule documentation of `vmss_lint.engine.docs`).

Each returns its exit code and raises `InputError` / `UsageError` for `vmss_lint.cli.main` to report.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vmss_lint.cli import options as opt
from vmss_lint.cli.output import destinations, stderr, write_reports
from vmss_lint.cli.parser import UsageError
from vmss_lint.core.errors import InputError
from vmss_lint.core.escape import printable
from vmss_lint.core.version import __version__

if TYPE_CHECKING:
    import argparse

    from vmss_lint.config.find import LoadedConfig
    from vmss_lint.engine.spec import LoadedRule
    from vmss_lint.inputs.live import LiveCurrent
    from vmss_lint.pipeline import LintOptions
    from vmss_lint.report.document import Report


def check(ns: argparse.Namespace) -> int:
    """`vmss-lint check`: flags and config into options and inputs, one pipeline run, render, exit code."""
    from vmss_lint.config.find import load_config
    from vmss_lint.pipeline import rules_for
    from vmss_lint.report.destinations import reserve_all

    paths: list[str] = ns.paths
    live = opt.live_current(ns, paths)
    if live is not None and ns.live is not None and not opt.git_mode(ns):
        paths = [live.fetched.target.label, *paths]
    loaded = opt.trusted_config(ns, load_config(ns.config))
    fail_on = opt.fail_on(ns, loaded)
    chosen = destinations(ns)
    # Every output file is checked and reserved now: a bad -o or FORMAT:FILE fails before the work.
    with reserve_all(chosen, opt.named_files(ns, loaded, paths)) as outputs:
        options = opt.lint_options(ns, loaded, fail_on, live, warn=_warn)
        rules = rules_for(options)
        report = _report(ns, loaded, paths, live, options, rules)
        write_reports(ns, outputs, report, rules)
    return 1 if report.summary.failed else 0


def _warn(line: str) -> None:
    stderr(f"vmss-lint: warning: {printable(line)}")


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
    git_mode = opt.git_mode(ns)
    params = opt.template_params(ns, loaded, current, proposed, live, git_mode=git_mode)
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
            plan_patterns=opt.plan_patterns(ns, loaded),
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


def _refuse_a_folder_in_file_mode(paths: Sequence[str]) -> None:
    """`vmss-lint check infra/` means "the templates in there": that is git mode, which compares each
    changed file with a revision. Say so instead of "is a directory, not a JSON file"."""
    for path in paths:
        if Path(path).is_dir():
            raise UsageError(
                f"vmss-lint check: '{printable(path)}' is a folder: to check the files in it that changed, "
                f"use git mode: vmss-lint check --base REF {printable(path)} (e.g. --base origin/main)"
            )


def rules(ns: argparse.Namespace) -> int:
    """`vmss-lint rules`: every rule of the packs in use, as a table or JSON."""
    from vmss_lint.engine.docs import rules_json, rules_table
    from vmss_lint.engine.packs import load_rules

    fmt = ns.output_format.lower()
    if fmt not in ("text", "json"):
        raise InputError(
            "--format", f"unknown format '{printable(ns.output_format)}'", hint="use text or json"
        )
    found = load_rules(ns.rules_dir or [], allow_python=ns.allow_python_rules)
    sys.stdout.write((rules_json(found, __version__) if fmt == "json" else rules_table(found)) + "\n")
    return 0


def explain(ns: argparse.Namespace) -> int:
    """`vmss-lint explain RULE`: one rule's documentation, found by id or name."""
    from vmss_lint.engine.docs import explain_rule, find_rule
    from vmss_lint.engine.packs import load_rules

    found = find_rule(load_rules(ns.rules_dir or [], allow_python=ns.allow_python_rules), ns.rule)
    sys.stdout.write(explain_rule(found) + "\n")
    return 0
