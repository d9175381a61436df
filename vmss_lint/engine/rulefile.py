"""One rule file: its TOML text, parsed and validated into a `RuleSpec` (once per process per text).

Both the pack loader (`vmss_lint.engine.packs`) and the index builder (`vmss_lint.engine.index`, which the
loader reads) parse rule files; the parser lives here so that neither has to import the other's module.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from vmss_lint.core.errors import InputError
from vmss_lint.engine.spec import RuleError, RuleSpec

if TYPE_CHECKING:
    from pydantic import TypeAdapter


def toml_text(raw: bytes) -> str:
    """A rule file's text as `read_text` gives it (UTF-8, universal newlines)."""
    return raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def parse_rule(text: str, source: str) -> RuleSpec:
    """Parse and validate one rule file's text (tomllib and pydantic); InputError naming `source` if bad."""
    return _parse_rule_cached(text, source)


@functools.lru_cache(maxsize=4096)
def _parse_rule_cached(text: str, source: str) -> RuleSpec:
    """Parse once per process: tomllib is pure Python and a long-running caller (git mode, the
    benchmark, an editor integration) loads the same rules for every pair. Keyed by the text, so an
    edited file is parsed again; `RuleSpec` is frozen, so sharing one instance is safe."""
    import tomllib

    from pydantic import ValidationError

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(source, f"not valid TOML: {exc}") from None
    try:
        spec: RuleSpec = _rule_adapter().validate_python(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        loc = [str(p) for p in first["loc"]]
        count = len(errors)
        problem = first["msg"]
        error = first.get("ctx", {}).get("error")
        if isinstance(error, RuleError):
            # A check of RuleSpec.__post_init__: pydantic knows the table, the error knows the field.
            loc += [error.problems[0][0]] if error.problems[0][0] else []
            count += len(error.problems) - 1
        elif first["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
            problem = "unknown key"
        raise InputError(
            source,
            f"invalid rule: {problem}",
            where=".".join(loc) or "rule",
            hint=f"{count} problem(s) in this file",
        ) from None
    return spec


@functools.cache
def _rule_adapter() -> TypeAdapter[RuleSpec]:
    from pydantic import TypeAdapter

    return TypeAdapter(RuleSpec)
