"""Deployment-context functions: resourceGroup(), subscription(), resourceId() and friends.

Offline there is no real subscription or resource group, so unless the caller supplies them these
functions return *stable placeholders* rather than `Unknown`: both sides of a comparison get the same
placeholder, so `resourceId(...)` and `uniqueString(resourceGroup().id)` resolve identically on base
and head and only real changes show up. The placeholders (documented here, relied on by tests):

* subscription id and tenant id: ``00000000-0000-0000-0000-000000000000``
* resource group name ``{resourceGroup}``, location ``{resourceGroupLocation}``
* management group name ``{managementGroup}``; deployment name ``{deployment}``
* ``deployment().properties.templateLink.uri``: ``https://templatelink.invalid/azuredeploy.json``
* ``environment()``: the public AzureCloud values.

resourceId() and friends assume a resource-group deployment, which is where scale sets live.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vmss_lint.arm.expressions.functions import want_str
from vmss_lint.arm.expressions.parse import FunctionError, Value

PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"
PLACEHOLDER_RESOURCE_GROUP = "{resourceGroup}"
PLACEHOLDER_LOCATION = "{resourceGroupLocation}"
PLACEHOLDER_MANAGEMENT_GROUP = "{managementGroup}"
PLACEHOLDER_DEPLOYMENT = "{deployment}"
PLACEHOLDER_TEMPLATE_URI = "https://templatelink.invalid/azuredeploy.json"

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


@dataclass(frozen=True)
class DeploymentContext:
    """The objects returned by the scope functions, placeholders filled in where not supplied."""

    subscription: dict[str, Any]
    resource_group: dict[str, Any]
    tenant: dict[str, Any]
    management_group: dict[str, Any]
    deployment: dict[str, Any]
    environment: dict[str, Any]

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
        """Merge what the caller knows over the placeholders, deriving ids from names."""
        sub = dict(subscription or {})
        sub_id = sub.setdefault("subscriptionId", PLACEHOLDER_ID)
        sub.setdefault("id", f"/subscriptions/{sub_id}")
        ten = dict(tenant or {})
        tenant_id = ten.setdefault("tenantId", sub.setdefault("tenantId", PLACEHOLDER_ID))
        sub.setdefault("displayName", "{subscription}")
        ten.setdefault("id", f"/tenants/{tenant_id}")
        ten.setdefault("displayName", "{tenant}")
        rg = dict(resource_group or {})
        rg_name = rg.setdefault("name", PLACEHOLDER_RESOURCE_GROUP)
        rg.setdefault("id", f"/subscriptions/{sub_id}/resourceGroups/{rg_name}")
        rg.setdefault("location", PLACEHOLDER_LOCATION)
        rg.setdefault("type", "Microsoft.Resources/resourceGroups")
        rg.setdefault("tags", {})
        rg.setdefault("properties", {"provisioningState": "Succeeded"})
        mg = dict(management_group or {})
        mg_name = mg.setdefault("name", PLACEHOLDER_MANAGEMENT_GROUP)
        mg.setdefault("id", f"/providers/Microsoft.Management/managementGroups/{mg_name}")
        mg.setdefault("type", "Microsoft.Management/managementGroups")
        dep = dict(deployment or {})
        dep.setdefault("name", PLACEHOLDER_DEPLOYMENT)
        props = dict(dep.get("properties") or {})
        props.setdefault("templateLink", {"uri": PLACEHOLDER_TEMPLATE_URI, "contentVersion": "1.0.0.0"})
        props.setdefault("mode", "Incremental")
        dep["properties"] = props
        env = copy.deepcopy(AZURE_CLOUD)
        env.update(environment or {})
        return cls(sub, rg, ten, mg, dep, env)


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
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{_typed_path('resourceId', rest)}"


@_register("subscriptionResourceId", 2, None)
def _subscription_resource_id(ctx: DeploymentContext, args: list[Value]) -> Value:
    prefix, rest = _split_at_type("subscriptionResourceId", args, 1)
    sub = prefix[0] if prefix else ctx.subscription["subscriptionId"]
    return f"/subscriptions/{sub}/providers/{_typed_path('subscriptionResourceId', rest)}"


@_register("tenantResourceId", 2, None)
def _tenant_resource_id(ctx: DeploymentContext, args: list[Value]) -> Value:
    _, rest = _split_at_type("tenantResourceId", args, 0)
    return f"/providers/{_typed_path('tenantResourceId', rest)}"


@_register("managementGroupResourceId", 2, None)
def _management_group_resource_id(ctx: DeploymentContext, args: list[Value]) -> Value:
    prefix, rest = _split_at_type("managementGroupResourceId", args, 1)
    mg = prefix[0] if prefix else ctx.management_group["name"]
    path = _typed_path("managementGroupResourceId", rest)
    return f"/providers/Microsoft.Management/managementGroups/{mg}/providers/{path}"


@_register("extensionResourceId", 3, None)
def _extension_resource_id(ctx: DeploymentContext, args: list[Value]) -> Value:
    base = want_str(args[0], "resourceId").rstrip("/")
    rest = [want_str(a, "every extensionResourceId() argument") for a in args[1:]]
    return f"{base}/providers/{_typed_path('extensionResourceId', rest)}"
