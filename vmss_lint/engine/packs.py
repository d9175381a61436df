"""Find rule packs and load their rules.

Built-in rules are a pack like any other: the `vmss` entry point of the `vmss_lint.rules` group points
at the `vmss_lint.rules` package (the `vmss_lint/rules/` folder). Third-party packs
register the same way. A local folder of TOML rules comes in with `--rules-dir`. Losing rules silently in
CI is worse than failing, so a pack that does not load, or two rules with one id, stop the run (exit 2).

A pack may ship a compiled `index.json` (see `vmss_lint.engine.index`, which writes it): a rule file whose
bytes match its index entry is built from the stored, already validated data without tomllib or pydantic;
any other file (no index, an edited or a new file, every `--rules-dir` folder) is parsed and validated.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vmss_lint.core.errors import InputError
from vmss_lint.core.package_files import package_files
from vmss_lint.engine.entrypoints import entry_points
from vmss_lint.engine.index import INDEX_NAME, digest, read_index
from vmss_lint.engine.rulefile import _parse_rule_cached as _parse_rule_cached
from vmss_lint.engine.rulefile import parse_rule as parse_rule
from vmss_lint.engine.rulefile import toml_text as toml_text
from vmss_lint.engine.spec import LoadedRule, RuleSpec

if TYPE_CHECKING:
    from importlib.abc import Traversable


ENTRY_POINT_GROUP = "vmss_lint.rules"


def discover_packs() -> list[tuple[str, str]]:
    """(pack name, package) for every installed pack, sorted by name; the built-in one is `vmss`."""
    disabled = {p.strip() for p in os.environ.get("VMSS_LINT_DISABLE_PLUGINS", "").split(",") if p.strip()}
    packs: dict[str, str] = {}
    for name, value in entry_points(ENTRY_POINT_GROUP):
        if name in disabled or ("1" in disabled and name != "vmss"):
            continue
        packs.setdefault(name, value)
    if "vmss" not in packs:
        # Running from a source tree that was never installed: the mapping still resolves.
        packs["vmss"] = "vmss_lint.rules"
    return sorted(packs.items())


def load_rules(rules_dirs: Iterable[Path] = (), *, allow_python: bool = False) -> list[LoadedRule]:
    """Every rule from every pack plus the local folders, sorted by id."""
    rules: list[LoadedRule] = []
    for pack, package in discover_packs():
        try:
            root = package_files(package)
        except (ModuleNotFoundError, ImportError, TypeError) as exc:
            raise InputError(
                f"rule pack '{pack}' (entry point {ENTRY_POINT_GROUP}:{pack} = {package})",
                f"cannot be imported: {exc}",
                hint="reinstall the pack, or disable it with VMSS_LINT_DISABLE_PLUGINS=" + pack,
            ) from None
        rules.extend(_load_folder(root, pack, package))
    for folder in rules_dirs:
        if not folder.is_dir():
            raise InputError(str(folder), "rules directory does not exist", hint="check --rules-dir")
        rules.extend(_load_local(folder, allow_python=allow_python))
    _reject_duplicates(rules)
    return sorted(rules, key=lambda r: r.spec.id)


def _load_folder(root: Traversable, pack: str, package: str) -> list[LoadedRule]:
    entries = sorted(root.iterdir(), key=lambda e: e.name)
    index = next((read_index(e.read_bytes()) for e in entries if e.name == INDEX_NAME and e.is_file()), {})
    loaded = []
    for entry in entries:
        if not entry.name.endswith(".toml"):
            continue
        source = f"{package}/{entry.name}"
        spec = _indexed_or_parsed(entry.read_bytes(), entry.name, source, index)
        loaded.append(LoadedRule(spec, source, pack, _resolve_hook(spec, source, None)))
    return loaded


def _indexed_or_parsed(
    raw: bytes, name: str, source: str, index: dict[str, tuple[str, RuleSpec]]
) -> RuleSpec:
    """The index's rule when it was built from exactly these bytes; otherwise parse the file."""
    known = index.get(name)
    if known is not None and known[0] == digest(raw):
        return known[1]
    return parse_rule(toml_text(raw), source)


def builtin_rule(name: str) -> RuleSpec:
    """One rule file of the built-in pack (e.g. a meta rule needed without loading every pack)."""
    root = package_files("vmss_lint.rules")
    index_file = root.joinpath(INDEX_NAME)
    index = read_index(index_file.read_bytes()) if index_file.is_file() else {}
    return _indexed_or_parsed(root.joinpath(name).read_bytes(), name, f"vmss_lint.rules/{name}", index)


def _load_local(folder: Path, *, allow_python: bool) -> list[LoadedRule]:
    loaded = []
    from vmss_lint.core.limits import read_capped

    for path in sorted(folder.glob("*.toml")):
        spec = parse_rule(toml_text(read_capped(path, str(path), role="rule")), str(path))
        if spec.hook is not None and not allow_python:
            raise InputError(
                str(path),
                f"rule {spec.id} runs Python code ({spec.hook}), which local rule packs may only do when allowed",
                hint="review the code, then pass --allow-python-rules or set allow-python-rules = true in config",
            )
        loaded.append(LoadedRule(spec, str(path), f"local:{folder}", _resolve_hook(spec, str(path), folder)))
    return loaded


def _resolve_hook(spec: RuleSpec, source: str, folder: Path | None) -> Any:
    if spec.hook is None:
        return None
    module_name, func_name = spec.hook.split(":")
    try:
        if folder is not None and (folder / f"{module_name}.py").is_file():
            module = _import_local(folder / f"{module_name}.py", module_name)
        else:
            module = importlib.import_module(module_name)
        return getattr(module, func_name)
    except Exception as exc:  # a broken pack must name itself, not crash the run
        raise InputError(source, f"rule {spec.id}: hook '{spec.hook}' cannot be loaded: {exc}") from None


def _import_local(path: Path, name: str) -> Any:
    qualified = f"vmss_lint_local_rules.{name}"
    if qualified in sys.modules:
        return sys.modules[qualified]
    import importlib.util

    spec = importlib.util.spec_from_file_location(qualified, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = module
    spec.loader.exec_module(module)
    return module


def _reject_duplicates(rules: list[LoadedRule]) -> None:
    seen: dict[str, LoadedRule] = {}
    for rule in rules:
        for ident in [rule.spec.id, rule.spec.name, *rule.spec.aliases]:
            other = seen.get(ident.lower())
            if other is not None and other is not rule:
                raise InputError(
                    rule.source,
                    f"rule id or name '{ident}' is already defined by {other.source}",
                    hint="rename one of them; ids must be unique across all rule packs",
                )
            seen[ident.lower()] = rule
