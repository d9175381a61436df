"""A likely swap of CURRENT and PROPOSED, said once as a warning notice.

`vmss-lint check A B` judges B as the change to A. Swapping them (the template first, `az vmss show`
second) reverses every change: what the template adds reads as removed, and the run still exits 0 with
a handful of infos that make no sense. The two sides tell which is which: only a scale set that exists
reports what Azure maintains itself (`provisioningState`, `uniqueId`, `timeCreated`, `etag`,
`instanceView`, ...), and a template is never what runs now.

Decisions:

* A notice, not a rule finding: it is about how the command was called, not about the change, and a
  rule finding would be suppressible per pointer and counted against `--fail-on`. The exit code is
  unchanged (whatever the rules say); the notice starts with `warning:` and is in every format's
  notices (text, github, JSON `notices`, SARIF run properties).
* Said only when the evidence points one way: PROPOSED has live read-only fields and CURRENT has none,
  or CURRENT is a template while PROPOSED is a live model. A proposed model copied from `az vmss show`
  and edited (both sides live) is the common, correct case and says nothing.
"""

from __future__ import annotations

from typing import Any

from vmss_lint.core.shapes import unwrap_document
from vmss_lint.report.document import WARNING_NOTICE

# What only Azure writes: present in a GET of a running scale set, never in a template or a PUT body.
LIVE_ONLY = ("provisioningState", "uniqueId", "timeCreated", "etag", "instanceView", "systemData")
_LOWER = {k.lower(): k for k in LIVE_ONLY}


def live_fields(value: Any) -> list[str]:
    """The live-only fields a document carries, at its top level or in `properties` (any case: the
    PowerShell shape is PascalCase and flat)."""
    doc = unwrap_document(value, "")
    if not isinstance(doc, dict):
        return []
    found: list[str] = []
    properties = doc.get("properties")
    for container in (doc, properties if isinstance(properties, dict) else {}):
        for key in container:
            name = _LOWER.get(str(key).lower())
            if name is not None and name not in found:
                found.append(name)
    return sorted(found, key=LIVE_ONLY.index)


def swap_notice(
    current: Any, proposed: Any, current_kind: str, current_name: str, proposed_name: str
) -> str | None:
    """The warning notice when CURRENT and PROPOSED look swapped, else None."""
    proposed_live = live_fields(proposed)
    if not proposed_live:
        return None
    if current_kind == "template":
        why = f"CURRENT ({current_name}) is a template"
    elif current_kind == "model" and not live_fields(current):
        why = f"CURRENT ({current_name}) has none of them"
    else:
        return None
    return (
        f"{WARNING_NOTICE}CURRENT and PROPOSED look swapped: PROPOSED ({proposed_name}) has what only a running scale "
        f"set reports ({', '.join(proposed_live)}) and {why}. The first file is CURRENT (what runs now, "
        "e.g. `az vmss show`), the second PROPOSED (what you deploy): if they are the wrong way round, every "
        "change is judged backwards."
    )
