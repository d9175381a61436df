"""The compiled rule index of a rule pack: `index.json` next to the pack's `*.toml` files.

Parsing ~130 TOML files with tomllib (pure Python) and validating them with pydantic would cost every run
tens of milliseconds, so a pack may ship its rules already validated. The format (version 1):

    {
      "format": 1,
      "generator": "python -m vmss_lint.engine.index",
      "hash": "blake2b-256",
      "rules": {
        "VMSS101-zone-removed.toml": {"hash": "<hex digest of the file's bytes>", "rule": {...}},
        ...
      }
    }

`rule` is the validated rule as plain JSON: every field that differs from its default, enums as their
strings, nested tables as objects. The registry still lists the folder and reads every TOML file; it
serves a rule from the index only when the index has that file name with the digest of the file's current
bytes, and parses and validates the TOML otherwise (no index, an edited or new file). An index that cannot
be read, has another format, or an entry that does not build into a valid `RuleSpec`, is ignored the same
way: the index only ever saves time, it never changes which rules load or what they say. Nothing is
written at run time.

    python -m vmss_lint.engine.index [FOLDER]          # rewrite FOLDER/index.json (default: built-in rules)
    python -m vmss_lint.engine.index --check [FOLDER]  # exit 1 if it is missing or stale
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import types
import typing
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from vmss_lint.core.records import MISSING, Record, RecordField, record_fields
from vmss_lint.engine.spec import RuleSpec

try:  # hashlib imports OpenSSL's _hashlib first (~2 ms); blake2b is built into CPython on its own
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - CPython always has _blake2
    from hashlib import blake2b

INDEX_NAME = "index.json"
FORMAT = 1
HASH = "blake2b-256"
COMMAND = "python -m vmss_lint.engine.index"


def digest(raw: bytes) -> str:
    return blake2b(raw, digest_size=32).hexdigest()


@functools.lru_cache(maxsize=16)
def read_index(raw: bytes) -> dict[str, tuple[str, RuleSpec]]:
    """File name -> (digest, spec) for every usable entry of an index file's bytes; {} if it is unusable.

    Cached by content: a long-running caller (git mode, the benchmark) loads the same packs for every pair.
    """
    try:
        doc = json.loads(raw)
        if doc.get("format") != FORMAT or doc.get("hash") != HASH:
            return {}
        entries = doc["rules"].items()
    except (ValueError, TypeError, AttributeError, KeyError):
        return {}
    usable = {}
    for name, entry in entries:
        try:
            usable[name] = (str(entry["hash"]), rule_from_data(entry["rule"]))
        except (ValueError, TypeError, AttributeError, KeyError):
            continue
    return usable


def rule_from_data(data: Any) -> RuleSpec:
    """A `RuleSpec` from an index entry's plain data, without pydantic: the types are checked, enums and
    nested tables converted, and `__post_init__` runs as always; anything else raises TypeError,
    ValueError or KeyError."""
    spec: RuleSpec = _converter(RuleSpec)(data)
    return spec


def rule_to_data(spec: RuleSpec) -> dict[str, Any]:
    """The index form of a validated spec: the fields that differ from their defaults, as plain JSON."""
    plain: dict[str, Any] = _plain(spec)
    return plain


def _plain(value: Any) -> Any:
    if isinstance(value, Record):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in record_fields(type(value))
            if not _is_default(f, getattr(value, f.name))
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _is_default(f: RecordField, value: Any) -> bool:
    if f.default is not MISSING:
        return bool(type(value) is type(f.default) and value == f.default)
    if f.default_factory is not MISSING:
        return bool(value == f.default_factory())
    return False


# Index entries are read by converters compiled once per type from the records' annotations: the few
# shapes RuleSpec uses (str, bool, int, enums, Literal, list[...], dict[str, Any], X | None, nested
# records).
_CONVERTERS: dict[Any, Callable[[Any], Any]] = {}


def _converter(tp: Any) -> Callable[[Any], Any]:
    if tp not in _CONVERTERS:
        _CONVERTERS[tp] = _compile(tp)
    return _CONVERTERS[tp]


def _compile(tp: Any) -> Callable[[Any], Any]:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (types.UnionType, typing.Union) and len(args) == 2 and type(None) in args:
        inner = _converter(args[0] if args[1] is type(None) else args[1])
        return lambda v: None if v is None else inner(v)
    if origin is Literal:
        allowed = frozenset(args)
        return lambda v: _check(v, str) if v in allowed else _fail(v, tp)
    if origin is list:
        item = _converter(args[0])
        return lambda v: [item(x) for x in _check(v, list)]
    if origin is dict and args[0] is str:
        return lambda v: _check(v, dict)
    if tp is Any:
        return lambda v: v
    if tp in (str, bool):
        return lambda v: _check(v, tp)
    if tp is int:  # a bool is an int to isinstance, not to a rule
        return lambda v: v if isinstance(v, int) and not isinstance(v, bool) else _fail(v, int)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return lambda v: tp(_check(v, str))
    if isinstance(tp, type) and issubclass(tp, Record):
        return _compile_record(tp)
    raise TypeError(f"the rule index cannot hold {tp!r}")


def _compile_record(cls: type[Record]) -> Callable[[Any], Any]:
    hints = typing.get_type_hints(cls)
    fields = {f.name: _converter(hints[f.name]) for f in record_fields(cls)}

    def build(v: Any) -> Any:
        return cls(**{key: fields[key](x) for key, x in _check(v, dict).items()})

    return build


def _check(value: Any, kind: type) -> Any:
    return value if isinstance(value, kind) else _fail(value, kind)


def _fail(value: Any, expected: Any) -> Any:
    raise TypeError(f"{value!r} is not {expected!r}")


# ---- the generator ----------------------------------------------------------------------------------


def builtin_folder() -> Path:
    from vmss_lint.core.package_files import package_files

    return Path(str(package_files("vmss_lint.rules")))


def build_index(folder: Path) -> tuple[str, list[str]]:
    """The index text for `folder` after validating every rule file, and notes on files left out.

    Raises InputError (naming the file) for a rule that does not validate: an index is never written
    for a broken pack. A valid rule whose data JSON cannot carry exactly (a TOML date in an example,
    say) is left out and parsed at run time instead.
    """
    from vmss_lint.engine.rulefile import parse_rule, toml_text

    rules: dict[str, Any] = {}
    notes = []
    for path in sorted(folder.glob("*.toml")):
        raw = path.read_bytes()
        spec = parse_rule(toml_text(raw), str(path))
        try:
            data = rule_to_data(spec)
            if rule_from_data(json.loads(json.dumps(data, allow_nan=False))) != spec:
                raise ValueError("it does not survive a JSON round trip")
        except (TypeError, ValueError) as exc:
            notes.append(f"{path.name}: left out of the index (parsed at run time): {exc}")
            continue
        rules[path.name] = {"hash": digest(raw), "rule": data}
    doc = {"format": FORMAT, "generator": COMMAND, "hash": HASH, "rules": rules}
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n", notes


def main(argv: list[str] | None = None) -> int:
    from vmss_lint.core.errors import InputError

    parser = argparse.ArgumentParser(prog=COMMAND, description="Write (or --check) a rule pack's index.json.")
    parser.add_argument("folder", nargs="?", type=Path, help="rule pack folder (default: the built-in rules)")
    parser.add_argument("--check", action="store_true", help="exit 1 if index.json is missing or stale")
    ns = parser.parse_args(argv)
    folder: Path = ns.folder or builtin_folder()
    target = folder / INDEX_NAME
    try:
        text, notes = build_index(folder)
    except InputError as exc:
        sys.stderr.write(f"{COMMAND}: {exc}\n")
        return 2
    for note in notes:
        sys.stderr.write(f"{COMMAND}: {note}\n")
    if ns.check:
        current = target.read_bytes().decode("utf-8", "replace") if target.is_file() else None
        if current != text:
            state = "missing" if current is None else "stale (a rule file changed since it was generated)"
            where = "" if ns.folder is None else f" {folder}"
            sys.stderr.write(f"{target} is {state}: regenerate it with `{COMMAND}{where}`\n")
            return 1
        return 0
    target.write_bytes(text.encode("utf-8"))
    sys.stdout.write(f"wrote {target}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
