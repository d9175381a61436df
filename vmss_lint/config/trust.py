"""Which configuration a run may trust: on an untrusted CI event, the base revision's, never the head's.

A pull request from someone the repository does not trust can change `.vmss-lint.toml` as easily as it
changes a template. If the run honoured that file, the pull request could switch the check off (`ignore`,
`fail-on = "never"`, a suppression that never expires). So on an untrusted event the policy comes from
the base revision (in git mode the config file found from the working directory, or the one `--config`
names, as it is at the base revision; in file mode, where there is no base revision, the built-in
defaults), the flags in the workflow still apply, and each way the head's config would have weakened the
check is reported as a VMSS011 finding. SECURITY.md describes the events and how each is detected
(`vmss_lint.config.events`).

Decisions (see docs/security.md):

* The whole config comes from the base, not only the keys that can weaken: a head that only
  strengthens (adds a rule to `select`, a stricter `fail-on`) is not honoured either, so what a run
  applies never depends on the pull request; it takes effect once merged. Its other changes are named in
  a notice.
* A same-repository pull request on GitHub is trusted: its author can already push to the repository
  (and change the workflow). Every Azure Pipelines pull-request build is untrusted, fork or not: Azure
  Repos branch policies build them with the pipeline's identity.
* `--trust-config` (or `VMSS_LINT_TRUST_CONFIG`) forces it: `auto` (the default) detects, `base` always
  reads the base's policy, `head` always honours the working tree's config (the workflow vouches for it).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from vmss_lint.core.errors import InputError
from vmss_lint.core.policy import Weakening
from vmss_lint.core.records import Record

if TYPE_CHECKING:
    from vmss_lint.config.file import Config
    from vmss_lint.config.find import DefaultConfig, LoadedConfig
    from vmss_lint.inputs.git.repo import Repo

_FAIL_RANK = {"info": 0, "warning": 1, "error": 2, "never": 3}


class GitSides(Record, kw_only=False):
    """The git-mode options that pick the base revision (`--base`, `--head`, `--pre-commit`)."""

    base: str | None
    head: str | None
    pre_commit: bool = False


def trusted_config(
    head: LoadedConfig,
    why: str | None,
    *,
    explicit: Path | None,
    git: GitSides | None,
    cwd: Path | None = None,
) -> LoadedConfig:
    """The config the run applies: `head` (the working tree's) when it is trusted (`why` None), else the
    base revision's (file mode: the defaults), carrying the head's weakenings and a notice of the decision
    (`why` says what made the run untrusted). The weakenings are those of the head revision's config when
    the head is a revision (`--head REV`), of the working tree's otherwise.

    A trusted run with `--head REV` applies the working tree's config, as every trusted run does (the
    config of the checkout you run in, like ruff or pre-commit); only the untrusted comparison reads REV's.
    """
    if why is None:
        return head
    from vmss_lint.config.find import LoadedConfig

    extra: list[Weakening] = []
    if git is None:
        base = LoadedConfig(name="the built-in defaults (file mode has no base revision)")
    else:
        from vmss_lint.inputs.git.mode import resolve_sides
        from vmss_lint.inputs.git.repo import Repo

        repo = Repo(cwd)
        sides, _ = resolve_sides(repo, git.base, git.head, pre_commit=git.pre_commit)
        base = base_config(repo, sides.base, sides.base_label, explicit, cwd)
        if sides.head is not None:
            # The head is a revision (`--head REV`, or pre-push's to-ref), not the working tree: what it
            # would weaken is judged by its own config at that revision, not by whatever is checked out.
            head = base_config(repo, sides.head, sides.head_label, explicit, cwd)
        source = head.label if head.path else base.label
        extra = _rules_changed(repo, sides.base, sides.head, base, source, why)
    if head.path is None:
        head.name = "the head (no config file)"
    found, notices = weakenings(base, head, why)
    base.weakenings = [*found, *extra]
    base.untrusted_why = why
    base.notices = [
        f"untrusted event ({why}): the policy comes from {base.label}; {head.label} is not applied",
        *notices,
    ]
    return base


def _rules_changed(
    repo: Repo, rev: str | None, head: str | None, base: LoadedConfig, source: str, why: str
) -> list[Weakening]:
    """A rules folder of the base config whose files the head (`head` None: the working tree) changes:
    the base's files are used."""
    if rev is None or not base.rules_dir_paths:
        return []
    root = Path(os.path.realpath(repo.root))
    changed = [c.path for c in repo.changes(rev, head)]
    out = []
    for written in base.rules_dir_paths:
        rel = _inside(root, base.root / written)
        if rel is None:
            continue
        files = sorted(p for p in changed if rel == "." or p.startswith(rel + "/"))
        if files:
            value = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
            out.append(Weakening(f"the rules in rules-dir {json.dumps(written)}", value, source, 1, why))
    return out


# --- the base revision's config ------------------------------------------------------------------------------


def base_config(
    repo: Repo, rev: str | None, rev_label: str, explicit: Path | None, cwd: Path | None = None
) -> LoadedConfig:
    """The config as it is at the base revision `rev` (None: no commit yet, the defaults); also read at
    the head revision when the head is not the working tree.

    With `--config` the same file at `rev` (a file outside the repository is the workflow's own and is
    read as it is); otherwise the search `find_config` does from the working directory upwards, made in
    the base revision's tree, continued on disk above the repository. A rules folder the base config names
    inside the repository is exported from `rev` too, so its rules are the base's, not the head's.
    """
    from vmss_lint.config.find import CONFIG_FILE, PYPROJECT, LoadedConfig, find_config, load_config

    here = Path(cwd or Path.cwd()).resolve()
    root = Path(os.path.realpath(repo.root))
    if explicit is not None:
        # Not resolved: a working-tree symlink named as the config is the head's, read at the base too.
        rel = _inside(root, Path(os.path.abspath(here / explicit)), resolve=False)
        if rel is None:
            return load_config(explicit)
        candidates = [rel]
    else:
        start = _inside(root, here)
        if start is None:
            return load_config(None, cwd=here)
        folders = [start, *[p.as_posix() for p in Path(start).parents]] if start != "." else ["."]
        candidates = [f"{f}/{n}" if f != "." else n for f in folders for n in (CONFIG_FILE, PYPROJECT)]
    for rel in candidates:
        data = repo.read(rev, rel) if rev is not None else None
        if data is None:
            continue
        text = _decoded(data, f"{rev_label}:{rel}")
        if explicit is None and rel.endswith(PYPROJECT) and not _names_tool_table(text, f"{rev_label}:{rel}"):
            continue
        loaded = _from_text(text, root / rel, f"{rev_label}:{rel}")
        return _with_base_rules(loaded, repo, rev, root)
    if explicit is not None:
        return LoadedConfig(name=f"{rev_label}:{candidates[0]} (absent: the defaults)")
    above = find_config(root.parent) if root.parent != root else None
    return (
        load_config(above)
        if above is not None
        else LoadedConfig(name=f"{rev_label} (no config: the defaults)")
    )


def _inside(root: Path, path: Path, *, resolve: bool = True) -> str | None:
    """`path` (its symlinks resolved, unless not `resolve`) relative to the repository root as a `/`
    path, or None when it is outside."""
    real = Path(os.path.realpath(path) if resolve else os.path.abspath(path))
    try:
        rel = real.relative_to(root).as_posix()
    except ValueError:
        return None
    return rel or "."


def _decoded(data: bytes, label: str) -> str:
    try:
        return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        raise InputError(label, f"cannot read the config file: not UTF-8 ({exc.reason})") from None


def _names_tool_table(text: str, label: str) -> bool:
    from vmss_lint.config.find import TOOL_TABLE, parse_toml

    tool = parse_toml(text, label).get("tool")
    return isinstance(tool, dict) and TOOL_TABLE in tool


def _from_text(text: str, path: Path, label: str) -> LoadedConfig:
    from vmss_lint.config.find import config_from_text

    return config_from_text(text, path, label=label)


def _with_base_rules(loaded: LoadedConfig, repo: Repo, rev: str | None, root: Path) -> LoadedConfig:
    """The base config's rules folders inside the repository, as they are at `rev` (exported)."""
    if rev is None or not loaded.config.rules_dir:
        return loaded
    exported: dict[str, Path] = {}
    for written in loaded.config.rules_dir:
        rel = _inside(root, loaded.root / written)
        if rel is None:
            continue
        holder = tempfile.TemporaryDirectory(prefix="vmss-lint-base-rules-")
        loaded.keep.append(holder)
        exported[written] = repo.export_path(rev, rel, Path(holder.name))
    loaded.rules_dir_paths = exported
    return loaded


# --- what the head would have changed --------------------------------------------------------------------------


def weakenings(base: LoadedConfig, head: LoadedConfig, why: str) -> tuple[list[Weakening], list[str]]:
    """Each way `head`'s config lowers what `base`'s reports, and a notice for its other changes."""
    b, h = base.config, head.config
    found: list[tuple[str, str]] = []
    b_sel, h_sel = {s.lower() for s in b.select}, {s.lower() for s in h.select}
    if h_sel and (not b_sel or b_sel - h_sel):
        found.append(("select", _list(h.select)))
    added = [i for i in h.ignore if i.lower() not in {x.lower() for x in b.ignore}]
    if added:
        found.append(("ignore", _list(added)))
    for key, level in h.severity.items():
        before = b.severity.get(key)
        if before != level and (before is None or level.rank < before.rank) and level.value != "error":
            found.append((f"severity.{key}", json.dumps(level.value)))
    for key in b.severity.keys() - h.severity.keys():
        found.append((f"severity.{key}", "(removed: back to the rule's default)"))
    if _FAIL_RANK[h.fail_on or "error"] > _FAIL_RANK[b.fail_on or "error"]:
        found.append(("fail-on", json.dumps(h.fail_on)))
    if list(h.rules_dir) != list(b.rules_dir):
        found.append(("rules-dir", _list(h.rules_dir)))
    if h.allow_python_rules and not b.allow_python_rules:
        found.append(("allow-python-rules", "true"))
    if h.api_version != b.api_version:
        found.append(("api-version", json.dumps(h.api_version)))
    dropped_plans = [p for p in b.terraform_plans if p not in h.terraform_plans]
    if dropped_plans:  # fewer files are read as plans: a plan the base checks could go unchecked
        found.append(("terraform-plans", _list(list(h.terraform_plans))))
    for template, files in h.parameters.items():
        if b.parameters.get(template) != files:
            found.append((f"parameters.{json.dumps(template)}", json.dumps(files)))
    out = [Weakening(key, value, head.label, _line_of(head.text, key), why) for key, value in found]
    out.extend(_suppressions(b, head, why))
    weakened = {w.setting.split(".", 1)[0] for w in out}
    others = [
        key
        for key, (mine, theirs) in {
            "select": (b.select, h.select),
            "ignore": (b.ignore, h.ignore),
            "severity": (b.severity, h.severity),
            "fail-on": (b.fail_on, h.fail_on),
            "api-version": (b.api_version, h.api_version),
            "parameters": (b.parameters, h.parameters),
            "context": (b.context, h.context),
            "terraform-plans": (b.terraform_plans, h.terraform_plans),
            "suppress": (b.suppress, h.suppress),
        }.items()
        if mine != theirs and key not in weakened
    ]
    notices = (
        [f"{head.label} also changes {', '.join(others)}: not applied on an untrusted event ({why})"]
        if others
        else []
    )
    return out, notices


def _suppressions(base: Config | DefaultConfig, head: LoadedConfig, why: str) -> list[Weakening]:
    known = {s.model_dump_json() for s in base.suppress}
    lines = head.suppress_lines if len(head.suppress_lines) == len(head.config.suppress) else None
    out = []
    for index, spec in enumerate(head.config.suppress):
        if spec.model_dump_json() in known:
            continue
        out.append(Weakening("suppress", spec.phrase(), head.label, lines[index] if lines else 1, why))
    return out


def _list(values: list[str]) -> str:
    return json.dumps(list(values))


def _line_of(text: str, key: str) -> int:
    top = key.split(".", 1)[0]
    pattern = re.compile(rf"^[ \t]*\[?[ \t]*[\"']?{re.escape(top)}[\"']?[ \t]*[=.\]]", re.M)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 1
