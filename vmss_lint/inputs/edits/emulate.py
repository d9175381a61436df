"""A planned `az vmss update` turned into the proposed model: the PUT azure-cli would send, merged onto CURRENT.

Each command is one GET-modify-PUT, so a second `--az-update` starts from the model the first one left.
Azure keeps what a PUT omits (absent = unchanged) and a null clears, so the proposed model is CURRENT with
the PUT body laid over it (objects merged, lists and scalars replaced). Edits azure-cli would not send are
reported by VMSS007 instead of being judged; the findings of the others name the edit that caused them.
"""

from __future__ import annotations

import copy
from typing import Any

from vmss_lint.core.findings import Hit
from vmss_lint.core.model import ScaleSetModel, join_pointer
from vmss_lint.core.normalize import normalize
from vmss_lint.inputs.az_shape import az_path_to_pointer, to_az_shape
from vmss_lint.inputs.edits import aaz_put, az_update
from vmss_lint.inputs.edits.az_command import parse_az_update


def emulated_behaviour() -> str:
    """The notice every --az-update run carries, so a reader knows which CLI the result stands for."""
    sch = aaz_put.schema()
    return (
        f"--az-update: emulating azure-cli {sch.cli_version} `az vmss update` (generic update on the "
        f"`az vmss show` dict, PUT built by the AAZ `vmss create` schema, api-version {sch.api_version})"
    )


def merge_put(
    current: dict[str, Any], body: dict[str, Any], removed: set[str], at: tuple[str | int, ...] = ()
) -> dict[str, Any]:
    """CURRENT with the PUT body laid over it; a null in the body clears (its pointer joins `removed`)."""
    out = copy.deepcopy(current)
    for key, value in body.items():
        if value is None:
            if key in out:
                removed.add(join_pointer([*at, key]))
                del out[key]
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_put(out[key], value, removed, (*at, key))
        else:
            out[key] = copy.deepcopy(value)
    return out


def proposed_after(current: ScaleSetModel, command: str, number: int, total: int) -> ScaleSetModel:
    """Apply one planned `az vmss update` as azure-cli would send it."""
    source = f"--az-update #{number}"
    cmd = parse_az_update(command, source=source)
    result = az_update.emulate(to_az_shape(current.doc), cmd, source)
    removed = set(current.removed)
    doc = merge_put(current.doc, normalize(result.body, source, "rest"), removed)
    prefix = f"#{number} " if total > 1 else ""
    edits = dict(current.edits)
    quiet = {edit.label for edit, _ in result.no_effect}
    for trace in result.traces:
        if trace.label in quiet:
            continue
        if trace.removed_path is not None:
            pointer = az_path_to_pointer(list(trace.removed_path), current.doc)
        else:
            pointer = az_path_to_pointer(list(trace.path), doc)
        edits[pointer] = prefix + trace.label
    meta_hits = list(current.meta_hits)
    mismatch = az_update.check_target(cmd, current.resource_group, current.name, current.subscription)
    if mismatch is not None:
        meta_hits.append(("VMSS006", Hit("", None, None, None, message=f"{source}: {mismatch}")))
    for edit, why in result.no_effect:
        message = f"{source}: {prefix}{edit.label} has no effect: {why}"
        meta_hits.append(("VMSS007", Hit("", None, None, None, message=message)))
    return ScaleSetModel(
        doc=doc,
        source=current.source if current.shape == "edit" else f"{current.source} + {source}",
        shape="edit",
        api_version=current.api_version,
        removed=frozenset(removed),
        edits=edits,
        subscription=current.subscription,
        resource_group=current.resource_group,
        meta_hits=meta_hits,
    )
