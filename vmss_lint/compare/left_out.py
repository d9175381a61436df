"""What a deployment of the proposed side leaves out that the current side has (VMSS010).

Microsoft's sources disagree on what happens to it (vmss-change-semantics-2026.md §4): Compute keeps an
omitted property, ARM's deployment-modes page says a redeploy resets it. So these subtrees are listed, once
each, as notices for the report, never as changes: `vmss_lint.compare.compare` does not see them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from vmss_lint.compare import _WRITE_ONLY_KEYS, _child
from vmss_lint.compare.equal import KEYED_LISTS, _element_keys, _empty
from vmss_lint.core.findings import Hit, Severity
from vmss_lint.core.model import WRITE_ONLY_POINTERS, ScaleSetModel
from vmss_lint.core.normalize import FREE_FORM
from vmss_lint.core.values import is_unknown

LEFT_OUT_RULE = "VMSS010"


class LeftOut(NamedTuple):
    """A subtree the current side has and a deployment of the proposed side leaves out (or sends null).

    A NamedTuple rather than a dataclass: it is created at every start-up, and a frozen dataclass costs
    a cold run about ten times as much to define."""

    pointer: str
    old: Any
    holds_list: bool  # extensions, disks, NICs, pools, a public IP inside: may be removed (§4.2), so warning


def left_out(current: ScaleSetModel, proposed: ScaleSetModel) -> list[LeftOut]:
    """Every top-most subtree present on `current` and absent from `proposed`, in document order.

    Against a model read from Azure only subtrees that hold extensions, disks, NICs, pools or a per-VM
    public IP are listed: a GET returns every defaulted scalar, and a template that does not repeat a
    default is the normal case, not news.
    """
    out: list[LeftOut] = []
    _left(current.doc, proposed.doc, "", "", out, current.observed)
    return out


def _left(old: Any, new: Any, pointer: str, key: str, out: list[LeftOut], lists_only: bool) -> None:
    if isinstance(old, list) and isinstance(new, list) and key in KEYED_LISTS:
        # Paired as `compare` pairs them: by key, the n-th of a repeated key with the n-th.
        field = KEYED_LISTS[key]
        by_key = dict(zip(_element_keys(field, old), old, strict=True))
        for i, (k, item) in enumerate(zip(_element_keys(field, new), new, strict=True)):
            if k[0] is not None and k in by_key:
                _left(by_key[k], item, f"{pointer}/{i}", "", out, lists_only)
        return
    if not isinstance(old, dict) or not isinstance(new, dict) or key in FREE_FORM:
        return
    for k, v in old.items():
        if v is None or v == [] or v == {} or k in _WRITE_ONLY_KEYS or is_unknown(v):
            continue
        child = _child(pointer, k)
        # `_write_only(child, k)` without splitting the pointer: every key above `child` passed this
        # test on the way down (the rest are list indexes), so only the key and the whole pointer remain.
        if child in WRITE_ONLY_POINTERS:
            continue
        counterpart = new.get(k)
        if counterpart is not None:
            # An equal subtree leaves nothing out, and most of a model is unchanged: one C-speed
            # comparison instead of a walk (left_out was 8 % of an in-process pair).
            if counterpart is not v and counterpart != v:
                _left(v, counterpart, child, k, out, lists_only)
            continue
        holds = _holds_list(k, v)
        if holds or not lists_only:
            out.append(LeftOut(child, v, holds))


# What a deployment may drop by leaving it out (§4.2): lists of things Azure attaches (extensions, data
# disks, NICs, pools) and the per-VM public IP. Lists of enum values (scaleInPolicy.rules) are not among them.
_MAY_BE_REMOVED = frozenset({*KEYED_LISTS, "publicIPAddressConfiguration"})


def _holds_list(key: str, value: Any) -> bool:
    if key in _MAY_BE_REMOVED and not _empty(value):
        return True
    if isinstance(value, dict) and key not in FREE_FORM:
        return any(_holds_list(k, v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_list(key, v) for v in value if isinstance(v, dict))
    return False


def left_out_hits(current: ScaleSetModel, proposed: ScaleSetModel) -> list[tuple[str, Hit]]:
    """VMSS010's meta hits, one per subtree `left_out` finds: a warning where lists inside may be removed,
    else info. Where the sources disagree the finding says so and stays at most a warning."""
    hits: list[tuple[str, Hit]] = []
    for item in left_out(current, proposed):
        what = "it (and its lists) may be removed (not confirmed)" if item.holds_list else "it is kept"
        hit = Hit(
            item.pointer,
            "remove",
            item.old,
            None,
            message=f"{item.pointer} is left out of this deployment: Compute keeps it; ARM's docs say a "
            f"redeploy resets it. By Compute's rule {what}; write it into the template as it should be",
            severity=Severity.WARNING if item.holds_list else Severity.INFO,
        )
        hits.append((LEFT_OUT_RULE, hit))
    return hits
