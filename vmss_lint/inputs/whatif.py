"""Read the JSON that `az deployment group what-if --no-pretty-print` prints (or the REST what-if body).

What-if already knows the live model (`before`) and what the deployment will PUT (`after`), so each
scale-set change is linted from exactly those two documents. Child `virtualMachineScaleSets/extensions`
changes are folded into their scale set, as ARM applies them. A string that what-if left as a template
expression (it does so for `reference()` and friends) is unknown, never a value.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from vmss_lint.arm.expressions.api import Unknown, is_expression
from vmss_lint.arm.files import InputFile
from vmss_lint.arm.template_model import normalize_with_unknowns
from vmss_lint.core.errors import InputError
from vmss_lint.core.findings import Location
from vmss_lint.core.model import ScaleSetModel, join_pointer
from vmss_lint.core.normalize import FREE_FORM, canonical_key
from vmss_lint.core.shapes import identity_of

DELETED_NOTE = "what-if: deleted by a complete-mode deployment"
_ID = re.compile(
    r"/providers/microsoft\.compute/virtualmachinescalesets/([^/]+)(?:/extensions/([^/]+))?/?$", re.IGNORECASE
)


def is_whatif(value: Any) -> bool:
    """A what-if result: a `changes` list of `changeType` entries, bare or under `properties`."""
    return _changes(value) is not None


def _changes(value: Any) -> list[Any] | None:
    if (
        isinstance(value, dict)
        and isinstance(value.get("properties"), dict)
        and "changes" in value["properties"]
    ):
        value = value["properties"]
    if isinstance(value, dict) and isinstance(value.get("changes"), list):
        changes: list[Any] = value["changes"]
        if all(isinstance(c, dict) and "changeType" in c for c in changes):
            return changes
    return None


def pairs_from_whatif(
    file: InputFile,
) -> tuple[list[tuple[ScaleSetModel | None, ScaleSetModel | None]], list[str]]:
    """One pair per scale set in the what-if: (before, after), (None, after) created, (before, None) deleted."""
    changes = _changes(file.value)
    if changes is None:
        raise InputError(file.path, "not a what-if result (expected a 'changes' list with 'changeType')")
    base = (
        "/properties/changes" if isinstance(file.value, dict) and "changes" not in file.value else "/changes"
    )
    notices: list[str] = []
    if isinstance(file.value, dict) and file.value.get("error"):
        notices.append(f"{file.path}: the what-if run reported an error; its changes may be incomplete")
    scale_sets: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    extensions: list[tuple[str, str, dict[str, Any], int]] = []
    for i, change in enumerate(changes):
        rid = str(change.get("resourceId") or "")
        match = _ID.search(rid)
        if match is None:
            continue
        kind = str(change.get("changeType", ""))
        if match.group(2) is not None:
            extensions.append((match.group(1).lower(), match.group(2), change, i))
            continue
        if kind.lower() in ("ignore", "unsupported"):
            reason = change.get("unsupportedReason") or "what-if does not evaluate it"
            notices.append(
                f"{file.path}: scale set {match.group(1)} is {kind} in the what-if ({reason}); not checked"
            )
            continue
        key = match.group(1).lower()
        scale_sets[key] = {"change": change, "index": i, "kind": kind.lower(), "rid": rid}
        order.append(key)
    for parent, name, change, i in extensions:
        entry = scale_sets.get(parent)
        if entry is None:
            notices.append(
                f"{file.path}: extension {name} of scale set {parent} changes, but the scale set is not listed"
            )
            continue
        for side in ("before", "after"):
            body = change.get(side)
            if isinstance(body, dict) and isinstance(entry["change"].get(side), dict):
                entry.setdefault(f"{side}_ext", []).append((name, body, f"{base}/{i}/{side}"))
    pairs: list[tuple[ScaleSetModel | None, ScaleSetModel | None]] = []
    for key in order:
        entry = scale_sets[key]
        change, i, kind = entry["change"], entry["index"], entry["kind"]
        before = _model(file, change.get("before"), f"{base}/{i}/before", entry.get("before_ext", []), True)
        after = _model(file, change.get("after"), f"{base}/{i}/after", entry.get("after_ext", []), False)
        if kind == "create":
            pairs.append((None, after))
        elif kind == "delete" and before is not None:
            before.notes.append(DELETED_NOTE)
            pairs.append((before, None))
        elif before is not None and after is not None:
            pairs.append((before, after))
        else:
            notices.append(f"{file.path}: change {i} ({kind}) lacks a before or after model; not checked")
    return pairs, notices


def _model(
    file: InputFile, raw: Any, pointer: str, ext_bodies: list[tuple[str, dict[str, Any], str]], observed: bool
) -> ScaleSetModel | None:
    if not isinstance(raw, dict):
        return None
    body = _unknowns(copy.deepcopy(raw))
    props = body.setdefault("properties", {}) if ext_bodies else None
    vmp = props.setdefault("virtualMachineProfile", {}) if isinstance(props, dict) else None
    if isinstance(vmp, dict):
        exts = vmp.setdefault("extensionProfile", {}).setdefault("extensions", [])
        for name, ext, _ in ext_bodies:
            entry = {"name": name, "properties": _unknowns(copy.deepcopy(ext.get("properties") or {}))}
            found = [
                j
                for j, e in enumerate(exts)
                if isinstance(e, dict) and str(e.get("name", "")).lower() == name.lower()
            ]
            if found:
                exts[found[0]] = entry
            else:
                exts.append(entry)
    doc = normalize_with_unknowns(body, file.path)
    subscription, resource_group = identity_of(raw)
    api = raw.get("apiVersion")
    positions: dict[str, Location] = {}
    if not observed:
        _positions(file, raw, pointer, [], positions, False)
    return ScaleSetModel(
        doc=doc,
        source=file.path,
        shape="what-if",
        observed=observed,
        api_version=api if isinstance(api, str) else None,
        positions=positions,
        subscription=subscription,
        resource_group=resource_group,
    )


def _unknowns(node: Any) -> Any:
    if isinstance(node, str) and is_expression(node):
        return Unknown("what-if could not evaluate this expression before the deployment", node)
    if isinstance(node, dict):
        return {k: _unknowns(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_unknowns(v) for v in node]
    return node


def _positions(
    file: InputFile, raw: Any, pointer: str, parts: list[str | int], out: dict[str, Location], free: bool
) -> None:
    pos = file.parsed.key_positions.get(pointer) or file.parsed.positions.get(pointer)
    if pos is not None:
        out.setdefault(join_pointer(parts), Location(file.path, pos[0], pos[1]))
    if isinstance(raw, dict):
        for key, value in raw.items():
            name = key if free else canonical_key(key)
            _positions(
                file,
                value,
                f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}",
                [*parts, name],
                out,
                free or name in FREE_FORM,
            )
    elif isinstance(raw, list):
        for i, value in enumerate(raw):
            _positions(file, value, f"{pointer}/{i}", [*parts, i], out, free)
