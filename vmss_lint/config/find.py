"""Finding the configuration file, the settings when there is none, and `LintOptions` from both.

Most runs have no configuration file. Validating one takes the pydantic models of `vmss_lint.config.file`,
so those are imported only when a file is found (or named with `--config`); without one the defaults
below stand in for them and a cold start skips building the models.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from vmss_lint.core.errors import InputError
from vmss_lint.core.records import Record, field

if TYPE_CHECKING:
    from collections.abc import Callable

    from vmss_lint.config.file import Config, ContextConfig
    from vmss_lint.core.findings import Severity
    from vmss_lint.core.policy import Weakening
    from vmss_lint.engine.spec import LoadedRule
    from vmss_lint.engine.suppress import Suppression, SuppressionSpec
    from vmss_lint.pipeline import LintOptions

CONFIG_FILE = ".vmss-lint.toml"
PYPROJECT = "pyproject.toml"
TOOL_TABLE = "vmss-lint"
UNTRUSTED_ENV = "VMSS_LINT_UNTRUSTED_CONFIG"  # refuses a config's Python hooks (only those; see trust.py)


class DefaultConfig(Record):
    """What `vmss_lint.config.file.Config()` holds (every field at its default), without pydantic.

    It must stay equal field for field to `Config()`: a run without a config file behaves exactly like
    one with an empty file.
    """

    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)
    fail_on: Literal["error", "warning", "info", "never"] | None = None
    rules_dir: list[str] = field(default_factory=list)
    allow_python_rules: bool = False
    api_version: str | None = None
    parameters: dict[str, str | list[str]] = field(default_factory=dict)
    terraform_plans: list[str] = field(default_factory=list)
    context: ContextConfig | None = None
    suppress: list[SuppressionSpec] = field(default_factory=list)


class LoadedConfig(Record, kw_only=False, frozen=False):
    """A validated config and where it came from (None: no file, all defaults).

    A config read at a base revision (`vmss_lint.config.trust`) keeps its path in the working tree (the
    folder its relative paths start from) and is named `REF:path` (`label`); its rules folders come from
    that revision (`rules_dir_paths`, exported into temporary folders that `keep` holds for the run).
    `weakenings` and `notices` are what the trust decision found in the head's config.
    """

    config: Config | DefaultConfig = field(default_factory=DefaultConfig)
    path: Path | None = None
    # 1-based line of each `suppress` entry in the file, when it could be found (for annotations).
    suppress_lines: list[int] = field(default_factory=list)
    name: str | None = None
    text: str = ""
    rules_dir_paths: dict[str, Path] = field(default_factory=dict)
    keep: list[Any] = field(default_factory=list)
    weakenings: list[Weakening] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    untrusted_why: str | None = None

    @property
    def root(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()

    @property
    def label(self) -> str:
        if self.name is not None:
            return self.name
        return str(self.path) if self.path is not None else "<defaults>"

    def rules_dirs(self) -> list[Path]:
        return [self.rules_dir_paths.get(d) or self.root / d for d in self.config.rules_dir]

    def parameter_files(self) -> dict[str, list[Path]]:
        """Template path (as written, relative to the config folder) → its parameter files, resolved."""
        return {
            template: [self.root / p for p in ([files] if isinstance(files, str) else files)]
            for template, files in self.config.parameters.items()
        }

    def python_rules_allowed(self, env: dict[str, str] | None = None) -> tuple[bool, str | None]:
        """Whether the config may turn on Python hooks here, and if refused, a one-line why."""
        if not self.config.allow_python_rules:
            return False, None
        from vmss_lint.config.events import untrusted_event

        env = dict(os.environ) if env is None else env
        event = env.get("GITHUB_EVENT_NAME", "")
        untrusted = untrusted_event(env)
        if env.get("GITHUB_ACTIONS") == "true" and event.startswith("pull_request"):
            why = f"on a GitHub '{event}' event"  # any pull request, same repository or not
        elif self.untrusted_why is not None or untrusted is not None:
            why = f"on {self.untrusted_why or untrusted}"
        elif env.get(UNTRUSTED_ENV):
            why = f"because {UNTRUSTED_ENV} is set"
        else:
            return True, None
        return False, (
            f"{self.label}: allow-python-rules is ignored {why}: a pull request can change this file; "
            "pass --allow-python-rules in the workflow to run local Python rule hooks"
        )


def find_config(start: Path) -> Path | None:
    """The nearest `.vmss-lint.toml`, or `pyproject.toml` with a `[tool.vmss-lint]` table, upwards."""
    start = start.resolve()
    for folder in (start, *start.parents):
        dedicated = folder / CONFIG_FILE
        if dedicated.is_file():
            return dedicated
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def load_config(path: Path | None = None, *, cwd: Path | None = None) -> LoadedConfig:
    """The explicit `--config` file, else the nearest one found upwards, else the defaults; the pydantic
    models (`vmss_lint.config.file`) are imported only when there is a file."""
    if path is None:
        path = find_config(cwd or Path.cwd())
        if path is None:
            return LoadedConfig()
    elif not path.is_file():
        raise InputError(str(path), "config file does not exist", hint="check --config")
    return config_from_text(_read(path), path)


def config_from_text(text: str, path: Path, *, label: str | None = None) -> LoadedConfig:
    """A config file's text validated; `path` is where it sits (relative paths start from its folder),
    `label` how messages name it when that is not `path` (a file read at a git revision)."""
    source = label or str(path)
    data = parse_toml(text, source)
    if path.name == PYPROJECT:
        table = data.get("tool", {}).get(TOOL_TABLE)
        if table is None:
            raise InputError(
                source, f"has no [tool.{TOOL_TABLE}] table", hint=f"add one, or use a {CONFIG_FILE} file"
            )
        data, prefix = table, f"[tool.{TOOL_TABLE}]"
    else:
        prefix = ""
    if not isinstance(data, dict):
        raise InputError(source, f"{prefix or 'the file'} must be a table")
    from vmss_lint.config import file as config

    return LoadedConfig(
        config.parse_config(data, source, prefix=prefix), path, config.suppress_lines(text), label, text
    )


def _read(path: Path) -> str:
    from vmss_lint.core.limits import read_capped

    data = read_capped(path, str(path), role="config")
    try:
        return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text gives it
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"cannot read the config file: not UTF-8 ({exc.reason})") from None


def parse_toml(text: str, source: str) -> dict[str, Any]:
    import tomllib  # pure Python and ~5 ms to import: only when there is a file to parse

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(source, f"not valid TOML: {exc}") from None


# `[tool.vmss-lint]`, `[tool."vmss-lint".x]`, `tool.vmss-lint.k = v`, or `vmss-lint = {...}` under `[tool]`:
# only text that can define the table sends the file to the TOML parser. Kept as a pattern that
# `re.search` compiles on first use: most runs meet no pyproject.toml and never need it.
_MAY_NAME_TABLE = r"""(?m)tool\s*\.\s*["']?vmss-lint|^\s*\[\s*tool\s*\][\s\S]*^\s*["']?vmss-lint"""


def _has_tool_table(pyproject: Path) -> bool:
    text = _read(pyproject)
    if not re.search(_MAY_NAME_TABLE, text):  # most pyproject.toml files: no need to parse (or judge) them
        return False
    data = parse_toml(text, str(pyproject))
    tool = data.get("tool")
    return isinstance(tool, dict) and TOOL_TABLE in tool


def resolve_severity(
    overrides: dict[str, Severity], rules: list[LoadedRule], source: str = "config"
) -> dict[str, Severity]:
    """Map `severity` keys (rule ids or names) onto ids, the way the engine looks them up."""
    by_key: dict[str, str] = {}
    for rule in rules:
        spec = rule.spec
        for key in (spec.id, spec.name, *spec.aliases):
            by_key[key.lower()] = spec.id
    out: dict[str, Severity] = {}
    for key, level in overrides.items():
        rule_id = by_key.get(key.lower())
        if rule_id is None:
            raise InputError(
                source, f"severity override for unknown rule '{key}'", hint="use a rule id or name"
            )
        out[rule_id] = level
    return out


def build_options(
    loaded: LoadedConfig,
    *,
    fail_on: str,
    api_version: str | None,
    rules_dirs: list[Path],
    allow_python_rules: bool,
    select: list[str],
    ignore: list[str],
    instances: list[dict[str, Any]] | None = None,
    warn: Callable[[str], Any] | None = None,
) -> LintOptions:
    """`LintOptions` from the command line over the config: a flag given on the command line wins.

    `--select` replaces the config's list; `--ignore` and `--rules-dir` add to it (an ignore never
    re-enables anything, and a rules folder named twice is loaded once). `instances` (read from
    --instances) ride along because the options are not changed once built. `warn` receives one line
    when the config asked for Python hooks where a config file is not trusted to do so.
    """
    from vmss_lint.engine.run import EngineOptions
    from vmss_lint.pipeline import LintOptions

    cfg = loaded.config
    allowed, refused = loaded.python_rules_allowed()
    if refused and not allow_python_rules and warn is not None:
        warn(refused)
    dirs: list[Path] = []
    for folder in [*loaded.rules_dirs(), *rules_dirs]:
        if all(folder.resolve() != d.resolve() for d in dirs):
            dirs.append(folder)
    allow = allow_python_rules or allowed
    severity: dict[str, Severity] = {}
    if cfg.severity:
        from vmss_lint.engine.packs import load_rules

        severity = resolve_severity(cfg.severity, load_rules(dirs, allow_python=allow), loaded.label)
    engine = EngineOptions(
        select=list(select or cfg.select), ignore=[*cfg.ignore, *ignore], severity=severity
    )
    return LintOptions(
        api_version=api_version or cfg.api_version,
        fail_on=fail_on,
        rules_dirs=dirs,
        allow_python_rules=allow,
        engine=engine,
        instances=instances,
        suppressions=_config_suppressions(loaded),
        weakenings=list(loaded.weakenings),
    )


def _config_suppressions(loaded: LoadedConfig) -> list[Suppression]:
    """The config's `suppress` entries, each knowing its line when the `[[suppress]]` headers line up; the
    suppression machinery (and pydantic) is loaded only when there are some."""
    specs = loaded.config.suppress
    if not specs:
        return []
    from vmss_lint.engine.suppress import Suppression

    lines = loaded.suppress_lines if len(loaded.suppress_lines) == len(specs) else [1] * len(specs)
    return [
        Suppression(spec, loaded.label, line, loaded.root) for spec, line in zip(specs, lines, strict=True)
    ]
