"""What every input source hands the pipeline: pairs of scale-set models and what was learnt reading them.

Two model files, a model plus edits, two templates, a what-if result and git mode all end here, as values:
`vmss_lint.pipeline.check` lints an `InputSet` the same way whichever source built it, and nothing travels
to it through shared options.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from vmss_lint.core.model import ScaleSetModel
from vmss_lint.core.records import Record, field

if TYPE_CHECKING:
    from vmss_lint.core.policy import Weakening
    from vmss_lint.engine.suppress import Suppression


class ModelPair(Record, kw_only=False):
    """One scale set on both sides. `current` None: the change creates it; `proposed` None: the change
    drops it (no longer managed, or deleted by a what-if). `positions` False: the models were read from
    compiled JSON (Bicep) that no one can open, so findings carry no file position."""

    current: ScaleSetModel | None
    proposed: ScaleSetModel | None
    positions: bool = True


class InputSet(Record):
    """Everything one run lints.

    `suppressions` are the ones the inputs declare themselves (a template's `metadata`); the config's
    come with the options. `renames` maps the path prefix of a temporary copy (git mode reads each
    revision into one) to how the report names that file. `weakenings` are the template `metadata`
    suppressions an untrusted head added, refused (see `vmss_lint.config.trust`).
    """

    pairs: list[ModelPair] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    renames: Mapping[str, str] = field(default_factory=dict)
    weakenings: list[Weakening] = field(default_factory=list)


def renamed(text: str, renames: Mapping[str, str]) -> str:
    """`text` with every temporary copy's path prefix replaced by how the report names that file."""
    for prefix, name in renames.items():
        text = text.replace(prefix, name)
    return text
