"""The shape `az vmss show` prints: a canonical model flattened into it, and its paths mapped back.

`az vmss update --set/--add/--remove` paths address this shape (no `properties` envelopes on the scale
set, its NIC and IP configurations, public IPs and extensions), so edits are applied to a flattened copy
of the current model and every edited path is mapped back to a canonical pointer.
"""

from __future__ import annotations

from typing import Any

from vmss_lint.core.model import join_pointer
from vmss_lint.core.normalize import CHILD_KIND, ENVELOPES, FREE_FORM


def to_az_shape(doc: dict[str, Any]) -> dict[str, Any]:
    """The flattened shape `az vmss show` prints, which `az vmss update` paths address."""
    return _flatten(doc, "root")  # type: ignore[no-any-return]


def _flatten(node: Any, kind: str) -> Any:
    if isinstance(node, list):
        return [_flatten(item, kind) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in FREE_FORM:
            out[key] = value
        elif key == "properties" and kind in ENVELOPES and isinstance(value, dict):
            for inner_key, inner in value.items():
                if kind == "ext" and inner_key == "type" and isinstance(inner, str) and "/" in inner:
                    # A flattened `type` with a slash reads as the extension resource's own (read-only)
                    # type; az's unambiguous name for the handler type keeps such a value what it is.
                    out["typePropertiesType"] = inner
                    continue
                out[inner_key] = (
                    inner if inner_key in FREE_FORM else _flatten(inner, CHILD_KIND.get(inner_key, "plain"))
                )
        else:
            out[key] = _flatten(value, CHILD_KIND.get(key, "plain"))
    return out


def az_path_to_pointer(az_doc_path: list[str | int], canonical: dict[str, Any]) -> str:
    """Map a path in the flattened az shape to the canonical pointer (re-inserting `properties`)."""
    parts: list[str | int] = []
    kind = "root"
    node: Any = canonical
    for seg in az_doc_path:
        if isinstance(seg, int):
            parts.append(seg)
            node = node[seg] if isinstance(node, list) and -len(node) <= seg < len(node) else None
            continue
        envelope = ENVELOPES.get(kind)
        if envelope is not None and seg not in envelope:
            parts.append("properties")
            node = node.get("properties") if isinstance(node, dict) else None
        parts.append(seg)
        node = node.get(seg) if isinstance(node, dict) else None
        kind = CHILD_KIND.get(seg, "plain") if seg not in FREE_FORM else "free"
    return join_pointer(parts)
