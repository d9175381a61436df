"""Git mode: lint what a commit, a branch or a pull request changes, straight from the repository.

This is how the pre-commit hook and the GitHub Action run: they know a base revision, not two files.
Each changed file is paired with its own version at the base (under its old name when it was renamed),
so the result is the same whichever subset of files a caller passes: pre-commit may split the file list
into batches, and a parameters file in one batch still re-lints its template from the other. JSON that
is neither a template, a parameters file nor a scale-set model is skipped without a word, because a
repository is full of `package.json` and friends.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vmss_lint.errors import InputError
from vmss_lint.gitrepo import BICEP_HINT, FileChange, Repo, bicep_command, compile_bicep
from vmss_lint.lint import LintOptions, lint_pair, make_report, rules_for
from vmss_lint.model import ScaleSetModel
from vmss_lint.read import InputFile, kind_of, model_from, parse_text
from vmss_lint.report import Report, ScaleSetResult

PARAMS_SUFFIX = ".parameters.json"


@dataclass(frozen=True)
class Sides:
    """The two revisions compared: `None` as base means no commit yet, `None` as head the working tree."""

    base: str | None
    head: str | None
    base_label: str
    head_label: str


def resolve_sides(
    repo: Repo, base: str | None, head: str | None, *, pre_commit: bool = False
) -> tuple[Sides, list[str]]:
    """Pick the revisions: explicit options first, then what pre-commit exported, then HEAD.

    Under pre-commit with `--from-ref/--to-ref` (pre-push, CI) the file list is a three-dot diff, so the
    base is the merge base of the two refs and the head is the `to` ref, which need not be checked out.
    For a plain commit pre-commit has stashed the unstaged changes, so the working tree is what is
    being committed and HEAD is what it replaces.
    """
    notices: list[str] = []
    if pre_commit and base is None:
        from_ref, to_ref = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
        if from_ref and to_ref:
            to_sha = repo.resolve(to_ref, option="PRE_COMMIT_TO_REF")
            from_sha = repo.resolve(from_ref, option="PRE_COMMIT_FROM_REF")
            head_side = repo.resolve(head, option="--head") if head is not None else to_sha
            merge_base = repo.merge_base(from_sha, to_sha) or from_sha
            return Sides(merge_base, head_side, from_ref, head or to_ref), []
        if not repo.has_commits():
            notices.append("no commit yet: every scale set is new, so there is nothing to compare")
            return Sides(None, None, "(no commits)", "the working tree"), notices
        base = "HEAD"
    if base is None:
        raise InputError("--base", "git mode needs a base revision", hint="e.g. --base origin/main")
    base_sha = repo.resolve(base, option="--base")
    head_sha = repo.resolve(head, option="--head") if head is not None else None
    return Sides(base_sha, head_sha, base, head or "the working tree"), notices


@dataclass(frozen=True)
class Unit:
    """One file to lint across the two sides: its path at the base and at the head (None: absent)."""

    base_path: str | None
    head_path: str | None


@dataclass
class _Run:
    repo: Repo
    sides: Sides
    options: LintOptions
    notices: list[str] = field(default_factory=list)
    results: list[ScaleSetResult] = field(default_factory=list)
    exported: dict[str, Path] = field(default_factory=dict)
    tmp: tempfile.TemporaryDirectory[str] | None = None


def check_git(
    base: str | None,
    head: str | None,
    paths: list[str],
    options: LintOptions,
    *,
    pre_commit: bool = False,
    cwd: Path | None = None,
) -> Report:
    """The `check --base` command: lint every changed template or model between two revisions.

    `paths` (relative to `cwd`) restrict the run to those files; with none, every changed `.json` and
    `.bicep` file counts.
    """
    repo = Repo(cwd)
    sides, notices = resolve_sides(repo, base, head, pre_commit=pre_commit)
    changes = [c for c in repo.changes(sides.base, sides.head) if _relevant(c.path)]
    if paths:
        wanted = {repo.relative(p, cwd) for p in paths}
        changes = [c for c in changes if c.path in wanted or c.old_path in wanted]
    run = _Run(repo, sides, options, notices=notices)
    rules = rules_for(options)
    try:
        for unit in units_for(repo, sides, changes):
            _lint_unit(run, unit, rules)
    finally:
        if run.tmp is not None:
            run.tmp.cleanup()
    if sides.base is not None:
        run.notices.insert(0, f"git mode: {sides.base_label} ({sides.base[:12]}) -> {sides.head_label}")
    return make_report(run.results, options.fail_on, run.notices)


def _relevant(path: str) -> bool:
    return path.lower().endswith((".json", ".bicep"))


def template_for_parameters(path: str) -> list[str]:
    """The templates a parameters file belongs to by the usual names (`x.parameters.json` → `x.json`)."""
    if not path.lower().endswith(PARAMS_SUFFIX):
        return []
    stem = path[: -len(PARAMS_SUFFIX)]
    return [stem + ".json", stem + ".bicep"]


def parameters_for_template(path: str) -> str | None:
    lowered = path.lower()
    if lowered.endswith(PARAMS_SUFFIX):
        return None
    for ext in (".json", ".bicep"):
        if lowered.endswith(ext):
            return path[: -len(ext)] + PARAMS_SUFFIX
    return None


def units_for(repo: Repo, sides: Sides, changes: list[FileChange]) -> list[Unit]:
    """Turn changed files into files to lint; a changed parameters file stands for its template."""
    renamed_from = {c.path: c.old_path for c in changes if c.status == "renamed"}
    units: dict[Unit, None] = {}
    for change in changes:
        template = _template_of(repo, sides, change)
        if template is not None:
            in_head = repo.exists(sides.head, template)
            base_name = renamed_from.get(template) or template
            in_base = sides.base is not None and repo.exists(sides.base, base_name)
            if in_head or in_base:
                units[Unit(base_name if in_base else None, template if in_head else None)] = None
                continue
        units[Unit(change.base_path, change.head_path)] = None
    return list(units)


def _template_of(repo: Repo, sides: Sides, change: FileChange) -> str | None:
    """The template a changed parameters file feeds, if it is one and the template is there."""
    for candidate in template_for_parameters(change.path):
        if not (repo.exists(sides.head, candidate) or (sides.base and repo.exists(sides.base, candidate))):
            continue
        data = repo.read(sides.head, change.path) if change.head_path else None
        if data is None and change.base_path and sides.base:
            data = repo.read(sides.base, change.base_path)
        if data is not None and _kind(data, change.path) == "parameters":
            return candidate
    return None


def _kind(data: bytes, name: str) -> str:
    try:
        return kind_of(parse_text(data, name).value)
    except InputError:
        return "unknown"


def _lint_unit(run: _Run, unit: Unit, rules: list[Any]) -> None:
    sides = run.sides
    base_file = _load(run, sides.base, unit.base_path, f"{sides.base_label}:{unit.base_path}")
    head_file = _load(run, sides.head, unit.head_path, unit.head_path or "")
    kinds = {kind_of(f.value) for f in (base_file, head_file) if f is not None}
    if "template" in kinds:
        _lint_templates(run, unit, base_file, head_file, rules)
        return
    if not kinds or kinds - {"model"}:
        return  # not ours: a parameters file without its template, a patch, package.json, ...
    current = model_from(base_file) if base_file is not None else None
    proposed = model_from(head_file) if head_file is not None else None
    _append_pair(run, current, proposed, rules, compiled=_is_bicep(unit))


def _is_bicep(unit: Unit) -> bool:
    return (unit.head_path or unit.base_path or "").lower().endswith(".bicep")


def _load(run: _Run, rev: str | None, path: str | None, label: str) -> InputFile | None:
    """One side of a unit, parsed; a `.bicep` file is compiled first (or skipped, saying how to enable)."""
    if path is None:
        return None
    if path.lower().endswith(".bicep"):
        return _load_bicep(run, rev, path, label)
    data = run.repo.read(rev, path)
    if data is None:
        return None
    try:
        return parse_text(data, label)
    except InputError:
        if rev is not None and rev == run.sides.base:
            run.notices.append(f"{label} is not valid JSON; treated as absent")
            return None
        if _looks_like_ours(data):
            raise
        return None


def _looks_like_ours(data: bytes) -> bool:
    """A file we cannot parse is still the user's problem if it is plainly an ARM or scale-set document."""
    text = data[:65536].decode("utf-8", "replace").lower()
    return (
        "deploymenttemplate" in text or "virtualmachinescalesets" in text or "virtualmachineprofile" in text
    )


def _load_bicep(run: _Run, rev: str | None, path: str, label: str) -> InputFile | None:
    command = bicep_command()
    if command is None:
        note = f"{path}: skipped, no Bicep compiler on PATH ({BICEP_HINT})"
        if note not in run.notices:
            run.notices.append(note)
        return None
    if rev is None:
        source = run.repo.root / path
    else:
        if not run.repo.exists(rev, path):
            return None
        if rev not in run.exported:
            if run.tmp is None:
                run.tmp = tempfile.TemporaryDirectory(prefix="vmss-lint-")
            dest = Path(run.tmp.name) / str(len(run.exported))
            run.repo.export(rev, dest)
            run.exported[rev] = dest
        source = run.exported[rev] / path
    if not source.is_file():
        return None
    return parse_text(compile_bicep(command, source, label), label)


def _lint_templates(
    run: _Run, unit: Unit, base_file: InputFile | None, head_file: InputFile | None, rules: list[Any]
) -> None:
    try:
        templates = importlib.import_module("vmss_lint.templates")
    except ImportError:
        run.notices.append(
            f"{unit.head_path or unit.base_path}: ARM templates are not supported yet; skipped"
        )
        return
    template = unit.head_path or unit.base_path or ""
    params = parameters_for_template(template)
    base_params = head_params = None
    if params is not None:
        base_name = params if unit.base_path is None else parameters_for_template(unit.base_path)
        base_params = _load(run, run.sides.base, base_name, f"{run.sides.base_label}:{base_name}")
        head_params = _load(run, run.sides.head, params, params)
    pairs, notices = templates.pairs_from_files(base_file, head_file, (base_params, head_params))
    run.notices.extend(notices)
    for current, proposed in pairs:
        _append_pair(run, current, proposed, rules, compiled=_is_bicep(unit))


def _append_pair(
    run: _Run,
    current: ScaleSetModel | None,
    proposed: ScaleSetModel | None,
    rules: list[Any],
    *,
    compiled: bool = False,
) -> None:
    if current is not None and proposed is not None:
        result = lint_pair(current, proposed, rules, run.options)
    elif proposed is not None:
        result = side_result(proposed, "created")
    elif current is not None:
        result = side_result(current, "deleted")
        run.notices.append(
            f"{current.source} was deleted: removing a file does not delete the scale set "
            f"'{current.name}' in Azure"
        )
    else:
        return
    if compiled:
        # Positions are in the compiled JSON, which is not a file anyone can open: drop them.
        findings = [f.model_copy(update={"location": None}) for f in result.findings]
        result = result.model_copy(update={"findings": findings})
    run.results.append(result)


def side_result(model: ScaleSetModel, status: str) -> ScaleSetResult:
    """A scale set on one side only: created (nothing to compare) or deleted (Azure keeps it)."""
    from vmss_lint import apiversion
    from vmss_lint.findings import Impact
    from vmss_lint.report import ApiVersionUsed

    api = apiversion.choose(None, model.api_version)
    return ScaleSetResult(
        name=model.name or "<unnamed scale set>",
        resource_group=model.resource_group,
        subscription=model.subscription,
        status=status,  # type: ignore[arg-type]
        current=model.source if status == "deleted" else None,
        proposed=model.source if status != "deleted" else None,
        api_version=ApiVersionUsed(value=api.value, origin=api.origin),  # type: ignore[arg-type]
        impact=Impact.NONE,
        upgrade_mode=model.upgrade_mode,
        findings=[],
    )
