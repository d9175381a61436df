"""Project configuration: `[tool.vmss-lint]` in pyproject.toml, or a `.vmss-lint.toml` file.

A configuration file decides what fails a pipeline, so a typo in it must not be silently ignored: every
table is a pydantic model with `extra="forbid"` and an unknown key stops the run (exit 2) naming the key.
The file is found like ruff finds its own: from the working directory upwards, the first folder holding
a `.vmss-lint.toml`, or a `pyproject.toml` with a `[tool.vmss-lint]` table, wins (the dedicated file
first). Relative paths in the file are relative to the file's folder, so the same config works from any
working directory.

Trust: a configuration file is data that a pull request can change. It may ask for local Python rule
hooks (`allow-python-rules = true`), but on a pull-request event in GitHub Actions, or when
`VMSS_LINT_UNTRUSTED_CONFIG` is set, that request is refused: only the explicit command-line flag, which
lives in the workflow rather than in the files under review, turns hooks on there.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vmss_lint.errors import InputError
from vmss_lint.findings import Severity

if TYPE_CHECKING:
    from collections.abc import Callable

    from vmss_lint.lint import LintOptions
    from vmss_lint.rulespec import LoadedRule

CONFIG_FILE = ".vmss-lint.toml"
PYPROJECT = "pyproject.toml"
TOOL_TABLE = "vmss-lint"
UNTRUSTED_ENV = "VMSS_LINT_UNTRUSTED_CONFIG"


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=False)


class SuppressionSpec(_Strict):
    """One accepted finding, as written in a config file or a template's `metadata`.

    `reason` is required because a suppression without one is a finding somebody hid rather than one
    somebody accepted, and the next reader cannot tell which. `expires` is the last day it applies.
    """

    rule: str = Field(min_length=1)
    pointer: str = "/**"
    file: str | None = None
    reason: str
    expires: date | None = None

    @field_validator("pointer")
    @classmethod
    def _pointer(cls, value: str) -> str:
        if value and not value.startswith("/"):
            raise ValueError("pointer must be a JSON pointer glob starting with '/', like /sku/name or /**")
        return value

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("reason must say why this finding is accepted")
        return value.strip()


class ContextConfig(_Strict):
    """Deployment context for template functions (resourceGroup(), subscription(), ...) offline.

    The same fields as a `--context` file, in kebab-case; `as_context_file()` gives that file's shape.
    """

    subscription_id: str | None = Field(default=None, alias="subscription-id")
    tenant_id: str | None = Field(default=None, alias="tenant-id")
    resource_group: str | None = Field(default=None, alias="resource-group")
    location: str | None = None
    deployment: str | None = None
    environment: str | None = None

    def as_context_file(self) -> dict[str, str]:
        """The `--context` JSON object (subscriptionId, tenantId, resourceGroup, ...) for these values."""
        names = {
            "subscription_id": "subscriptionId",
            "tenant_id": "tenantId",
            "resource_group": "resourceGroup",
            "location": "location",
            "deployment": "deployment",
            "environment": "environment",
        }
        return {names[k]: v for k, v in self.model_dump().items() if v is not None}


class Config(_Strict):
    """The `[tool.vmss-lint]` table. Keys are kebab-case, as in the command-line flags."""

    select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    severity: dict[str, Severity] = Field(default_factory=dict)
    fail_on: Literal["error", "warning", "info", "never"] | None = Field(default=None, alias="fail-on")
    rules_dir: list[str] = Field(default_factory=list, alias="rules-dir")
    allow_python_rules: bool = Field(default=False, alias="allow-python-rules")
    api_version: str | None = Field(default=None, alias="api-version")
    parameters: dict[str, str | list[str]] = Field(default_factory=dict)
    context: ContextConfig | None = None
    suppress: list[SuppressionSpec] = Field(default_factory=list)

    @field_validator("rules_dir", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("api_version")
    @classmethod
    def _api(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^\d{4}-\d{2}-\d{2}(-preview)?$", value):
            raise ValueError("api-version must look like 2024-07-01")
        return value


@dataclass
class LoadedConfig:
    """A validated config and where it came from (None: no file, all defaults)."""

    config: Config = field(default_factory=Config)
    path: Path | None = None
    # 1-based line of each `suppress` entry in the file, when it could be found (for annotations).
    suppress_lines: list[int] = field(default_factory=list)

    @property
    def root(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()

    @property
    def label(self) -> str:
        return str(self.path) if self.path is not None else "<defaults>"

    def rules_dirs(self) -> list[Path]:
        return [self.root / d for d in self.config.rules_dir]

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
        env = dict(os.environ) if env is None else env
        event = env.get("GITHUB_EVENT_NAME", "")
        if env.get("GITHUB_ACTIONS") == "true" and event.startswith("pull_request"):
            why = f"on a GitHub '{event}' event"
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
    """The explicit `--config` file, else the nearest one found upwards, else the defaults."""
    if path is None:
        path = find_config(cwd or Path.cwd())
        if path is None:
            return LoadedConfig()
    elif not path.is_file():
        raise InputError(str(path), "config file does not exist", hint="check --config")
    text = _read(path)
    data = _parse(text, path)
    if path.name == PYPROJECT:
        table = data.get("tool", {}).get(TOOL_TABLE)
        if table is None:
            raise InputError(
                str(path), f"has no [tool.{TOOL_TABLE}] table", hint=f"add one, or use a {CONFIG_FILE} file"
            )
        data, prefix = table, f"[tool.{TOOL_TABLE}]"
    else:
        prefix = ""
    if not isinstance(data, dict):
        raise InputError(str(path), f"{prefix or 'the file'} must be a table")
    return LoadedConfig(parse_config(data, str(path), prefix=prefix), path, _suppress_lines(text))


def parse_config(data: dict[str, Any], source: str, *, prefix: str = "") -> Config:
    """Validate a config table; the first problem becomes one line naming the key and what to do."""
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, source, prefix=prefix, model=Config) from None


def validation_error(
    exc: ValidationError, source: str, *, prefix: str = "", model: type[BaseModel] | None = None
) -> InputError:
    """One `InputError` for the first problem pydantic found, with the key path written as in TOML."""
    first = exc.errors()[0]
    loc = [str(p) for p in first["loc"]]
    kind = first["type"]
    if kind == "extra_forbidden":
        key = loc[-1]
        problem = f"unknown key '{key}'"
        hint = _known_keys_hint(model, loc[:-1], key)
    elif kind == "missing":
        key = loc[-1]
        problem = f"'{key}' is required"
        hint = "a suppression needs a reason: say why the finding is accepted" if key == "reason" else None
        loc = loc[:-1]
    else:
        problem = str(first["msg"]).removeprefix("Value error, ")
        hint = None
    if kind == "extra_forbidden":
        loc = loc[:-1]
    where = _toml_path(prefix, loc)
    more = len(exc.errors()) - 1
    if more:
        hint = f"{hint}; " if hint else ""
        hint += f"{more} more problem(s) in this file"
    return InputError(source, problem, where=where or None, hint=hint)


def _known_keys_hint(model: type[BaseModel] | None, loc: list[str], key: str) -> str | None:
    if model is not Config:
        return None
    fields: dict[str, Any] = Config.model_fields
    if loc and loc[0] == "suppress":
        fields = SuppressionSpec.model_fields
    elif loc and loc[0] == "context":
        fields = ContextConfig.model_fields
    elif loc:
        return None
    names = sorted(info.alias or name for name, info in fields.items())
    underscored = key.replace("_", "-")
    if underscored != key and underscored in names:
        return f"did you mean '{underscored}'? keys are kebab-case"
    return "known keys: " + ", ".join(names)


def _toml_path(prefix: str, loc: list[str]) -> str:
    text = prefix
    for part in loc:
        if part.isdigit():
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot read the config file: {exc}") from None


def _parse(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(path), f"not valid TOML: {exc}") from None


def _has_tool_table(pyproject: Path) -> bool:
    data = _parse(_read(pyproject), pyproject)
    tool = data.get("tool")
    return isinstance(tool, dict) and TOOL_TABLE in tool


_SUPPRESS_HEADER = re.compile(r"^\s*\[\[\s*(tool\s*\.\s*\"?vmss-lint\"?\s*\.\s*)?suppress\s*\]\]")


def _suppress_lines(text: str) -> list[int]:
    """Lines of `[[suppress]]` headers, in order: the n-th header is the n-th suppression (best effort)."""
    return [i for i, line in enumerate(text.splitlines(), 1) if _SUPPRESS_HEADER.match(line)]


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
    warn: Callable[[str], Any] | None = None,
) -> LintOptions:
    """`LintOptions` from the command line over the config: a flag given on the command line wins.

    `--select` replaces the config's list; `--ignore` and `--rules-dir` add to it (an ignore never
    re-enables anything, and a rules folder named twice is loaded once). `warn` receives one line when
    the config asked for Python hooks where a config file is not trusted to do so.
    """
    from vmss_lint.engine import EngineOptions
    from vmss_lint.lint import LintOptions
    from vmss_lint.suppress import suppressions_from_config

    cfg = loaded.config
    allowed, refused = loaded.python_rules_allowed()
    if refused and not allow_python_rules and warn is not None:
        warn(refused)
    dirs: list[Path] = []
    for folder in [*loaded.rules_dirs(), *rules_dirs]:
        if all(folder.resolve() != d.resolve() for d in dirs):
            dirs.append(folder)
    allow = allow_python_rules or allowed
    engine = EngineOptions(select=list(select or cfg.select), ignore=[*cfg.ignore, *ignore])
    if cfg.severity:
        from vmss_lint.registry import load_rules

        engine.severity = resolve_severity(cfg.severity, load_rules(dirs, allow_python=allow), loaded.label)
    return LintOptions(
        api_version=api_version or cfg.api_version,
        fail_on=fail_on,
        rules_dirs=dirs,
        allow_python_rules=allow,
        engine=engine,
        suppressions=suppressions_from_config(loaded),
    )
