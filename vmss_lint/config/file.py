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
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

# Finding and reading the file, the no-file defaults and building LintOptions need no pydantic: they
# live in `vmss_lint.config.find` (so a run without a config file never imports this module), which
# calls `parse_config` and `suppress_lines` here once it has a file.
from vmss_lint.core.findings import Severity
from vmss_lint.core.validation import validation_error as validation_error
from vmss_lint.engine.suppress import SuppressionSpec as SuppressionSpec


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=False)


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
    terraform_plans: list[str] = Field(default_factory=list, alias="terraform-plans")
    context: ContextConfig | None = None
    suppress: list[SuppressionSpec] = Field(default_factory=list)

    @field_validator("rules_dir", "terraform_plans", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("api_version")
    @classmethod
    def _api(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^\d{4}-\d{2}-\d{2}(-preview)?$", value):
            raise ValueError("api-version must look like 2024-07-01")
        return value


def parse_config(data: dict[str, Any], source: str, *, prefix: str = "") -> Config:
    """Validate a config table; the first problem becomes one line naming the key and what to do."""
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, source, prefix=prefix, known_keys=_known_keys_hint) from None


def _known_keys_hint(loc: list[str], key: str) -> str | None:
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


_SUPPRESS_HEADER = re.compile(r"^\s*\[\[\s*(tool\s*\.\s*\"?vmss-lint\"?\s*\.\s*)?suppress\s*\]\]")


def suppress_lines(text: str) -> list[int]:
    """Lines of `[[suppress]]` headers, in order: the n-th header is the n-th suppression (best effort)."""
    return [i for i, line in enumerate(text.splitlines(), 1) if _SUPPRESS_HEADER.match(line)]
