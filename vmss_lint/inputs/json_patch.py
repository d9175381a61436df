"""`--patch`: an RFC 6902 JSON Patch applied to CURRENT as given (its paths are in that document's shape).

Every failure names the op (numbered from 1) and the reason, never the document: jsonpatch's own messages
quote whole values, secrets included. The patched document is bounded before each op is applied (a few
`copy` ops can each double it), and a value copied or moved from a secret stays a secret. Split from
`sources` (which decides what the command line's files are) because this is the one edit format with its
own library and its own failure modes.
"""

from __future__ import annotations

import copy
from typing import Any

from vmss_lint.arm.files import InputFile, read_file
from vmss_lint.core.errors import InputError
from vmss_lint.core.limits import PATCH_OPS
from vmss_lint.core.model import ScaleSetModel, join_pointer
from vmss_lint.core.normalize import canonical_key, normalize
from vmss_lint.core.redact import is_secret_pointer, remember, safe_value
from vmss_lint.core.shapes import detect_shape, unwrap_document
from vmss_lint.inputs.az_shape import az_path_to_pointer
from vmss_lint.inputs.read import model_from


def apply_patch_file(current_file: InputFile, patch_path: str) -> ScaleSetModel:
    """Apply an RFC 6902 patch to the current document as given (its paths are in that document's shape)."""

    patch_file = read_file(patch_path, role="patch")
    return apply_patch(current_file, patch_file.value, patch_path)


def apply_patch(current_file: InputFile, ops: Any, patch_path: str) -> ScaleSetModel:
    """Apply parsed patch operations; every failure names the op's index, its path and the reason."""
    import jsonpatch
    import jsonpointer

    if not isinstance(ops, list):
        raise InputError(patch_path, "a JSON Patch must be a list of operations")
    PATCH_OPS.check(len(ops), patch_path)  # each op copies the document: a huge patch would take minutes
    doc = copy.deepcopy(unwrap_document(current_file.value, current_file.path))
    base = model_from(current_file)
    removed: set[str] = set()
    edits: dict[str, str] = {}
    secrets: set[str] = set(base.secret_pointers)
    shape = detect_shape(doc) if isinstance(doc, dict) else None
    size = _PatchedSize(doc, patch_path)
    # Numbered from 1, as `--az-update` edits are (`--set #1 ...`): a user counts the ops they wrote.
    for index, op in enumerate(ops, 1):
        where = f"op #{index}"
        if (
            not isinstance(op, dict)
            or not isinstance(op.get("op"), str)
            or not isinstance(op.get("path"), str)
        ):
            raise InputError(patch_path, "malformed operation: needs string 'op' and 'path'", where=where)
        where = f"op #{index} ({op['op']} {op['path']})"
        if is_secret_pointer(op["path"]):
            remember(op.get("value"))
        size.grow(doc, op, where)
        try:
            doc = jsonpatch.JsonPatch([op]).apply(doc, in_place=True)  # `doc` is our copy already
        except jsonpatch.JsonPatchTestFailed:
            raise InputError(
                patch_path,
                _test_failed(doc, op),
                where=where,
                hint="the current model is not what the patch expects",
            ) from None
        except (jsonpatch.JsonPatchConflict, jsonpointer.JsonPointerException) as exc:
            raise InputError(patch_path, f"path does not exist: {_short(exc)}", where=where) from None
        except (jsonpatch.InvalidJsonPatch, TypeError, ValueError, KeyError) as exc:
            raise InputError(patch_path, f"invalid operation: {_short(exc)}", where=where) from None
        pointer = _canonical_pointer(op["path"], shape, base.doc)
        edits[pointer] = f"patch op #{index} ({op['op']} {op['path']})"
        if op["op"] in ("copy", "move") and isinstance(op.get("from"), str):
            source = _canonical_pointer(op["from"], shape, base.doc)
            if is_secret_pointer(source, frozenset(secrets)):
                secrets.add(pointer)  # the value derives from a secret: say that it changed, not what it is
        if op["op"] == "remove":
            removed.add(pointer)
    if not isinstance(doc, dict) or detect_shape(doc) is None:
        raise InputError(patch_path, "after the patch the document is no longer a scale-set model")
    prop_shape = detect_shape(doc) or "rest"
    proposed = ScaleSetModel(
        doc=normalize(doc, patch_path, prop_shape),
        source=f"{current_file.path} + {patch_path}",
        shape="edit",
        api_version=None,
        removed=frozenset(removed),
        edits=edits,
        secret_pointers=frozenset(secrets),
        subscription=base.subscription,
        resource_group=base.resource_group,
    )
    return proposed


class _PatchedSize:
    """An upper bound on the patched document's size, checked before each op is applied: 25 `copy` ops
    that each duplicate the document reached 2.6 GB when only the number of ops was capped."""

    def __init__(self, doc: Any, source: str) -> None:
        from vmss_lint.core.budget import RunBudget

        self.meter = RunBudget  # a class: a new meter per measurement
        self.source = source
        start = RunBudget().measure(doc, source, charge=False)
        self.elements, self.chars = start.elements, start.chars

    def grow(self, doc: Any, op: dict[str, Any], where: str) -> None:
        """Add what `op` can add (its value, or the subtree it copies); removals are not subtracted."""
        import jsonpointer

        from vmss_lint.core.budget import BudgetExceeded
        from vmss_lint.core.limits import VALUE_CHARS, VALUE_ELEMENTS

        added: Any = None
        if op["op"] in ("add", "replace"):
            added = op.get("value")
        elif op["op"] == "copy" and isinstance(op.get("from"), str):
            try:
                added = jsonpointer.resolve_pointer(doc, op["from"], None)
            except jsonpointer.JsonPointerException:
                return  # jsonpatch reports the bad pointer
        else:
            return
        try:
            # A fresh meter each time: the document is patched in place, so remembered sizes go stale.
            grown = self.meter().measure(added, self.source, charge=False)
        except BudgetExceeded as exc:
            raise exc.limit.exceeded(self.source, exc.actual, where=where) from None
        self.elements += grown.elements
        self.chars += grown.chars
        VALUE_ELEMENTS.check(self.elements, self.source, where=where)
        VALUE_CHARS.check(self.chars, self.source, where=where)


def _canonical_pointer(path: str, shape: str | None, canonical: dict[str, Any]) -> str:
    import jsonpointer

    try:
        parts: list[str | int] = [
            int(p) if p.isdigit() and p.isascii() else p for p in jsonpointer.JsonPointer(path).parts
        ]
    except jsonpointer.JsonPointerException:
        return path
    parts = [canonical_key(p) if isinstance(p, str) else p for p in parts]
    if shape in ("az", "powershell"):
        return az_path_to_pointer(parts, canonical)
    return join_pointer(parts)


def _test_failed(doc: Any, op: dict[str, Any]) -> str:
    """A failed `test` op, its two values shown the way findings show them: secrets described, never
    printed (jsonpatch's own message quotes both values whole)."""
    import json

    import jsonpointer

    path = op["path"]
    actual = jsonpointer.resolve_pointer(doc, path, None)

    def shown(value: Any) -> str:
        text = json.dumps(safe_value(path, value), ensure_ascii=False, default=str)
        return text if len(text) <= 120 else text[:117] + "..."

    return f"test failed: the current value is {shown(actual)}, the patch tests for {shown(op.get('value'))}"


def _short(exc: Exception) -> str:
    """jsonpatch/jsonpointer messages can embed the whole document (and its secrets): keep the reason only."""
    text = str(exc).split(" in {", 1)[0].split(" in [", 1)[0]
    return text if len(text) <= 200 else text[:197] + "..."
