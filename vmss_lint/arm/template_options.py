"""The template options of a run (parameters files per side, deployment context, parameter values),
without the reader.

Every `check` builds these from its flags, but only a run that meets a template reads them; keeping
them apart from `vmss_lint.inputs.params` means two plain models never import the template reader and the
expression evaluator (about 40 ms of a cold start). They live in `arm` because the template walker
takes them; `vmss_lint.inputs.params` (which reads parameters files) re-exports them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from vmss_lint.core.records import Record, field

if TYPE_CHECKING:
    from vmss_lint.arm.expressions.api import Value
    from vmss_lint.arm.files import InputFile

LinkedLoader = Callable[["InputFile", str], "InputFile | None"]
"""Opens a linked template's `relativePath` next to the parent file (None when it is not there)."""


class TemplateContext(Record, frozen=False):
    """What `resourceGroup()`, `subscription()`, `deployment()` and `environment()` return.

    Any part left as None falls back to the evaluator's stable placeholders, which are identical on both
    sides of a template-vs-template comparison and therefore never show up as a change.
    """

    subscription: dict[str, Any] | None = None
    resource_group: dict[str, Any] | None = None
    deployment: dict[str, Any] | None = None
    environment: dict[str, Any] | None = None
    tenant: dict[str, Any] | None = None

    @property
    def given(self) -> bool:
        return any(
            v is not None
            for v in (self.subscription, self.resource_group, self.deployment, self.environment, self.tenant)
        )

    def scope_kwargs(self) -> dict[str, Any]:
        return {
            "subscription": self.subscription,
            "resource_group": self.resource_group,
            "deployment": self.deployment,
            "environment": self.environment,
            "tenant": self.tenant,
        }


class TemplateParams(Record, frozen=False):
    """Everything the command line says about template values, for both sides.

    `parameters` apply to both sides; `current_parameters`/`proposed_parameters` replace them for one
    side. Within a list a later file wins. `discover` looks for a parameters file next to a template when
    its side has none. `open_linked` lets git mode read linked templates from a revision instead of the
    working tree.
    """

    parameters: list[str] = field(default_factory=list)
    current_parameters: list[str] | None = None
    proposed_parameters: list[str] | None = None
    context: TemplateContext = field(default_factory=TemplateContext)
    discover: bool = True
    open_linked: LinkedLoader | None = None

    def files_for(self, role: str) -> list[str]:
        side = self.current_parameters if role == "current" else self.proposed_parameters
        return list(side) if side is not None else list(self.parameters)


def with_overrides(
    ctx: TemplateContext, subscription_id: str | None, resource_group: str | None
) -> TemplateContext:
    """Apply --subscription-id/--resource-group on top of a context file."""
    if subscription_id:
        ctx.subscription = {**(ctx.subscription or {}), "subscriptionId": subscription_id}
    if resource_group:
        ctx.resource_group = {**(ctx.resource_group or {}), "name": resource_group}
    return ctx


class ParameterValues(Record, frozen=False):
    """Supplied parameter values of one side, with provenance and the names that are secret."""

    values: dict[str, Value] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)  # name (lower) -> "file:line"
    # name (lower) -> (path, line, column) of the value in a parameters file, for annotations there
    positions: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    secret: set[str] = field(default_factory=set)  # names (lower) given as Key Vault references
    files: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
