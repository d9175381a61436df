"""Keep secrets out of every output.

A linter's output ends up in CI logs, PR annotations and SARIF uploads, which are far more public than
the template. So a secret is reported as *changed*, never shown: admin passwords, extension protected
settings, custom data and user data (with the decoded length for base64 payloads, which tells a reviewer
something without telling an attacker anything), template parameters declared `secureString` /
`secureObject`, SAS signatures and credentials embedded in URLs.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from vmss_lint.core.model import split_pointer

SECRET_KEYS = frozenset(
    {"adminPassword", "protectedSettings", "protectedSettingsFromKeyVault", "customData", "userData"}
)
_SAS_SIG = re.compile(r"(?i)(\bsig=)[^&\s\"']+")
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@\"']+:[^/\s@\"']+@")


def is_secret_pointer(pointer: str, extra: frozenset[str] = frozenset()) -> bool:
    if pointer in extra or any(pointer.startswith(p + "/") for p in extra):
        return True
    return any(part in SECRET_KEYS for part in split_pointer(pointer))


def describe_secret(value: Any) -> str | None:
    """A harmless description of a secret value: that it is set, and a base64 payload's decoded size."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            decoded = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return "<secret>"
        if value and len(value) % 4 == 0:
            return f"<secret: {len(decoded)} bytes after base64 decoding>"
        return "<secret>"
    return "<secret>"


def scrub(value: Any) -> Any:
    """Remove SAS signatures and URL credentials from any string inside a value."""
    if isinstance(value, str):
        if "sig=" in value.lower() or "@" in value:
            value = _SAS_SIG.sub(r"\1REDACTED", value)
            value = _URL_CREDENTIALS.sub(r"\1REDACTED@", value)
        return value
    if isinstance(value, dict):
        return {k: ("<secret>" if k in SECRET_KEYS and v is not None else scrub(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def safe_value(pointer: str, value: Any, extra: frozenset[str] = frozenset()) -> Any:
    """What may be printed for the value at `pointer`, including secrets nested below it."""
    if is_secret_pointer(pointer, extra):
        return describe_secret(value)
    value = scrub(value)
    prefix = pointer + "/"
    for secret in extra:
        if secret.startswith(prefix):
            value = _redact_at(value, split_pointer(secret[len(pointer) :]))
    return value


def _redact_at(value: Any, parts: list[str]) -> Any:
    """A copy of `value` with the node at `parts` described instead of shown."""
    if not parts:
        return describe_secret(value)
    head, rest = parts[0], parts[1:]
    if isinstance(value, dict) and head in value:
        return {k: (_redact_at(v, rest) if k == head else v) for k, v in value.items()}
    if isinstance(value, list) and head.isdigit() and head.isascii() and int(head) < len(value):
        return [(_redact_at(v, rest) if i == int(head) else v) for i, v in enumerate(value)]
    return value
