"""Which of Azure's three model shapes a document is, and the containers people save one in.

Read before `core.normalize` turns the document into the canonical REST shape: `detect_shape` picks the
key casing and flattening to undo, `unwrap_document` takes the body out of an x-ms-examples file or a
one-item `az vmss list`, and `identity_of` reads the subscription and resource group from the resource
id or from the CLI and PowerShell extras.
"""

from __future__ import annotations

import re
from typing import Any

from vmss_lint.core.model import Shape

_SCALE_SET_TYPE = "microsoft.compute/virtualmachinescalesets"
_ID_RE = re.compile(r"^/subscriptions/([^/]+)/resourceGroups/([^/]+)/", re.IGNORECASE)


def detect_shape(doc: dict[str, Any]) -> Shape | None:
    """Which of the three model shapes a dict is, or None when it is not a scale set at all."""
    props = doc.get("properties")
    if isinstance(props, dict) and (
        "virtualMachineProfile" in props
        or str(doc.get("type", "")).lower() == _SCALE_SET_TYPE
        or any(k in props for k in ("upgradePolicy", "orchestrationMode"))
    ):
        return "rest"
    if "VirtualMachineProfile" in doc or ("Sku" in doc and "UpgradePolicy" in doc):
        return "powershell"
    lowered = {k.lower() for k in doc}
    if "virtualmachineprofile" in lowered or (
        "upgradepolicy" in lowered and ("sku" in lowered or "orchestrationmode" in lowered)
    ):
        return "az"
    if str(doc.get("type", "")).lower() == _SCALE_SET_TYPE:
        return "rest"
    return None


def unwrap_document(value: Any, source: str) -> Any:
    """Accept the containers people actually save: an x-ms-examples file, a one-item `az vmss list`."""
    if isinstance(value, dict) and isinstance(value.get("responses"), dict) and "parameters" in value:
        responses = value["responses"]
        for status in ("200", "201", "202"):
            body = responses.get(status, {}).get("body") if isinstance(responses.get(status), dict) else None
            if isinstance(body, dict):
                return body
        body = value["parameters"].get("parameters") if isinstance(value["parameters"], dict) else None
        if isinstance(body, dict):
            return body
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        return value[0]
    return value


def identity_of(doc: dict[str, Any]) -> tuple[str | None, str | None]:
    """(subscription, resource group) from the resource id, or from the CLI/PowerShell extras."""
    for key, value in doc.items():
        if key.lower() == "id" and isinstance(value, str):
            match = _ID_RE.match(value)
            if match:
                return match.group(1), match.group(2)
    for key, value in doc.items():
        if key.lower() in ("resourcegroup", "resourcegroupname") and isinstance(value, str):
            return None, value
    return None, None
