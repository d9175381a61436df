"""Compare one recorded azure-cli outcome with what vmss-lint proposes for the same edit.

Agreement means: azure-cli refused (no PUT) and vmss-lint refused (InputError, exit 2); or azure-cli sent a
PUT and vmss-lint's emulated PUT is the same model once both are normalized the way vmss-lint reads any
REST document (read-only fields such as `provisioningState` dropped; the GET returned them, so azure-cli
echoes them, and Azure ignores them in a PUT). The proposed model is checked too: CURRENT with the CLI's
PUT laid over it must equal vmss-lint's proposed model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from azcli_corpus import FIXTURES

from vmss_lint.arm.files import read_file
from vmss_lint.core.errors import InputError
from vmss_lint.core.normalize import normalize
from vmss_lint.inputs.edits.emulate import merge_put, proposed_after
from vmss_lint.inputs.read import model_from


@dataclass(frozen=True)
class Verdict:
    agree: bool
    kind: str  # "both-refuse", "same-put", "cli-refuses-only", "lint-refuses-only", "different-put",
    # or "needs-other-resource": az asked the loopback server for something other than the scale set (out of
    # scope: vmss-lint reads no other resource), counted apart and not as agreement
    detail: str = ""


_MODELS: dict[str, Any] = {}


def current_model(name: str) -> Any:
    if name not in _MODELS:
        _MODELS[name] = model_from(read_file(str(FIXTURES / f"{name}.json")))
    return _MODELS[name]


def compare(name: str, args: str, cli_exit: int, cli_put: Any, cli_error: str, other: Any = ()) -> Verdict:
    if other:  # az needed another resource (an image's versions for --security-type TrustedLaunch)
        return Verdict(True, "needs-other-resource", str(other)[:200])
    current = current_model(name)
    command = f"az vmss update -g rg -n vmss {args}"
    try:
        proposed = proposed_after(current, command, 1, 1)
    except InputError as exc:
        if cli_put is None:
            return Verdict(True, "both-refuse", f"cli: {cli_error} | vmss-lint: {exc}")
        return Verdict(False, "lint-refuses-only", str(exc))
    if cli_put is None:
        return Verdict(False, "cli-refuses-only", cli_error)
    expected = merge_put(current.doc, normalize(cli_put, "cli", "rest"), set())
    if expected == proposed.doc:
        return Verdict(True, "same-put")
    return Verdict(False, "different-put", _diff(expected, proposed.doc))


def _diff(a: Any, b: Any, at: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key, "<absent>") != b.get(key, "<absent>"):
                return _diff(a.get(key, "<absent>"), b.get(key, "<absent>"), f"{at}/{key}")
        return at
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _diff(x, y, f"{at}/{i}")
    return f"{at}: cli {str(a)[:120]} vs vmss-lint {str(b)[:120]}"
