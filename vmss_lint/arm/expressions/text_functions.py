"""The string, encoding and URI ARM functions (registered on import, in `functions.FUNCTIONS`).

Split from `vmss_lint.arm.expressions.functions`, which owns the registry and the type helpers every
function family shares: this module owns what the functions do to text. Lengths and indexes count
UTF-16 code units, as ARM's .NET runtime does (see `vmss_lint.arm.expressions.strings`).
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import quote, unquote, urljoin

from vmss_lint.arm.expressions.functions import (
    check_text,
    is_int,
    json_equal,
    parse_json_text,
    register,
    to_text,
    type_name,
    want_int,
    want_list,
    want_str,
)
from vmss_lint.arm.expressions.parse import FunctionError, Value
from vmss_lint.arm.expressions.strings import slice_units, unit_index, units

# --- string ----------------------------------------------------------------------------------


@register("concat", 1, None, structural=True)
def _concat(args: list[Value]) -> Value:
    if (
        args
        and all(isinstance(a, list) or a is None for a in args)
        and any(isinstance(a, list) for a in args)
    ):
        out: list[Value] = []
        for a in args:
            if isinstance(a, list):
                out.extend(a)
        return out
    for i, a in enumerate(args):
        if isinstance(a, list | dict):
            raise FunctionError(
                f"argument {i + 1} is an {type_name(a)}; concat joins all strings or all arrays"
            )
    check_text(sum(len(a) for a in args if isinstance(a, str)))
    return "".join(to_text(a) for a in args)


@register("format", 1, None)
def _format(args: list[Value]) -> Value:
    from vmss_lint.arm.expressions.format import format_composite  # on first use: 1.5 M instructions

    return format_composite(want_str(args[0], "the format string"), args[1:], to_text, check_text)


@register("string", 1)
def _string(args: list[Value]) -> Value:
    return to_text(args[0])


@register("toLower", 1)
def _to_lower(args: list[Value]) -> Value:
    return want_str(args[0], "the argument").lower()


@register("toUpper", 1)
def _to_upper(args: list[Value]) -> Value:
    return want_str(args[0], "the argument").upper()


@register("trim", 1)
def _trim(args: list[Value]) -> Value:
    return want_str(args[0], "the argument").strip()


@register("substring", 2, 3)
def _substring(args: list[Value]) -> Value:
    s = want_str(args[0], "stringToParse")
    size = units(s)  # .NET counts UTF-16 code units
    start = want_int(args[1], "startIndex")
    length = want_int(args[2], "length") if len(args) > 2 and args[2] is not None else size - start
    if start < 0 or length < 0 or start + length > size:
        raise FunctionError(f"startIndex {start} and length {length} do not fit in a string of length {size}")
    return slice_units(s, start, start + length, "substring()")


@register("replace", 3)
def _replace(args: list[Value]) -> Value:
    s, old, new = (
        want_str(a, n) for a, n in zip(args, ("originalString", "oldString", "newString"), strict=True)
    )
    if not old:
        raise FunctionError("oldString must not be empty")
    if len(new) > len(old):
        check_text(len(s) + s.count(old) * (len(new) - len(old)))
    return s.replace(old, new)


@register("split", 2)
def _split(args: list[Value]) -> Value:
    s = want_str(args[0], "inputString")
    delims = args[1]
    seps = (
        [want_str(d, "delimiter") for d in delims]
        if isinstance(delims, list)
        else [want_str(delims, "delimiter")]
    )
    seps = [sep for sep in seps if sep]
    if not seps:
        return [s]
    # Like .NET String.Split(string[]): at each position the first matching separator wins.
    parts: list[Value] = list(re.split("|".join(map(re.escape, seps)), s))
    return parts


@register("join", 2)
def _join(args: list[Value]) -> Value:
    items = want_list(args[0], "inputArray")
    delimiter = want_str(args[1], "delimiter")
    check_text(len(delimiter) * max(len(items) - 1, 0) + sum(len(i) for i in items if isinstance(i, str)))
    return delimiter.join(to_text(i) for i in items)


@register("padLeft", 2, 3)
def _pad_left(args: list[Value]) -> Value:
    value = args[0]
    s = to_text(value) if is_int(value) else want_str(value, "valueToPad")
    total = want_int(args[1], "totalLength")
    pad = want_str(args[2], "paddingCharacter") if len(args) > 2 else " "
    if len(pad) != 1:
        raise FunctionError("paddingCharacter must be a single character")
    if total > 16_384:
        raise FunctionError("totalLength is larger than vmss-lint's limit of 16384")
    return s.rjust(total - (units(s) - len(s)), pad)  # totalLength counts UTF-16 code units


def _ci_strings(args: list[Value]) -> tuple[str, str]:
    return want_str(args[0], "stringToSearch").lower(), want_str(args[1], "stringToFind").lower()


@register("startsWith", 2)
def _starts_with(args: list[Value]) -> Value:
    s, find = _ci_strings(args)  # ARM docs: case-insensitive
    return s.startswith(find)


@register("endsWith", 2)
def _ends_with(args: list[Value]) -> Value:
    s, find = _ci_strings(args)
    return s.endswith(find)


@register("indexOf", 2)
def _index_of(args: list[Value]) -> Value:
    if isinstance(args[0], list):
        return next((i for i, v in enumerate(args[0]) if json_equal(v, args[1])), -1)
    s, find = _ci_strings(args)
    return unit_index(s, s.find(find))


@register("lastIndexOf", 2)
def _last_index_of(args: list[Value]) -> Value:
    if isinstance(args[0], list):
        hits = [i for i, v in enumerate(args[0]) if json_equal(v, args[1])]
        return hits[-1] if hits else -1
    s, find = _ci_strings(args)
    return unit_index(s, s.rfind(find))


@register("base64", 1)
def _base64(args: list[Value]) -> Value:
    return base64.b64encode(want_str(args[0], "inputString").encode()).decode("ascii")


def _unbase64(v: Value) -> str:
    try:
        return base64.b64decode(want_str(v, "base64Value"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise FunctionError("the argument is not base64-encoded UTF-8 text") from None


@register("base64ToString", 1)
def _base64_to_string(args: list[Value]) -> Value:
    return _unbase64(args[0])


@register("base64ToJson", 1)
def _base64_to_json(args: list[Value]) -> Value:
    return parse_json_text(_unbase64(args[0]), "the decoded base64 value")


@register("json", 1)
def _json(args: list[Value]) -> Value:
    return parse_json_text(want_str(args[0], "the argument"), "the json() argument")


@register("uri", 2)
def _uri(args: list[Value]) -> Value:
    base = want_str(args[0], "baseUri")
    if "://" not in base:
        raise FunctionError(f"baseUri {base!r} is not an absolute URI")
    return urljoin(base, want_str(args[1], "relativeUri"))


@register("uriComponent", 1)
def _uri_component(args: list[Value]) -> Value:
    return quote(want_str(args[0], "stringToEncode"), safe="-_.~")  # .NET Uri.EscapeDataString


@register("uriComponentToString", 1)
def _uri_component_to_string(args: list[Value]) -> Value:
    return unquote(want_str(args[0], "uriEncodedString"))


@register("dataUri", 1)
def _data_uri(args: list[Value]) -> Value:
    encoded = base64.b64encode(to_text(args[0]).encode()).decode("ascii")
    return f"data:text/plain;charset=utf8;base64,{encoded}"


@register("dataUriToString", 1)
def _data_uri_to_string(args: list[Value]) -> Value:
    s = want_str(args[0], "dataUriToConvert")
    head, sep, data = s.partition(",")
    if not head.startswith("data:") or not sep:
        raise FunctionError("the argument is not a data URI")
    return _unbase64(data) if head.endswith(";base64") else unquote(data)
