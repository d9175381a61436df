"""Hooks for the network profile (catalog rows 64-70).

NIC and IP configurations are keyed by name, pools and ASGs by id. Most edits reach VMs through the
upgrade policy. The public IP's tags, prefix and version are treated as create-time by the one heavy
client that encodes them (low confidence). A Rolling set losing its last health source is the
cross-property rules' business (it depends on the whole model, not on the probe edit alone).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vmss_lint.core.findings import Hit
from vmss_lint.engine.helpers import (
    VMP,
    last_segment,
    leaf_changes,
    list_items,
    parent_item,
)
from vmss_lint.engine.run import RuleContext

NICS = f"{VMP}/networkProfile/networkInterfaceConfigurations"
IPCONFIGS = f"{NICS}/*/properties/ipConfigurations"
PIP = f"{IPCONFIGS}/*/properties/publicIPAddressConfiguration"
HEALTH_PROBE = f"{VMP}/networkProfile/healthProbe"
_NIC_DEPTH = 5
_IP_DEPTH = 8


def _name(item: Any) -> str:
    return str(item.get("name")) if isinstance(item, dict) and item.get("name") else "(unnamed)"


def nic_or_ipconfig_added_removed(ctx: RuleContext) -> Iterator[Hit]:
    for glob, what in ((NICS, "NIC configuration"), (IPCONFIGS, "IP configuration")):
        for pointer, op, item, _ in list_items(ctx, glob):
            verb = "added" if op == "add" else "removed"
            yield Hit(
                pointer,
                op,
                item if op == "remove" else None,
                item if op == "add" else None,
                message=f"{what} '{_name(item)}' is {verb}. Names are the keys, so a rename is a removal plus an "
                "addition; whether Azure accepts adding or removing one on an existing scale set, and whether "
                "the VMs must be stopped for it, is not documented (low confidence).",
            )


_NIC_FIELDS = (
    "properties/primary",
    "properties/enableAcceleratedNetworking",
    "properties/enableIPForwarding",
    "properties/networkSecurityGroup",
    "properties/dnsSettings",
    "properties/auxiliaryMode",
    "properties/auxiliarySku",
    "properties/disableTcpStateTracking",
    "properties/deleteOption",
)


_POOLS = {
    "loadBalancerBackendAddressPools": "load balancer backend pool",
    "loadBalancerInboundNatPools": "load balancer inbound NAT pool",
    "applicationGatewayBackendAddressPools": "application gateway backend pool",
    "applicationSecurityGroups": "application security group",
}


def pools_changed(ctx: RuleContext) -> Iterator[Hit]:
    for key, what in _POOLS.items():
        for pointer, op, item, change in list_items(ctx, f"{IPCONFIGS}/*/properties/{key}"):
            ipc = _name(parent_item(ctx, change, _IP_DEPTH))
            verb = "joins" if op == "add" else "leaves"
            yield Hit(
                pointer,
                op,
                item if op == "remove" else None,
                item if op == "add" else None,
                message=f"IP configuration '{ipc}' {verb} {what} '{last_segment(item)}' when each VM is upgraded; "
                "until then existing VMs keep the old membership.",
            )


_PIP_CREATE_TIME = ("properties/ipTags", "properties/publicIPPrefix", "properties/publicIPAddressVersion")
_PIP_UPDATABLE = ("name", "properties/idleTimeoutInMinutes", "properties/dnsSettings")


def _pip_root(pointer: str) -> str:
    if pointer.endswith("/publicIPAddressConfiguration"):
        return pointer
    head, _, _ = pointer.partition("/publicIPAddressConfiguration/")
    return head + "/publicIPAddressConfiguration"


def public_ip_create_time_changed(ctx: RuleContext) -> Iterator[Hit]:
    """Only on a public IP configuration both sides have: adding a whole one is a different question."""
    for change in leaf_changes(ctx, PIP, _PIP_CREATE_TIME):
        if ctx.current.get(_pip_root(change.pointer)) is None:
            continue
        field = change.pointer.split("/publicIPAddressConfiguration/properties/")[-1]
        yield Hit.of(
            change,
            message=f"public IP configuration: {field} changes. azurerm treats ipTags, publicIPPrefix and "
            "publicIPAddressVersion as create-time, so Azure may refuse it on an existing scale set (low "
            "confidence: no Azure error has been captured).",
        )


def public_ip_settings_changed(ctx: RuleContext) -> Iterator[Hit]:
    """A whole public IP configuration added or removed is one finding; else one per updatable field."""
    whole: set[str] = set()
    for change in ctx.changed(PIP) + ctx.changed(f"{PIP}/**"):
        root = _pip_root(change.pointer)
        added = ctx.current.get(root) is None
        if not (added or (change.pointer == root and change.op == "remove")) or root in whole:
            continue
        whole.add(root)
        yield Hit(
            root,
            "add" if added else "remove",
            None if added else change.old,
            ctx.proposed.get(root) if added else None,
            message=f"a public IP per VM is {'added' if added else 'removed'}; existing VMs "
            f"{'get' if added else 'lose'} it when they are upgraded (low confidence: only the API's update "
            "model says it is changeable).",
        )
    changes = leaf_changes(ctx, PIP, _PIP_UPDATABLE) + ctx.changed(
        f"{IPCONFIGS}/*/properties/privateIPAddressVersion"
    )
    for change in changes:
        if _pip_root(change.pointer) in whole:
            continue
        field = change.pointer.rsplit("/properties/", 1)[-1]
        yield Hit.of(
            change,
            message=f"{field} {_show(change.old)} -> {_show(change.new)}; reaches existing VMs when they are "
            "upgraded (low confidence: only the API's update model says it is changeable).",
        )


def _show(value: Any) -> str:
    return "(not set)" if value is None else str(value)
