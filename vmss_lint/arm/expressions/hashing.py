"""ARM's hash functions, uniqueString() and guid() (registered on import).

Names derived from these hashes (`namingInfix`, role assignment names) are compared between the base
and head versions of a template, so they must be deterministic; matching ARM byte for byte is a bonus
that lets findings show the real names. See each function for how sure we are.
"""

from __future__ import annotations

from vmss_lint.arm.expressions.functions import register, want_str
from vmss_lint.arm.expressions.parse import Value


def _hash_input(args: list[Value], fn: str) -> bytes:
    return "-".join(want_str(a, f"every {fn}() argument") for a in args).encode("utf-8")


@register("uniqueString", 1, None)
def _unique_string(args: list[Value]) -> Value:
    return unique_string(_hash_input(args, "uniqueString"))


_ARM_GUID_NAMESPACE = "11fb06fb-712d-4ddd-98c7-e71bbd588830"


@register("guid", 1, None)
def _guid(args: list[Value]) -> Value:
    """RFC 4122 version-5 UUID over the dash-joined arguments in ARM's namespace.

    Matches the published re-implementations (Aspire, Terraform uuidv5 recipes); not checked against
    ARM itself here, so treat exact values as best effort. Determinism is what the linter needs.
    """
    import uuid  # deferred: uuid pulls in `platform`, and guid() is rare

    return str(uuid.uuid5(uuid.UUID(_ARM_GUID_NAMESPACE), _hash_input(args, "guid").decode("utf-8")))


_M32 = 0xFFFFFFFF
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (32 - r))) & _M32


def unique_string(data: bytes) -> str:
    """ARM's uniqueString: a MurmurHash64 variant, first 13 base32 characters of the 64-bit hash.

    Constants and layout from Microsoft.PowerPlatform.ResourceStack as re-implemented by two
    independent public projects (one says it checked against Bicep output); five of their published
    vectors match (see tests). A sixth published value of unclear provenance does not, so values MAY
    differ from ARM's. For linting only determinism matters: equal inputs give equal outputs.
    """
    c1, c2 = 0xAB0E9789, 0x239B961B
    h1 = h2 = 0
    n = len(data)
    i = 0
    while i + 8 <= n:
        k1 = int.from_bytes(data[i : i + 4], "little")
        k2 = int.from_bytes(data[i + 4 : i + 8], "little")
        h1 = _rotl(h1 ^ (_rotl(k1 * c2 & _M32, 15) * c1 & _M32), 19)
        h1 = ((h1 + h2) * 5 + 0x561CCD1B) & _M32
        h2 = _rotl(h2 ^ (_rotl(k2 * c1 & _M32, 17) * c2 & _M32), 13)
        h2 = ((h2 + h1) * 5 + 0x0BCAA747) & _M32
        i += 8
    tail = n - i
    if tail > 0:
        k1 = int.from_bytes(data[i : i + min(tail, 4)], "little")
        h1 ^= _rotl(k1 * c2 & _M32, 15) * c1 & _M32
        if tail > 4:
            k2 = int.from_bytes(data[i + 4 : n], "little")
            h2 ^= _rotl(k2 * c1 & _M32, 17) * c2 & _M32
    h1 ^= n
    h2 ^= n
    h1 = (h1 + h2) & _M32
    h2 = (h2 + h1) & _M32
    h1, h2 = _fmix(h1), _fmix(h2)
    h1 = (h1 + h2) & _M32
    h2 = (h2 + h1) & _M32
    h = (h2 << 32) | h1
    chars = []
    for _ in range(13):  # top five bits, then shift left within 64 bits (the last one is padded)
        chars.append(_BASE32[h >> 59])
        h = (h << 5) & 0xFFFFFFFFFFFFFFFF
    return "".join(chars)


def _fmix(h: int) -> int:
    h = (h ^ (h >> 16)) * 0x85EBCA6B & _M32
    h = (h ^ (h >> 13)) * 0xC2B2AE35 & _M32
    return h ^ (h >> 16)
