"""The differential test: vmss-lint's `--az-update` against the real azure-cli, edit by edit.

Opt-in: `python -m pytest -m azcli tests/test_azcli_differential.py` from a Python where both vmss-lint and
azure-cli are importable (see docs/edits.md, "Differential test against azure-cli"). It runs
`az vmss update` in-process for every edit of the generated corpus (tests/azcli_corpus.py, about 3,000
edits over six real models) with all HTTP answered on 127.0.0.1 (tests/azcli_harness.py), and compares
the captured PUT with vmss-lint's proposed model. Prints the agreement; fails on any disagreement.
"""

from __future__ import annotations

import collections
import os
import shlex

import pytest
from azcli_compare import compare
from azcli_corpus import MODELS, edits_for, load

pytestmark = pytest.mark.azcli


def test_vmss_lint_agrees_with_azure_cli(request: pytest.FixtureRequest) -> None:
    if "azcli" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("opt-in: run with -m azcli")
    pytest.importorskip("azure.cli.core", reason="azure-cli is not importable here (pip install azure-cli)")
    from azcli_harness import LoopbackAz, azure_cli_version

    limit = int(os.environ.get("VMSS_LINT_AZCLI_EDITS_PER_MODEL", "0"))  # 0 = every edit of the corpus
    counts: collections.Counter[str] = collections.Counter()
    wrong: list[str] = []
    az = LoopbackAz()
    try:
        for name in MODELS:
            current = load(name)
            edits = edits_for(name)
            for args in edits[:limit] if limit else edits:
                outcome = az.update(current, shlex.split(args))
                verdict = compare(
                    name, args, outcome.exit_code, outcome.put, outcome.error, az.exchange.other
                )
                counts[verdict.kind] += 1
                if not verdict.agree:
                    wrong.append(f"{name}: {args}: {verdict.kind}: {verdict.detail}")
    finally:
        az.close()
    total = sum(counts.values())
    agreed = counts["same-put"] + counts["both-refuse"]
    total -= counts["needs-other-resource"]
    print(f"\nazure-cli {azure_cli_version()}: {agreed}/{total} edits agree ({dict(counts)})")
    assert total >= 1000 or limit
    assert not wrong, "\n".join(wrong[:40])
