"""A weakening of the check that a pull request tried: what the trust model refused, as data.

On an untrusted CI event (see `vmss_lint.config.trust`) the policy that can weaken the check (which rules
run, what fails the run, suppressions, rule folders, hooks, parameters mappings) is read from the base
revision. What the pull request's own config file or template `metadata` would have changed is kept as a
`Weakening`, so that the report can name it (rule VMSS011) instead of silently applying or dropping it.
"""

from __future__ import annotations

from vmss_lint.core.records import Record

WEAKENING_RULE = "VMSS011"


class Weakening(Record, kw_only=False):
    """One refused change of policy: `setting` as the file spells it (`fail-on`, `ignore`,
    `metadata.vmss-lint.suppress`), `value` what the pull request wrote, in the file `source` at `line`,
    refused `why` (the event, or the flag that forced it)."""

    setting: str
    value: str
    source: str
    line: int = 1
    why: str = ""

    def describe(self) -> str:
        because = f" ({self.why})" if self.why else ""
        return (
            f"{self.source} changes {self.setting}: {self.value}, which would weaken the check; "
            f"not applied on an untrusted event{because}: the base revision's policy is used"
        )
