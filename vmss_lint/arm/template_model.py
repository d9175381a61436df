"""Turn a resolved template resource into a `ScaleSetModel`: canonical shape, source lines, secrets.

A finding on a template must land on the line a reviewer would edit: the property in the resource,
plus where its value came from when that is a parameter or a variable ("parameters('vmSku') =
prod.parameters.json:6"). Those positions are mapped in `vmss_lint.arm.template_positions`; this module
folds extension resources into the scale set's profile and normalizes the body around its unknowns.
"""

from __future__ import annotations

import copy
from typing import Any

from vmss_lint.arm.expressions.api import (
    Unknown,
)
from vmss_lint.arm.template_options import TemplateContext
from vmss_lint.arm.template_positions import PositionMapper, get_path
from vmss_lint.arm.template_resources import TEMPLATE_ONLY_KEYS, FoundResource
from vmss_lint.core.findings import Hit
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.core.normalize import FREE_FORM, canonical_key, normalize

_EXTENSIONS_PATH: list[str | int] = ["properties", "virtualMachineProfile", "extensionProfile", "extensions"]


def model_from_found(found: FoundResource, context: TemplateContext) -> ScaleSetModel:
    """The scale set as ARM will PUT it, with its extension resources folded into its profile."""
    body: dict[str, Any] = copy.deepcopy(found.body)
    ext_indexes: list[tuple[FoundResource, str]] = []
    for ext in found.extensions:
        short = _extension_name(ext)
        _merge_extension(body, short, ext)
        ext_indexes.append((ext, short))
    doc = normalize_with_unknowns(body, found.origin.file.path)
    mapper = PositionMapper(found.origin, doc)
    mapper.walk(
        {k: v for k, v in found.raw.items() if k.lower() not in TEMPLATE_ONLY_KEYS}, found.pointer, []
    )
    extensions = get_path(doc, _EXTENSIONS_PATH)
    for ext, short in ext_indexes:
        index = _index_by_name(extensions, short)
        if index is not None:
            ext_mapper = PositionMapper(ext.origin, doc)
            raw = {
                k: v
                for k, v in ext.raw.items()
                if k.lower() not in TEMPLATE_ONLY_KEYS and k.lower() != "type"
            }
            ext_mapper.walk(raw, ext.pointer, [*_EXTENSIONS_PATH, index])
            mapper.positions.update(ext_mapper.positions)
            mapper.secrets |= ext_mapper.secrets
    sub = (context.subscription or {}).get("subscriptionId")
    rg = (context.resource_group or {}).get("name")
    meta: list[tuple[str, Hit]] = []
    if found.condition_text is not None:
        reason = found.condition.reason if isinstance(found.condition, Unknown) else "it is unknown"
        meta.append(
            (
                "VMSS001",
                Hit(
                    "",
                    message=f"{found.display_name} is deployed only if its condition {found.condition_text} "
                    f"holds, which cannot be decided offline ({reason}); judged as deployed",
                ),
            )
        )
    return ScaleSetModel(
        doc=doc,
        source=found.origin.file.path,
        shape="template",
        api_version=found.api_version,
        api_detail=found.api_detail,
        positions=mapper.positions,
        secret_pointers=frozenset(mapper.secrets),
        subscription=sub if isinstance(sub, str) else None,
        resource_group=rg if isinstance(rg, str) else None,
        meta_hits=meta,
    )


def normalize_with_unknowns(body: dict[str, Any], source: str) -> dict[str, Any]:
    """`normalize` for a document that holds `Unknown` values (which it would reject or drop).

    Unknowns are cut out of their objects first and put back at their canonical pointers afterwards.
    `body` is modified.
    """
    holes: list[tuple[list[str | int], Unknown]] = []
    _cut_unknowns(body, [], holes)
    doc = normalize(body, source, "rest")
    for path, unknown in holes:
        _put(doc, [canonical_key(p) if isinstance(p, str) else p for p in path], unknown)
    return doc


def _extension_name(ext: FoundResource) -> str:
    if isinstance(ext.name, str):
        return ext.name.rsplit("/", 1)[-1]
    return ext.name_text


def _merge_extension(body: dict[str, Any], name: str, ext: FoundResource) -> None:
    node: Any = body
    for key in ("properties", "virtualMachineProfile", "extensionProfile"):
        node = _child(node, key, {})
        if node is None:
            return
    extensions = _child(node, "extensions", [])
    if not isinstance(extensions, list):
        return
    entry: dict[str, Any] = {"name": name}
    props = next((v for k, v in ext.body.items() if k.lower() == "properties"), None)
    if props is not None:
        entry["properties"] = props
    index = _index_by_name(extensions, name)
    if index is None:
        extensions.append(entry)
    else:
        extensions[index] = entry


def _child(node: Any, key: str, default: Any) -> Any:
    if not isinstance(node, dict):
        return None
    for k, v in node.items():
        if k.lower() == key.lower():
            return v if isinstance(v, type(default)) else None
    node[key] = default
    return default


def _index_by_name(items: Any, name: str) -> int | None:
    if not isinstance(items, list):
        return None
    for i, item in enumerate(items):
        if (
            isinstance(item, dict)
            and isinstance(item.get("name"), str)
            and item["name"].lower() == name.lower()
        ):
            return i
    return None


def _cut_unknowns(node: Any, path: list[str | int], holes: list[tuple[list[str | int], Unknown]]) -> None:
    """Take Unknowns out of objects so normalize's type checks never see them; `_put` puts them back."""
    if isinstance(node, dict):
        for key in list(node):
            value = node[key]
            if isinstance(value, Unknown):
                holes.append(([*path, key], value))
                del node[key]
            elif key not in FREE_FORM and canonical_key(key) not in FREE_FORM:
                _cut_unknowns(value, [*path, key], holes)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _cut_unknowns(value, [*path, i], holes)


def _put(doc: dict[str, Any], path: list[str | int], value: Any) -> None:
    node: Any = doc
    for i, part in enumerate(path[:-1]):
        nxt = path[i + 1]
        if isinstance(node, dict) and isinstance(part, str):
            if part not in node or not isinstance(node[part], dict | list):
                if isinstance(nxt, int):
                    return
                node[part] = {}
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return
    last = path[-1] if path else None
    if isinstance(node, dict) and isinstance(last, str):
        node[last] = value
