"""Every safety limit in one place, with the environment variable that raises it.

A linter that hangs or eats memory on a strange input gets uninstalled, so each input dimension that
could grow without bound (bytes, nesting, expression length and depth, copy counts, nested
deployments, scale sets per run, patch operations) is capped. Crossing a cap is never a traceback: it
is a `LimitExceeded` (an `InputError`, so exit 2) whose message names the limit and how to raise it.

Where ARM enforces the same limit (copy count, expression length) the default is ARM's own, so a
template that hits it would be rejected by Azure anyway; the variable still lets you lint it. The
others are vmss-lint's, chosen far above anything real (the largest corpus template is well under
1 MB) and far below what would take seconds.

Modules keep their own fast checks but read the value from here (`Limit.value`), so the number and the
advice in the message never drift apart. This module imports nothing heavy: the readers import it.
"""

from __future__ import annotations

import os

from vmss_lint.core.errors import InputError, LimitExceeded
from vmss_lint.core.records import Record

__all__ = [
    "ALL_LIMITS",
    "COPY_COUNT",
    "COPY_MAX_COUNT",
    "EXPRESSION_DEPTH",
    "EXPRESSION_LENGTH",
    "EXPRESSION_MAX_DEPTH",
    "EXPRESSION_MAX_LENGTH",
    "EXPRESSION_MAX_STEPS",
    "EXPRESSION_STEPS",
    "INPUT_BYTES",
    "INPUT_MAX_BYTES",
    "JSON_DEPTH",
    "JSON_MAX_DEPTH",
    "MAX_SCALE_SETS",
    "NESTED_DEPLOYMENTS",
    "NESTED_DEPLOYMENT_MAX_DEPTH",
    "PATCH_MAX_OPS",
    "PATCH_OPS",
    "SCALE_SETS",
    "VALUE_CHARS",
    "VALUE_ELEMENTS",
    "VALUE_MAX_CHARS",
    "VALUE_MAX_ELEMENTS",
    "Limit",
    "read_capped",
]

# Defaults. The ARM reader's own defaults are these two (one number, one place).
INPUT_MAX_BYTES = 20 * 1024 * 1024
"""Largest input file (20 MiB; ARM caps a template at 4 MB, `az vmss show` output is ~10 KB)."""
JSON_MAX_DEPTH = 200
"""Deepest nesting of JSON objects/arrays (a real scale set model is about 12 levels deep)."""
EXPRESSION_MAX_LENGTH = 24_576
"""Characters in one template expression: ARM's documented limit."""
EXPRESSION_MAX_DEPTH = 100
"""Nesting of function calls in one expression (ours; ARM documents none)."""
COPY_MAX_COUNT = 800
"""`count` of one copy loop: ARM's documented limit (also its limit on resources per template)."""
NESTED_DEPLOYMENT_MAX_DEPTH = 32
"""Nested `Microsoft.Resources/deployments` inside each other (ours; ARM documents no depth limit)."""
MAX_SCALE_SETS = 500
"""Scale sets in one run (ours; a template has at most 800 resources, a subscription far fewer VMSS)."""
PATCH_MAX_OPS = 10_000
"""Operations in one JSON Patch (ours; each op is applied to a copy of the whole document)."""
EXPRESSION_MAX_STEPS = 1_000_000
"""Units of expression work in one run, shared by every template, copy loop, nested deployment, user
function and lambda: each function call or lambda application costs one, plus one per element of its
arguments and of what it newly builds; each copy-loop iteration costs one (ours; the largest corpus
template uses about 5,000)."""
VALUE_MAX_ELEMENTS = 1_000_000
"""Elements (arrays, objects, keys, strings, numbers, ...) in one evaluated value or patched document,
counted every time they appear, so shared references cannot hide a doubling (ours)."""
VALUE_MAX_CHARS = 4 * 1024 * 1024
"""Characters of all the strings in one evaluated value or patched document, keys included (ours; ARM
refuses a request over 4 MB, so such a value could not be deployed anyway)."""


class Limit(Record, kw_only=False):
    """One cap: its default, the variable that overrides it, and how to describe it to a user."""

    env: str
    """Environment variable holding a positive whole number that replaces the default."""
    default: int
    what: str
    """What is counted, for the message: "input size", "copy count", ..."""
    unit: str = ""
    arm: bool = False
    """True when ARM enforces the same limit, so Azure would reject the input too."""

    @property
    def value(self) -> int:
        """The limit in force: the environment override if set, else the default."""
        given = os.environ.get(self.env)
        if given is None:  # the usual case, asked once per template expression: keep it short
            return self.default
        raw = given.strip().replace("_", "")
        if not raw:
            return self.default
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise InputError(
                self.env,
                f"'{os.environ[self.env]}' is not a positive whole number",
                hint=f"unset it to use the default of {self.default}",
            )
        return int(raw)

    def exceeded(self, source: str, actual: int | None = None, *, where: str | None = None) -> LimitExceeded:
        """The exception to raise when `actual` (if known) went past the limit."""
        limit = self.value
        unit = f" {self.unit}" if self.unit else ""
        owner = "ARM's and vmss-lint's" if self.arm and limit == self.default else "vmss-lint's"
        seen = f" is {actual}{unit}," if actual is not None else ""
        problem = f"{self.what}{seen} over {owner} limit of {limit}{unit}"
        if self.arm and limit == self.default:
            hint = f"Azure rejects this too; to lint it anyway set {self.env} to a larger number"
        else:
            hint = f"to raise it, set the environment variable {self.env} to a larger number"
        return LimitExceeded(source, problem, where=where, hint=hint)

    def check(self, actual: int, source: str, *, where: str | None = None) -> None:
        """Raise `LimitExceeded` when `actual` is over the limit; cheap enough for inner loops."""
        if actual > self.value:
            raise self.exceeded(source, actual, where=where)


INPUT_BYTES = Limit("VMSS_LINT_MAX_BYTES", INPUT_MAX_BYTES, "input size", "bytes")
JSON_DEPTH = Limit("VMSS_LINT_MAX_DEPTH", JSON_MAX_DEPTH, "JSON nesting depth", "levels")
EXPRESSION_LENGTH = Limit(
    "VMSS_LINT_EXPRESSION_MAX_LENGTH", EXPRESSION_MAX_LENGTH, "template expression length", "characters", True
)
EXPRESSION_DEPTH = Limit(
    "VMSS_LINT_EXPRESSION_MAX_DEPTH", EXPRESSION_MAX_DEPTH, "template expression nesting", "levels"
)
COPY_COUNT = Limit("VMSS_LINT_COPY_MAX_COUNT", COPY_MAX_COUNT, "copy count", "", True)
NESTED_DEPLOYMENTS = Limit(
    "VMSS_LINT_NESTED_DEPLOYMENT_MAX_DEPTH",
    NESTED_DEPLOYMENT_MAX_DEPTH,
    "nested deployment depth",
    "levels",
)
SCALE_SETS = Limit("VMSS_LINT_MAX_SCALE_SETS", MAX_SCALE_SETS, "number of scale sets", "")
PATCH_OPS = Limit("VMSS_LINT_PATCH_MAX_OPS", PATCH_MAX_OPS, "number of JSON Patch operations", "")
EXPRESSION_STEPS = Limit(
    "VMSS_LINT_EXPRESSION_MAX_STEPS", EXPRESSION_MAX_STEPS, "expression evaluation work", "steps"
)
VALUE_ELEMENTS = Limit("VMSS_LINT_VALUE_MAX_ELEMENTS", VALUE_MAX_ELEMENTS, "size of a value", "elements")
VALUE_CHARS = Limit("VMSS_LINT_VALUE_MAX_CHARS", VALUE_MAX_CHARS, "text in a value", "characters")

ALL_LIMITS: tuple[Limit, ...] = (
    INPUT_BYTES,
    JSON_DEPTH,
    EXPRESSION_LENGTH,
    EXPRESSION_DEPTH,
    COPY_COUNT,
    NESTED_DEPLOYMENTS,
    SCALE_SETS,
    PATCH_OPS,
    EXPRESSION_STEPS,
    VALUE_ELEMENTS,
    VALUE_CHARS,
)


def read_capped(path: str | os.PathLike[str], source: str, *, role: str = "input") -> bytes:
    """The bytes of one file, never more than `INPUT_BYTES` of them: every file vmss-lint reads from disk
    (inputs, linked templates, parameters, config and rule files, git working-tree files) comes through
    here.

    A regular file is refused from its size before anything is read; a pipe or a file whose size the
    system does not report (`/proc`, `<(az vmss show ...)`) is read only one byte past the limit. An
    unreadable file is an `InputError` that names `source` and the system's reason, never the content.
    """
    import stat

    limit = INPUT_BYTES.value
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISREG(info.st_mode):
                INPUT_BYTES.check(info.st_size, source)
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(source, f"cannot read {role} file: {exc.strerror or type(exc).__name__}") from None
    if len(data) > limit:
        raise INPUT_BYTES.exceeded(source)
    return data
