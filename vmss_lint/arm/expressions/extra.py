"""Date and CIDR functions (registered on import; rarely used, so kept out of the hot modules).

Date output follows .NET's en-US defaults as ARM shows them (`dateTimeAdd` without a format gives
`4/7/2023 2:53:14 PM`); format strings beyond the common standard ones and simple custom patterns
give an `Unknown` rather than a guess. CIDR results follow the ARM docs' examples: IPv4 reserves the
network and broadcast addresses for `firstUsable`/`lastUsable`, IPv6 does not.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING

from vmss_lint.arm.expressions.functions import register, want_int, want_list, want_str
from vmss_lint.arm.expressions.parse import FunctionError, Unknown, Value

if TYPE_CHECKING:
    from datetime import datetime

# Every template run imports this module (to register the functions) and few call a date function, so
# `datetime` is imported and these patterns compiled (by `re`'s cache) only on a first call.
_DURATION = (
    r"(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?"
)
_CUSTOM = r"'[^']*'|([A-Za-z])\1*|."  # quoted text, runs of one letter, other chars


def _epoch() -> datetime:
    from datetime import UTC, datetime

    return datetime(1970, 1, 1, tzinfo=UTC)


def _parse_datetime(v: Value) -> datetime:
    from datetime import UTC, datetime

    s = want_str(v, "the date-time").strip()
    try:
        dt = datetime.fromisoformat(s.replace(" ", "T", 1) if "T" not in s else s)
    except ValueError:
        raise FunctionError(f"{s[:40]!r} is not an ISO 8601 date-time") from None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _add_months(dt: datetime, months: int) -> datetime:
    total = dt.month - 1 + months
    year, month = dt.year + total // 12, total % 12 + 1
    for day in (dt.day, 30, 29, 28):  # clamp like .NET AddMonths
        try:
            return dt.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise FunctionError("date out of range")


def _format(dt: datetime, fmt: str | None) -> str | Unknown:
    if fmt is None:
        hour = dt.hour % 12 or 12
        return f"{dt.month}/{dt.day}/{dt.year} {hour}:{dt.minute:02}:{dt.second:02} {'PM' if dt.hour >= 12 else 'AM'}"
    if fmt == "o":
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond:06}0Z"
    if fmt == "u":
        return dt.strftime("%Y-%m-%d %H:%M:%SZ")
    if fmt == "s":
        return dt.strftime("%Y-%m-%dT%H:%M:%S")
    parts = [m.group(0) for m in re.finditer(_CUSTOM, fmt)]
    table = {
        "yyyy": f"{dt.year:04}",
        "MM": f"{dt.month:02}",
        "dd": f"{dt.day:02}",
        "HH": f"{dt.hour:02}",
        "hh": f"{dt.hour % 12 or 12:02}",
        "mm": f"{dt.minute:02}",
        "ss": f"{dt.second:02}",
        "tt": "PM" if dt.hour >= 12 else "AM",
    }
    out = []
    for p in parts:
        if p in table:
            out.append(table[p])
        elif p[0] == "f" and len(p) <= 7:
            out.append(f"{dt.microsecond:06}0"[: len(p)])
        elif p.startswith("'"):
            out.append(p.strip("'"))
        elif p.isalpha() and p not in ("T", "Z"):
            return Unknown(f"date-time format {fmt!r} is not evaluated offline", fmt)
        else:
            out.append(p)
    return "".join(out)


@register("dateTimeAdd", 2, 3)
def _date_time_add(args: list[Value]) -> Value:
    from datetime import timedelta

    dt = _parse_datetime(args[0])
    duration = want_str(args[1], "duration")
    m = re.fullmatch(_DURATION, duration)
    if not m or duration in ("P", "-P") or duration.endswith("T"):
        raise FunctionError(f"{duration!r} is not an ISO 8601 duration")
    sign = -1 if m.group(1) else 1
    years, months, weeks, days, hours, minutes = (int(g or 0) for g in m.groups()[1:7])
    seconds = float(m.group(8) or 0)
    dt = _add_months(dt, sign * (12 * years + months))
    dt += sign * timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    fmt = want_str(args[2], "format") if len(args) > 2 else None
    return _format(dt, fmt)


@register("dateTimeToEpoch", 1)
def _date_time_to_epoch(args: list[Value]) -> Value:
    return int((_parse_datetime(args[0]) - _epoch()).total_seconds())


@register("dateTimeFromEpoch", 1)
def _date_time_from_epoch(args: list[Value]) -> Value:
    from datetime import timedelta

    dt = _epoch() + timedelta(seconds=want_int(args[0], "epochTime"))
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _network(v: Value) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    text = want_str(v, "network")
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise FunctionError(f"{text!r} is not a CIDR range such as '10.0.0.0/16'") from None


def _usable(
    net: ipaddress.IPv4Network | ipaddress.IPv6Network,
) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, ipaddress.IPv4Address | ipaddress.IPv6Address]:
    if net.version == 4 and net.prefixlen < 31:
        return net.network_address + 1, net.broadcast_address - 1
    return net.network_address, net.broadcast_address


@register("parseCidr", 1)
def _parse_cidr(args: list[Value]) -> Value:
    net = _network(args[0])
    first, last = _usable(net)
    out: dict[str, Value] = {"network": str(net.network_address), "netmask": str(net.netmask)}
    if net.version == 4:
        out["broadcast"] = str(net.broadcast_address)
    out.update({"firstUsable": str(first), "lastUsable": str(last), "cidr": net.prefixlen})
    return out


@register("cidrSubnet", 3)
def _cidr_subnet(args: list[Value]) -> Value:
    net = _network(args[0])
    new_prefix, index = want_int(args[1], "newCIDR"), want_int(args[2], "subnetIndex")
    if not net.prefixlen <= new_prefix <= net.max_prefixlen:
        raise FunctionError(f"newCIDR {new_prefix} must be between {net.prefixlen} and {net.max_prefixlen}")
    count = 1 << (new_prefix - net.prefixlen)
    if not 0 <= index < count:
        raise FunctionError(f"subnetIndex {index} is out of range (0 to {count - 1})")
    start = int(net.network_address) + index * (1 << (net.max_prefixlen - new_prefix))
    address = ipaddress.IPv6Address(start) if net.version == 6 else ipaddress.IPv4Address(start)
    return f"{address}/{new_prefix}"


@register("cidrHost", 2)
def _cidr_host(args: list[Value]) -> Value:
    net = _network(args[0])
    index = want_int(args[1], "hostIndex")
    first, last = _usable(net)
    if net.version == 6 or net.prefixlen >= 31:
        first = net.network_address + (1 if net.num_addresses > 1 else 0)
    host = int(first) + index
    if index < 0 or host > int(last):
        raise FunctionError(f"hostIndex {index} is outside {net}")
    return str(type(first)(host))


@register("indexFromEnd", 2)
def _index_from_end(args: list[Value]) -> Value:
    items, n = want_list(args[0], "sourceArray"), want_int(args[1], "reverseIndex")
    if not 1 <= n <= len(items):
        raise FunctionError(f"reverseIndex {n} is out of range for an array of length {len(items)}")
    return items[-n]


@register("tryIndexFromEnd", 2)
def _try_index_from_end(args: list[Value]) -> Value:
    items, n = want_list(args[0], "sourceArray"), want_int(args[1], "reverseIndex")
    return items[-n] if 1 <= n <= len(items) else None
