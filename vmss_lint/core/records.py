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
the module is imported (0.5-2.3 ms a class), and importing `dataclasses` itself pulls in `inspect`,
`ast`, `dis` and `tokenize`. A `Record` subclass is declared like a frozen, keyword-only dataclass (mypy
checks it as one, through `dataclass_transform`) but shares one set of methods, so defining it costs
almost nothing, and this module imports neither `dataclasses` nor `inspect`: it has its own `field`,
`MISSING` and `FrozenRecordError`. Like a dataclass, a record runs its class's `__post_init__` (if it
has one) once `__init__` has filled the fields; it may set derived attributes with
`object.__setattr__`. Use `replace` to change a copy and `record_fields` to introspect a class.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from enum import Enum
from typing import Any, ClassVar, Final, TypeVar, dataclass_transform, overload


class _Missing:
    """The type of `MISSING`: no default was declared (None is a legitimate default)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"  # pickles as the module attribute, so it stays a singleton


MISSING: Final = _Missing()


class FrozenRecordError(AttributeError):
    """Raised on assigning to or deleting a record's field (records are frozen, as
    `dataclasses.FrozenInstanceError` is raised for frozen dataclasses; both are AttributeErrors)."""


class _Declared:
    """What `field(...)` returns: the default of one field, read (and removed) when the class is made."""

    __slots__ = ("compare", "default", "default_factory")

    def __init__(self, default: Any, default_factory: Any, compare: bool) -> None:
        self.default, self.default_factory, self.compare = default, default_factory, compare


_T = TypeVar("_T")


@overload
def field(*, default: _T, compare: bool = True) -> _T: ...
@overload
def field(*, default_factory: Callable[[], _T], compare: bool = True) -> _T: ...
@overload
def field(*, compare: bool = True) -> Any: ...
def field(*, default: Any = MISSING, default_factory: Any = MISSING, compare: bool = True) -> Any:
    """Declare a record field's default, or a factory called for each new record (a mutable default
    would be shared by every record); `compare=False` leaves the field out of `==` and `hash`."""
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("a field cannot have both a default and a default_factory")
    return _Declared(default, default_factory, compare)


class RecordField:
    """One field of a record class as `record_fields` reports it: `default` and `default_factory` are
    `MISSING` when not declared (the shape of `dataclasses.Field` that introspecting code reads)."""

    __slots__ = ("compare", "default", "default_factory", "name")

    def __init__(self, name: str, default: Any, default_factory: Any, compare: bool) -> None:
        self.name, self.default, self.default_factory = name, default, default_factory
        self.compare = compare

    def __repr__(self) -> str:
        return (
            f"RecordField({self.name!r}, default={self.default!r}, default_factory={self.default_factory!r})"
        )


# (attribute, JSON key, default or MISSING, default factory or None) for each field of a Record class;
# a plain tuple because `__init__` unpacks it for every record made.
_FieldSpec = tuple[str, str, Any, Any]


def _is_classvar(annotation: Any) -> bool:
    """Whether an annotation declares a class variable, not a field: a string under `from __future__
    import annotations`, the typing object otherwise."""
    if isinstance(annotation, str):
        return annotation.startswith(("ClassVar", "typing.ClassVar", "t.ClassVar"))
    return annotation is ClassVar or getattr(annotation, "__origin__", None) is ClassVar


def _no_values(attrs: dict[str, Any]) -> tuple[()]:
    """What `==` and `hash` compare of a record whose fields are all `compare=False`: nothing."""
    return ()


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(field,))
class Record:
    """A frozen record with keyword-only fields, declared with annotations and `records.field`.

    Two class keywords, understood by mypy through `dataclass_transform`, cover the values that are not
    report records: `kw_only=False` also takes the fields positionally, in declaration order (values
    built in many places, like `Change` and `Hit`); `frozen=False` allows assignment and, as for a
    mutable dataclass, makes instances unhashable. A subclass inherits both unless it says otherwise.
    """

    __slots__ = ()
    _positional: ClassVar[bool] = False
    _fields: ClassVar[tuple[_FieldSpec, ...]] = ()
    _names: ClassVar[tuple[str, ...]] = ()
    # The values `==` and `hash` look at, taken from the instance's __dict__ by one C call
    # (operator.itemgetter): about 1 us, where a Python loop over the names took 6.
    _compared_values: ClassVar[Callable[[dict[str, Any]], Any]] = staticmethod(_no_values)
    _uncompared: ClassVar[frozenset[str]] = frozenset()
    _post_init: ClassVar[Callable[[Any], None] | None] = None

    def __init_subclass__(
        cls, *, kw_only: bool | None = None, frozen: bool | None = None, **kwargs: Any
    ) -> None:
        super().__init_subclass__(**kwargs)
        if kw_only is not None:
            cls._positional = not kw_only
        if frozen is False:
            cls.__setattr__ = object.__setattr__  # type: ignore[method-assign,assignment]
            cls.__delattr__ = object.__delattr__  # type: ignore[method-assign]
            cls.__hash__ = None  # type: ignore[assignment]
        specs = {spec[0]: spec for spec in cls._fields}  # inherited fields first, as dataclasses do
        uncompared = set(cls._uncompared)
        # The class body's own annotations; `inspect.get_annotations` would import inspect (and ast, dis).
        own = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
        for name, annotation in own.items():
            if _is_classvar(annotation):
                continue
            declared = cls.__dict__.get(name, MISSING)
            default, factory, compare = declared, None, True
            if isinstance(declared, _Declared):
                default, compare = declared.default, declared.compare
                if declared.default_factory is not MISSING:
                    factory = declared.default_factory
                delattr(cls, name)
            elif type(declared).__module__ == "dataclasses":  # a dataclasses.field() by mistake
                raise TypeError(f"{cls.__name__}.{name}: declare a record's field with records.field")
            elif type(declared) in (list, dict, set):
                raise ValueError(
                    f"{cls.__name__}.{name}: a mutable default is shared by every record; "
                    "use field(default_factory=...)"
                )
            if compare:
                uncompared.discard(name)
            else:
                uncompared.add(name)
            specs[name] = (name, camel(name), default, factory)
        cls._fields = tuple(specs.values())
        cls._names = tuple(specs)
        cls._uncompared = frozenset(uncompared)
        compared = [name for name in specs if name not in uncompared]
        cls._compared_values = operator.itemgetter(*compared) if compared else staticmethod(_no_values)
        cls._post_init = getattr(cls, "__post_init__", None)

    def __init__(self, *args: Any, **values: Any) -> None:
        attrs = self.__dict__
        fields = self._fields
        if args:  # bound in declaration order, like a dataclass's generated __init__
            self._check_positional(args, values)
            attrs.update(zip(self._names, args, strict=False))
            fields = fields[len(args) :]
        for name, _key, default, factory in fields:
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
        if self._post_init is not None:
            self._post_init()

    def _check_positional(self, args: tuple[Any, ...], values: dict[str, Any]) -> None:
        """Refuse positional arguments a class does not take, too many of them, or a field given both
        positionally and by keyword (the errors a dataclass's `__init__` raises)."""
        cls = type(self).__name__
        if not self._positional:
            raise TypeError(f"{cls}() takes keyword arguments only")
        if len(args) > len(self._names):
            raise TypeError(
                f"{cls}() takes {len(self._names)} positional arguments but {len(args)} were given"
            )
        for name in self._names[: len(args)]:
            if name in values:
                raise TypeError(f"{cls}() got multiple values for argument '{name}'")

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenRecordError(f"cannot assign to field '{name}'")

    def __delattr__(self, name: str) -> None:
        raise FrozenRecordError(f"cannot delete field '{name}'")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(
            type(self)._compared_values(self.__dict__) == type(other)._compared_values(other.__dict__)
        )

    def __hash__(self) -> int:
        return hash(type(self)._compared_values(self.__dict__))

    def __repr__(self) -> str:
        shown = ", ".join(f"{spec[0]}={self.__dict__[spec[0]]!r}" for spec in self._fields)
        return f"{type(self).__name__}({shown})"


R = TypeVar("R", bound=Record)


def replace(record: R, **changes: Any) -> R:
    """A copy of `record` with some fields changed (`dataclasses.replace` for records). A class with a
    `__post_init__` is built again through `__init__`, so its checks run on the new values (as
    `dataclasses.replace` does); any other is copied without calling anything."""
    names = [spec[0] for spec in record._fields]
    unknown = set(changes).difference(names)
    if unknown:
        raise TypeError(f"{type(record).__name__} has no field '{sorted(unknown)[0]}'")
    if record._post_init is not None:
        attrs = record.__dict__
        return type(record)(**{**{name: attrs[name] for name in names}, **changes})
    copy = object.__new__(type(record))
    copy.__dict__.update(record.__dict__)
    copy.__dict__.update(changes)
    return copy


_FIELDS: dict[type, tuple[RecordField, ...]] = {}


def record_fields(cls: type[Record]) -> tuple[RecordField, ...]:
    """The fields of a record class in declaration order (inherited first): name, default and default
    factory of each, for code that builds records from data (the rule index) the way it would read
    `dataclasses.fields`. Their types are the class's annotations (`typing.get_type_hints(cls)`)."""
    found = _FIELDS.get(cls)
    if found is None:
        found = tuple(
            RecordField(name, default, MISSING if factory is None else factory, name not in cls._uncompared)
            for name, _key, default, factory in cls._fields
        )
        _FIELDS[cls] = found
    return found


def camel(name: str) -> str:
    """`instance_ids` -> `instanceIds`: the JSON key of a record field."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


_KEYS: dict[type, tuple[tuple[str, str], ...]] = {}


def record_keys(value: Any) -> tuple[tuple[str, str], ...] | None:
    """(attribute, JSON key) of each field when `value` is a record (or a dataclass), else None.

    A dataclass is recognised by its `__dataclass_fields__` rather than `dataclasses.is_dataclass`, so
    this module does not import `dataclasses` at start-up; when one is met, `dataclasses` is loaded."""
    cls = type(value)
    keys = _KEYS.get(cls)
    if keys is None:
        if isinstance(value, Record):
            keys = tuple((spec[0], spec[1]) for spec in value._fields)
        elif hasattr(cls, "__dataclass_fields__"):
            from dataclasses import fields

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
