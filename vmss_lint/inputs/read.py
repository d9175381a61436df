"""Say what an input file is (a scale-set model, a template, a parameters file, a patch, a what-if
result) and build the canonical model from a scale-set document, with its positions on demand.

Reading the file itself (limits, encodings, Bicep, the strict-JSON fast path) is `vmss_lint.arm.files`.
"""

from __future__ import annotations

from typing import Any, Literal

from vmss_lint.arm.files import InputFile
from vmss_lint.core.errors import InputError
from vmss_lint.core.findings import Location
from vmss_lint.core.locate import has_duplicate_keys, value_position
from vmss_lint.core.model import ScaleSetModel
from vmss_lint.core.normalize import normalize
from vmss_lint.core.shapes import detect_shape, identity_of, unwrap_document

Kind = Literal["model", "template", "parameters", "patch", "what-if", "unknown"]


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
        positions = _LazyLocations(file)
    return ScaleSetModel(
        doc=doc,
        source=file.path,
        shape=shape,
        observed=_looks_observed(raw),
        subscription=subscription,
        resource_group=resource_group,
        positions=positions,
    )


_SINGLE_LOOKUPS = 64
"""Single position lookups a file answers by walking its text before it builds the whole table."""


class _LazyLocations(dict[str, Location]):
    """Source positions of a model file, computed on first use (most comparisons report few findings)."""

    def __init__(self, file: InputFile) -> None:
        super().__init__()
        self._file: InputFile | None = file
        self._single: dict[str, Location | None] = {}  # memoized single lookups, misses included
        self._unique_keys: bool | None = None  # no object repeats a key (found on the first lookup)

    def _fill(self) -> None:
        if self._file is not None:
            file, self._file = self._file, None
            path = file.path
            self.update({p: Location(path, pos[0], pos[1]) for p, pos in file.parsed.positions.items()})

    def get(self, key: str, default: Any = None) -> Any:
        file = self._file
        if file is not None and file.strict_text is not None and len(self._single) < _SINGLE_LOOKUPS:
            # One lookup (a finding's line): walk to it instead of recording every position. Each walk
            # may skip every sibling, so past a few dozen (10,000 changed tags) the table is cheaper.
            if key not in self._single:
                if self._unique_keys is None:
                    self._unique_keys = not has_duplicate_keys(file.strict_text)
                pos = value_position(file.strict_text, key, unique_keys=self._unique_keys)
                self._single[key] = None if pos is None else Location(file.path, pos[0], pos[1])
            found = self._single[key]
            return default if found is None else found
        self._fill()
        return super().get(key, default)

    def __getitem__(self, key: str) -> Location:
        self._fill()
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._fill()
        return super().__contains__(key)

    def __iter__(self) -> Any:
        self._fill()
        return super().__iter__()

    def __len__(self) -> int:
        self._fill()
        return super().__len__()

    def items(self) -> Any:
        self._fill()
        return super().items()

    def keys(self) -> Any:
        self._fill()
        return super().keys()

    def values(self) -> Any:
        self._fill()
        return super().values()


def _looks_observed(raw: dict[str, Any]) -> bool:
    """A document Azure returned (GET, az, PowerShell) carries server-populated fields."""
    lowered = {k.lower() for k in raw}
    props = raw.get("properties") if isinstance(raw.get("properties"), dict) else raw
    inner = {k.lower() for k in props} if isinstance(props, dict) else set()
    markers = {"provisioningstate", "uniqueid", "timecreated", "etag", "resourcegroup", "resourcegroupname"}
    return bool((lowered | inner) & markers)
