"""Offline evaluation of ARM template expressions: the public API.

vmss-lint compares two versions of a template, so evaluation must be deterministic and total: what
cannot be known offline (live state, randomness, missing parameter values) becomes an explicit
`Unknown` that propagates instead of failing, while genuine template mistakes (syntax errors, wrong
argument counts or types) raise `ExpressionError`, an `InputError`. Nothing here executes code or
touches the network. What the deployment-context functions return offline is documented in `vmss_lint.arm.expressions.context`.

Choices where ARM is undocumented or we cannot match it exactly:
* `equals` compares strings case-sensitively (PSRule, and Bicep's `==` compiles to it);
  `startsWith`/`endsWith`/`indexOf`/`lastIndexOf` on strings ignore case (ARM docs).
* A missing property on an object is an error, as in ARM; property names match case-insensitively.
* `uniqueString` and `guid` follow public re-implementations of ARM's algorithms (see tests).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from vmss_lint.arm.expressions.context import DeploymentContext
from vmss_lint.arm.expressions.evaluate import Evaluator
from vmss_lint.arm.expressions.parse import (
    MAX_EXPRESSION_DEPTH,
    MAX_EXPRESSION_LENGTH,
    ExpressionError,
    FunctionError,
    Unknown,
    Value,
    fold_expression,
    is_expression,
    parse_expression,
    unescape_literal,
)
from vmss_lint.arm.expressions.secrets import references_secret
from vmss_lint.arm.expressions.strings import PIECES
from vmss_lint.arm.reader import JsonValue, escape_pointer_token
from vmss_lint.core.budget import BudgetExceeded, current_budget, run_budget
from vmss_lint.core.errors import InputError, LimitExceeded
from vmss_lint.core.limits import COPY_COUNT
from vmss_lint.core.redact import remember

__all__ = [
    "MAX_COPY_COUNT",
    "MAX_EXPRESSION_DEPTH",
    "MAX_EXPRESSION_LENGTH",
    "EvalScope",
    "ExpressionError",
    "Unknown",
    "Value",
    "charge_copy",
    "evaluate",
    "is_expression",
    "parse_expression",
    "references_secret",
    "resolve",
    "unescape_literal",
    "unknowns_as_text",
]

MAX_COPY_COUNT = COPY_COUNT.default
"""ARM's limit on `count` in a copy loop (the default; `vmss_lint.core.limits` has the override)."""


@dataclass
class _State:
    """Caches shared by a scope and the copy-loop scopes derived from it."""

    values: dict[str, Value] = field(default_factory=dict)  # "p:name" / "v:name" -> value
    active: list[str] = field(default_factory=list)  # lookups in progress, for cycle detection
    context: DeploymentContext | None = None
    owner: tuple[int, int, int] | None = None  # ids of the inputs `values` was computed from
    depth: int = 0


def _lookup(mapping: Mapping[str, Any], name: str) -> tuple[str, Any] | None:
    """Case-insensitive lookup returning the key as written in the template."""
    if name in mapping:
        return name, mapping[name]
    folded = name.lower()
    for key, value in mapping.items():
        if key.lower() == folded:
            return key, value
    return None


def _secure_type(declaration: Any, definitions: Any, depth: int = 0) -> bool:
    """Whether a parameter (or a type definition) is secureString/secureObject, also through a
    languageVersion 2.0 `$ref` to `#/definitions/NAME` (followed a few levels)."""
    if not isinstance(declaration, dict) or depth > 8:
        return False
    if str(declaration.get("type", "")).lower().startswith("secure"):
        return True
    ref = declaration.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/definitions/") and isinstance(definitions, dict):
        name = ref[len("#/definitions/") :]
        found = _lookup(definitions, name)
        return found is not None and _secure_type(found[1], definitions, depth + 1)
    return False


def _plain_secret(value: Any) -> Any:
    """The strings of an evaluated secure value (an Unknown has none worth remembering)."""
    if isinstance(value, (str, dict, list)):
        return value
    return None


@dataclass
class EvalScope:
    """Everything an expression may refer to. Raw template sections are evaluated lazily.

    `parameters` holds supplied values (parameter file, overrides): literals, never evaluated; an
    `Unknown` is fine (e.g. a Key Vault reference). `parameter_defaults` holds raw `defaultValue`s,
    which may be expressions. A declared parameter with neither is an Unknown; an undeclared one is an
    error when `declared_parameters` is given. `copy_index` maps loop names (None = the resource loop)
    to the current iteration. Context dicts override the placeholders of `expr_context`.
    `secret_parameters` names secureString/secureObject parameters: they evaluate normally, and
    `references_secret` tells the caller what to redact. `positions` (from `ParsedJson`) and
    `pointer_prefix` (where this template sits in its file) let errors name a line.
    """

    parameters: Mapping[str, Any] = field(default_factory=dict)
    parameter_defaults: Mapping[str, Any] = field(default_factory=dict)
    declared_parameters: set[str] | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)
    functions: Sequence[Any] = field(default_factory=list)
    copy_index: Mapping[str | None, int] = field(default_factory=dict)
    resource_group: dict[str, Any] | None = None
    subscription: dict[str, Any] | None = None
    deployment: dict[str, Any] | None = None
    environment: dict[str, Any] | None = None
    tenant: dict[str, Any] | None = None
    management_group: dict[str, Any] | None = None
    secret_parameters: set[str] = field(default_factory=set)
    source: str = "<template>"
    positions: dict[str, tuple[int, int]] | None = None
    pointer_prefix: str = ""
    _state: _State = field(default_factory=_State, repr=False, compare=False)

    @classmethod
    def from_template(
        cls,
        template: Mapping[str, Any],
        parameter_values: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> EvalScope:
        """Build a scope from a template's own sections plus supplied parameter values."""
        source = str(kwargs.get("source", "<template>"))
        for section, kind in (("parameters", dict), ("variables", dict), ("functions", list)):
            value = template.get(section)
            if value is not None and not isinstance(value, kind):
                expected = "an object" if kind is dict else "a list"
                raise InputError(
                    source, f"the template's '{section}' must be {expected}", where=f"/{section}"
                )
        params = template.get("parameters") or {}
        defaults = {
            n: p["defaultValue"] for n, p in params.items() if isinstance(p, dict) and "defaultValue" in p
        }
        secret = {n for n, p in params.items() if _secure_type(p, template.get("definitions"))}
        scope = cls(
            parameters=dict(parameter_values or {}),
            parameter_defaults=defaults,
            declared_parameters=set(params),
            variables=dict(template.get("variables") or {}),
            functions=list(template.get("functions") or []),
            secret_parameters=secret,
            **kwargs,
        )
        # Taint: a parameter whose default reads a secure one is as secret as it (to a fixed point).
        while secret:
            derived = {n for n, raw in defaults.items() if n not in secret and references_secret(raw, scope)}
            if not derived:
                break
            secret |= derived
        return scope

    def with_copy_index(self, loop: str | None, index: int) -> EvalScope:
        """A scope for one iteration of a copy loop, sharing caches with this one."""
        key = loop.lower() if loop is not None else None
        return dataclasses.replace(self, copy_index={**self._loops(), key: index})

    # --- hooks used by the evaluator -----------------------------------------------------------

    def _loops(self) -> dict[str | None, int]:
        return {(k.lower() if k is not None else None): v for k, v in self.copy_index.items()}

    def copy_index_value(self, loop: str | None) -> int | None:
        return self._loops().get(loop.lower() if loop is not None else None)

    def context(self) -> DeploymentContext:
        if self._state.context is None:
            self._state.context = DeploymentContext.build(
                subscription=self.subscription,
                resource_group=self.resource_group,
                tenant=self.tenant,
                management_group=self.management_group,
                deployment=self.deployment,
                environment=self.environment,
            )
        return self._state.context

    def parameter(self, name: str) -> Value:
        value = self._parameter(name)
        if self.secret_parameters and name.lower() in {n.lower() for n in self.secret_parameters}:
            remember(_plain_secret(value))  # whatever prints it later (an error, a hook) redacts it
        return value

    def _parameter(self, name: str) -> Value:
        supplied = _lookup(self.parameters, name)
        if supplied is not None:
            return cast(Value, supplied[1])
        default = _lookup(self.parameter_defaults, name)
        if default is not None:
            key, raw = default
            ptr = f"/parameters/{escape_pointer_token(key)}/defaultValue"
            return self._cached(
                f"p:{key.lower()}", f"parameter '{key}'", ptr, lambda base: _resolve(raw, base, ptr)
            )
        if self.declared_parameters is None or _lookup(dict.fromkeys(self.declared_parameters), name):
            return Unknown(f"parameter '{name}' has no value", f"[parameters('{name}')]")
        raise FunctionError(f"parameter '{name}' is not declared in the template")

    def variable(self, name: str) -> Value:
        found = _lookup(self.variables, name)
        if found is not None and found[0].lower() != "copy":
            key, raw = found
            ptr = f"/variables/{escape_pointer_token(key)}"
            return self._cached(
                f"v:{key.lower()}", f"variable '{key}'", ptr, lambda base: _resolve(raw, base, ptr)
            )
        copies = _lookup(self.variables, "copy")
        entries = copies[1] if copies is not None and isinstance(copies[1], list) else []
        j = next((j for j, e in enumerate(entries) if isinstance(e, dict) and _named(e, name)), None)
        if copies is not None and j is not None:
            entry, ptr = entries[j], f"/variables/{escape_pointer_token(copies[0])}/{j}"
            return self._cached(
                f"v:{name.lower()}", f"variable '{name}'", ptr, lambda base: _expand_copy(entry, base, ptr)[1]
            )
        raise FunctionError(f"variable '{name}' is not defined in the template")

    def call_user_function(self, name: str, args: list[Value]) -> Value | None:
        namespace, _, member = name.partition(".")
        for i, group in enumerate(self.functions):
            if not isinstance(group, dict) or str(group.get("namespace", "")).lower() != namespace.lower():
                continue
            members = group.get("members")
            found = _lookup(members, member) if isinstance(members, dict) else None
            if found is None or not isinstance(found[1], dict):
                continue
            names = [str(p.get("name")) for p in found[1].get("parameters") or [] if isinstance(p, dict)]
            if len(names) != len(args):
                raise FunctionError(f"function '{name}' takes {len(names)} arguments, got {len(args)}")
            output = found[1].get("output") or {}
            body = output.get("value") if isinstance(output, dict) else None
            inner = dataclasses.replace(
                self,
                parameters=dict(zip(names, args, strict=True)),
                parameter_defaults={},
                declared_parameters=set(names),
                variables={},
                functions=[],  # ARM forbids user functions calling user functions
                copy_index={},
                _state=_State(context=self.context()),
            )
            ptr = f"/functions/{i}/members/{escape_pointer_token(found[0])}/output/value"
            return resolve(body, inner, ptr)
        return None

    def _cached(self, key: str, label: str, pointer: str, compute: Callable[[EvalScope], Value]) -> Value:
        """Evaluate a parameter default or variable once, outside any copy loop, catching cycles."""
        state = self._state
        owner = (id(self.parameters), id(self.parameter_defaults), id(self.variables))
        if state.owner != owner:  # a scope copied with dataclasses.replace and new inputs
            state.values.clear()
            state.owner = owner
        if key in state.values:
            return state.values[key]
        if key in state.active:
            chain = " -> ".join([*state.active[state.active.index(key) :], key])
            raise InputError(
                self.source,
                f"{label} refers to itself through {chain.replace('v:', '').replace('p:', '')}",
                where=self._where(pointer),
            )
        state.active.append(key)
        try:
            value = compute(dataclasses.replace(self, copy_index={}))
            self._measure(value, pointer)  # a variable built from shared references must not double unseen
        finally:
            state.active.pop()
        state.values[key] = value
        return value

    def _measure(self, value: Value, pointer: str) -> None:
        """Check `value` against the size limits, naming where in the template it was built."""
        try:
            current_budget().measure(value, self.source, charge=False)
        except BudgetExceeded as exc:
            raise exc.limit.exceeded(self.source, exc.actual, where=self._where(pointer)) from None

    def _where(self, pointer: str) -> str:
        full = self.pointer_prefix + pointer
        pos = (self.positions or {}).get(full)
        return f"line {pos[0]}, column {pos[1]}" if pos else (full or "/")

    @contextmanager
    def _entry(self) -> Iterator[None]:
        """Outermost call: join the run's work budget (opening one outside a run) and turn deep recursion
        into a clean error. User functions and nested scopes start a new `_State` but join the same
        budget, so no call gets a fresh allowance."""
        state = self._state
        outer = state.depth == 0
        state.depth += 1
        try:
            with run_budget():
                yield
        except RecursionError:
            if not outer:
                raise
            raise LimitExceeded(
                self.source,
                "expressions and variables are nested too deeply to evaluate",
                hint="simplify the chain of variables referring to variables",
            ) from None
        finally:
            state.depth -= 1


def evaluate(text: str, scope: EvalScope) -> Value:
    """Evaluate one template string: expressions are computed, `[[` literals unescaped, others kept."""
    if not is_expression(text):
        return unescape_literal(text)
    try:
        node = parse_expression(text)  # cached across scopes, so errors name no file yet
    except ExpressionError as exc:
        raise exc.relocated(scope.source) from None
    with scope._entry():
        result = Evaluator(scope, text).eval(node, {})
    if isinstance(result, Unknown):
        basis = result.basis
        if result.text != text and fold_expression(result.text) != fold_expression(text):
            basis = f"{result.text} <- {result.basis}" if result.basis else result.text
        identity = result.identity  # a string concat/format built keeps the identity of its pieces
        if not identity.startswith(PIECES):
            identity = f"{fold_expression(text)} <- {fold_expression(basis)}"
        return Unknown(result.reason, text, basis, identity)
    return result


def resolve(value: Any, scope: EvalScope, pointer: str = "") -> Value:
    """Resolve every expression inside a JSON value and expand property/variable `copy` arrays.

    `pointer` says where `value` sits in the template so errors can name it. Dict keys are never
    expressions. Nested deployments' `template` properties are not special-cased: pass them with
    their own scope.
    """
    with scope._entry():
        result = _resolve(value, scope, pointer)
        if isinstance(value, list | dict):  # literal JSON holding many references to one big value
            scope._measure(result, pointer)
        return result


def _resolve(value: Any, scope: EvalScope, pointer: str) -> Value:
    if isinstance(value, str):
        if not is_expression(value):
            return unescape_literal(value)
        try:
            return evaluate(value, scope)
        except ExpressionError as exc:
            if exc.pointer is not None:
                raise
            full = scope.pointer_prefix + pointer
            raise exc.relocated(scope.source, full, (scope.positions or {}).get(full)) from None
    if isinstance(value, list):
        return [_resolve(v, scope, f"{pointer}/{i}") for i, v in enumerate(value)]
    if not isinstance(value, dict):
        return cast(Value, value)
    copy_key = next((k for k in value if k.lower() == "copy" and _is_property_copy(value[k])), None)
    out: dict[str, Value] = {}
    for key, v in value.items():
        if key != copy_key:
            out[key] = _resolve(v, scope, f"{pointer}/{escape_pointer_token(key)}")
    if copy_key is not None:
        for j, entry in enumerate(value[copy_key]):
            name, items = _expand_copy(entry, scope, f"{pointer}/{copy_key}/{j}")
            out[name] = items
    return out


def _named(entry: dict[str, Any], name: str) -> bool:
    return str(entry.get("name", "")).lower() == name.lower()


def _is_property_copy(v: Any) -> bool:
    return (
        isinstance(v, list)
        and bool(v)
        and all(isinstance(e, dict) and "name" in e and "input" in e for e in v)
    )


def _expand_copy(entry: dict[str, Any], scope: EvalScope, pointer: str) -> tuple[str, Value]:
    name = _resolve(entry["name"], scope, f"{pointer}/name")
    if not isinstance(name, str):
        raise InputError(scope.source, "copy 'name' must be a string", where=scope._where(f"{pointer}/name"))
    count = _resolve(entry.get("count"), scope, f"{pointer}/count")
    if isinstance(count, Unknown):
        return name, Unknown(f"copy '{name}' has an unknown count: {count.reason}", count.text)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise InputError(
            scope.source,
            f"copy '{name}' count must be a whole number of at least 0, not {count!r}",
            where=scope._where(f"{pointer}/count"),
        )
    COPY_COUNT.check(count, scope.source, where=scope._where(f"{pointer}/count"))
    charge_copy(count, entry["input"], scope.source, scope._where(f"{pointer}/count"))
    items = [
        _resolve(entry["input"], scope.with_copy_index(name, i), f"{pointer}/input") for i in range(count)
    ]
    return name, cast(Value, items)


COPY_ITERATION_STEPS = 50
"""What one copy-loop iteration costs beyond the size of what it resolves: a new scope for the iteration
costs about as much as resolving fifty plain values."""


def charge_copy(count: int, body: Any, source: str, where: str) -> None:
    """Charge a copy loop's work to the run's budget before expanding it: `count` times (a fixed cost
    plus the size of what each iteration resolves). Up front, so nested loops (3 x 800 of nested deployments) stop
    before the multiplied work starts, not after."""
    budget = current_budget()
    try:
        budget.charge(
            count * (COPY_ITERATION_STEPS + budget.measure(body, source, charge=False).elements), source
        )
    except BudgetExceeded as exc:
        raise exc.limit.exceeded(source, exc.actual, where=where) from None


def unknowns_as_text(value: Any) -> JsonValue:
    """A JSON-serialisable copy with each Unknown replaced by `<unknown: reason>` (for messages/reports).

    `json.dumps` cannot encode `Unknown`; use this wherever a resolved value is shown to a user.
    """
    if isinstance(value, Unknown):
        return f"<unknown: {value.reason}>"
    if isinstance(value, dict):
        return {k: unknowns_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unknowns_as_text(v) for v in value]
    return cast(JsonValue, value)
