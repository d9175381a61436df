"""Compare two canonical models the way Azure does, and list the effective changes.

What counts as a change is the whole game for a linter's credibility: reordered extensions, `"true"` for
`true`, `West Europe` for `westeurope` or a resource ID in another casing are not changes to Azure, so
they are not changes here. A property absent from the proposed model is *not specified* (a PATCH or an
incremental deployment keeps the current value), so it is not a removal either; only an explicit
removal (a JSON Patch `remove`, `az vmss update --remove`), `""` for an association (Compute's way to
remove one) or a list element that disappeared from a list that is sent is.

What a *deployment* (a template, a full model PUT) leaves out entirely is a separate question on which
Microsoft's sources disagree (vmss-change-semantics-2026.md §4): Compute says omitted or null is kept,
ARM's deployment-modes page says a redeploy resets it. `compare.left_out` lists those subtrees, once each,
so the report can say so (never as a change, never as an error); `compare.equal` says when two values are
the same to Azure and how list elements are paired. Write-only values (passwords, customData,
protectedSettings) are never listed: Azure does not return them, so leaving them out says nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vmss_lint.compare.equal import (
    KEYED_LISTS,
    SET_LISTS,
    _element_keys,
    _empty,
    _key_value,
    _unknown_id,
    same,
)
from vmss_lint.core.findings import Change
from vmss_lint.core.model import WRITE_ONLY_POINTERS, ScaleSetModel, split_pointer
from vmss_lint.core.normalize import FREE_FORM
from vmss_lint.core.values import is_unknown

__all__ = ["KEYED_LISTS", "SET_LISTS", "compare", "same"]

_WRITE_ONLY_KEYS = frozenset({"protectedSettings", "protectedSettingsFromKeyVault"})
_REMOVED_BY_EMPTY = frozenset({"userData"})


def compare(current: ScaleSetModel, proposed: ScaleSetModel) -> list[Change]:
    """Every effective change from `current` to `proposed`, in document order."""
    # A write-only field (adminPassword, customData...) is unknown on a side read from Azure, unless the
    # proposed side is an edit of it: then the only way it can differ is that an edit set it on purpose.
    write_only_unknown = current.observed and proposed.shape != "edit"
    changes = list(_walk(current.doc, proposed.doc, "", "", write_only_unknown, False))
    for pointer in sorted(proposed.removed):
        old = current.get(pointer)
        if old is not None and not any(c.pointer == pointer for c in changes):
            changes.append(Change(pointer=pointer, op="remove", old=old, new=None))
    if proposed.edits:
        changes = [_with_edit(c, proposed.edits) for c in changes]
    return changes


def _with_edit(change: Change, edits: dict[str, str]) -> Change:
    pointer = change.pointer
    while True:
        if pointer in edits:
            return Change(
                change.pointer, change.op, change.old, change.new, change.unresolved, edits[pointer]
            )
        if not pointer:
            return change
        pointer = pointer.rsplit("/", 1)[0]


def _walk(old: Any, new: Any, pointer: str, key: str, observed: bool, free: bool) -> Iterator[Change]:
    """`free` marks user-owned maps (tags, extension settings): compared key by key, values exactly."""
    if old is new or old == new:
        # Equal in Python means equal for Azure too (Unknowns compare by reason and text), and most of
        # a model is unchanged: one C-speed comparison instead of a walk through the subtree.
        return
    child_free = free or key in FREE_FORM
    if is_unknown(new) or is_unknown(old):
        same_unknown = is_unknown(new) and is_unknown(old) and _unknown_id(old) == _unknown_id(new)
        if not same_unknown:
            reason = getattr(new if is_unknown(new) else old, "reason", "unresolved")
            yield Change(pointer, "replace", _plain(old), _plain(new), unresolved=str(reason))
        return
    if new is None:
        return  # not specified: Azure keeps the current value
    if old is None:
        if _empty(new):
            return
        if observed and _write_only(pointer, key):
            yield Change(
                pointer,
                "replace",
                None,
                new,
                unresolved=f"Azure never returns '{key}' when it reads a scale set, so the current value is unknown",
            )
            return
        if isinstance(new, dict) and not child_free:
            # Descend so that rules written on leaves fire when a whole parent object is added.
            for k, v in new.items():
                yield from _walk(None, v, _child(pointer, k), k, observed, child_free)
            return
        yield Change(pointer, "add", None, new)
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for k, v in new.items():
            yield from _walk(old.get(k), v, _child(pointer, k), k, observed, child_free)
        return
    if isinstance(old, list) and isinstance(new, list) and key in KEYED_LISTS and not free:
        yield from _walk_keyed(old, new, pointer, key, observed)
        return
    if free:
        if old != new:
            yield _leaf_change(pointer, old, new)
        return
    if not same(key, old, new):
        if _first_unknown(new) is not None or _first_unknown(old) is not None:
            yield _leaf_change(pointer, old, new)
            return
        if new == "" and (isinstance(old, dict) or key in _REMOVED_BY_EMPTY):
            # Compute: "" removes an association (proximityPlacementGroup: "") or deletes userData.
            yield Change(pointer, "remove", old, new)
            return
        if _empty(new):
            yield Change(pointer, "remove", old, new)
        else:
            yield Change(pointer, "replace", old, new)


def _walk_keyed(old: list[Any], new: list[Any], pointer: str, key: str, observed: bool) -> Iterator[Change]:
    """Pair elements by their key; an element without its key (or a repeated key) pairs by order.

    An element whose key is unknown (a name from a template parameter without a value) pairs, in order,
    with an element left unmatched on the other side: it may well be the same NIC or extension, so it
    must not turn into a removal plus an addition that rules would judge as real.
    """
    field = KEYED_LISTS[key]
    old_keys = _element_keys(field, old)
    new_keys = _element_keys(field, new)
    old_by_key = {k: i for i, k in enumerate(old_keys)}
    matched: dict[int, int] = {}  # new index -> old index
    for i, k in enumerate(new_keys):
        if k in old_by_key:
            matched[i] = old_by_key[k]
    free_old = [j for j in range(len(old)) if j not in matched.values()]
    for i, k in enumerate(new_keys):
        if i in matched or not free_old:
            continue
        if k[0] is None or _first_unknown(_key_value(field, new[i])) is not None:
            matched[i] = free_old.pop(0)
    for j in list(free_old):
        if _first_unknown(_key_value(field, old[j])) is None and old_keys[j][0] is not None:
            continue
        spare = [i for i in range(len(new)) if i not in matched]
        if spare:
            matched[spare[0]] = j
            free_old.remove(j)
    for i, item in enumerate(new):
        if i in matched and _guessed(field, old[matched[i]], item):
            yield _unknown_identity(f"{pointer}/{i}", field, old[matched[i]], item)
        elif i in matched:
            yield from _walk(old[matched[i]], item, f"{pointer}/{i}", "", observed, False)
        else:
            yield Change(f"{pointer}/{i}", "add", None, item)
    for j in free_old:
        yield Change(f"{pointer}/{j}", "remove", old[j], None)


def _guessed(field: str, old: Any, new: Any) -> bool:
    """Paired by order although the keys may differ: one side's key is unknown and the other's is not
    the same unknown (a `[concat(parameters('vmssName'), '-ext')]` name against `customScript`)."""
    a, b = _key_value(field, old), _key_value(field, new)
    if not (is_unknown(a) or is_unknown(b)):
        return False
    return not (is_unknown(a) and is_unknown(b) and _unknown_id(a) == _unknown_id(b))


def _unknown_identity(pointer: str, field: str, old: Any, new: Any) -> Change:
    """One unresolved change for an element whose identity is a guess: judging its fields against the
    guessed partner would invent changes (a handler change of "the same" extension) that may not exist."""
    unknown = next(v for v in (_key_value(field, new), _key_value(field, old)) if is_unknown(v))
    reason = getattr(unknown, "reason", "unresolved")
    return Change(
        pointer,
        "replace",
        _plain_tree(old),
        _plain_tree(new),
        unresolved=f"its {field} is not known offline ({reason}), so vmss-lint cannot tell whether it is the "
        "same element or a new one",
    )


def _plain_tree(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_tree(v) for v in value]
    return _plain(value)


def _child(pointer: str, key: str) -> str:
    """The pointer of a member: built as the walk descends, escaped only when the key needs it."""
    if "~" in key or "/" in key:
        key = key.replace("~", "~0").replace("/", "~1")
    return f"{pointer}/{key}"


def _first_unknown(value: Any) -> Any:
    """The first unresolved template value inside a list or object (a key in a list of SSH keys...)."""
    if is_unknown(value):
        return value
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            found = _first_unknown(item)
            if found is not None:
                return found
    return None


def _leaf_change(pointer: str, old: Any, new: Any) -> Change:
    """A change of a whole list or object value; unresolved when an unknown hides inside either side."""
    unknown = _first_unknown(new)
    if unknown is None:
        unknown = _first_unknown(old)
    if unknown is not None:
        return Change(pointer, "replace", old, new, unresolved=str(getattr(unknown, "reason", "unresolved")))
    return Change(pointer, "remove" if _empty(new) else "replace", old, new)


def _write_only(pointer: str, key: str) -> bool:
    if pointer in WRITE_ONLY_POINTERS or key in _WRITE_ONLY_KEYS:
        return True
    return any(p in _WRITE_ONLY_KEYS for p in split_pointer(pointer))


def _plain(value: Any) -> Any:
    return f"<unresolved: {getattr(value, 'text', '')}>" if is_unknown(value) else value
