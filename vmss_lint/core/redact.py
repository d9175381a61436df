"""Keep secrets out of every output.

A linter's output ends up in CI logs, PR annotations and SARIF uploads, which are far more public than
the template. So a secret is reported as *changed*, never shown: admin passwords, extension protected
settings, custom data and user data (with the decoded length for base64 payloads, which tells a reviewer
something without telling an attacker anything), template parameters declared `secureString` /
`secureObject`, SAS signatures and credentials embedded in URLs.

One redaction point for everything printed: while a run reads its inputs it `remember`s every secret
value it meets (values under the secret keys, secure template parameters and whatever is evaluated from
them, patch and `--set` values for secret paths); `redact_text` replaces each of them (raw, JSON-escaped
and `repr` spellings) by `<secret>` and scrubs credentials out of URLs. The report is passed through it
once before any format renders it (`redact_record`, from `vmss_lint.pipeline.make_report`), and the CLI
passes every error, warning and debug traceback through it. A value shorter than `MIN_SECRET_CHARS` is
not remembered (it would blank out unrelated words); it is still described, never shown, where the report
shows old/new values.

URL credentials, in every spelling: `scheme://user:password@`, `scheme://token@`, their URL-encoded forms
(`https%3A%2F%2Ftoken%40host`), and the values of the query keys in `CREDENTIAL_QUERY_KEYS` after `?`, `&`
or `;` (also URL-encoded: `%3F`, `%26`, `=` as `%3D`); `sig=` is scrubbed wherever it appears.
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
_SECRET_KEYS_FOLDED = frozenset(k.lower() for k in SECRET_KEYS)
SECRET_MARK = "<secret>"
MIN_SECRET_CHARS = 6
# Query keys whose value is a credential: SAS (`sig`), Azure Functions (`code`), OAuth tokens, API keys.
# Not `se`/`sv`/`sp` (a SAS token's expiry, version and permissions: not secret).
CREDENTIAL_QUERY_KEYS = (
    "sig",
    "signature",
    "code",
    "token",
    "access_token",
    "id_token",
    "refresh_token",
    "client_secret",
    "password",
    "pwd",
    "api_key",
    "apikey",
    "key",
    "x-amz-signature",
    "x-goog-signature",
)
_EQ = r"(?:=|%3d)"
_SAS_SIG = re.compile(rf"(?i)(\bsig{_EQ})[^&\s\"'#<>]+")
_QUERY_CREDENTIAL = re.compile(
    rf"(?i)((?:[?&;]|%3f|%26)(?:{'|'.join(re.escape(k) for k in CREDENTIAL_QUERY_KEYS)}){_EQ})[^&\s\"'#<>]+"
)
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@\"'?#<>]+@")
_ENCODED_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*%3a%2f%2f)(?:(?!%2f)[^/\s\"'?#<>&])+?%40")
_KNOWN: set[str] = set()
_ORDERED: list[re.Pattern[str]] = []  # the compiled pattern of `_KNOWN`, rebuilt after a change
_MARKS = re.compile(r"(<secret(?:: \d+ bytes after base64 decoding)?>)")


def remember(value: Any) -> None:
    """Note the strings of a secret value (nested ones too, and a base64 payload's decoded text), so that
    `redact_text` takes them out of whatever is printed."""
    if isinstance(value, str):
        for text in (value, _decoded_text(value)):
            if text is not None and len(text) >= MIN_SECRET_CHARS and text not in _KNOWN:
                _KNOWN.add(text)
                _ORDERED.clear()
    elif isinstance(value, dict):
        for inner in value.values():
            remember(inner)
    elif isinstance(value, list):
        for inner in value:
            remember(inner)


def remember_under_secret_keys(value: Any, extra: frozenset[str] = frozenset(), pointer: str = "") -> None:
    """`remember` every value below a secret key (adminPassword, protectedSettings, ...) or at one of the
    `extra` pointers (values a template computed from a secure parameter) of a model document."""
    if pointer in extra:
        remember(value)
        return
    if isinstance(value, dict):
        for key, inner in value.items():
            if str(key).lower() in _SECRET_KEYS_FOLDED:
                remember(inner)
            else:
                token = str(key).replace("~", "~0").replace("/", "~1")
                remember_under_secret_keys(inner, extra, f"{pointer}/{token}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            remember_under_secret_keys(inner, extra, f"{pointer}/{index}")


def forget_all() -> None:
    """A new run: nothing remembered (the CLI calls it once per command line)."""
    _KNOWN.clear()
    _ORDERED.clear()


def redact_text(text: str) -> str:
    """`text` without any remembered secret and without URL credentials: the one redaction point.

    One regular-expression pass (longest secret first), outside the marks already in the text
    (`<secret>`, `<secret: N bytes after base64 decoding>`), so that a secret that happens to be a word
    of a mark, or of another secret, never rewrites what was already redacted.
    """
    if _KNOWN:
        if not _ORDERED:
            spellings = {sp for secret in _KNOWN for sp in _spellings(secret)}
            _ORDERED.append(
                re.compile("|".join(re.escape(sp) for sp in sorted(spellings, key=len, reverse=True)))
            )
        pattern = _ORDERED[0]
        pieces = _MARKS.split(text)
        text = "".join(
            piece if index % 2 else pattern.sub(SECRET_MARK, piece) for index, piece in enumerate(pieces)
        )
    return scrub_text(text)


def scrub_text(text: str) -> str:
    """Credentials out of every URL in `text` (see the module docstring for the spellings)."""
    lowered = text.lower()
    if "@" in text or "%40" in lowered:
        text = _URL_CREDENTIALS.sub(r"\1REDACTED@", text)
        text = _ENCODED_URL_CREDENTIALS.sub(r"\1REDACTED%40", text)
    if "=" in text or "%3d" in lowered:
        text = _SAS_SIG.sub(r"\1REDACTED", text)
        text = _QUERY_CREDENTIAL.sub(r"\1REDACTED", text)
    return text


def redact_record(value: Any) -> Any:
    """A copy of a report value (records, lists, dicts, strings) passed through `redact_text`; parts that
    do not change are kept as they are."""
    from vmss_lint.core.records import Record, replace

    if type(value) is str:
        return redact_text(value)
    if isinstance(value, list):
        return [redact_record(v) for v in value]
    if isinstance(value, dict):
        return {k: redact_record(v) for k, v in value.items()}
    if isinstance(value, Record):
        changes = {}
        for spec in type(value)._fields:
            old = getattr(value, spec[0])
            new = redact_record(old)
            if new != old:
                changes[spec[0]] = new
        return replace(value, **changes) if changes else value
    return value


def _spellings(secret: str) -> set[str]:
    import json

    return {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
    }


def _decoded_text(value: str) -> str | None:
    if len(value) < 8 or len(value) % 4:
        return None
    try:
        text = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return text if text.isprintable() else None


def is_secret_pointer(pointer: str, extra: frozenset[str] = frozenset()) -> bool:
    if pointer in extra or any(pointer.startswith(p + "/") for p in extra):
        return True
    return any(part.lower() in _SECRET_KEYS_FOLDED for part in split_pointer(pointer))


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
        return scrub_text(value)
    if isinstance(value, dict):
        return {
            k: (SECRET_MARK if str(k).lower() in _SECRET_KEYS_FOLDED and v is not None else scrub(v))
            for k, v in value.items()
        }
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
