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

import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

# Finding the file, the no-file defaults and building LintOptions need no pydantic: they live in
# `config_find` (so a run without a config file never imports this module) and are re-exported here.
from vmss_lint.config.find import CONFIG_FILE as CONFIG_FILE
from vmss_lint.config.find import PYPROJECT as PYPROJECT
from vmss_lint.config.find import TOOL_TABLE as TOOL_TABLE
from vmss_lint.config.find import UNTRUSTED_ENV as UNTRUSTED_ENV
from vmss_lint.config.find import DefaultConfig as DefaultConfig
from vmss_lint.config.find import LoadedConfig as LoadedConfig
from vmss_lint.config.find import _parse, _read
from vmss_lint.config.find import build_options as build_options
from vmss_lint.config.find import find_config as find_config
from vmss_lint.config.find import resolve_severity as resolve_severity
from vmss_lint.core.errors import InputError
from vmss_lint.core.findings import Severity


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


_SUPPRESS_HEADER = re.compile(r"^\s*\[\[\s*(tool\s*\.\s*\"?vmss-lint\"?\s*\.\s*)?suppress\s*\]\]")


def _suppress_lines(text: str) -> list[int]:
    """Lines of `[[suppress]]` headers, in order: the n-th header is the n-th suppression (best effort)."""
    return [i for i, line in enumerate(text.splitlines(), 1) if _SUPPRESS_HEADER.match(line)]
