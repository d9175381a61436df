"""Find the scale sets an ARM template deploys, with every value resolved as far as is possible offline.

A template PR is reviewed as the scale sets it will PUT, so the template is expanded the way ARM
expands it: `resources` as an array or a languageVersion 2.0 object (`existing` ones are not deployed),
resource `copy` loops, `condition`, nested deployments with `inner`/`outer` expression scope, linked
templates with a `relativePath`, and `virtualMachineScaleSets/extensions` child resources, which ARM
applies to the parent's model. Only the resources that matter are evaluated, so an expression error in
an unrelated resource never stops a run. What cannot be known offline stays an `Unknown` inside the
model (compare.py turns a change that involves one into a single `info`).

Positions and the canonical model are built in `vmss_lint.arm.template_model`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from vmss_lint.arm.expressions.api import EvalScope, Unknown, Value, charge_copy, references_secret, resolve
from vmss_lint.arm.files import InputFile
from vmss_lint.arm.template_options import ParameterValues, TemplateContext, TemplateParams
from vmss_lint.core.budget import run_budget
from vmss_lint.core.errors import InputError
from vmss_lint.core.limits import COPY_COUNT, NESTED_DEPLOYMENTS, SCALE_SETS

VMSS_TYPE = "microsoft.compute/virtualmachinescalesets"
EXTENSION_TYPE = VMSS_TYPE + "/extensions"
DEPLOYMENT_TYPE = "microsoft.resources/deployments"
TEMPLATE_ONLY_KEYS = frozenset(
    {"apiversion", "dependson", "condition", "copy", "comments", "metadata", "scope", "existing", "resources"}
)


@dataclass
class Origin:
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


@dataclass
class FoundResource:
    """A scale set or a scale-set extension resource, resolved for one copy-loop iteration."""

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


def scan_template(
    file: InputFile,
    params: ParameterValues,
    context: TemplateContext,
    options: TemplateParams | None = None,
) -> Scan:
    """Every scale set `file` deploys (nested and linked deployments included), with extensions attached."""
    template = file.value
    if not isinstance(template, dict):
        raise InputError(file.path, "a template must be a JSON object")
    scope = EvalScope.from_template(
        template,
        params.values,
        source=file.path,
        positions=file.parsed.positions,
        **context.scope_kwargs(),
    )
    scope.secret_parameters |= params.secret
    walker = _Walker(context, options or TemplateParams(), _folder_of(file))
    profile = template.get("apiProfile")
    origin = Origin(file, scope, params, file, "", api_profile=profile if isinstance(profile, str) else None)
    with run_budget():  # joins the run's budget; outside a run, one for the whole template
        walker.walk(template, "", origin, 0)
    _attach_extensions(walker.found, walker.notices)
    return Scan([r for r in walker.found if r.type == VMSS_TYPE], walker.notices, walker.not_deployed)


class _Walker:
    def __init__(self, context: TemplateContext, options: TemplateParams, root: str | None) -> None:
        self.context = context
        self.options = options
        self.root = root  # file mode: linked templates must resolve inside the top-level template's folder
        self.found: list[FoundResource] = []
        self.notices: list[str] = []
        self.not_deployed: list[NotDeployed] = []

    def walk(self, template: dict[str, Any], base: str, origin: Origin, depth: int) -> None:
        resources = template.get("resources")
        if isinstance(resources, dict):  # languageVersion 2.0: symbolic name -> resource
            for sym, res in resources.items():
                self.visit(res, f"{base}/resources/{_esc(sym)}", sym, origin, depth, None)
        elif isinstance(resources, list):
            for i, res in enumerate(resources):
                self.visit(res, f"{base}/resources/{i}", None, origin, depth, None)

    def visit(
        self,
        res: Any,
        pointer: str,
        symbolic: str | None,
        origin: Origin,
        depth: int,
        parent: FoundResource | None,
    ) -> None:
        if not isinstance(res, dict) or res.get("existing") is True:
            return
        rtype = res.get("type")
        if not isinstance(rtype, str):
            return
        if parent is not None and "/" not in rtype:
            rtype = f"{parent.type}/{rtype}"
        low = rtype.lower()
        if low not in (VMSS_TYPE, EXTENSION_TYPE, DEPLOYMENT_TYPE):
            return
        scope = origin.scope
        for iteration in self.iterations(res, pointer, origin):
            s = scope
            if iteration is not None:
                loop = res["copy"].get("name")
                s = s.with_copy_index(None, iteration)
                if isinstance(loop, str):
                    s = s.with_copy_index(loop, iteration)
            condition: Value = True
            condition_text: str | None = None
            if "condition" in res:
                condition = resolve(res["condition"], s, _local(s, pointer + "/condition"))
                if condition is False or (not isinstance(condition, Unknown) and not _truthy(condition)):
                    if low == VMSS_TYPE:
                        self.not_deployed.append(self.skipped(res, pointer, s, origin))
                    continue
                if isinstance(condition, Unknown):
                    condition_text = _clip(str(res["condition"]))  # judged as deployed, with one info
            sub = dataclasses.replace(origin, scope=s)
            if low == DEPLOYMENT_TYPE:
                NESTED_DEPLOYMENTS.check(depth + 1, origin.file.path, where=_where(origin.file, pointer))
                self.nested(res, pointer, sub, depth)
                continue
            found = self.resolve_resource(res, rtype.lower(), pointer, symbolic, sub, parent, condition)
            found.condition_text = condition_text
            self.found.append(found)
            if low == VMSS_TYPE:
                SCALE_SETS.check(sum(r.type == VMSS_TYPE for r in self.found), origin.file.path)
                children = res.get("resources")
                items = children.items() if isinstance(children, dict) else enumerate(children or [])
                for key, child in items:
                    self.visit(child, f"{pointer}/resources/{_esc(str(key))}", None, sub, depth, found)

    def skipped(self, res: dict[str, Any], pointer: str, scope: EvalScope, origin: Origin) -> NotDeployed:
        """A scale set whose condition is false: only its name is needed (to pair it with the other side)."""
        raw = res.get("name")
        try:
            name = resolve(raw, scope, _local(scope, pointer + "/name"))
        except InputError:  # ARM does not evaluate a skipped resource's properties either
            name = Unknown("the name of a resource that is not deployed could not be resolved", str(raw))
        return NotDeployed(
            name, raw if isinstance(raw, str) else str(raw), _clip(str(res["condition"])), origin.target
        )

    def iterations(self, res: dict[str, Any], pointer: str, origin: Origin) -> list[int | None]:
        loop = res.get("copy")
        if not isinstance(loop, dict):
            return [None]
        count = resolve(loop.get("count"), origin.scope, _local(origin.scope, pointer + "/copy/count"))
        if isinstance(count, Unknown):
            self.notices.append(
                f"{origin.file.path}: the copy loop of {_label(res)} has a count that cannot be resolved "
                f"offline ({count.reason}); compared as one templated instance"
            )
            return [None]
        where = _where(origin.file, pointer + "/copy/count")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InputError(
                origin.file.path, f"copy count must be a whole number, not {count!r}", where=where
            )
        COPY_COUNT.check(count, origin.file.path, where=where)
        charge_copy(count, res, origin.file.path, where)  # one budget for the run: nested copies multiply
        return list(range(count))

    def resolve_resource(
        self,
        res: dict[str, Any],
        rtype: str,
        pointer: str,
        symbolic: str | None,
        origin: Origin,
        parent: FoundResource | None,
        condition: Value,
    ) -> FoundResource:
        body_raw = {k: v for k, v in res.items() if k.lower() not in TEMPLATE_ONLY_KEYS}
        body = resolve(body_raw, origin.scope, _local(origin.scope, pointer))
        if not isinstance(body, dict):
            body = {}
        name_raw = res.get("name")
        name = body.get("name") if "name" in body else None
        api, api_detail = self.api_version(res, pointer, origin)
        found = FoundResource(
            type=rtype,
            symbolic=symbolic,
            name_text=name_raw if isinstance(name_raw, str) else str(name_raw),
            name=name,
            api_version=api,
            raw=res,
            body=body,
            pointer=pointer,
            origin=origin,
            condition=condition,
            parent=next(i for i, r in enumerate(self.found) if r is parent) if parent is not None else None,
        )
        found.api_detail = api_detail
        return found

    def api_version(self, res: dict[str, Any], pointer: str, origin: Origin) -> tuple[str | None, str | None]:
        """The resource's Compute API version and, when not a literal, how it was found.

        An expression is evaluated like any other value; a resource without `apiVersion` takes the
        template's `apiProfile` (Azure Stack Hub), mapped to that profile's Compute version.
        """
        from vmss_lint.core.apiversion import compute_version_of_profile

        raw = res.get("apiVersion")
        if raw is None and origin.api_profile is not None:
            mapped = compute_version_of_profile(origin.api_profile)
            if mapped is None:
                return None, f"apiProfile {origin.api_profile} (not a known Azure Stack Hub profile)"
            return mapped, f"apiProfile {origin.api_profile}"
        if not isinstance(raw, str):
            return None, None
        value = resolve(raw, origin.scope, _local(origin.scope, pointer + "/apiVersion"))
        if value == raw:
            return raw, None
        if isinstance(value, str):
            return value, _clip(raw)
        reason = value.reason if isinstance(value, Unknown) else f"not a string: {value!r}"
        return None, f"{_clip(raw)} could not be resolved ({reason})"

    def nested(self, res: dict[str, Any], pointer: str, origin: Origin, depth: int) -> None:
        props = res.get("properties")
        if not isinstance(props, dict):
            return
        label = resolve(res.get("name"), origin.scope, _local(origin.scope, pointer + "/name"))
        label_text = label if isinstance(label, str) else str(res.get("name"))
        options = props.get("expressionEvaluationOptions")
        scope_kind = options.get("scope") if isinstance(options, dict) else None
        inner = isinstance(scope_kind, str) and scope_kind.lower() == "inner"
        template = props.get("template")
        file, base = origin.file, pointer + "/properties/template"
        if not isinstance(template, dict):
            link = props.get("templateLink")
            rel = link.get("relativePath") if isinstance(link, dict) else None
            opened = self.open_linked(origin, rel, pointer) if rel is not None else None
            if opened is None:
                what = "a relativePath that was not found" if rel is not None else "a URI or template spec"
                self.notices.append(
                    f"{origin.file.path}: nested deployment '{label_text}' links a template by {what}; "
                    "not followed, so scale sets in it are not checked"
                )
                return
            file, base, template, inner = opened, "", opened.value, True
            assert isinstance(template, dict)
        path = (*origin.deployment, label_text)
        target = list(origin.target)
        kwargs = self.context.scope_kwargs()
        for i, key in enumerate(("subscriptionId", "resourceGroup")):
            value = resolve(res.get(key), origin.scope, _local(origin.scope, f"{pointer}/{key}"))
            if value is not None:
                target[i] = value.lower() if isinstance(value, str) else str(res.get(key))
            if isinstance(value, str):
                kwargs["subscription" if i == 0 else "resource_group"] = {
                    "subscriptionId" if i == 0 else "name": value
                }
        where = (target[0], target[1])
        own = template.get("apiProfile")
        profile = own if isinstance(own, str) else origin.api_profile
        if not inner:
            sub = Origin(
                file, origin.scope, origin.params, origin.scope_file, origin.scope_base, path, where, profile
            )
            self.walk(template, base, sub, depth + 1)
            return
        values = ParameterValues()
        passed = props.get("parameters")
        for name, entry in (passed or {}).items() if isinstance(passed, dict) else []:
            key = name.lower()
            entry_ptr = f"{pointer}/properties/parameters/{_esc(name)}"
            if isinstance(entry, dict) and "value" in entry:
                values.values[key] = resolve(
                    entry["value"], origin.scope, _local(origin.scope, entry_ptr + "/value")
                )
                if references_secret(entry["value"], origin.scope):
                    values.secret.add(key)
            elif isinstance(entry, dict) and "reference" in entry:
                values.values[key] = Unknown(
                    f"parameter '{name}' is a Key Vault reference, read only at deployment",
                    f"[parameters('{name}')]",
                )
                values.secret.add(key)
            pos = origin.file.parsed.key_positions.get(entry_ptr)
            values.origins[key] = f"{_short(origin.file.path)}:{pos[0]}" if pos else _short(origin.file.path)
        if isinstance(props.get("parametersLink"), dict):
            self.notices.append(
                f"{origin.file.path}: nested deployment '{label_text}' takes parameters from a parametersLink; "
                "not followed, so those parameters are unknown"
            )
        scope = EvalScope.from_template(
            template,
            values.values,
            source=file.path,
            positions=file.parsed.positions,
            pointer_prefix=base,
            **kwargs,
        )
        scope.secret_parameters |= values.secret
        self.walk(template, base, Origin(file, scope, values, file, base, path, where, profile), depth + 1)

    def open_linked(self, origin: Origin, rel: Any, pointer: str) -> InputFile | None:
        """The linked template, or None when it is not there; one that resolves outside the confinement
        root (see `vmss_lint.core.confine`) is refused, naming the reference and never the outside file."""
        from vmss_lint.core.confine import OutsideRoot

        ptr = pointer + "/properties/templateLink/relativePath"
        target = resolve(rel, origin.scope, _local(origin.scope, ptr))
        if not isinstance(target, str):
            return None
        try:
            if self.options.open_linked is not None:
                return self.options.open_linked(origin.file, target)
            return open_relative(origin.file, target, root=self.root)
        except OutsideRoot as exc:
            # As written only: the resolved path could carry parameter values, secure ones included.
            written = _clip(rel if isinstance(rel, str) else str(rel))
            raise InputError(
                origin.file.path,
                f"templateLink.relativePath '{written}' at {ptr} resolves outside {exc.root}; refused, not read",
                where=_where(origin.file, ptr),
                hint="a linked template must be a file inside that folder",
            ) from None


def open_relative(parent: InputFile, relative: str, *, root: str | None = None) -> InputFile | None:
    """A linked template next to the parent file on disk (None when the parent is not a real file or
    the target is not there). It must resolve, symlinks included, inside `root` (default: the parent's
    folder), else `OutsideRoot` is raised before the target is opened or even looked at."""
    from pathlib import Path

    from vmss_lint.arm.files import read_file
    from vmss_lint.core.confine import OutsideRoot, confined

    base = Path(parent.path)
    if not base.is_file():
        return None
    folder = root if root is not None else _folder_of(parent)
    target = confined(base.parent / relative, folder) if folder is not None else None
    if target is None:
        raise OutsideRoot(parent.path, f"the folder of the template given on the command line ({folder})")
    if not target.is_file():
        return None
    return read_file(target, role="linked template")


def _folder_of(file: InputFile) -> str | None:
    """The folder a file-mode template's links are confined to: its own, symlinks resolved (None when
    the template is not a file on disk, such as stdin or a git revision)."""
    import os

    if file.path == "-" or not os.path.isfile(file.path):
        return None
    return os.path.realpath(os.path.dirname(os.path.abspath(file.path)))


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _attach_extensions(found: list[FoundResource], notices: list[str]) -> None:
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


def _truthy(value: Value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() != "false"
    return bool(value)


def _label(res: dict[str, Any]) -> str:
    return f"{res.get('type')} {res.get('name')}"


def _local(scope: EvalScope, pointer: str) -> str:
    prefix = scope.pointer_prefix
    return pointer[len(prefix) :] if prefix and pointer.startswith(prefix) else pointer


def _where(file: InputFile, pointer: str) -> str:
    pos = file.parsed.positions.get(pointer)
    return f"line {pos[0]}, column {pos[1]}" if pos else pointer


def _short(path: str) -> str:
    from pathlib import PurePath

    return PurePath(path).name


def _esc(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
