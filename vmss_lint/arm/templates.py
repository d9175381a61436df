"""Find the scale sets an ARM template deploys, with every value resolved as far as is possible offline.

A template PR is reviewed as the scale sets it will PUT, so the template is expanded the way ARM
expands it: `resources` as an array or a languageVersion 2.0 object (`existing` ones are not deployed),
resource `copy` loops, `condition`, nested deployments with `inner`/`outer` expression scope, linked
templates with a `relativePath`, and `virtualMachineScaleSets/extensions` child resources, which ARM
applies to the parent's model. Only the resources that matter are evaluated, so an expression error in
an unrelated resource never stops a run. What cannot be known offline stays an `Unknown` inside the
model (compare.py turns a change that involves one into a single `info`).

Positions and the canonical model are built in `vmss_lint.arm.template_model`; the records of what is
found are in `vmss_lint.arm.template_resources`, reading a nested or linked deployment in
`vmss_lint.arm.deployments`. Their public names are re-exported here. Past 300 lines (330) because
the walk is one class whose steps share its state; about 30 are keyword-per-line record constructions.
"""

from __future__ import annotations

from typing import Any

from vmss_lint.arm.deployments import (
    deployment_target,
    folder_of,
    open_linked,
    open_relative,
    passed_parameters,
)
from vmss_lint.arm.expressions.api import EvalScope, Unknown, Value, charge_copy, resolve
from vmss_lint.arm.files import InputFile
from vmss_lint.arm.json_values import escape_pointer_token
from vmss_lint.arm.template_options import ParameterValues, TemplateContext, TemplateParams
from vmss_lint.arm.template_resources import (
    DEPLOYMENT_TYPE,
    EXTENSION_TYPE,
    TEMPLATE_ONLY_KEYS,
    VMSS_TYPE,
    FoundResource,
    NotDeployed,
    Origin,
    Scan,
    attach_extensions,
    clip,
    local_pointer,
    where_in,
)
from vmss_lint.core import records
from vmss_lint.core.budget import run_budget
from vmss_lint.core.errors import InputError
from vmss_lint.core.limits import COPY_COUNT, NESTED_DEPLOYMENTS, SCALE_SETS

__all__ = [
    "DEPLOYMENT_TYPE",
    "EXTENSION_TYPE",
    "TEMPLATE_ONLY_KEYS",
    "VMSS_TYPE",
    "FoundResource",
    "NotDeployed",
    "Origin",
    "Scan",
    "open_relative",
    "scan_template",
]


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
    scope.secret_parameters.update(params.secret)
    walker = _Walker(context, options or TemplateParams(), folder_of(file))
    profile = template.get("apiProfile")
    origin = Origin(
        file=file,
        scope=scope,
        params=params,
        scope_file=file,
        scope_base="",
        api_profile=profile if isinstance(profile, str) else None,
    )
    with run_budget():  # joins the run's budget; outside a run, one for the whole template
        walker.walk(template, "", origin, 0)
    attach_extensions(walker.found, walker.notices)
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
                self.visit(res, f"{base}/resources/{escape_pointer_token(sym)}", sym, origin, depth, None)
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
                condition = resolve(res["condition"], s, local_pointer(s, pointer + "/condition"))
                if condition is False or (not isinstance(condition, Unknown) and not _truthy(condition)):
                    if low == VMSS_TYPE:
                        self.not_deployed.append(self.skipped(res, pointer, s, origin))
                    continue
                if isinstance(condition, Unknown):
                    condition_text = clip(str(res["condition"]))  # judged as deployed, with one info
            sub = records.replace(origin, scope=s)
            if low == DEPLOYMENT_TYPE:
                NESTED_DEPLOYMENTS.check(depth + 1, origin.file.path, where=where_in(origin.file, pointer))
                self.nested(res, pointer, sub, depth)
                continue
            found = self.resolve_resource(
                res, rtype.lower(), pointer, symbolic, sub, parent, (condition, condition_text)
            )
            self.found.append(found)
            if low == VMSS_TYPE:
                SCALE_SETS.check(sum(r.type == VMSS_TYPE for r in self.found), origin.file.path)
                children = res.get("resources")
                items = children.items() if isinstance(children, dict) else enumerate(children or [])
                for key, child in items:
                    child_pointer = f"{pointer}/resources/{escape_pointer_token(str(key))}"
                    self.visit(child, child_pointer, None, sub, depth, found)

    def skipped(self, res: dict[str, Any], pointer: str, scope: EvalScope, origin: Origin) -> NotDeployed:
        """A scale set whose condition is false: only its name is needed (to pair it with the other side)."""
        raw = res.get("name")
        try:
            name = resolve(raw, scope, local_pointer(scope, pointer + "/name"))
        except InputError:  # ARM does not evaluate a skipped resource's properties either
            name = Unknown("the name of a resource that is not deployed could not be resolved", str(raw))
        return NotDeployed(
            name, raw if isinstance(raw, str) else str(raw), clip(str(res["condition"])), origin.target
        )

    def iterations(self, res: dict[str, Any], pointer: str, origin: Origin) -> list[int | None]:
        loop = res.get("copy")
        if not isinstance(loop, dict):
            return [None]
        count = resolve(loop.get("count"), origin.scope, local_pointer(origin.scope, pointer + "/copy/count"))
        if isinstance(count, Unknown):
            self.notices.append(
                f"{origin.file.path}: the copy loop of {_label(res)} has a count that cannot be resolved "
                f"offline ({count.reason}); compared as one templated instance"
            )
            return [None]
        where = where_in(origin.file, pointer + "/copy/count")
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
        condition: tuple[Value, str | None],
    ) -> FoundResource:
        """The resource for one iteration, its body resolved; `condition` is its value and, when it
        could not be decided, the condition as written (the resource is judged as deployed)."""
        body_raw = {k: v for k, v in res.items() if k.lower() not in TEMPLATE_ONLY_KEYS}
        body = resolve(body_raw, origin.scope, local_pointer(origin.scope, pointer))
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
            condition=condition[0],
            condition_text=condition[1],
            parent=next(i for i, r in enumerate(self.found) if r is parent) if parent is not None else None,
            api_detail=api_detail,
        )
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
        value = resolve(raw, origin.scope, local_pointer(origin.scope, pointer + "/apiVersion"))
        if value == raw:
            return raw, None
        if isinstance(value, str):
            return value, clip(raw)
        reason = value.reason if isinstance(value, Unknown) else f"not a string: {value!r}"
        return None, f"{clip(raw)} could not be resolved ({reason})"

    def nested(self, res: dict[str, Any], pointer: str, origin: Origin, depth: int) -> None:
        props = res.get("properties")
        if not isinstance(props, dict):
            return
        label = resolve(res.get("name"), origin.scope, local_pointer(origin.scope, pointer + "/name"))
        label_text = label if isinstance(label, str) else str(res.get("name"))
        options = props.get("expressionEvaluationOptions")
        scope_kind = options.get("scope") if isinstance(options, dict) else None
        inner = isinstance(scope_kind, str) and scope_kind.lower() == "inner"
        template = props.get("template")
        file, base = origin.file, pointer + "/properties/template"
        if not isinstance(template, dict):
            link = props.get("templateLink")
            rel = link.get("relativePath") if isinstance(link, dict) else None
            opened = open_linked(origin, rel, pointer, self.options, self.root) if rel is not None else None
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
        kwargs = self.context.scope_kwargs()
        where, overrides = deployment_target(res, pointer, origin)
        kwargs.update(overrides)
        own = template.get("apiProfile")
        profile = own if isinstance(own, str) else origin.api_profile
        if not inner:
            sub = records.replace(origin, file=file, deployment=path, target=where, api_profile=profile)
            self.walk(template, base, sub, depth + 1)
            return
        values = passed_parameters(props, pointer, origin)
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
        scope.secret_parameters.update(values.secret)
        inner_origin = Origin(
            file=file,
            scope=scope,
            params=values,
            scope_file=file,
            scope_base=base,
            deployment=path,
            target=where,
            api_profile=profile,
        )
        self.walk(template, base, inner_origin, depth + 1)


def _truthy(value: Value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() != "false"
    return bool(value)


def _label(res: dict[str, Any]) -> str:
    return f"{res.get('type')} {res.get('name')}"
