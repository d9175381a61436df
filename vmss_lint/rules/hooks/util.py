"""Small helpers shared by the catalog hooks (rows 44-85 of the change-semantics catalog).

Keyed lists reach a hook in two forms: per element (`.../dataDisks/2`, when both sides have the list) or
as the whole list (`.../dataDisks`, when one side has none at all or an edit removed the key). Hooks want
one view of "this element was added / removed", so `list_items` flattens both forms.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from vmss_lint.core.findings import Change, Op
from vmss_lint.core.model import split_pointer
from vmss_lint.engine.run import RuleContext

VMP = "/properties/virtualMachineProfile"
EXTENSIONS = f"{VMP}/extensionProfile/extensions"
HEALTH_EXTENSION_TYPES = frozenset({"applicationhealthlinux", "applicationhealthwindows"})


def list_items(ctx: RuleContext, list_glob: str) -> Iterator[tuple[str, Op, Any, Change]]:
    """(pointer of the element, op, element, change) for every element added to or removed from a list."""
    for change in ctx.changed(list_glob):
        if change.op == "add" and isinstance(change.new, list):
            for i, item in enumerate(change.new):
                yield f"{change.pointer}/{i}", "add", item, change
        elif change.op == "remove" and isinstance(change.old, list):
            for i, item in enumerate(change.old):
                yield f"{change.pointer}/{i}", "remove", item, change
    for change in ctx.changed(list_glob + "/*"):
        if change.op == "add":
            yield change.pointer, "add", change.new, change
        elif change.op == "remove":
            yield change.pointer, "remove", change.old, change


def leaf_changes(ctx: RuleContext, base_glob: str, leaves: Iterable[str]) -> list[Change]:
    """Resolved changes at `base_glob/<leaf>` or below it, for each leaf (a leaf may have several segments)."""
    out: list[Change] = []
    for leaf in leaves:
        out.extend(ctx.changed(f"{base_glob}/{leaf}"))
        out.extend(ctx.changed(f"{base_glob}/{leaf}/**"))
    seen: set[str] = set()
    unique = []
    for change in out:
        if change.pointer not in seen:
            seen.add(change.pointer)
            unique.append(change)
    return unique


def parent_item(ctx: RuleContext, change: Change, depth: int) -> dict[str, Any]:
    """The list element `depth` segments into a change's pointer, on the side that holds it."""
    parts = split_pointer(change.pointer)[:depth]
    pointer = "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)
    side = ctx.current if change.op == "remove" else ctx.proposed
    value = side.get(pointer)
    if not isinstance(value, dict):
        value = ctx.current.get(pointer)
    return value if isinstance(value, dict) else {}


def last_segment(resource_id: Any) -> str:
    """A readable name for a resource id: its last segment."""
    if isinstance(resource_id, dict):
        resource_id = resource_id.get("id")
    return str(resource_id).rstrip("/").rsplit("/", 1)[-1] if resource_id else "(no id)"


def effective_extensions(ctx: RuleContext) -> list[dict[str, Any]]:
    value = ctx.effective(EXTENSIONS)
    return [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []


def extension_type(ext: dict[str, Any]) -> str:
    props = ext.get("properties")
    value = props.get("type") if isinstance(props, dict) else None
    return str(value) if value is not None else ""


def has_health_extension(extensions: list[dict[str, Any]]) -> bool:
    """The Application Health extension can stand in for a load balancer probe (Rolling, repairs)."""
    return any(extension_type(e).lower() in HEALTH_EXTENSION_TYPES for e in extensions)


def is_zonal(ctx: RuleContext) -> bool:
    zones = ctx.effective("/zones")
    return isinstance(zones, list) and len(zones) > 0


def truthy(value: Any) -> bool:
    """ARM coerces "true"/"false" strings; None means not set."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)
