"""The Python API: `vmss_lint.check(current, proposed, **options) -> Report` (docs/api.md).

The CLI's file mode runs through `run_files` below, the same function `check` ends in, so a script and
the command line can never disagree about a finding. Decisions (each where the issue left it open):

* Each side is a path (str or `os.PathLike`) or an already parsed JSON document (a mapping: a model in
  any supported shape, a template, a what-if result, a Terraform plan). A mapping is read as if it were
  a file called `<current>` / `<proposed>` (or `name=`), and since no such file exists, the findings
  about it carry no file position (`location` is None) rather than a line in a text nobody wrote.
* Options are keyword arguments named after the command-line flags (`fail_on`, `select`, `ignore`,
  `api_version`, `sent_as`, `parameters`, `patch`, `az_update`, ...). No config file is read unless
  `config=` names one: a library call must not change with the caller's working folder.
* Bad input raises `vmss_lint.InputError` (its message is the CLI's one line, redacted the same way);
  nothing is printed. Each call is a run of its own for redaction (`core.redact.run_secrets`).
* The report's JSON text is `vmss_lint.report.dumps(report)`, byte-identical to `--format json`;
  `report.dump()` is the same data as Python objects.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vmss_lint.arm.files import InputFile
    from vmss_lint.arm.template_options import TemplateParams
    from vmss_lint.engine.spec import LoadedRule
    from vmss_lint.inputs.pairs import InputSet
    from vmss_lint.pipeline import LintOptions
    from vmss_lint.report.document import Report

Source = str | os.PathLike[str] | Mapping[str, Any]
PathArg = str | os.PathLike[str]


def check(
    current: Source,
    proposed: Source | None = None,
    *,
    patch: PathArg | None = None,
    az_update: Sequence[str] = (),
    parameters: Sequence[PathArg] = (),
    current_parameters: Sequence[PathArg] | None = None,
    proposed_parameters: Sequence[PathArg] | None = None,
    context: PathArg | Mapping[str, Any] | None = None,
    fail_on: str = "error",
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    api_version: str | None = None,
    sent_as: str = "deployment",
    instances: PathArg | Sequence[Mapping[str, Any]] | None = None,
    rules_dirs: Sequence[PathArg] = (),
    allow_python_rules: bool = False,
    config: PathArg | None = None,
    name: tuple[str, str] = ("<current>", "<proposed>"),
) -> Report:
    """Lint one proposed change the way `vmss-lint check CURRENT PROPOSED` does and return the report.

    `proposed` may be left out with `patch` or `az_update` (edits of `current`), or when `current` holds
    both sides (a what-if result, a Terraform plan). `report.summary.failed` is what the CLI's exit
    code 1 means. Raises `InputError` for bad input or options.
    """
    with _one_run():
        from vmss_lint.core.errors import InputError

        if fail_on not in ("error", "warning", "info", "never"):
            raise InputError(
                "fail_on", f"'{fail_on}' is not a level", hint="use error, warning, info or never"
            )
        if sent_as not in ("deployment", "rest-patch"):
            raise InputError("sent_as", f"'{sent_as}' is not known", hint="use deployment or rest-patch")
        options = lint_options(
            config=Path(config) if config is not None else None,
            fail_on=fail_on,
            api_version=api_version,
            rules_dirs=[Path(d) for d in rules_dirs],
            allow_python_rules=allow_python_rules,
            select=list(select),
            ignore=list(ignore),
            instances=_instances(instances),
            sent_as=sent_as,
        )
        params = template_params(
            [os.fspath(p) for p in parameters],
            [os.fspath(p) for p in current_parameters] if current_parameters is not None else None,
            [os.fspath(p) for p in proposed_parameters] if proposed_parameters is not None else None,
            _context(context),
        )
        synthetic = {
            label for side, label in zip((current, proposed), name, strict=True) if isinstance(side, Mapping)
        }
        report = run_files(
            _source(current, name[0], "current"),
            _source(proposed, name[1], "proposed") if proposed is not None else None,
            patch=os.fspath(patch) if patch is not None else None,
            az_updates=list(az_update),
            params=params,
            options=options,
        )
        return _without_positions_in(report, synthetic) if synthetic else report


@contextlib.contextmanager
def _one_run() -> Iterator[None]:
    """One call is one run for redaction: nothing remembered from an earlier call, and an `InputError`
    redacted as the CLI redacts its error line (a message may quote a value read from the inputs)."""
    from vmss_lint.core.errors import InputError
    from vmss_lint.core.redact import redact_text, run_secrets

    with run_secrets():
        try:
            yield
        except InputError as exc:
            exc.source, exc.problem = redact_text(exc.source), redact_text(exc.problem)
            exc.where = redact_text(exc.where) if exc.where else exc.where
            exc.hint = redact_text(exc.hint) if exc.hint else exc.hint
            exc.args = (str(exc),)
            raise


def run_files(
    current: str | InputFile | None,
    proposed: str | InputFile | None,
    *,
    patch: str | None,
    az_updates: list[str],
    params: TemplateParams,
    options: LintOptions,
    rules: list[LoadedRule] | None = None,
    untrusted: str | None = None,
    notices: Sequence[str] = (),
) -> Report:
    """File mode: the two sides (or one side and its edits) into one report. `check` and the CLI's
    `check CURRENT PROPOSED` both end here. `untrusted` and `notices` are the config trust decision's
    (`vmss_lint.config.trust`: the CLI's, on an untrusted CI event)."""
    from vmss_lint.inputs.sources import from_files
    from vmss_lint.pipeline import check as lint

    inputs = from_files(
        current, proposed, patch=patch, az_updates=az_updates, params=params, untrusted=untrusted
    )
    return lint(with_notices(inputs, notices), options, rules)


def with_notices(inputs: InputSet, notices: Sequence[str]) -> InputSet:
    """The config's trust notices first, then what the inputs learnt."""
    if not notices:
        return inputs
    from vmss_lint.core.records import replace

    return replace(inputs, notices=[*notices, *inputs.notices])


def lint_options(
    *,
    config: Path | None,
    fail_on: str,
    api_version: str | None,
    rules_dirs: list[Path],
    allow_python_rules: bool,
    select: list[str],
    ignore: list[str],
    instances: list[dict[str, Any]] | None,
    sent_as: str,
) -> LintOptions:
    """`LintOptions` from keyword options over the named config file (none: the defaults)."""
    from vmss_lint.config.find import LoadedConfig, build_options, load_config
    from vmss_lint.core.records import replace

    loaded = load_config(config) if config is not None else LoadedConfig()
    options = build_options(
        loaded,
        fail_on=fail_on,
        api_version=api_version,
        rules_dirs=rules_dirs,
        allow_python_rules=allow_python_rules,
        select=select,
        ignore=ignore,
        instances=instances,
    )
    return replace(options, sent_as=sent_as) if sent_as != options.sent_as else options


def template_params(
    parameters: list[str],
    current_parameters: list[str] | None,
    proposed_parameters: list[str] | None,
    context: Any,
    *,
    must_exist: bool = True,
    hint: str = "check the parameters option",
) -> TemplateParams:
    """Template options; a parameters file that does not exist is refused now, not silently skipped
    (`must_exist` False: git mode, which reads each file at each revision)."""
    from vmss_lint.arm.template_options import TemplateContext, TemplateParams
    from vmss_lint.core.errors import InputError

    for given in [*parameters, *(current_parameters or []), *(proposed_parameters or [])]:
        if must_exist and not Path(given).is_file():
            raise InputError(given, "parameters file does not exist", hint=hint)
    return TemplateParams(
        parameters=parameters,
        current_parameters=current_parameters or None,
        proposed_parameters=proposed_parameters or None,
        context=context if context is not None else TemplateContext(),
    )


def _source(side: Source, label: str, role: str) -> str | InputFile:
    if isinstance(side, Mapping):
        from vmss_lint.arm.files import InputFile

        return InputFile(label, data=json.dumps(side, indent=2))
    from vmss_lint.arm.files import read_file

    return read_file(os.fspath(side), role=role)


def _instances(given: PathArg | Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]] | None:
    if given is None:
        return None
    if isinstance(given, str | os.PathLike):
        from vmss_lint.inputs.instances import load_instances

        return load_instances(os.fspath(given))
    from vmss_lint.inputs.instances import parse_instances

    return [i.as_dict() for i in parse_instances([dict(item) for item in given], "instances")]


def _context(given: PathArg | Mapping[str, Any] | None) -> Any:
    if given is None:
        return None
    if isinstance(given, Mapping):
        from vmss_lint.inputs.params import context_from_data

        return context_from_data(dict(given), "context")
    from vmss_lint.inputs.params import load_context

    return load_context(os.fspath(given))


def _without_positions_in(report: Report, labels: set[str]) -> Report:
    """Findings about a document passed as a mapping lose their (made-up) line and column."""
    from vmss_lint.core.records import replace

    results = [
        replace(
            result,
            findings=[
                replace(f, location=None) if f.location is not None and f.location.file in labels else f
                for f in result.findings
            ],
        )
        for result in report.results
    ]
    return replace(report, results=results)
