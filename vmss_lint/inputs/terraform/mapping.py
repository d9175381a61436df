"""azurerm scale-set attributes onto the Microsoft.Compute REST model, driven by `vmss_lint/data/azurerm.json`.

The table is data so that it can be read, reviewed and rendered into the docs (`docs/terraform.md`); this
module only knows the handful of transforms the table names. A Terraform value that is "known after apply"
becomes `Unknown` (never a made-up value), and a sensitive one is recorded by its REST pointer so that it
is never printed. An attribute the table does not know is listed, so a change to it is never silent.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from vmss_lint.arm.expressions.api import Unknown
from vmss_lint.core.package_files import package_files
from vmss_lint.core.records import Record, field

Entry = dict[str, Any]


@cache
def table() -> dict[str, Any]:
    """The mapping table (read once per process)."""
    text = package_files("vmss_lint.data").joinpath("azurerm.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def resource_types() -> tuple[str, ...]:
    return tuple(table()["resources"])


def entries_for(resource_type: str) -> list[Entry]:
    spec = table()["resources"][resource_type]
    return [e for group in spec["fields"] for e in table()["fields"][group]]


class MappedSide(Record, frozen=False):
    """One side of a resource change, in the REST shape, with where each value came from."""

    body: dict[str, Any]
    # REST pointer -> (Terraform attribute path such as `os_disk[0].caching`, JSON pointer in the plan)
    origins: dict[str, tuple[str, str]] = field(default_factory=dict)
    secrets: set[str] = field(default_factory=set)
    unmapped: list[str] = field(default_factory=list)


KNOWN_AFTER_APPLY = "Terraform knows this value only after apply"


def map_side(
    resource_type: str, attrs: dict[str, Any], unknown: Any, sensitive: Any, plan_pointer: str
) -> MappedSide:
    """Map one `before` or `after` object (with its `*_unknown` / `*_sensitive` mirrors) to a REST body."""
    spec = table()["resources"][resource_type]
    side = MappedSide(body={"type": "Microsoft.Compute/virtualMachineScaleSets", "properties": {}})
    side.body["properties"]["orchestrationMode"] = spec["orchestrationMode"]
    entries = entries_for(resource_type)
    known = {e["tf"] for e in entries} | IGNORED
    _map_entries(entries, attrs, unknown, sensitive, side, "", "", plan_pointer)
    for name in sorted(attrs):
        if name not in known and attrs[name] not in (None, [], {}, ""):
            side.unmapped.append(name)
    return side


# Attributes that are Terraform's own bookkeeping or identify the resource rather than configure it.
IGNORED = frozenset(
    {"id", "resource_group_name", "unique_id", "timeouts", "terraform_should_roll_instances_when_required"}
)


def _map_entries(
    entries: list[Entry],
    attrs: dict[str, Any],
    unknown: Any,
    sensitive: Any,
    side: MappedSide,
    rest_base: str,
    tf_base: str,
    plan_base: str,
) -> None:
    for entry in entries:
        name = entry["tf"]
        tf_path = f"{tf_base}.{name}" if tf_base else name
        plan_ptr = f"{plan_base}/{name}"
        rest = rest_base + entry["rest"]
        value = attrs.get(name)
        is_unknown = _mirror(unknown, name) is True
        is_sensitive = _mirror(sensitive, name) is True or _always_sensitive(tf_path)
        if is_unknown:
            _put(side.body, rest, Unknown(KNOWN_AFTER_APPLY, tf_path))
            side.origins[rest] = (tf_path, plan_ptr)
            continue
        if value is None:
            continue
        if is_sensitive:
            side.secrets.add(rest)
        if "fields" in entry:
            items = value if isinstance(value, list) else [value]
            if entry.get("block"):
                if not items or not isinstance(items[0], dict):
                    continue
                sub_unknown = _item(_mirror(unknown, name), 0)
                sub_sensitive = _item(_mirror(sensitive, name), 0)
                if rest not in side.origins:
                    side.origins[rest] = (tf_path, plan_ptr)
                _ensure(side.body, rest)
                _map_entries(
                    entry["fields"],
                    items[0],
                    sub_unknown,
                    sub_sensitive,
                    side,
                    rest,
                    f"{tf_path}[0]",
                    f"{plan_ptr}/0",
                )
            else:
                _put(side.body, rest, [{} for _ in items])
                side.origins[rest] = (tf_path, plan_ptr)
                for i, item in enumerate(items):
                    if isinstance(item, dict):
                        _map_entries(
                            entry["fields"],
                            item,
                            _item(_mirror(unknown, name), i),
                            _item(_mirror(sensitive, name), i),
                            side,
                            f"{rest}/{i}",
                            f"{tf_path}[{i}]",
                            f"{plan_ptr}/{i}",
                        )
            continue
        converted = _transform(entry.get("transform"), value, _mirror(unknown, name))
        if converted is _SKIP:
            continue
        _put(side.body, rest, converted)
        side.origins[rest] = (tf_path, plan_ptr)


_SKIP: Any = object()


def _transform(kind: str | None, value: Any, unknown: Any) -> Any:
    if kind is None:
        return _unknown_items(value, unknown)
    if kind == "id":
        return {"id": value} if value != "" else _SKIP
    if kind == "ids":
        if not isinstance(value, list):
            return _SKIP
        return [
            {"id": v} if _item(unknown, i) is not True else Unknown(KNOWN_AFTER_APPLY, "id")
            for i, v in enumerate(value)
        ]
    if kind == "json":
        if isinstance(value, str):
            try:
                return json.loads(value) if value.strip() else _SKIP
            except ValueError:
                return value
        return value
    if kind == "ssh_keys":
        if not isinstance(value, list):
            return _SKIP
        keys = []
        for key in value:
            if isinstance(key, dict):
                user = key.get("username")
                keys.append({"path": f"/home/{user}/.ssh/authorized_keys", "keyData": key.get("public_key")})
        return keys
    if kind == "identity":
        items = value if isinstance(value, list) else [value]
        if not items or not isinstance(items[0], dict):
            return _SKIP
        block = items[0]
        out: dict[str, Any] = {"type": block.get("type")}
        ids = block.get("identity_ids")
        if ids:
            out["userAssignedIdentities"] = {i: {} for i in ids}
        return out
    if kind == "boot_diagnostics":
        items = value if isinstance(value, list) else [value]
        if not items:
            return {"enabled": False}
        block = items[0] if isinstance(items[0], dict) else {}
        uri = block.get("storage_account_uri")
        return {"enabled": True, "storageUri": uri} if uri else {"enabled": True}
    if kind == "scale_in_rule":
        return [value] if isinstance(value, str) and value else _SKIP
    raise ValueError(f"azurerm.json names an unknown transform {kind!r}")


def _unknown_items(value: Any, unknown: Any) -> Any:
    """A list attribute some of whose items are known only after apply (`zones`, `dns_servers`)."""
    if isinstance(value, list) and isinstance(unknown, list):
        return [
            Unknown(KNOWN_AFTER_APPLY, "item") if _item(unknown, i) is True else v
            for i, v in enumerate(value)
        ]
    return value


def _always_sensitive(tf_path: str) -> bool:
    bare = ".".join(part.split("[")[0] for part in tf_path.split("."))
    return bare in table()["sensitive"] or bare.rsplit(".", 1)[-1] in ("protected_settings", "admin_password")


def _mirror(mirror: Any, name: str) -> Any:
    """The `after_unknown` / `after_sensitive` entry for one attribute (`true` covers everything below)."""
    if mirror is True:
        return True
    return mirror.get(name) if isinstance(mirror, dict) else None


def _item(mirror: Any, index: int) -> Any:
    if mirror is True:
        return True
    return mirror[index] if isinstance(mirror, list) and index < len(mirror) else None


def _parts(pointer: str) -> list[str]:
    return [p for p in pointer.split("/")[1:]] if pointer else []


def _ensure(doc: dict[str, Any], pointer: str) -> Any:
    node: Any = doc
    for part in _parts(pointer):
        if isinstance(node, list):
            node = node[int(part)]
            continue
        nxt = node.get(part)
        if not isinstance(nxt, dict | list):
            nxt = node[part] = {}
        node = nxt
    return node


def _put(doc: dict[str, Any], pointer: str, value: Any) -> None:
    parts = _parts(pointer)
    parent = _ensure(doc, "/" + "/".join(parts[:-1])) if len(parts) > 1 else doc
    if isinstance(parent, list):
        parent[int(parts[-1])] = value
    else:
        parent[parts[-1]] = value
