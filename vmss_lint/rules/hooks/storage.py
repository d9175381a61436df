"""Hooks for data disks in the scale-set model (catalog rows 44-48).

Data disks are keyed by `lun`: a disk that appears at a new lun is a new empty disk plus the removal of
the old one, so the data on the old disk is lost on every VM that gets the new model. That is the
surprise worth spelling out, which is why removals name a likely lun move.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vmss_lint.core.findings import Hit
from vmss_lint.engine.helpers import VMP, list_items
from vmss_lint.engine.run import RuleContext

DATA_DISKS = f"{VMP}/storageProfile/dataDisks"
_DEPTH = 5  # /properties/virtualMachineProfile/storageProfile/dataDisks/<i>


def _describe(disk: Any) -> str:
    if not isinstance(disk, dict):
        return "data disk"
    size = disk.get("diskSizeGB")
    managed = disk.get("managedDisk")
    sku = managed.get("storageAccountType") if isinstance(managed, dict) else None
    bits = [f"{size} GB" if size is not None else None, str(sku) if sku else None]
    detail = ", ".join(b for b in bits if b)
    return f"data disk at lun {disk.get('lun')}" + (f" ({detail})" if detail else "")


def _content(disk: Any) -> str:
    """Model data disks start empty, unless they come from the image's own data disks."""
    option = disk.get("createOption") if isinstance(disk, dict) else None
    return (
        "disk created from the image's data disk"
        if str(option or "").lower() == "fromimage"
        else "empty disk"
    )


def _shape(disk: Any) -> tuple[Any, Any]:
    if not isinstance(disk, dict):
        return None, None
    managed = disk.get("managedDisk")
    sku = managed.get("storageAccountType") if isinstance(managed, dict) else None
    return disk.get("diskSizeGB"), str(sku).lower() if sku else None


def data_disk_added(ctx: RuleContext) -> Iterator[Hit]:
    for pointer, op, disk, _ in list_items(ctx, DATA_DISKS):
        if op == "add":
            yield Hit(
                pointer,
                op,
                None,
                disk,
                message=f"{_describe(disk)} is added to the model: new VMs get it at once, existing VMs get a "
                f"new {_content(disk)} when they are upgraded.",
            )


def data_disk_removed(ctx: RuleContext) -> Iterator[Hit]:
    items = list(list_items(ctx, DATA_DISKS))
    added = [d for _, op, d, _ in items if op == "add" and isinstance(d, dict)]
    for pointer, op, disk, _ in items:
        if op != "remove":
            continue
        moved = [d for d in added if _shape(d) == _shape(disk)]
        note = (
            f" This looks like a lun change (lun {disk.get('lun')} -> {moved[0].get('lun')}): Azure keys data "
            "disks by lun, so that is a removal plus a new empty disk, and the data is lost."
            if moved and isinstance(disk, dict)
            else ""
        )
        yield Hit(
            pointer,
            op,
            disk,
            None,
            message=f"{_describe(disk)} is removed from the model: when each VM is upgraded the disk is "
            "detached and deleted (Uniform scale sets always delete model disks), with its data." + note,
        )


_SETTINGS = ("caching", "writeAcceleratorEnabled", "managedDisk/storageAccountType")
_PERFORMANCE = ("diskIOPSReadWrite", "diskMBpsReadWrite")


def _show(value: Any) -> str:
    return "(not set)" if value is None else str(value)
