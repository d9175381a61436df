"""Every property path of the Microsoft.Compute VirtualMachineScaleSet model, and how vmss-lint classifies it.

"No silent property" (issue 13, item 5): a change to any property of the newest model must produce a
finding. A path is *classified* when a rule watches it (a data rule's `path`/`paths`/constraint `report`,
or a hook rule's `covers`), when `vmss_lint/data/model_only.json` lists it as a model-only change with
its reason, or when the REST model marks it read-only. A change to any other path is reported by VMSS701
as an `info` ("not classified yet"); that is how a property newer than vmss-lint reaches the user.

The list of paths comes from the `azure-mgmt-compute` SDK (its models are generated from the REST spec)
and is checked in as `vmss_lint/data/sdk_properties.json`, so the runtime never imports the SDK:
`python -m vmss_lint.engine.properties` regenerates the file from the installed SDK (a test fails when it
is stale). Paths are JSON pointers in REST casing with `*` for a list element or a map key.
"""

from __future__ import annotations

import functools
import json
import sys
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vmss_lint.compare import KEYED_LISTS
from vmss_lint.core.model import split_pointer
from vmss_lint.core.package_files import package_files
from vmss_lint.engine.context import glob_match

if TYPE_CHECKING:
    from vmss_lint.engine.spec import RuleSpec

DATA = Path(__file__).resolve().parent.parent / "data"
SDK_FILE = "sdk_properties.json"
CLASSES_FILE = "property_classes.json"


# ---- the runtime side: is a change's pointer classified? ----------------------------------------------


@functools.cache
def _data(name: str) -> dict[str, Any]:
    text = package_files("vmss_lint.data").joinpath(name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def readonly_paths() -> list[str]:
    """Paths the REST model marks read-only (the service sets them; a change there is not the user's)."""
    return list(_data(SDK_FILE)["readonly"])


def listed(section: str) -> dict[str, str]:
    """A section of property_classes.json: `model_only`, `keys` or `unsourced`, path -> reason."""
    return dict(_data(CLASSES_FILE)[section])


def unclassified_message(pointer: str, globs: typing.Sequence[str]) -> str | None:
    """VMSS701's text for a change at `pointer`, or None when the change is classified."""
    return _classifier(tuple(globs)).message(pointer)


@functools.lru_cache(maxsize=8)
def _classifier(globs: tuple[str, ...]) -> _Classifier:
    return _Classifier(globs)


class _Classifier:
    """The classification of one rule set, indexed once: a run asks it about every change."""

    def __init__(self, globs: tuple[str, ...]) -> None:
        known = [*globs, *readonly_paths(), *listed("model_only"), *listed("keys")]
        self.known = GlobIndex(known)
        self.leaves = GlobIndex(_data(SDK_FILE)["paths"], blocks=False)

    # Built on the first change no rule classifies (rare): most runs never need them.
    @functools.cached_property
    def unsourced(self) -> list[tuple[GlobIndex, str]]:
        return [(GlobIndex([g]), reason) for g, reason in listed("unsourced").items()]

    @functools.cached_property
    def any_unsourced(self) -> GlobIndex:
        return GlobIndex(list(listed("unsourced")))

    def message(self, pointer: str) -> str | None:
        parts = self._whole_value(split_pointer(pointer))
        if self.known.covers(parts):
            return None
        shown = "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)
        if self.any_unsourced.covers(parts):
            reason = next(r for index, r in self.unsourced if index.covers(parts))
            return (
                f"{shown} changes: vmss-lint has no source on how an existing scale set takes this change "
                f"(accepted in place, applied through the upgrade policy, or refused): {reason}. Check "
                "Microsoft's documentation of the property."
            )
        return (
            f"{shown} changes: this property is not classified yet (newer than the model vmss-lint knows, "
            f"{_data(SDK_FILE)['sdk']}); vmss-lint cannot tell how Azure takes the change."
        )

    def _whole_value(self, parts: list[str]) -> list[str]:
        """The model path a change sits in: an edit inside a value compared whole (`/zones/1` of the
        zones list) is a change of that value."""
        for end in range(1, len(parts)):
            if self.leaves.covers(parts[:end]):
                return parts[:end]
        return parts


_DEPTH = 3  # literal leading segments a glob is indexed by


class GlobIndex:
    """Pointer globs bucketed by their literal leading segments (up to three), so that a pointer is
    tried only against the globs that can match it: a run asks about every change, and a rule pack has
    hundreds of globs. `covers` is `classified` over the indexed globs; with `blocks=False` a pointer
    must match a glob itself (no whole-block rule)."""

    def __init__(self, globs: typing.Iterable[str], *, blocks: bool = True) -> None:
        self.blocks = blocks
        self.exact: dict[tuple[str, ...], list[list[str]]] = {}
        self.longer: dict[tuple[str, ...], list[list[str]]] = {}
        for glob in globs:
            pattern = split_pointer(glob)
            key: list[str] = []
            for part in pattern[:_DEPTH]:
                if part in ("*", "**"):
                    break
                key.append(part)
            self.exact.setdefault(tuple(key), []).append(pattern)
            for j in range(len(key)):
                self.longer.setdefault(tuple(key[:j]), []).append(pattern)

    def covers(self, parts: list[str]) -> bool:
        for size in range(min(_DEPTH, len(parts)) + 1):
            for pattern in self.exact.get(tuple(parts[:size]), ()):
                if glob_match(pattern, parts) or (self.blocks and _prefix_of(parts, pattern)):
                    return True
        if self.blocks and len(parts) < _DEPTH:
            return any(_prefix_of(parts, p) for p in self.longer.get(tuple(parts), ()))
        return False


def pack_globs(specs: typing.Iterable[RuleSpec]) -> list[str]:
    """Every glob any loaded rule watches (selection does not matter: a rule classifies a path)."""
    return [g for spec in specs for g in _spec_globs(spec)]


_SPEC_GLOBS: dict[int, tuple[RuleSpec, list[str]]] = {}


def _spec_globs(spec: RuleSpec) -> list[str]:
    """`rule_globs` once per spec object (a spec is frozen; the entry keeps it alive, so its id is not
    reused): every linted pair asks for the globs of every loaded rule."""
    found = _SPEC_GLOBS.get(id(spec))
    if found is None or found[0] is not spec:
        found = _SPEC_GLOBS[id(spec)] = (spec, rule_globs(spec))
    return found[1]


def rule_globs(spec: RuleSpec) -> list[str]:
    """The pointer globs a rule watches: its match and case paths, constraint reports, hook `covers`."""
    globs = list(spec.covers)
    for match in [*([spec.match] if spec.match else []), *(spec.cases or [])]:
        paths = [match.path, *match.paths] if match.path else list(match.paths)
        globs += paths
        if match.report == "block":  # a block rule reports every leaf below its path
            globs += [f"{p}/**" for p in paths]
    globs += [c.report for c in spec.constraint or []]
    return globs


def classified(pointer: str, globs: typing.Iterable[str]) -> bool:
    """Whether `pointer` (a change, or a model path with `*`) is watched by one of `globs`.

    A glob covers what it matches (`/**` a whole subtree: free-form maps such as tags or extension
    settings), and a change of a whole block covers the classified properties inside it (the rules of
    its members judge it). An element glob (`.../dataDisks/*`) covers adding or removing the element,
    not a change of one of its members.
    """
    parts = split_pointer(pointer)
    for glob in globs:
        pattern = split_pointer(glob)
        if glob_match(pattern, parts) or _prefix_of(parts, pattern):
            return True
    return False


def _prefix_of(parts: list[str], pattern: list[str]) -> bool:
    if len(parts) >= len(pattern) or "**" in pattern[: len(parts)]:
        return False
    return all(g == "*" or p == "*" or g == p for p, g in zip(parts, pattern, strict=False))


# ---- the generator side: walk the SDK model ----------------------------------------------------------


def sdk_paths() -> tuple[str, list[str], list[str]]:
    """(SDK version, writable leaf paths, read-only paths) of the installed SDK's VirtualMachineScaleSet."""
    from azure.mgmt.compute import _version, models

    writable: set[str] = set()
    readonly: set[str] = set()
    _walk(models, models.VirtualMachineScaleSet, "", writable, readonly, ())
    return f"azure-mgmt-compute {_version.VERSION}", sorted(writable), sorted(readonly)


def _walk(
    models: Any, cls: type, prefix: str, writable: set[str], readonly: set[str], seen: tuple[type, ...]
) -> None:
    hints = typing.get_type_hints(cls, globalns={**vars(models), "_models": models})
    for attr, field in _rest_fields(cls):
        name = field._rest_name_input or attr
        path = f"{prefix}/{name}"
        if field._visibility == ["read"]:
            readonly.add(path)
            continue
        target, suffix = _element(hints.get(attr), keyed=name in KEYED_LISTS)
        path += suffix
        if isinstance(target, type) and hasattr(target, "_is_model") and target not in seen:
            _walk(models, target, path, writable, readonly, (*seen, cls))
        elif isinstance(target, type) and hasattr(target, "_is_model"):
            writable.add(path)  # a recursive type: its first level is enough
        else:
            writable.add(path)


def _rest_fields(cls: type) -> list[tuple[str, Any]]:
    fields: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            if type(value).__name__ == "_RestField":
                fields[attr] = value
    return sorted(fields.items())


def _element(hint: Any, *, keyed: bool) -> tuple[Any, str]:
    """The model type a hint holds and the pointer segments of its containers (`/*` per map, and per
    list the comparison walks element by element: compare.KEYED_LISTS; any other list changes whole)."""
    suffix = ""
    while True:
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin is typing.Union:
            models = [a for a in args if isinstance(a, type) and hasattr(a, "_is_model")]
            rest = [a for a in args if a is not type(None)]
            hint = models[0] if models else (rest[0] if len(rest) == 1 else str)
            continue
        if origin is list:
            if not keyed:
                return list, suffix  # compared as one value (zones, publicKeys, lifecycleHooks, ...)
            suffix += "/*"
            hint = args[0]
            continue
        if origin is dict:
            suffix += "/*"
            hint = args[1]
            continue
        return hint, suffix


def render() -> str:
    version, writable, readonly = sdk_paths()
    doc = {
        "_comment": "Generated by `python -m vmss_lint.engine.properties` from the installed SDK's "
        "VirtualMachineScaleSet model: every writable leaf path and every read-only path, REST casing, "
        "'*' for a list element or map key. Do not edit by hand.",
        "sdk": version,
        "paths": writable,
        "readonly": readonly,
    }
    return json.dumps(doc, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    target = DATA / SDK_FILE
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
