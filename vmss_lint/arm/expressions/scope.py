"""The evaluation scope: everything a template expression may refer to (parameters, variables, user
functions, copy indexes, the deployment context), evaluated lazily and cached per template.

Split from `vmss_lint.arm.expressions.api`, which re-exports `EvalScope`; resolving values is in
`vmss_lint.arm.expressions.resolve`, which this module calls for parameter defaults and variables.
Secure parameters evaluate normally; reading one remembers its value for redaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast

from vmss_lint.arm.expressions.context import DeploymentContext
from vmss_lint.arm.expressions.parse import FunctionError, Unknown, Value
from vmss_lint.arm.expressions.resolve import expand_copy, resolve, resolve_value
from vmss_lint.arm.expressions.secrets import references_secret
from vmss_lint.arm.json_values import escape_pointer_token
from vmss_lint.core import records
from vmss_lint.core.budget import BudgetExceeded, current_budget, run_budget
from vmss_lint.core.errors import InputError, LimitExceeded
from vmss_lint.core.records import Record, field
from vmss_lint.core.redact import remember


class _State:
    """Caches shared by a scope and the copy-loop scopes derived from it. Mutable, so a plain slotted
    class: a record is frozen, and a dataclass costs about 1 ms to define at import."""

    __slots__ = ("active", "context", "depth", "owner", "values")

    def __init__(self, context: DeploymentContext | None = None) -> None:
        self.values: dict[str, Value] = {}  # "p:name" / "v:name" -> value
        self.active: list[str] = []  # lookups in progress, for cycle detection
        self.context = context
        self.owner: tuple[int, int, int] | None = None  # ids of the inputs `values` was computed from
        self.depth = 0


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


class EvalScope(Record):
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
    _state: _State = field(default_factory=_State, compare=False)

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
        return records.replace(self, copy_index={**self._loops(), key: index})

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
                f"p:{key.lower()}", f"parameter '{key}'", ptr, lambda base: resolve_value(raw, base, ptr)
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
                f"v:{key.lower()}", f"variable '{key}'", ptr, lambda base: resolve_value(raw, base, ptr)
            )
        copies = _lookup(self.variables, "copy")
        entries = copies[1] if copies is not None and isinstance(copies[1], list) else []
        j = next((j for j, e in enumerate(entries) if isinstance(e, dict) and _named(e, name)), None)
        if copies is not None and j is not None:
            entry, ptr = entries[j], f"/variables/{escape_pointer_token(copies[0])}/{j}"
            return self._cached(
                f"v:{name.lower()}", f"variable '{name}'", ptr, lambda base: expand_copy(entry, base, ptr)[1]
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
            inner = records.replace(
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
                where=self.where(pointer),
            )
        state.active.append(key)
        try:
            value = compute(records.replace(self, copy_index={}))
            self.measure(value, pointer)  # a variable built from shared references must not double unseen
        finally:
            state.active.pop()
        state.values[key] = value
        return value

    def measure(self, value: Value, pointer: str) -> None:
        """Check `value` against the size limits, naming where in the template it was built."""
        try:
            current_budget().measure(value, self.source, charge=False)
        except BudgetExceeded as exc:
            raise exc.limit.exceeded(self.source, exc.actual, where=self.where(pointer)) from None

    def where(self, pointer: str) -> str:
        """Where an error at `pointer` (in this template) is: its line and column, else the pointer."""
        full = self.pointer_prefix + pointer
        pos = (self.positions or {}).get(full)
        return f"line {pos[0]}, column {pos[1]}" if pos else (full or "/")

    @contextmanager
    def entry(self) -> Iterator[None]:
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


def _named(entry: dict[str, Any], name: str) -> bool:
    return str(entry.get("name", "")).lower() == name.lower()
