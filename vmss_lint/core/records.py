"""The report's records (findings, plans, results, the report) and their JSON dump.

The dump is the public output contract and the snapshot format. It is deliberately simple and stable:
keys are the camelCase form of the field names, in declaration order; `None` values are kept (a missing
key and a null mean different things to jq users); enums become their values; nested records, lists
and dicts are dumped recursively.

Why records are not pydantic models: vmss-lint builds them itself and never parses them from users, so
validation would buy nothing, while importing pydantic and building a dozen models cost about half the
start-up time of a model-pair check, which runs on every commit. pydantic stays where users write the
input: config files, suppressions and third-party rule files.

Why not `@dataclass` either: the decorator generates and compiles half a dozen methods per class when
the module is imported, about 0.8 ms a class here, and the report alone has ten. A `Record` subclass is
declared like a frozen, keyword-only dataclass (mypy checks it as one, through `dataclass_transform`)
but shares one set of methods, so defining it costs almost nothing. Use `replace` to change a copy.
"""

from __future__ import annotations

import inspect
from dataclasses import MISSING, Field, FrozenInstanceError, field, fields, is_dataclass
from enum import Enum
from typing import Any, ClassVar, TypeVar, dataclass_transform

# (attribute, JSON key, default, default factory) for each field of a Record class.
_FieldSpec = tuple[str, str, Any, Any]


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(field,))
class Record:
    """A frozen record with keyword-only fields, declared with annotations and `dataclasses.field`."""

    __slots__ = ()
    _fields: ClassVar[tuple[_FieldSpec, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        specs = {spec[0]: spec for spec in cls._fields}  # inherited fields first, as dataclasses do
        for name, annotation in inspect.get_annotations(cls).items():
            if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
                continue
            declared = cls.__dict__.get(name, MISSING)
            default, factory = declared, None
            if isinstance(declared, Field):
                default, factory = declared.default, declared.default_factory
                if factory is MISSING:
                    factory = None
                delattr(cls, name)
            specs[name] = (name, camel(name), default, factory)
        cls._fields = tuple(specs.values())

    def __init__(self, **values: Any) -> None:
        attrs = self.__dict__
        for name, _key, default, factory in self._fields:
            if name in values:
                attrs[name] = values.pop(name)
            elif factory is not None:
                attrs[name] = factory()
            elif default is not MISSING:
                attrs[name] = default
            else:
                raise TypeError(f"{type(self).__name__}() missing required keyword argument: '{name}'")
        if values:
            raise TypeError(
                f"{type(self).__name__}() got an unexpected keyword argument '{next(iter(values))}'"
            )

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field '{name}'")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field '{name}'")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(tuple(self.__dict__[spec[0]] for spec in self._fields))

    def __repr__(self) -> str:
        shown = ", ".join(f"{spec[0]}={self.__dict__[spec[0]]!r}" for spec in self._fields)
        return f"{type(self).__name__}({shown})"


R = TypeVar("R", bound=Record)


def replace(record: R, **changes: Any) -> R:
    """A copy of `record` with some fields changed (`dataclasses.replace` for records)."""
    unknown = set(changes) - {spec[0] for spec in record._fields}
    if unknown:
        raise TypeError(f"{type(record).__name__} has no field '{sorted(unknown)[0]}'")
    copy = object.__new__(type(record))
    copy.__dict__.update(record.__dict__)
    copy.__dict__.update(changes)
    return copy


def camel(name: str) -> str:
    """`instance_ids` -> `instanceIds`: the JSON key of a record field."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


_KEYS: dict[type, tuple[tuple[str, str], ...]] = {}


def record_keys(value: Any) -> tuple[tuple[str, str], ...] | None:
    """(attribute, JSON key) of each field when `value` is a record (or a dataclass), else None."""
    cls = type(value)
    keys = _KEYS.get(cls)
    if keys is None:
        if isinstance(value, Record):
            keys = tuple((spec[0], spec[1]) for spec in value._fields)
        elif is_dataclass(value) and not isinstance(value, type):
            keys = tuple((f.name, camel(f.name)) for f in fields(value))
        else:
            return None
        _KEYS[cls] = keys
    return keys


def to_json(value: Any) -> Any:
    """Plain JSON data (dict, list, str, int, float, bool, None) for a record or any value inside one."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (str, int, float)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    keys = record_keys(value)
    if keys is None:
        raise TypeError(f"{type(value).__name__} is not JSON data")
    return {key: to_json(getattr(value, attr)) for attr, key in keys}
