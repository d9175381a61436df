"""One rule file: its TOML text, parsed and validated into a `RuleSpec` (once per process per text).

Both the pack loader (`vmss_lint.engine.packs`) and the index builder (`vmss_lint.engine.index`, which the
loader reads) parse rule files; the parser lives here so that neither has to import the other's module.
"""

from __future__ import annotations

import functools
import types
import typing
from typing import TYPE_CHECKING, Any

from vmss_lint.core.errors import InputError
from vmss_lint.core.records import MISSING, Record, record_fields
from vmss_lint.engine import spec as specs
from vmss_lint.engine.spec import RuleError, RuleSpec

if TYPE_CHECKING:
    from pydantic import TypeAdapter


def toml_text(raw: bytes) -> str:
    """A rule file's text as `read_text` gives it (UTF-8, universal newlines)."""
    return raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def parse_rule(text: str, source: str) -> RuleSpec:
    """Parse and validate one rule file's text (tomllib and pydantic); InputError naming `source` if bad."""
    return _parse_rule_cached(text, source)


@functools.lru_cache(maxsize=4096)
def _parse_rule_cached(text: str, source: str) -> RuleSpec:
    """Parse once per process: tomllib is pure Python and a long-running caller (git mode, the
    benchmark, an editor integration) loads the same rules for every pair. Keyed by the text, so an
    edited file is parsed again; `RuleSpec` is frozen, so sharing one instance is safe."""
    import tomllib

    from pydantic import ValidationError

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(source, f"not valid TOML: {exc}") from None
    try:
        spec: RuleSpec = _to_record(_rule_adapter().validate_python(data))
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        loc = [str(p) for p in first["loc"]]
        count = len(errors)
        problem = first["msg"]
        error = first.get("ctx", {}).get("error")
        if isinstance(error, RuleError):
            # A check of RuleSpec.__post_init__: pydantic knows the table, the error knows the field.
            loc += [error.problems[0][0]] if error.problems[0][0] else []
            count += len(error.problems) - 1
        elif first["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
            problem = "unknown key"
        raise InputError(
            source,
            f"invalid rule: {problem}",
            where=".".join(loc) or "rule",
            hint=f"{count} problem(s) in this file",
        ) from None
    return spec


@functools.cache
def _rule_adapter() -> TypeAdapter[Any]:
    from pydantic import TypeAdapter

    return TypeAdapter(_mirrors()[RuleSpec])


# ---- validation mirrors -------------------------------------------------------------------------------
# pydantic validates stdlib dataclasses, not records. So that a rule file is checked (and its problems
# worded) exactly as when the specs were dataclasses, each spec record gets a frozen, keyword-only stdlib
# dataclass twin here, with the same fields, defaults and methods (its `__post_init__` included); they are
# built on the first rule file parsed, never on a run served by the index.

_RECORDS = (specs.ApiRange, specs.Condition, specs.Match, specs.Constraint, specs.Example, RuleSpec)


@functools.cache
def _mirrors() -> dict[type, type]:
    import dataclasses

    made: dict[type, type] = {}
    for cls in _RECORDS:  # nested classes come first, so that an annotation can name its mirror
        hints = typing.get_type_hints(cls)
        fields: list[tuple[str, Any, Any]] = []
        for f in record_fields(cls):
            declared = (
                dataclasses.field(default_factory=f.default_factory)
                if f.default_factory is not MISSING
                else dataclasses.field(default=f.default)
                if f.default is not MISSING
                else dataclasses.field()
            )
            fields.append((f.name, _swap(hints[f.name], made), declared))
        methods = {
            k: v for k, v in vars(cls).items() if callable(v) or isinstance(v, functools.cached_property)
        }
        namespace = {**methods, "__pydantic_config__": specs.FORBID_EXTRA, "_record": cls}
        namespace = {k: v for k, v in namespace.items() if not k.startswith("__") or k in _KEPT}
        made[cls] = dataclasses.make_dataclass(
            cls.__name__, fields, namespace=namespace, frozen=True, kw_only=True
        )
    return made


_KEPT = frozenset({"__post_init__", "__pydantic_config__"})


def _swap(tp: Any, made: dict[type, type]) -> Any:
    """An annotation with each spec record replaced by its mirror (`Match | None`, `list[Condition]`)."""
    if tp in made:
        return made[tp]
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        swapped = [_swap(a, made) for a in args]
        return functools.reduce(lambda a, b: a | b, swapped)
    if origin is list:
        return list[_swap(args[0], made)]  # type: ignore[misc]
    return tp


def _to_record(value: Any) -> Any:
    """The spec records a validated mirror stands for (their `__post_init__` runs again: cheap)."""
    cls = getattr(type(value), "_record", None)
    if cls is not None and isinstance(cls, type) and issubclass(cls, Record):
        return cls(**{f.name: _to_record(getattr(value, f.name)) for f in record_fields(cls)})
    if isinstance(value, list):
        return [_to_record(v) for v in value]
    return value
