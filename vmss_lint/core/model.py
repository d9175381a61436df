"""`ScaleSetModel`: one scale set, in the canonical ARM/REST shape, plus what we know about where it came from."""

from __future__ import annotations

from typing import Any, Literal

from vmss_lint.core.findings import Hit, Location
from vmss_lint.core.records import Record, field

Shape = Literal["rest", "az", "powershell", "template", "what-if", "edit", "terraform"]

# Azure never returns these in a GET; on a side read from Azure they are unknown, not absent.
WRITE_ONLY_POINTERS = (
    "/properties/virtualMachineProfile/osProfile/adminPassword",
    "/properties/virtualMachineProfile/osProfile/customData",
    "/properties/virtualMachineProfile/userData",
)


class ScaleSetModel(Record, frozen=False):
    """A scale set as vmss-lint compares it.

    `doc` is the canonical resource (REST key casing, `properties` envelopes, no read-only fields).
    `observed` is true when the document came from Azure (REST GET, `az vmss show`, `Get-AzVmss`): its
    write-only fields are then unknown rather than removed. `removed` holds canonical pointers that an
    edit removed explicitly; everything else absent from a proposed model means "not specified".
    """

    doc: dict[str, Any]
    source: str
    shape: Shape
    observed: bool = False
    api_version: str | None = None
    api_detail: str | None = None  # where a template's api_version came from (expression, apiProfile)
    removed: frozenset[str] = frozenset()
    positions: dict[str, Location] = field(default_factory=dict)
    edits: dict[str, str] = field(default_factory=dict)
    secret_pointers: frozenset[str] = frozenset()
    subscription: str | None = None
    resource_group: str | None = None
    notes: list[str] = field(default_factory=list)
    # Facts found while building the model rather than by comparing it (an `az vmss update` aimed at
    # another scale set, a scale set a template no longer manages): (meta rule id, hit).
    meta_hits: list[tuple[str, Hit]] = field(default_factory=list)
    # Set when the tool that deploys this model replaces the scale set instead of updating it (a Terraform
    # plan's delete+create): why, in that tool's words. The engine then says whether Azure needed it.
    replacement: str | None = None

    @property
    def name(self) -> str | None:
        value = self.doc.get("name")
        return value if isinstance(value, str) else None

    @property
    def properties(self) -> dict[str, Any]:
        value = self.doc.get("properties")
        return value if isinstance(value, dict) else {}

    def get(self, pointer: str) -> Any:
        """The value at a canonical pointer, or None when any step is missing."""
        node: Any = self.doc
        for part in split_pointer(pointer):
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and part.isdigit() and part.isascii() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node

    @property
    def upgrade_mode(self) -> str:
        mode = self.get("/properties/upgradePolicy/mode")
        return str(mode) if isinstance(mode, str) and mode else "Manual"

    @property
    def orchestration_mode(self) -> str:
        mode = self.get("/properties/orchestrationMode")
        return str(mode) if isinstance(mode, str) and mode else "Uniform"


def split_pointer(pointer: str) -> list[str]:
    """RFC 6901 tokens; called for every change by every rule, so the common no-escape case is fast."""
    if not pointer:
        return []
    parts = pointer.split("/")[1:]
    if "~" not in pointer:
        return parts
    return [p.replace("~1", "/").replace("~0", "~") for p in parts]


def join_pointer(parts: list[str | int]) -> str:
    texts = [str(p) for p in parts]
    if not any("~" in t or "/" in t for t in texts):
        return "/" + "/".join(texts) if texts else ""
    return "".join("/" + t.replace("~", "~0").replace("/", "~1") for t in texts)
