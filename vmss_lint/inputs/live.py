"""The live scale set as the current side: fetched from Azure Resource Manager with the user's own login.

Optional and explicit: only a CURRENT written `azure:///subscriptions/…/virtualMachineScaleSets/NAME`
(or `--live RG/NAME`) goes to the network, and only with the `azure` extra installed
(`pip install 'vmss-lint[azure]'`: azure-identity, azure-mgmt-compute). The default install never imports
an Azure module. Credentials come only from azure-identity's DefaultAzureCredential chain (environment,
workload identity / OIDC, managed identity, Azure CLI login, ...), never from vmss-lint's own options, and
are never printed.

Bounds (decided here, documented in docs/live.md): 10 s to connect, 30 s to read a response, 3 retries with
exponential back-off (azure-core's, which honours `Retry-After`), and 60 s for each call in all, after which
the run stops with exit 2. VMSS_LINT_AZURE_READ_TIMEOUT, VMSS_LINT_AZURE_RETRIES and
VMSS_LINT_AZURE_CALL_TIMEOUT change them (whole seconds / a count).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from typing import Any

from vmss_lint.core.errors import InputError
from vmss_lint.core.records import Record, field

SCHEME = "azure://"
CONNECT_TIMEOUT, READ_TIMEOUT, RETRIES, CALL_TIMEOUT = 10, 30, 3, 60
# Sovereign clouds: (ARM endpoint, Microsoft Entra authority host), as `az cloud list` names them.
CLOUDS = {
    "azurecloud": ("https://management.azure.com", "https://login.microsoftonline.com"),
    "azurechinacloud": ("https://management.chinacloudapi.cn", "https://login.chinacloudapi.cn"),
    "azureusgovernment": ("https://management.usgovcloudapi.net", "https://login.microsoftonline.us"),
}
_ID = re.compile(
    r"^/?subscriptions/(?P<sub>[^/]+)/resourcegroups/(?P<rg>[^/]+)/providers/microsoft\.compute/"
    r"virtualmachinescalesets/(?P<name>[^/?#]+)/?$",
    re.IGNORECASE,
)
INSTALL_HINT = "install the optional Azure support: pip install 'vmss-lint[azure]'"


class LiveTarget(Record, kw_only=False):
    """Which scale set to fetch."""

    subscription: str
    resource_group: str
    name: str

    @property
    def resource_id(self) -> str:
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.Compute/virtualMachineScaleSets/{self.name}"
        )

    @property
    def label(self) -> str:
        return SCHEME + self.resource_id


class Cloud(Record, kw_only=False):
    arm_endpoint: str
    authority: str


class LiveScaleSet(Record, kw_only=False, frozen=False):
    """What was fetched: the scale set in the REST shape, its instances, and what ARM says of its place."""

    target: LiveTarget
    model: dict[str, Any]
    instances: list[dict[str, Any]] = field(default_factory=list)

    @property
    def location(self) -> str | None:
        value = self.model.get("location")
        return value if isinstance(value, str) else None


def is_live(path: str | None) -> bool:
    return path is not None and path.lower().startswith(SCHEME)


def parse_target(current: str | None, live: str | None, subscription: str | None) -> LiveTarget | None:
    """`azure:///subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/virtualMachineScaleSets/N`
    as CURRENT, or `--live RG/NAME` with the subscription from --subscription-id, AZURE_SUBSCRIPTION_ID or
    ARM_SUBSCRIPTION_ID (the variables az and Terraform users already set). `--live` also takes the
    `azure:///…` resource id, so a CI input can name the scale set either way."""
    if live is not None and is_live(live):
        current, live = live, None
    if live is not None:
        rg, sep, name = live.partition("/")
        if not sep or not rg or not name or "/" in name:
            raise InputError(
                "--live", f"'{live}' is not RESOURCE_GROUP/NAME", hint="e.g. --live rg-web/web-vmss"
            )
        sub = subscription or os.environ.get("AZURE_SUBSCRIPTION_ID") or os.environ.get("ARM_SUBSCRIPTION_ID")
        if not sub:
            raise InputError(
                "--live",
                "no subscription to look the scale set up in",
                hint="pass --subscription-id, set AZURE_SUBSCRIPTION_ID, or name the scale set by resource id "
                "(azure:///subscriptions/...)",
            )
        return LiveTarget(sub, rg, name)
    if not is_live(current):
        return None
    assert current is not None
    match = _ID.match(current[len(SCHEME) :])
    if match is None:
        raise InputError(
            current,
            "not a scale-set resource id",
            hint="write azure:///subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Compute/"
            "virtualMachineScaleSets/NAME",
        )
    return LiveTarget(match["sub"], match["rg"], match["name"])


def cloud_from(name: str | None, endpoint: str | None) -> Cloud:
    """The ARM endpoint and authority: --arm-endpoint (or AZURE_ARM_ENDPOINT) for a custom cloud, else
    --cloud (or AZURE_CLOUD), else the public cloud."""
    endpoint = endpoint or os.environ.get("AZURE_ARM_ENDPOINT")
    cloud_name = (name or os.environ.get("AZURE_CLOUD") or "AzureCloud").lower()
    if cloud_name not in CLOUDS:
        raise InputError(
            "--cloud", f"unknown cloud '{name}'", hint="use AzureCloud, AzureChinaCloud or AzureUSGovernment"
        )
    arm, authority = CLOUDS[cloud_name]
    if endpoint:
        if not endpoint.lower().startswith("https://"):
            raise InputError("--arm-endpoint", "the ARM endpoint must be an https:// URL")
        arm = endpoint.rstrip("/")
        authority = os.environ.get("AZURE_AUTHORITY_HOST", authority)
    return Cloud(arm, authority)


def _bound(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise InputError(name, f"'{raw}' is not a whole number")
    return int(raw)


def default_credential(cloud: Cloud) -> Any:
    """azure-identity's standard chain, pointed at the cloud's authority; nothing interactive."""
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential(authority=cloud.authority, exclude_interactive_browser_credential=True)


def fetch(target: LiveTarget, cloud: Cloud, *, user_data: bool, credential: Any = None) -> LiveScaleSet:
    """GET the scale set (with `$expand=userData` only when asked) and list its instances."""
    import logging

    # azure-identity logs each failed credential to stderr (logging's last resort); the run says it once.
    logging.getLogger("azure").addHandler(logging.NullHandler())
    try:
        from azure.core.exceptions import AzureError
        from azure.mgmt.compute import ComputeManagementClient
    except ImportError:
        raise InputError(
            target.label, "reading a live scale set needs the Azure SDK", hint=INSTALL_HINT
        ) from None
    client = ComputeManagementClient(
        credential if credential is not None else default_credential(cloud),
        target.subscription,
        base_url=cloud.arm_endpoint,
        credential_scopes=[cloud.arm_endpoint + "/.default"],
        connection_timeout=CONNECT_TIMEOUT,
        read_timeout=_bound("VMSS_LINT_AZURE_READ_TIMEOUT", READ_TIMEOUT),
        retry_total=_bound("VMSS_LINT_AZURE_RETRIES", RETRIES),
        logging_enable=False,
    )
    call_timeout = _bound("VMSS_LINT_AZURE_CALL_TIMEOUT", CALL_TIMEOUT)
    try:
        with client:
            kwargs: dict[str, Any] = {"expand": "userData"} if user_data else {}
            vmss = client.virtual_machine_scale_sets.get(
                target.resource_group, target.name, timeout=call_timeout, **kwargs
            )
            model = vmss.as_dict()
            flexible = str((model.get("properties") or {}).get("orchestrationMode", "")).lower() == "flexible"
            vms: Iterable[Any]
            if flexible:
                vms = client.virtual_machines.list(
                    target.resource_group,
                    filter=f"'virtualMachineScaleSet/id' eq '{target.resource_id}'",
                    timeout=call_timeout,
                )
            else:
                vms = client.virtual_machine_scale_set_vms.list(
                    target.resource_group, target.name, timeout=call_timeout
                )
            instances = [vm.as_dict() for vm in vms]
    except AzureError as exc:
        raise _input_error(target, cloud, exc) from None
    return LiveScaleSet(target, model, instances)


def _input_error(target: LiveTarget, cloud: Cloud, exc: Exception) -> InputError:
    """One line that says what went wrong and what to do; never a token, never the response body."""
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ServiceRequestError

    status = getattr(exc, "status_code", None)
    if isinstance(exc, ClientAuthenticationError) or status == 401:
        return InputError(
            target.label,
            "could not sign in to Azure (no credential of azure-identity's chain worked, or the token was refused)",
            hint="run `az login` (or azure/login in CI, or set AZURE_CLIENT_ID/AZURE_TENANT_ID/...) and try again",
        )
    if status == 403:
        return InputError(
            target.label,
            "access denied: the signed-in identity may not read this scale set",
            hint="grant it Reader (Microsoft.Compute/virtualMachineScaleSets/read) on the scale set or its group",
        )
    if status == 404:
        return InputError(
            target.label, "no such scale set", hint="check the subscription, resource group and name"
        )
    if isinstance(exc, HttpResponseError) and status is not None:
        return InputError(
            target.label, f"Azure Resource Manager answered HTTP {status}", hint="try again later"
        )
    if isinstance(exc, ServiceRequestError):
        return InputError(
            target.label, f"could not reach {cloud.arm_endpoint}", hint="check the network or --arm-endpoint"
        )
    return InputError(
        target.label,
        f"the request to {cloud.arm_endpoint} did not complete ({type(exc).__name__}) within the limits "
        f"({CONNECT_TIMEOUT} s to connect, {READ_TIMEOUT} s to read, {RETRIES} retries, {CALL_TIMEOUT} s in all)",
        hint="try again later",
    )


def dump(value: Any) -> str:
    """A fetched document as a file a later offline run reads back (`--save-current`, `--save-instances`)."""
    return json.dumps(value, indent=2, sort_keys=True) + "\n"


class LiveCurrent(Record, kw_only=False, frozen=False):
    """The CLI's view of a live CURRENT: the file it reads as, the instances, the context it fills."""

    fetched: LiveScaleSet
    file: Any  # vmss_lint.arm.files.InputFile

    def context_overrides(self, ctx: Any) -> Any:
        """subscription(), resourceGroup() and resourceGroup().location as the live resource says."""
        target = self.fetched.target
        ctx.subscription = {"subscriptionId": target.subscription, **(ctx.subscription or {})}
        group = {"name": target.resource_group}
        if self.fetched.location:
            group["location"] = self.fetched.location
        ctx.resource_group = {**group, **(ctx.resource_group or {})}
        return ctx


def live_current(
    target: LiveTarget,
    proposed: str | None,
    *,
    cloud: Cloud,
    save_current: str | None = None,
    save_instances: str | None = None,
    credential: Any = None,
    user_data: bool | None = None,
) -> LiveCurrent:
    """Fetch, save what was asked for (so the run can be repeated offline), and read it as an input.

    `user_data` None: ask for userData when the proposed file mentions it; git mode, whose proposed files
    are known only later, passes True (one query parameter, rather than a userData that looks removed)."""
    from pathlib import Path

    from vmss_lint.arm.files import parse_text
    from vmss_lint.core.limits import read_capped
    from vmss_lint.report.outfile import write_atomic

    # userData is returned only on request; ask only when the proposed side mentions it.
    wants_user_data = user_data
    if wants_user_data is None:
        wants_user_data = proposed is not None and b"userdata" in read_capped(proposed, proposed).lower()
    fetched = fetch(target, cloud, user_data=wants_user_data, credential=credential)
    if save_current:
        write_atomic(Path(save_current), dump(fetched.model))
    if save_instances:
        write_atomic(Path(save_instances), dump({"value": fetched.instances}))
    return LiveCurrent(fetched, parse_text(dump(fetched.model), target.label))
