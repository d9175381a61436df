"""A Terraform plan (`terraform show -json PLANFILE`) read as pairs of scale-set models.

Each `resource_changes[]` entry of an azurerm scale-set type becomes one pair: `change.before` is the
current side, `change.after` the proposed one (`after_unknown` values are unknown, `*_sensitive` values
secret). Terraform's action decides the pair's kind: `create` is a creation (VMSS005), `delete` deletes
the scale set and every VM in it (VMSS004, a warning), `update` is judged as an edit, and a replacement
(`["delete","create"]` either way round) is judged as if it were applied in place, so that VMSS008 can say
whether Azure needed it (see `vmss_lint.engine.replacement`). Where azurerm itself rolls the instances
after the update (Manual upgrade mode, its `features` defaults), VMSS009 says so.

HashiCorp documents the format (https://developer.hashicorp.com/terraform/internals/json-format); a major
`format_version` other than 1 is refused, since its meaning is not known.
"""

from __future__ import annotations

import re
from typing import Any

from vmss_lint.arm.files import InputFile
from vmss_lint.arm.template_model import normalize_with_unknowns
from vmss_lint.core.errors import InputError
from vmss_lint.core.findings import Hit, Location, Severity
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.inputs.terraform.mapping import MappedSide, map_side, resource_types, table

Pair = tuple[ScaleSetModel | None, ScaleSetModel | None]
DELETED_NOTE = "terraform: the plan deletes this scale set"
REPLACE_RULE = "VMSS008"
PROVIDER_ROLLS_RULE = "VMSS009"
LEGACY_TYPE = "azurerm_virtual_machine_scale_set"
_SUBSCRIPTION = re.compile(r"/subscriptions/([^/]+)", re.IGNORECASE)


def pairs_from_plan(file: InputFile) -> tuple[list[Pair], list[str]]:
    """One pair per azurerm scale set the plan touches; notices for what is not judged and why."""
    plan = file.value
    version = str(plan.get("format_version", ""))
    if version.split(".")[0] != "1":
        raise InputError(
            file.path,
            f"Terraform plan format_version {version!r} is not supported (vmss-lint reads format 1.x)",
            hint="produce the plan with Terraform 0.12 or later: terraform show -json PLANFILE",
        )
    changes = plan.get("resource_changes")
    if not isinstance(changes, list):
        raise InputError(
            file.path,
            "this Terraform plan JSON has no resource_changes list",
            hint="use `terraform show -json PLANFILE` of a saved plan, not of the state",
        )
    features = _vmss_features(plan)
    notices: list[str] = []
    pairs: list[Pair] = []
    known = resource_types()
    for i, rc in enumerate(changes):
        if not isinstance(rc, dict):
            continue
        rtype = str(rc.get("type", ""))
        address = str(rc.get("address") or f"resource_changes[{i}]")
        if rtype == LEGACY_TYPE:
            notices.append(
                f"{file.path}: {address} is the legacy azurerm_virtual_machine_scale_set resource; "
                "vmss-lint does not map it yet, so this scale set is not checked"
            )
            continue
        if rtype not in known or rc.get("mode", "managed") != "managed":
            continue
        change = rc.get("change")
        if not isinstance(change, dict):
            notices.append(f"{file.path}: {address} has no change object; not checked")
            continue
        actions = [str(a) for a in change.get("actions") or []]
        if actions in (["no-op"], ["read"]):
            continue
        base = f"/resource_changes/{i}/change"
        source = _tf_source(file, rtype, address, rc)
        before = _side(file, rtype, address, change, "before", base, observed=True)
        after = _side(file, rtype, address, change, "after", base, observed=False, source=source)
        for side in (before, after):
            if side is not None and side.notes:
                notices.extend(n for n in side.notes if n.startswith(file.path))
        if actions == ["create"]:
            if after is not None:
                pairs.append((None, after))
        elif actions == ["delete"]:
            if before is not None:
                before.notes.append(DELETED_NOTE)
                pairs.append((before, None))
        elif before is not None and after is not None:
            if "delete" in actions and "create" in actions:
                after.replacement = _replacement_reason(change, rc)
            rolled = _provider_rolls(change, before, features)
            if rolled is not None:
                after.meta_hits.append((PROVIDER_ROLLS_RULE, rolled))
            pairs.append((before, after))
        else:
            notices.append(
                f"{file.path}: {address} ({'/'.join(actions)}) lacks a before or after value; not checked"
            )
    return pairs, notices


def _tf_source(
    file: InputFile, rtype: str, address: str, rc: dict[str, Any]
) -> tuple[str, dict[str, int]] | None:
    """The resource's `.tf` file and attribute lines: the plan's folder for the root module, a child
    module's local `source` folder otherwise (`vmss_lint.inputs.terraform.hcl.module_folder`)."""
    if not isinstance(rc.get("name"), str):
        return None
    from pathlib import Path

    from vmss_lint.inputs.terraform.hcl import attribute_lines, module_folder

    module = rc.get("module_address")
    if not isinstance(module, str):
        module = address.rsplit(".", 2)[0] if address.startswith("module.") else ""
    folder = module_folder(Path(file.path).parent, file.value.get("configuration"), module)
    return attribute_lines(folder, rtype, rc["name"]) if folder is not None else None


def _side(
    file: InputFile,
    rtype: str,
    address: str,
    change: dict[str, Any],
    which: str,
    base: str,
    *,
    observed: bool,
    source: tuple[str, dict[str, int]] | None = None,
) -> ScaleSetModel | None:
    attrs = change.get(which)
    if not isinstance(attrs, dict):
        return None
    unknown = change.get("after_unknown") if which == "after" else None
    sensitive = change.get(f"{which}_sensitive")
    mapped = map_side(rtype, attrs, unknown, sensitive, f"{base}/{which}")
    doc = normalize_with_unknowns(mapped.body, file.path)
    model = ScaleSetModel(
        doc=doc,
        source=f"{file.path} ({address})",
        shape="terraform",
        observed=False,
        positions=_positions(file, mapped, address, source) if not observed else {},
        secret_pointers=frozenset(mapped.secrets),
        subscription=_subscription(attrs),
        resource_group=attrs.get("resource_group_name")
        if isinstance(attrs.get("resource_group_name"), str)
        else None,
    )
    if mapped.unmapped and which == "after":
        before = change.get("before") if isinstance(change.get("before"), dict) else {}
        changed = [a for a in mapped.unmapped if before is None or before.get(a) != attrs.get(a)]
        if changed:
            model.notes.append(
                f"{file.path}: {address}: vmss-lint does not map the azurerm attribute(s) "
                f"{', '.join(changed)} yet; their change is not judged"
            )
    return model


def _positions(
    file: InputFile, mapped: MappedSide, address: str, source: tuple[str, dict[str, int]] | None
) -> dict[str, Location]:
    """Each REST pointer at the line that sets it in the `.tf` source when it can be found (that line is in
    the change under review), else at the plan's value; `valueFrom` names the address and attribute."""
    from vmss_lint.core.normalize import canonical_key
    from vmss_lint.inputs.terraform.hcl import best_line

    out: dict[str, Location] = {}
    parsed = file.parsed
    for rest, (tf_path, plan_ptr) in mapped.origins.items():
        canon = "/".join(canonical_key(p) if not p.isdigit() else p for p in rest.split("/"))
        where = f"{address}.{tf_path}"
        line = best_line(source[1], tf_path) if source is not None else None
        if source is not None and line is not None:
            out[canon] = Location(source[0], line, 1, value_from=where)
            continue
        pos = parsed.key_positions.get(plan_ptr) or parsed.positions.get(plan_ptr)
        if pos is not None:
            out[canon] = Location(file.path, pos[0], pos[1], value_from=where)
    return out


def _subscription(attrs: dict[str, Any]) -> str | None:
    rid = attrs.get("id")
    match = _SUBSCRIPTION.search(rid) if isinstance(rid, str) else None
    return match.group(1) if match else None


def _replacement_reason(change: dict[str, Any], rc: dict[str, Any]) -> str:
    paths = change.get("replace_paths")
    names = []
    if isinstance(paths, list):
        for path in paths:
            if isinstance(path, list) and path:
                names.append(
                    ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(".[", "[")
                )
    reason = rc.get("action_reason")
    text = f"forces replacement: {', '.join(names)}" if names else "the plan replaces it"
    if isinstance(reason, str) and reason:
        text += f" ({reason})"
    return text


def _vmss_features(plan: dict[str, Any]) -> dict[str, bool]:
    """The azurerm provider's `features { virtual_machine_scale_set { ... } }` where the plan records
    them as constants; unset toggles take the provider's defaults (both true)."""
    features = {"roll_instances_when_required": True, "reimage_on_manual_upgrade": True}
    config = plan.get("configuration")
    providers = config.get("provider_config") if isinstance(config, dict) else None
    if not isinstance(providers, dict):
        return features
    for name, provider in providers.items():
        if not isinstance(provider, dict) or provider.get("name", name) != "azurerm":
            continue
        block = _first(_first(provider.get("expressions"), "features"), "virtual_machine_scale_set")
        if isinstance(block, dict):
            for key in features:
                value = block.get(key)
                if isinstance(value, dict) and isinstance(value.get("constant_value"), bool):
                    features[key] = value["constant_value"]
    return features


def _first(node: Any, key: str) -> Any:
    value = node.get(key) if isinstance(node, dict) else None
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _provider_rolls(change: dict[str, Any], before: ScaleSetModel, features: dict[str, bool]) -> Hit | None:
    """azurerm's own instance roll after an update (Manual mode only): what apply does to the VMs."""
    if before.upgrade_mode.lower() != "manual" or not features["roll_instances_when_required"]:
        return None
    old, new = change.get("before") or {}, change.get("after") or {}
    triggers = [a for a in table()["updateInstances"]["attributes"] if old.get(a) != new.get(a) and a in new]
    if not triggers:
        return None
    then = (
        "then reimages each of them (features.virtual_machine_scale_set.reimage_on_manual_upgrade is true): "
        "every VM restarts from its OS image and loses its OS disk's data"
        if features["reimage_on_manual_upgrade"]
        else "(reimage_on_manual_upgrade is false, so no reimage)"
    )
    return Hit(
        "",
        message=f"terraform apply rolls the instances itself: the change to {', '.join(triggers)} under the "
        "Manual upgrade policy makes azurerm update every instance to the new model, one at a time, "
        f"{then}; set features.virtual_machine_scale_set.roll_instances_when_required = false to keep "
        "the rollout in your hands",
        severity=Severity.WARNING if features["reimage_on_manual_upgrade"] else None,
    )
