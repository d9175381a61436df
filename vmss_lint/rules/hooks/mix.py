"""Instance mix: ranks only with the Prioritized allocation strategy (Microsoft Learn, instance mix).

Which VM sizes carry a `rank` is a question over the elements of `skuProfile.vmSizes`, which the data
conditions (one pointer each) cannot ask, so this one constraint is a hook.
"""

from __future__ import annotations

from collections.abc import Iterator

from vmss_lint.core.findings import Hit
from vmss_lint.engine.helpers import Getter, hit_on, introduced, lower
from vmss_lint.engine.run import RuleContext

SKU_PROFILE = "/properties/skuProfile"
STRATEGY = f"{SKU_PROFILE}/allocationStrategy"


def _ranked(get: Getter) -> list[str]:
    """Names of the VM sizes with a rank (0 counts: it is a rank)."""
    sizes = get(f"{SKU_PROFILE}/vmSizes")
    return [
        str(s.get("name") or "(unnamed)")
        for s in (sizes if isinstance(sizes, list) else [])
        if isinstance(s, dict) and s.get("rank") not in (None, "")
    ]


def _violated(get: Getter) -> bool:
    return bool(_ranked(get)) and lower(get(STRATEGY)) != "prioritized"


def rank_without_prioritized(ctx: RuleContext) -> Iterator[Hit]:
    """Ranks kept (or added) while the strategy is not Prioritized, when this change introduces it."""
    if not introduced(ctx, _violated):
        return
    names = ", ".join(_ranked(ctx.effective))
    strategy = ctx.effective(STRATEGY) or "lowestPrice (the default)"
    yield hit_on(
        ctx,
        STRATEGY,
        message=f'VM sizes {names} keep a rank while allocationStrategy is {strategy}: "Use rank only with the '
        'Prioritized strategy"; when leaving Prioritized, "you must first nullify the priority ranks" '
        "(documented procedure, no failure text).",
    )
