"""The differential corpus: `az vmss update` arguments generated from real scale-set models.

Deterministic (no randomness), so a disagreement can be replayed. Kinds of edit, per model: every leaf set
with a same-typed, a mistyped and a stringly-typed value; casing variants of the path; `--force-string`;
list removes by index (first, last, out of range) and adds; `[key=value]` filters (matching, missing, wrong
key case); `--remove` of keys; absent properties and absent parents; top-level keys azure-cli does not send;
the typed arguments of `az vmss update`.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vmss_lint.arm.files import read_file
from vmss_lint.inputs.az_shape import to_az_shape
from vmss_lint.inputs.read import model_from

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "models"
MODELS = ("web-rest", "web-rest-aosu", "win-flex", "win-template", "rest-create-ssh", "rest-get-userdata")

GENERATED_PER_MODEL = 120
TYPED_ON = ("web-rest", "win-flex", "rest-create-ssh")
TYPED = [
    "--license-type Windows_Server", "--license-type None", "--priority Spot --max-price -1", "--max-price 0.5",
    "--vm-sku Standard_D4s_v5", "--scale-in-policy OldestVM", "--scale-in-policy NewestVM Default",
    "--force-deletion", "--upgrade-policy-mode Rolling", "--upgrade-policy-mode manual", "--max-surge true",
    "--max-batch-instance-percent 30", "--max-unhealthy-instance-percent 40",
    "--max-unhealthy-upgraded-instance-percent 50", "--pause-time-between-batches PT10S",
    "--enable-cross-zone-upgrade true", "--prioritize-unhealthy-instances false",
    "--enable-auto-os-upgrade true", "--enable-automatic-repairs true --automatic-repairs-grace-period 30",
    "--enable-automatic-repairs false", "--automatic-repairs-action Restart --enable-automatic-repairs true",
    "--enable-terminate-notification true --terminate-notification-time 10",
    "--enable-terminate-notification false", "--ultra-ssd-enabled true", "--ultra-ssd-enabled false",
    "--enable-hibernation true", "--security-type TrustedLaunch", "--security-type Standard",
    "--enable-secure-boot true", "--enable-vtpm false", "--enable-secure-boot true --enable-vtpm true",
    "--user-data hello", "--enable-spot-restore true", "--spot-restore-timeout PT1H",
    "--ppg /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/"
    "Microsoft.Compute/proximityPlacementGroups/ppg1",
    "--zones 1 2", "--zone-balance true", "--disk-controller-type NVMe", "--v-cpus-available 2",
    "--v-cpus-per-core 1", "--enable-osimage-notification true", "--enable-resilient-creation true",
    "--enable-resilient-deletion false", "--custom-data hello", "--ephemeral-os-disk false",
    "--ephemeral-os-disk-placement ResourceDisk", "--capacity-reservation-group None",
    "--enable-proxy-agent true", "--regular-priority-count 2",
]  # fmt: skip


def load(name: str) -> dict[str, Any]:
    """The REST body the loopback GET returns for a fixture (a REST example's 200 response, or the model)."""
    raw = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    if "responses" in raw:
        body = raw["responses"]["200"]["body"]
        assert isinstance(body, dict)
        return body
    assert isinstance(raw, dict)
    return raw


def show_of(name: str) -> dict[str, Any]:
    return to_az_shape(model_from(read_file(str(FIXTURES / f"{name}.json"))).doc)


def _leaves(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list) and node and all(not isinstance(x, (dict, list)) for x in node):
        yield path, node
    elif isinstance(node, list):
        for i, item in enumerate(node[:2]):
            yield from _leaves(item, f"{path}[{i}]")
    else:
        yield path, node


def _lists(node: Any, path: str) -> Iterator[tuple[str, list[Any]]]:
    if isinstance(node, dict):
        for key, value in node.items():
            sub = f"{path}.{key}" if path else key
            if isinstance(value, list):
                yield sub, value
            yield from _lists(value, sub)
    elif isinstance(node, list):
        for i, item in enumerate(node[:1]):
            yield from _lists(item, f"{path}[{i}]")


def _values(value: Any) -> list[str]:
    if isinstance(value, bool):
        return [str(not value).lower(), "True", "FALSE", "'\"true\"'"]
    if isinstance(value, int):
        return [str(value + 1), "4.5", "abc", "'\"7\"'", "null"]
    if isinstance(value, float):
        return ["0.25", "3", "x"]
    if isinstance(value, str):
        return ["changed-value", "5", "true", "'{\"a\": 1}'"]
    if isinstance(value, list):
        return ["'[\"1\"]'", "[1,2]", "'[]'"]
    return ["1", "'\"s\"'"]


def _cased(path: str) -> list[str]:
    head, _, last = path.rpartition(".")
    if not last or last.startswith("["):
        return []
    out = [f"{head}.{last[0].upper() + last[1:]}" if head else last[0].upper() + last[1:]]
    if head:
        out.append(f"{head[0].upper() + head[1:]}.{last}")
    return out


def edits_for(name: str) -> list[str]:
    show = show_of(name)
    out: list[str] = []
    for path, value in _leaves(show, ""):
        if path in ("id", "type", "etag") or "imageReference" in path:
            continue
        for v in _values(value):
            out.append(f"--set {path}={v}")
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            out.append(f"--set {shlex.quote(f'{path}={value}')} --force-string")
        for cased in _cased(path):
            out.append(f"--set {cased}={_values(value)[0]}")
        out.append(f"--remove {path}")
    for path, items in _lists(show, ""):
        out += [f"--remove {path} 0", f"--remove {path} -1", f"--remove {path} 9"]
        if items and isinstance(items[0], dict):
            out.append(f"--add {path} {shlex.quote(json.dumps(items[0]))}")
            if "name" in items[0]:
                out.append(f"--set {path}[name={items[0]['name']}].name=renamed")
                out.append(f"--set {path}[Name={items[0]['name']}].name=renamed")
                out.append(f"--set {path}[name=nope].name=renamed")
        else:
            out.append(f"--add {path} x")
    if len(out) > GENERATED_PER_MODEL:  # a deterministic stride keeps every kind while bounding the run
        step = len(out) / GENERATED_PER_MODEL
        out = [out[int(i * step)] for i in range(GENERATED_PER_MODEL)]
    out += [
        "--set name=other", "--set SinglePlacementGroup=true", "--set singlePlacementGroup=true",
        "--set location=northeurope", "--set tags.env=dev", "--set tags.x.y=1", "--set tags={}",
        "--set zones=[1,2,3]", "--set 'zones=[\"1\",\"2\",\"3\"]'", "--set UpgradePolicy.mode=Rolling",
        "--set upgradePolicy.mode=Rolling", "--set upgradePolicy.MODE=Rolling", "--set overprovision=FALSE",
        "--set sku.capacity=4.5", "--set sku.capacity=-1", "--set sku.Capacity=3", "--set Sku.capacity=3",
        "--set virtualMachineProfile.osProfile.ComputerNamePrefix=x",
        "--set virtualMachineProfile.osProfile.computerNamePrefix=x",
        "--set virtualMachineProfile.licenseType=Windows_Server", "--set virtualMachineProfile.nope.x=1",
        "--set virtualMachineProfile.diagnosticsProfile.bootDiagnostics.enabled=true",
        "--set 'virtualMachineProfile.diagnosticsProfile={\"bootDiagnostics\": {\"enabled\": true}}'",
        "--set virtualMachineProfile.storageProfile.imageReference.version=latest",
        "--set virtualMachineProfile.storageProfile.imageReference={}",
        "--set virtualMachineProfile.userData=aGVsbG8=", "--set platformFaultDomainCount=5",
        "--remove tags", "--remove zones", "--remove nope", "--set =1", "--set a=1 b=2",
        # QA: a --set without `=VALUE` or with an empty value, --remove of a whole list, --add without a value
        "--set tags", "--set tags=", "--set sku.capacity", "--set sku.capacity=", "--set tags.env",
        "--set tags.env=", "--set virtualMachineProfile.licenseType", "--set virtualMachineProfile.licenseType=",
        "--set overprovision", "--remove virtualMachineProfile.extensionProfile.extensions",
        "--remove virtualMachineProfile.networkProfile.networkInterfaceConfigurations", "--add zones",
        "--add virtualMachineProfile.extensionProfile.extensions", "--add tags", "--add sku",
    ]  # fmt: skip
    if name in TYPED_ON:
        out += TYPED
    seen: set[str] = set()
    return [e for e in out if not (e in seen or seen.add(e))]


def corpus() -> list[tuple[str, str]]:
    return [(name, edit) for name in MODELS for edit in edits_for(name)]
