"""Deployment-context functions: resourceGroup(), subscription(), resourceId() and friends.

Offline there is no real subscription, resource group, tenant, management group, deployment or cloud, so
unless the caller supplies them (`--context`, `--subscription-id`, `--resource-group`, the config's
`context`) every member of those objects is an `Unknown` that names the function, for example
``resourceGroup().location``. Nothing is invented: a placeholder string would compare as a real region
or subscription id (``[resourceGroup().location]`` against ``westus`` is not a region change, it is
unknown). Two template sides that write the same expression still resolve to equal Unknowns, so an
unchanged `uniqueString(resourceGroup().id)` is no change.

* ``resourceGroup().type`` is the constant ``Microsoft.Resources/resourceGroups``; ids are built from
  the supplied names only when every part is known.
* ``deployment()`` has no ``templateLink`` for a template read from a file: a deployment from a URI has
  one, a local deployment has none, and vmss-lint cannot tell which, so it is unknown.
* ``environment()`` is unknown too (Azure Stack Hub and sovereign clouds differ from AzureCloud); the
  public AzureCloud object is `AZURE_CLOUD`, for a caller that wants to supply it.

resourceId() and friends assume a resource-group deployment, which is where scale sets live; with an
unknown subscription or resource group the id is unknown, unless the call names them itself.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from vmss_lint.arm.expressions.functions import want_str
from vmss_lint.arm.expressions.parse import FunctionError, Unknown, Value
from vmss_lint.core.records import Record

AZURE_CLOUD: dict[str, Any] = {
    "name": "AzureCloud",
    "gallery": "https://gallery.azure.com/",
    "graph": "https://graph.windows.net/",
    "portal": "https://portal.azure.com",
    "graphAudience": "https://graph.windows.net/",
    "activeDirectoryDataLake": "https://datalake.azure.net/",
    "batch": "https://batch.core.windows.net/",
    "media": "https://rest.media.azure.net",
    "sqlManagement": "https://management.core.windows.net:8443/",
    "vmImageAliasDoc": "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/"
    "arm-compute/quickstart-templates/aliases.json",
    "resourceManager": "https://management.azure.com/",
    "authentication": {
        "loginEndpoint": "https://login.microsoftonline.com/",
        "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
        "tenant": "common",
        "identityProvider": "AAD",
    },
    "suffixes": {
        "acrLoginServer": ".azurecr.io",
        "azureDatalakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
        "azureDatalakeStoreFileSystem": "azuredatalakestore.net",
        "azureFrontDoorEndpointSuffix": "azurefd.net",
        "keyvaultDns": ".vault.azure.net",
        "sqlServerHostname": ".database.windows.net",
        "storage": "core.windows.net",
    },
}

CONTEXT_HINT = "not known offline; pass it with --context (or the config's context)"


def context_unknown(what: str) -> Unknown:
    """The value of one member of a deployment-context object that nobody supplied."""
    return Unknown(f"{what} is {CONTEXT_HINT}", f"[{what}]")


def is_context_unknown(value: object) -> bool:
    """True for an Unknown that only --context could resolve (see `context_unknown`)."""
    return isinstance(value, Unknown) and CONTEXT_HINT in value.reason


def _known(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


class DeploymentContext(Record):
    """The objects returned by the scope functions; members nobody supplied are `Unknown`."""

    subscription: dict[str, Any]
    resource_group: dict[str, Any]
    tenant: dict[str, Any]
    management_group: dict[str, Any]
    deployment: dict[str, Any]
    environment: Any

    @classmethod
    def build(
        cls,
        *,
        subscription: dict[str, Any] | None = None,
        resource_group: dict[str, Any] | None = None,
        tenant: dict[str, Any] | None = None,
        management_group: dict[str, Any] | None = None,
        deployment: dict[str, Any] | None = None,
        environment: dict[str, Any] | None = None,
    ) -> DeploymentContext:
        """What the caller knows, ids derived from names where every part is known, the rest Unknown."""
        sub = dict(subscription or {})
        sub_id = sub.setdefault("subscriptionId", context_unknown("subscription().subscriptionId"))
        sub.setdefault(
            "id", f"/subscriptions/{sub_id}" if _known(sub_id) else context_unknown("subscription().id")
        )
        ten = dict(tenant or {})
        tenant_id = ten.get("tenantId", sub.get("tenantId"))
        if tenant_id is None:
            tenant_id = context_unknown("tenant().tenantId")
        ten["tenantId"] = tenant_id
        sub.setdefault("tenantId", tenant_id)
        sub.setdefault("displayName", context_unknown("subscription().displayName"))
        ten.setdefault("id", f"/tenants/{tenant_id}" if _known(tenant_id) else context_unknown("tenant().id"))
        ten.setdefault("displayName", context_unknown("tenant().displayName"))
        rg = dict(resource_group or {})
        rg_name = rg.setdefault("name", context_unknown("resourceGroup().name"))
        rg.setdefault(
            "id",
            f"/subscriptions/{sub_id}/resourceGroups/{rg_name}"
            if _known(sub_id) and _known(rg_name)
            else context_unknown("resourceGroup().id"),
        )
        rg.setdefault("location", context_unknown("resourceGroup().location"))
        rg.setdefault("type", "Microsoft.Resources/resourceGroups")
        rg.setdefault("tags", context_unknown("resourceGroup().tags"))
        rg.setdefault("managedBy", context_unknown("resourceGroup().managedBy"))
        rg.setdefault("properties", {"provisioningState": "Succeeded"})
        mg = dict(management_group or {})
        mg_name = mg.setdefault("name", context_unknown("managementGroup().name"))
        mg.setdefault(
            "id",
            f"/providers/Microsoft.Management/managementGroups/{mg_name}"
            if _known(mg_name)
            else context_unknown("managementGroup().id"),
        )
        mg.setdefault("type", "Microsoft.Management/managementGroups")
        mg.setdefault("properties", context_unknown("managementGroup().properties"))
        dep = dict(deployment or {})
        dep.setdefault("name", context_unknown("deployment().name"))
        props = dict(dep.get("properties") or {})
        props.setdefault(
            "templateLink",
            Unknown(
                "deployment().properties.templateLink exists only when the template is deployed from a URI; "
                "not known for a template read from a file (pass it with --context)",
                "[deployment().properties.templateLink]",
            ),
        )
        props.setdefault("mode", context_unknown("deployment().properties.mode"))
        props.setdefault("template", context_unknown("deployment().properties.template"))
        props.setdefault("parameters", context_unknown("deployment().properties.parameters"))
        dep["properties"] = props
        dep.setdefault("location", context_unknown("deployment().location"))
        env: Any = context_unknown("environment()")
        if environment:
            env = copy.deepcopy(AZURE_CLOUD)
            env.update(environment)
        return cls(
            subscription=sub,
            resource_group=rg,
            tenant=ten,
            management_group=mg,
            deployment=dep,
            environment=env,
        )


ContextFn = Callable[[DeploymentContext, list[Value]], Value]
CONTEXT_FUNCTIONS: dict[str, tuple[ContextFn, int, int | None]] = {}


def _register(name: str, min_args: int, max_args: int | None) -> Callable[[ContextFn], ContextFn]:
    def deco(fn: ContextFn) -> ContextFn:
        CONTEXT_FUNCTIONS[name.lower()] = (fn, min_args, max_args)
        return fn

    return deco


def _copy(obj: dict[str, Any]) -> Value:
    return copy.deepcopy(obj)  # callers may mutate results


def _context_object(attribute: str) -> ContextFn:
    """`subscription()`, `resourceGroup()`, ... each return one object of the deployment context."""

    def fn(ctx: DeploymentContext, args: list[Value]) -> Value:
        return _copy(getattr(ctx, attribute))

    return fn


for _name, _attribute, _max_args in (
    ("subscription", "subscription", 0),
    ("resourceGroup", "resource_group", 0),
    ("tenant", "tenant", 0),
    ("managementGroup", "management_group", 1),
    ("deployment", "deployment", 0),
    ("environment", "environment", 0),
):
    _register(_name, 0, _max_args)(_context_object(_attribute))


def _scope_unknown(fn: str, part: Unknown) -> Unknown:
    """An id whose scope is not known: the reason names the missing part (the text is set by the caller)."""
    return Unknown(f"{fn}() depends on {part.text.strip('[]')}, which is {CONTEXT_HINT}", part.text)


def _typed_path(fn: str, parts: list[str]) -> str:
    """`Microsoft.Network/virtualNetworks/subnets`, [vnet, sub] -> interleaved provider path."""
    rtype, names = parts[0].strip("/"), [n for p in parts[1:] for n in p.split("/")]
    segments = rtype.split("/")
    if len(segments) < 2:
        raise FunctionError(
            f"{fn}: {parts[0]!r} is not a resource type such as 'Microsoft.Compute/virtualMachineScaleSets'"
        )
    types = segments[1:]
    if len(names) != len(types):
        raise FunctionError(
            f"{fn}: resource type {rtype!r} needs {len(types)} name segment(s), got {len(names)}"
        )
    path = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=True))
    return f"{segments[0]}/{path}"


def _split_at_type(fn: str, args: list[Value], max_prefix: int) -> tuple[list[str], list[str]]:
    parts = [want_str(a, f"every {fn}() argument") for a in args]
    for i, p in enumerate(parts):
        if "/" in p.strip("/"):  # subscription ids and group names never contain '/'
            if i > max_prefix:
                raise FunctionError(
                    f"{fn}: {i} arguments before the resource type; at most {max_prefix} allowed"
                )
            return parts[:i], parts[i:]
    raise FunctionError(
        f"{fn}: no resource type (such as 'Microsoft.Network/virtualNetworks') among the arguments"
    )


@_register("resourceId", 2, None)
def _resource_id(ctx: DeploymentContext, args: list[Value]) -> Value:
    prefix, rest = _split_at_type("resourceId", args, 2)
    sub = ctx.subscription["subscriptionId"]
    rg = ctx.resource_group["name"]
    if len(prefix) == 1:
        rg = prefix[0]
    elif len(prefix) == 2:
        sub, rg = prefix
    path = _typed_path("resourceId", rest)
    if isinstance(sub, Unknown) or isinstance(rg, Unknown):
        return _scope_unknown("resourceId", sub if isinstance(sub, Unknown) else rg)
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{path}"


@_register("subscriptionResourceId", 2, None)
def _subscription_resource_id(ctx: DeploymentContext, args: list[Value]) -> Value:
    return _scoped_id(
        "subscriptionResourceId", args, "/subscriptions/", lambda: ctx.subscription["subscriptionId"]
    )


@_register("tenantResourceId", 2, None)
def _tenant_resource_id(ctx: DeploymentContext, args: list[Value]) -> Value:
    _, rest = _split_at_type("tenantResourceId", args, 0)
    return f"/providers/{_typed_path('tenantResourceId', rest)}"


@_register("managementGroupResourceId", 2, None)
def _management_group_resource_id(ctx: DeploymentContext, args: list[Value]) -> Value:
    head = "/providers/Microsoft.Management/managementGroups/"
    return _scoped_id("managementGroupResourceId", args, head, lambda: ctx.management_group["name"])


def _scoped_id(fn: str, args: list[Value], head: str, default: Callable[[], Value]) -> Value:
    """`{head}{scope}/providers/{type}/{names}` for the functions that take one optional leading scope
    argument (a subscription id, a management group name); without it, the deployment's own (`default`,
    read only then)."""
    prefix, rest = _split_at_type(fn, args, 1)
    scope = prefix[0] if prefix else default()
    path = _typed_path(fn, rest)
    if isinstance(scope, Unknown):
        return _scope_unknown(fn, scope)
    return f"{head}{scope}/providers/{path}"


@_register("extensionResourceId", 3, None)
def _extension_resource_id(ctx: DeploymentContext, args: list[Value]) -> Value:
    base = want_str(args[0], "resourceId").rstrip("/")
    rest = [want_str(a, "every extensionResourceId() argument") for a in args[1:]]
    return f"{base}/providers/{_typed_path('extensionResourceId', rest)}"
