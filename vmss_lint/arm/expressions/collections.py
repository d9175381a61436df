"""Array and object ARM functions (registered on import).

They share the registry of `vmss_lint.arm.expressions.functions`; the functions over scalars
(comparison, logic, numbers) are in `vmss_lint.arm.expressions.scalars`. `if`, `and`, `or` and
`coalesce` are not here: they are lazy and live in the evaluator.
"""

from __future__ import annotations

from vmss_lint.arm.expressions.functions import (
    canonical,
    checked_int,
    is_int,
    json_equal,
    register,
    to_text,
    type_name,
    want_dict,
    want_int,
    want_list,
    want_str,
)
from vmss_lint.arm.expressions.parse import FunctionError, Unknown, Value
from vmss_lint.arm.expressions.strings import slice_units, units

MAX_RANGE = 10_000  # ARM's limit for range() count
INT32_MAX = 2_147_483_647  # ARM's limit for range()'s startIndex + count


@register("array", 1, structural=True)
def _array(args: list[Value]) -> Value:
    return args[0] if isinstance(args[0], list) else [args[0]]


@register("createArray", 0, None, structural=True)
def _create_array(args: list[Value]) -> Value:
    return list(args)


@register("createObject", 0, None, structural=True)
def _create_object(args: list[Value]) -> Value:
    if len(args) % 2:
        raise FunctionError("createObject needs key/value pairs (an even number of arguments)")
    key = _unknown_item(args[0::2])
    if key is not None:
        return key
    return {want_str(args[i], f"key {i // 2 + 1}"): args[i + 1] for i in range(0, len(args), 2)}


@register("length", 1, structural=True)
def _length(args: list[Value]) -> Value:
    v = args[0]
    if isinstance(v, str):
        return units(v)  # .NET string.Length: UTF-16 code units
    if isinstance(v, list | dict):
        return len(v)
    raise FunctionError(f"the argument must be a string, array or object, not {type_name(v)}")


@register("empty", 1, structural=True)
def _empty(args: list[Value]) -> Value:
    v = args[0]
    if v is None:
        return True
    if isinstance(v, str | list | dict):
        return len(v) == 0
    raise FunctionError(f"the argument must be a string, array or object, not {type_name(v)}")


@register("first", 1, structural=True)
def _first(args: list[Value]) -> Value:
    v = args[0]
    if isinstance(v, str):
        return slice_units(v, 0, 1, "first()") if v else ""
    if isinstance(v, list):
        return v[0] if v else None
    raise FunctionError(f"the argument must be a string or array, not {type_name(v)}")


@register("last", 1, structural=True)
def _last(args: list[Value]) -> Value:
    v = args[0]
    if isinstance(v, str):
        return slice_units(v, units(v) - 1, units(v), "last()") if v else ""
    if isinstance(v, list):
        return v[-1] if v else None
    raise FunctionError(f"the argument must be a string or array, not {type_name(v)}")


@register("take", 2, structural=True)
def _take(args: list[Value]) -> Value:
    v, n = args[0], max(0, want_int(args[1], "numberToTake"))
    if isinstance(v, str):
        return slice_units(v, 0, n, "take()")
    if isinstance(v, list):
        return v[:n]
    raise FunctionError(f"originalValue must be a string or array, not {type_name(v)}")


@register("skip", 2, structural=True)
def _skip(args: list[Value]) -> Value:
    v, n = args[0], max(0, want_int(args[1], "numberToSkip"))
    if isinstance(v, str):
        return slice_units(v, n, units(v), "skip()")
    if isinstance(v, list):
        return v[n:]
    raise FunctionError(f"originalValue must be a string or array, not {type_name(v)}")


@register("contains", 2)
def _contains(args: list[Value]) -> Value:
    container, item = args
    if isinstance(container, str):
        return to_text(item) in container  # case-sensitive
    if isinstance(container, list):
        return any(json_equal(v, item) for v in container)
    if isinstance(container, dict):
        key = to_text(item).lower()  # object keys compare case-insensitively
        return any(k.lower() == key for k in container)
    raise FunctionError(f"container must be a string, array or object, not {type_name(container)}")


def _merge(a: dict[str, Value], b: dict[str, Value]) -> dict[str, Value]:
    """union() merges nested objects recursively; arrays and scalars are replaced.

    An unknown member merged with an object is unknown (it may be an object to merge or a value that
    replaces); an object merged over an unknown is unknown for the same reason.
    """
    out = dict(a)
    for k, v in b.items():
        old = out.get(k)
        if isinstance(old, dict) and isinstance(v, dict):
            out[k] = _merge(old, v)
        elif isinstance(old, Unknown) and isinstance(v, dict):
            out[k] = old
        else:
            out[k] = v
    return out


def _unknown_item(items: list[Value]) -> Unknown | None:
    return next((v for v in items if isinstance(v, Unknown)), None)


@register("union", 1, None, structural=True)
def _union(args: list[Value]) -> Value:
    if all(isinstance(a, list) for a in args):
        # An unknown element may equal another one, so what union() keeps is unknown.
        unknown = next((u for a in args if isinstance(a, list) and (u := _unknown_item(a))), None)
        if unknown is not None:
            return unknown
    if all(isinstance(a, dict) for a in args):
        merged: dict[str, Value] = {}
        for a in args:
            merged = _merge(merged, want_dict(a, "every argument"))
        return merged
    if all(isinstance(a, list) for a in args):
        out: list[Value] = []
        seen: set[object] = set()
        for a in args:
            for v in want_list(a, "every argument"):
                key = canonical(v)
                if key not in seen:
                    seen.add(key)
                    out.append(v)
        return out
    raise FunctionError("union needs all arrays or all objects")


@register("intersection", 2, None)
def _intersection(args: list[Value]) -> Value:
    if all(isinstance(a, dict) for a in args):
        first = want_dict(args[0], "every argument")
        rest = [want_dict(a, "every argument") for a in args[1:]]
        return {k: v for k, v in first.items() if all(k in o and json_equal(o[k], v) for o in rest)}
    if all(isinstance(a, list) for a in args):
        others = [{canonical(w) for w in want_list(a, "every argument")} for a in args[1:]]
        out: list[Value] = []
        seen: set[object] = set()
        for v in want_list(args[0], "every argument"):
            key = canonical(v)
            if key not in seen and all(key in o for o in others):
                seen.add(key)
                out.append(v)
        return out
    raise FunctionError("intersection needs all arrays or all objects")


@register("flatten", 1, structural=True)
def _flatten(args: list[Value]) -> Value:
    out: list[Value] = []
    items = want_list(args[0], "the argument")
    unknown = _unknown_item(items)
    if unknown is not None:  # an unknown element may hold any number of items
        return unknown
    for v in items:
        out.extend(want_list(v, "every element"))
    return out


@register("items", 1, structural=True)
def _items(args: list[Value]) -> Value:
    obj = want_dict(args[0], "the argument")
    # ARM returns the entries sorted by key (ordinal, as .NET sorts JObject properties here).
    return [{"key": k, "value": obj[k]} for k in sorted(obj)]


@register("objectKeys", 1, structural=True)
def _object_keys(args: list[Value]) -> Value:
    return list(want_dict(args[0], "the argument"))


@register("shallowMerge", 1, structural=True)
def _shallow_merge(args: list[Value]) -> Value:
    out: dict[str, Value] = {}
    items = want_list(args[0], "the argument")
    unknown = _unknown_item(items)
    if unknown is not None:  # an unknown object may set any key
        return unknown
    for v in items:
        out.update(want_dict(v, "every element"))
    return out


@register("tryGet", 2, None, structural=True)
def _try_get(args: list[Value]) -> Value:
    cur = args[0]
    for key in args[1:]:
        if isinstance(cur, Unknown):
            return cur  # the unknown value may or may not have the key
        if isinstance(key, Unknown):
            return key
        if isinstance(cur, dict) and isinstance(key, str):
            cur = next((v for k, v in cur.items() if k.lower() == key.lower()), None)
        elif isinstance(cur, list) and is_int(key):
            assert isinstance(key, int)
            cur = cur[key] if 0 <= key < len(cur) else None
        else:
            return None
    return cur


@register("range", 2)
def _range(args: list[Value]) -> Value:
    start, count = want_int(args[0], "startIndex"), want_int(args[1], "count")
    if not 0 <= count <= MAX_RANGE:
        raise FunctionError(f"count must be between 0 and {MAX_RANGE}, not {count}")
    if start + count > INT32_MAX:  # the ARM reference: "no greater than 2147483647"
        raise FunctionError(f"startIndex + count must be no greater than {INT32_MAX}, not {start + count}")
    return list(range(start, checked_int(start + count)))
