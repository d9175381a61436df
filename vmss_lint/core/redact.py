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

The secrets belong to a run (`Secrets`), held in a context variable that `run_secrets()` opens: the CLI
opens it once per command line, `vmss_lint.api` once per call and `pipeline.check` when nobody did, and
when the outermost one closes the secrets are dropped. A context variable, not a value passed along,
because the places that meet a secret are deep inside the readers (template evaluation, `--az-update`
parsing, patch application, rule hooks) and a parameter through every one of them would be noise; and
it keeps concurrent runs (threads, asyncio tasks) apart where module state would mix them. What is
remembered outside any run (a library caller reading inputs before `check`) waits in the caller's
context for the next run, which adopts it and drops it when it ends, so nothing accumulates from run to
run and no caller has to forget anything.

URL credentials, in every spelling: `scheme://user:password@`, `scheme://token@`, their URL-encoded forms
(`https%3A%2F%2Ftoken%40host`), and the values of the query keys in `CREDENTIAL_QUERY_KEYS` after `?`, `&`
or `;` (also URL-encoded: `%3F`, `%26`, `=` as `%3D`); `sig=` is scrubbed wherever it appears.
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from operator import is_not
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


@cache
def _url_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(SAS signature, credential query value, URL user info, URL-encoded user info), compiled on the
    first text that could hold one: most runs print no `@`, `=` or `%` and never pay the ~1 M
    instructions of compiling them at import."""
    keys = "|".join(re.escape(k) for k in CREDENTIAL_QUERY_KEYS)
    return (
        re.compile(rf"(?i)(\bsig{_EQ})[^&\s\"'#<>]+"),
        re.compile(rf"(?i)((?:[?&;]|%3f|%26)(?:{keys}){_EQ})[^&\s\"'#<>]+"),
        re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@\"'?#<>]+@"),
        re.compile(r"(?i)\b([a-z][a-z0-9+.-]*%3a%2f%2f)(?:(?!%2f)[^/\s\"'?#<>&])+?%40"),
    )


@cache
def _marks() -> re.Pattern[str]:
    """The marks already in a text, which a secret never rewrites (compiled when a run has a secret)."""
    return re.compile(r"(<secret(?:: \d+ bytes after base64 decoding)?>)")


class Secrets:
    """The secret strings one run has read, and the pattern that finds any of their spellings."""

    __slots__ = ("_pattern", "known", "open")

    def __init__(self) -> None:
        self.known: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.open = False  # True while a `run_secrets()` holds it; False: read outside any run, waiting

    def add(self, text: str) -> None:
        if text not in self.known:
            self.known.add(text)
            self._pattern = None

    def pattern(self) -> re.Pattern[str] | None:
        """One alternation of every spelling, longest first (so a secret that contains another wins);
        None when nothing was remembered. Rebuilt only after `add` changed the set."""
        if self._pattern is None and self.known:
            spellings = {sp for secret in self.known for sp in _spellings(secret)}
            self._pattern = re.compile(
                "|".join(re.escape(sp) for sp in sorted(spellings, key=len, reverse=True))
            )
        return self._pattern


_RUN: contextvars.ContextVar[Secrets | None] = contextvars.ContextVar("vmss_lint_secrets", default=None)


@contextmanager
def run_secrets() -> Iterator[Secrets]:
    """The secrets of the run in progress, opening a run if none is open (the outermost caller owns it).

    Opening adopts what was remembered before in this context (inputs read ahead of `check`); closing
    the outermost run drops everything, so the next run starts with nothing."""
    waiting = _RUN.get()
    if waiting is not None and waiting.open:
        yield waiting
        return
    secrets = waiting if waiting is not None else Secrets()
    secrets.open = True
    _RUN.set(secrets)
    try:
        yield secrets
    finally:
        secrets.open = False
        _RUN.set(None)


def _current() -> Secrets:
    """The open run's secrets, or (outside any run) the context's waiting ones, created on first use."""
    secrets = _RUN.get()
    if secrets is None:
        secrets = Secrets()
        _RUN.set(secrets)
    return secrets


def remember(value: Any) -> None:
    """Note the strings of a secret value (nested ones too, and a base64 payload's decoded text), so that
    `redact_text` takes them out of whatever the run prints."""
    _remember(value, _current())


def _remember(value: Any, secrets: Secrets) -> None:
    if isinstance(value, str):
        for text in (value, _decoded_text(value)):
            if text is not None and len(text) >= MIN_SECRET_CHARS:
                secrets.add(text)
    elif isinstance(value, dict):
        for inner in value.values():
            _remember(inner, secrets)
    elif isinstance(value, list):
        for inner in value:
            _remember(inner, secrets)


def remember_under_secret_keys(value: Any, extra: frozenset[str] = frozenset(), pointer: str = "") -> None:
    """`remember` every value below a secret key (adminPassword, protectedSettings, ...) or at one of the
    `extra` pointers (values a template computed from a secure parameter) of a model document."""
    _remember_under(value, extra, pointer, _current())


def _remember_under(value: Any, extra: frozenset[str], pointer: str, secrets: Secrets) -> None:
    if pointer in extra:
        _remember(value, secrets)
        return
    if isinstance(value, dict):
        for key, inner in value.items():
            if str(key).lower() in _SECRET_KEYS_FOLDED:
                _remember(inner, secrets)
            elif isinstance(inner, (dict, list)) or extra:  # a scalar under a plain key holds no secret
                token = str(key).replace("~", "~0").replace("/", "~1")
                _remember_under(inner, extra, f"{pointer}/{token}", secrets)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            if isinstance(inner, (dict, list)) or extra:
                _remember_under(inner, extra, f"{pointer}/{index}", secrets)


def forget_all() -> None:
    """Drop what this context remembered outside any run. Nobody has to call it: a run drops its secrets
    when it ends; it is for code (the test suite) that remembers secrets directly, outside a run."""
    secrets = _RUN.get()
    if secrets is not None and not secrets.open:
        _RUN.set(None)


def redact_text(text: str) -> str:
    """`text` without any remembered secret and without URL credentials: the one redaction point.

    One regular-expression pass (longest secret first), outside the marks already in the text
    (`<secret>`, `<secret: N bytes after base64 decoding>`), so that a secret that happens to be a word
    of a mark, or of another secret, never rewrites what was already redacted.
    """
    secrets = _RUN.get()
    return _redact_text(text, secrets.pattern() if secrets is not None else None)


def _redact_text(text: str, pattern: re.Pattern[str] | None) -> str:
    if pattern is not None and pattern.search(text) is not None:
        pieces = _marks().split(text)
        text = "".join(
            piece if index % 2 else pattern.sub(SECRET_MARK, piece) for index, piece in enumerate(pieces)
        )
    return scrub_text(text)


def scrub_text(text: str) -> str:
    """Credentials out of every URL in `text` (see the module docstring for the spellings).

    Each pattern runs only when the text holds what every one of its matches must contain (`://` and
    `@`, `sig`, a query separator, ...): a case-insensitive scan of a long message costs far more than a
    few substring tests, and most report strings (messages with `=` or `%`) hold no URL at all."""
    at, eq, pct = "@" in text, "=" in text, "%" in text
    if not (at or eq or pct):  # the common case: no URL credential can be spelled without one of them
        return text
    lowered = text.lower()
    sas_sig, query_credential, url_credentials, encoded_url_credentials = _url_patterns()
    if at and "://" in text:
        text = url_credentials.sub(r"\1REDACTED@", text)
    if pct and "%40" in lowered and "%3a%2f%2f" in lowered:
        text = encoded_url_credentials.sub(r"\1REDACTED%40", text)
    if eq or (pct and "%3d" in lowered):
        if "sig" in lowered:
            text = sas_sig.sub(r"\1REDACTED", text)
        if "?" in text or "&" in text or ";" in text or "%3f" in lowered or "%26" in lowered:
            text = query_credential.sub(r"\1REDACTED", text)
    return text


def redact_record(value: Any) -> Any:
    """A copy of a report value (records, lists, dicts, strings) passed through `redact_text`; parts that
    do not change are kept as they are (the same objects), so a clean report costs one walk and no copy.

    The secrets' pattern is looked up once for the walk, and each distinct string of the report is
    redacted once (pointers, files and rule names repeat: about half of a report's strings are repeats).
    """
    from vmss_lint.core.records import Record

    secrets = _RUN.get()
    pattern = secrets.pattern() if secrets is not None else None
    done: dict[str, str] = {}

    def walk(value: Any) -> Any:
        kind = type(value)
        if kind is str:
            text = done.get(value)
            if text is None:
                text = done[value] = _redact_text(value, pattern)
            return text
        if kind is list:
            items = [walk(v) for v in value]
            return items if any(map(is_not, items, value)) else value
        if kind is dict:
            pairs = {k: walk(v) for k, v in value.items()}
            return pairs if any(map(is_not, pairs.values(), value.values())) else value
        if isinstance(value, Record):
            changes = {}
            attrs = value.__dict__
            for spec in kind._fields:
                old = attrs[spec[0]]
                if type(old) in _LEAVES:
                    continue
                new = walk(old)
                if new is not old:
                    changes[spec[0]] = new
            return _replaced(value, changes) if changes else value
        if isinstance(value, list):  # a subclass: a plain copy, as always
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    return walk(value)


_LEAVES = frozenset({int, float, bool, type(None)})
"""Field types that hold no string: a record field of one of them is not walked."""


def _replaced(record: Any, changes: dict[str, Any]) -> Any:
    from vmss_lint.core.records import replace

    return replace(record, **changes)


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
