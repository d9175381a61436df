"""Read one input file and say what it is: a scale-set model, a template, a parameters file, a patch.

Every file goes through the same ARM-dialect reader (comments, trailing commas, BOM) so that positions
are always known and a bad file always gets the same kind of one-line message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from vmss_lint.armjson import ParsedJson
from vmss_lint.errors import InputError
from vmss_lint.findings import Location
from vmss_lint.limits import INPUT_BYTES, load_json
from vmss_lint.model import ScaleSetModel
from vmss_lint.normalize import detect_shape, identity_of, normalize, unwrap_document

Kind = Literal["model", "template", "parameters", "patch", "what-if", "unknown"]


@dataclass
class InputFile:
    path: str
    parsed: ParsedJson

    @property
    def value(self) -> Any:
        return self.parsed.value


def read_file(path: str | Path, *, role: str = "input") -> InputFile:
    """Read and parse; a missing, unreadable or malformed file is an InputError naming it."""
    name = str(path)
    if name == "-":
        import sys

        data: bytes = sys.stdin.buffer.read(INPUT_BYTES.value + 1)  # never more than the limit into memory
    else:
        p = Path(path)
        if not p.exists():
            raise InputError(name, f"{role} file does not exist", hint="check the path")
        if p.is_dir():
            raise InputError(name, f"{role} is a directory, not a JSON file")
        try:
            INPUT_BYTES.check(p.stat().st_size, name)  # before reading: a huge file must not fill memory
            data = p.read_bytes()
        except OSError as exc:
            raise InputError(name, f"cannot read {role} file: {exc.strerror}") from None
    return InputFile(name, load_json(data, name))


def parse_text(data: bytes | str, name: str) -> InputFile:
    return InputFile(name, load_json(data, name))


def kind_of(value: Any) -> Kind:
    """Sniff the document kind the way check-jsonschema sniffs file types: by its telling keys."""
    if isinstance(value, list):
        if value and all(isinstance(op, dict) and "op" in op and "path" in op for op in value):
            return "patch"
        if len(value) == 1 and isinstance(value[0], dict) and detect_shape(value[0]):
            return "model"
        return "unknown"
    if not isinstance(value, dict):
        return "unknown"
    schema = str(value.get("$schema", "")).lower()
    if "deploymenttemplate" in schema or ("resources" in value and "$schema" in value):
        return "template"
    if "deploymentparameters" in schema:
        return "parameters"
    if "resources" in value and ("parameters" in value or "contentVersion" in value):
        return "template"
    if isinstance(value.get("changes"), list) and (
        "status" in value or all(isinstance(c, dict) and "changeType" in c for c in value["changes"])
    ):
        return "what-if"
    body = unwrap_document(value, "")
    if isinstance(body, dict) and detect_shape(body):
        return "model"
    return "unknown"


def model_from(file: InputFile, *, value: Any = None, pointer_prefix: str = "") -> ScaleSetModel:
    """Normalize a scale-set document (REST, az or PowerShell shape) read from `file`."""
    raw = unwrap_document(file.value if value is None else value, file.path)
    if not isinstance(raw, dict):
        raise InputError(
            file.path,
            "expected a JSON object describing one scale set",
            hint="pass the output of `az vmss show`, a REST GET body, or Get-AzVmss | ConvertTo-Json",
        )
    shape = detect_shape(raw)
    if shape is None:
        keys = ", ".join(sorted(raw)[:8]) or "none"
        raise InputError(
            file.path,
            f"this JSON is not a virtual machine scale set (top-level keys: {keys})",
            hint="expected a REST/ARM resource with properties.virtualMachineProfile, `az vmss show` output, "
            "or Get-AzVmss | ConvertTo-Json -Depth 100",
        )
    doc = normalize(raw, file.path, shape)
    subscription, resource_group = identity_of(raw)
    positions: dict[str, Location] = {}
    if shape == "rest" and value is None and raw is file.value:
        positions = {p: Location(file.path, pos[0], pos[1]) for p, pos in file.parsed.positions.items()}
    return ScaleSetModel(
        doc=doc,
        source=file.path,
        shape=shape,
        observed=_looks_observed(raw),
        subscription=subscription,
        resource_group=resource_group,
        positions=positions,
    )


def _looks_observed(raw: dict[str, Any]) -> bool:
    """A document Azure returned (GET, az, PowerShell) carries server-populated fields."""
    lowered = {k.lower() for k in raw}
    props = raw.get("properties") if isinstance(raw.get("properties"), dict) else raw
    inner = {k.lower() for k in props} if isinstance(props, dict) else set()
    markers = {"provisioningstate", "uniqueid", "timecreated", "etag", "resourcegroup", "resourcegroupname"}
    return bool((lowered | inner) & markers)
