"""What the template walker finds: the resource types it looks for, where a resource came from
(`Origin`), a resolved scale set or extension (`FoundResource`), the ones ARM skips, and giving each
extension resource to its scale set.

Split from `vmss_lint.arm.templates` (the walk itself) so that `vmss_lint.arm.template_model`, which
turns a found resource into a canonical model, needs these records without importing the walker, and
the position helpers the walker and `vmss_lint.arm.deployments` share live in one place.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from vmss_lint.arm.expressions.api import EvalScope, Value
from vmss_lint.arm.files import InputFile
from vmss_lint.arm.template_options import ParameterValues
from vmss_lint.core.records import Record, field

VMSS_TYPE = "microsoft.compute/virtualmachinescalesets"
EXTENSION_TYPE = VMSS_TYPE + "/extensions"
DEPLOYMENT_TYPE = "microsoft.resources/deployments"
TEMPLATE_ONLY_KEYS = frozenset(
    {"apiversion", "dependson", "condition", "copy", "comments", "metadata", "scope", "existing", "resources"}
)


class Origin(Record):
    """The template a resource was declared in and the expression scope it is evaluated with.

    `scope_file`/`scope_base` locate the template whose parameters and variables are in scope, which for
    an `outer`-scope nested deployment is the parent, not the template the resource sits in.
    """

    file: InputFile
    scope: EvalScope
    params: ParameterValues
    scope_file: InputFile
    scope_base: str
    deployment: tuple[str, ...] = ()
    target: tuple[str, str] = ("", "")  # (subscription, resource group) a nested deployment overrides
    api_profile: str | None = None  # the template's Azure Stack Hub `apiProfile`, if any


class FoundResource(Record):
    """A scale set or a scale-set extension resource, resolved for one copy-loop iteration (`extensions`
    is filled once the walk is over: the extension resources ARM applies to this scale set)."""

    type: str
    symbolic: str | None
    name_text: str
    name: Value
    api_version: str | None
    raw: dict[str, Any]
    body: dict[str, Value]
    pointer: str
    origin: Origin
    condition: Value = True
    parent: int | None = None  # index of the scale set a nested extension child belongs to
    extensions: list[FoundResource] = field(default_factory=list)
    condition_text: str | None = None  # the `condition` as written, when it could not be decided
    api_detail: str | None = None  # how api_version was found when not written as a literal

    @property
    def display_name(self) -> str:
        return self.name if isinstance(self.name, str) else self.name_text


class NotDeployed(NamedTuple):
    """A scale set the template declares whose `condition` is known to be false: ARM skips it.

    This and `Scan` are NamedTuples rather than dataclasses: defining a dataclass costs a cold template
    check several times as much, and neither is ever changed after it is made."""

    name: Value
    name_text: str
    condition_text: str
    target: tuple[str, str]

    @property
    def display_name(self) -> str:
        return self.name if isinstance(self.name, str) else self.name_text


class Scan(NamedTuple):
    """What `scan_template` found: the scale sets, the notices, and the scale sets ARM skips."""

    scale_sets: list[FoundResource]
    notices: list[str]
    not_deployed: list[NotDeployed]


def attach_extensions(found: list[FoundResource], notices: list[str]) -> None:
    """Give each extension resource to its scale set: ARM applies it to that scale set's model."""
    scale_sets = [r for r in found if r.type == VMSS_TYPE]
    for ext in found:
        if ext.type != EXTENSION_TYPE:
            continue
        if ext.parent is not None:
            found[ext.parent].extensions.append(ext)
            continue
        parent: FoundResource | None = None
        if isinstance(ext.name, str) and "/" in ext.name:
            wanted = ext.name.split("/", 1)[0].lower()
            matches = [s for s in scale_sets if isinstance(s.name, str) and s.name.lower() == wanted]
            parent = matches[0] if len(matches) == 1 else None
        if parent is None:
            same = [s for s in scale_sets if s.origin.deployment == ext.origin.deployment]
            parent = same[0] if len(same) == 1 else None
        if parent is None:
            notices.append(
                f"{ext.origin.file.path}: extension resource {ext.name_text} matches no scale set in the template; "
                "not checked"
            )
            continue
        parent.extensions.append(ext)


def clip(text: str, limit: int = 200) -> str:
    """An expression as written, shortened for a notice (the notice names it; the file has it whole)."""
    return text if len(text) <= limit else text[:limit] + "..."


def local_pointer(scope: EvalScope, pointer: str) -> str:
    """`pointer` relative to the template `scope` evaluates (a nested template sits inside its file)."""
    prefix = scope.pointer_prefix
    return pointer[len(prefix) :] if prefix and pointer.startswith(prefix) else pointer


def where_in(file: InputFile, pointer: str) -> str:
    """Where an error points: the line and column of `pointer` in `file`, else the pointer itself."""
    pos = file.parsed.positions.get(pointer)
    return f"line {pos[0]}, column {pos[1]}" if pos else pointer
