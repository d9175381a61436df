"""`vmss-lint check`'s arguments into what the run uses: the trusted config, the `LintOptions`, the template
parameters and context, the live CURRENT, git mode, and every file the command line names.

The command line wins over the config file, setting by setting (`vmss_lint.config.find.build_options`);
every module behind it is imported only when the run needs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from vmss_lint.cli.parser import UsageError
from vmss_lint.core.errors import InputError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from vmss_lint.arm.template_options import TemplateContext, TemplateParams
    from vmss_lint.config.find import LoadedConfig
    from vmss_lint.inputs.live import LiveCurrent
    from vmss_lint.pipeline import LintOptions


def trusted_config(ns: argparse.Namespace, head: LoadedConfig) -> LoadedConfig:
    """The config the run applies: the head's, or on an untrusted event the base revision's
    (`vmss_lint.config.trust`)."""
    from vmss_lint.config.events import decide

    why = decide(ns.trust_config)
    if why is None:
        return head
    from vmss_lint.config.trust import GitSides, trusted_config

    git = GitSides(ns.base, ns.head, ns.pre_commit) if git_mode(ns) else None
    return trusted_config(head, why, explicit=ns.config, git=git)


def named_files(ns: argparse.Namespace, loaded: LoadedConfig, paths: list[str]) -> list[str | Path]:
    """Every file the command line (or the config) names as an input: `-o` must never overwrite one."""
    return [
        *paths,
        *[p for p in (ns.patch, ns.instances, ns.context, ns.config, loaded.path) if p is not None],
        *(ns.parameters or []),
        *(ns.current_parameters or []),
        *(ns.proposed_parameters or []),
    ]


def fail_on(ns: argparse.Namespace, loaded: LoadedConfig) -> str:
    """--fail-on, else the config's `fail-on`, else error."""
    fail = (ns.fail_on or loaded.config.fail_on or "error").lower()
    if fail not in ("error", "warning", "info", "never"):
        raise InputError(
            "--fail-on", f"'{ns.fail_on}' is not a level", hint="use error, warning, info or never"
        )
    return fail


def lint_options(
    ns: argparse.Namespace,
    loaded: LoadedConfig,
    fail_on: str,
    live: LiveCurrent | None,
    warn: Callable[[str], None],
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
        warn=warn,
    )
    if getattr(ns, "sent_as", None):
        from vmss_lint.core.records import replace

        options = replace(options, sent_as=ns.sent_as)
    return options


def template_params(
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


def names_live(path: str | None) -> bool:
    """`vmss_lint.inputs.live.is_live` without importing that module (a test holds the two equal)."""
    return path is not None and path.lower().startswith("azure://")


def live_current(ns: argparse.Namespace, paths: list[str]) -> LiveCurrent | None:
    """A live CURRENT (`azure:///…` or --live): fetched once, before anything else reads it."""
    if ns.live is None and not names_live(paths[0] if paths else None):
        return None  # most runs: the live-input module (four dataclasses) is never imported
    from vmss_lint.inputs import live

    in_git_mode = git_mode(ns)
    if in_git_mode and ns.live is None:
        raise UsageError(
            "vmss-lint check: in git mode name the live scale set with --live (RG/NAME or azure:///...); "
            "positional arguments there restrict the run to those paths"
        )
    target = live.parse_target(paths[0] if paths and ns.live is None else None, ns.live, ns.subscription_id)
    assert target is not None
    proposed = paths[0] if ns.live is not None and paths else (paths[1] if len(paths) > 1 else None)
    return live.live_current(
        target,
        None if in_git_mode else proposed,
        cloud=live.cloud_from(ns.cloud, ns.arm_endpoint),
        save_current=ns.save_current,
        save_instances=ns.save_instances,
        user_data=True if in_git_mode else None,
    )


def git_mode(ns: argparse.Namespace) -> bool:
    """--base, --head or --pre-commit: the inputs are revisions of a repository, not two files."""
    return ns.base is not None or ns.head is not None or bool(ns.pre_commit)


def plan_patterns(ns: argparse.Namespace, loaded: LoadedConfig) -> list[str]:
    """--terraform-plans over the config's `terraform-plans` (git mode: which files are plans by name)."""
    return list(ns.terraform_plans or loaded.config.terraform_plans or [])
