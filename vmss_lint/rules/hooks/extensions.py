"""Hooks for the extension profile (catalog row 71).

Extensions are keyed by name. An extension's settings, version or forceUpdateTag reach VMs through the
upgrade policy (the extension runs again; no reimage). What Azure refuses is a different handler under an
existing name: `type` or `publisher` of a named extension cannot change.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vmss_lint.core.findings import Hit
from vmss_lint.engine.helpers import EXTENSIONS, is_health_extension, list_items, parent_item
from vmss_lint.engine.run import RuleContext

_DEPTH = 5  # /properties/virtualMachineProfile/extensionProfile/extensions/<i>
_IDENTITY = ("type", "publisher")


def _name(ext: Any) -> str:
    return str(ext.get("name")) if isinstance(ext, dict) and ext.get("name") else "(unnamed)"


def _handler(ext: Any) -> str:
    props = ext.get("properties") if isinstance(ext, dict) else None
    if not isinstance(props, dict):
        return "extension"
    return f"{props.get('publisher', '?')}.{props.get('type', '?')} {props.get('typeHandlerVersion', '')}".strip()


def extension_added(ctx: RuleContext) -> Iterator[Hit]:
    for pointer, op, ext, _ in list_items(ctx, EXTENSIONS):
        if op == "add":
            yield Hit(
                pointer,
                op,
                None,
                ext,
                message=f"extension '{_name(ext)}' ({_handler(ext)}) is added: new VMs run it at once, existing "
                "VMs install it when they are upgraded (no reimage).",
            )


def extension_removed(ctx: RuleContext) -> Iterator[Hit]:
    for pointer, op, ext, _ in list_items(ctx, EXTENSIONS):
        if op == "remove":
            extra = ""
            if is_health_extension(ext):
                extra = (
                    " It is the Application Health extension: Rolling upgrades, automatic repairs and "
                    "automatic OS upgrades then depend on a load balancer health probe."
                )
            yield Hit(
                pointer,
                op,
                ext,
                None,
                message=f"extension '{_name(ext)}' ({_handler(ext)}) is removed: it is uninstalled from existing "
                "VMs when they are upgraded; what it set up inside the guest is not undone." + extra,
            )


_WHY = {
    "settings": "the extension runs again with the new settings on each VM when it is upgraded",
    "protectedSettings": "the extension runs again with them on each VM when it is upgraded",
    "protectedSettingsFromKeyVault": "the extension runs again with them on each VM when it is upgraded",
    "forceUpdateTag": "a new forceUpdateTag makes the extension run again on each upgraded VM, even "
    "with identical settings",
    "typeHandlerVersion": "the new handler version is installed on each VM when it is upgraded",
}


def extension_properties_changed(ctx: RuleContext) -> Iterator[Hit]:
    """Every other property of a kept extension: one finding per property."""
    for change in ctx.changed(f"{EXTENSIONS}/*/properties/**"):
        parts = change.pointer.split("/properties/", 2)
        field = parts[-1].split("/", 1)[0] if len(parts) == 3 else ""
        if not field or field in _IDENTITY:
            continue
        name = _name(parent_item(ctx, change, _DEPTH))
        why = _WHY.get(
            field, "it reaches existing VMs when they are upgraded (the extension is updated in place)"
        )
        if field.startswith("protectedSettings"):
            text = f"extension '{name}': {field} changed; {why}."
        elif field == "settings":
            text = f"extension '{name}': settings change; {why}."
        else:
            text = f"extension '{name}': {field} {_show(change.old)} -> {_show(change.new)}; {why}."
        yield Hit.of(change, message=text)


def _show(value: Any) -> str:
    return "(not set)" if value is None else str(value)
