"""Hooks for the OS profile and other per-VM settings whose transition matters (catalog rows 51-56, 74).

Secrets (customData) are described, never shown: `describe_secret` gives "<secret: N bytes after base64
decoding>", which tells a reviewer that something changed without telling a log reader what.
"""

from __future__ import annotations

from collections.abc import Iterator

from vmss_lint.core.findings import Hit
from vmss_lint.core.redact import describe_secret
from vmss_lint.engine.helpers import VMP, has_health_extension, proposed_view, truthy
from vmss_lint.engine.run import RuleContext

OS_PROFILE = f"{VMP}/osProfile"
CUSTOM_DATA = f"{OS_PROFILE}/customData"
LICENSE_TYPE = f"{VMP}/licenseType"


def _cleared(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def custom_data_removed(ctx: RuleContext) -> Iterator[Hit]:
    for change in ctx.changed(CUSTOM_DATA):
        if change.old is not None and (change.op == "remove" or _cleared(change.new)):
            yield Hit(
                change.pointer,
                "remove",
                change.old,
                None,
                message=f"customData ({describe_secret(change.old)}) would be removed; once set it cannot be "
                "removed, only replaced by another base64 value.",
            )


def automatic_by_platform_requirements(ctx: RuleContext) -> Iterator[Hit]:
    """patchMode AutomaticByPlatform needs the VM agent and, on a scale set, the Application Health extension."""
    for os_config in ("windowsConfiguration", "linuxConfiguration"):
        for change in ctx.changed(f"{OS_PROFILE}/{os_config}/patchSettings/patchMode"):
            if str(change.new or "").lower() != "automaticbyplatform":
                continue
            missing = []
            agent = ctx.effective(f"{OS_PROFILE}/{os_config}/provisionVMAgent")
            if agent is not None and not truthy(agent):
                missing.append("provisionVMAgent is false")
            updates = ctx.effective(f"{OS_PROFILE}/windowsConfiguration/enableAutomaticUpdates")
            if os_config == "windowsConfiguration" and updates is not None and not truthy(updates):
                missing.append("enableAutomaticUpdates is false")
            if not has_health_extension(proposed_view(ctx)):
                missing.append("no Application Health extension")
            if missing:
                yield Hit.of(
                    change,
                    message=f"patchMode becomes AutomaticByPlatform but {' and '.join(missing)}: automatic VM "
                    "guest patching on a scale set needs the VM agent (and Windows automatic updates) and the Application Health extension.",
                )
