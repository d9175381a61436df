"""The one exception type that reaches the user.

Everything that is wrong with the user's input or invocation is raised as `InputError`; the CLI turns it
into a single line on stderr and exit code 2. Any other exception is a bug in vmss-lint, and the CLI
says so (still without a traceback unless VMSS_LINT_DEBUG is set).
"""

from __future__ import annotations


class InputError(Exception):
    """Bad input or bad usage: which file, where, what is wrong, what to do."""

    def __init__(
        self,
        source: str,
        problem: str,
        *,
        where: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.source = source
        self.problem = problem
        self.where = where
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [self.source]
        if self.where:
            parts.append(self.where)
        text = ": ".join(parts) + ": " + self.problem
        if self.hint:
            text += f" ({self.hint})"
        return text


class LimitExceeded(InputError):
    """An input went past one of vmss-lint's safety limits (size, depth, loop count)."""
