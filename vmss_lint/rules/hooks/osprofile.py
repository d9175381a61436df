"""Hooks for the OS profile and other per-VM settings whose transition matters (catalog rows 51-56, 74).

Secrets (customData) are described, never shown: `describe_secret` gives "<secret: N bytes after base64
decoding>", which tells a reviewer that something changed without telling a log reader what.
"""

from __future__ import annotations

from collections.abc import Iterator

from vmss_lint.core.findings import Hit
from vmss_lint.core.redact import describe_secret
from vmss_lint.engine.run import RuleContext

from .util import VMP, effective_extensions, has_health_extension, truthy

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


def custom_data_changed(ctx: RuleContext) -> Iterator[Hit]:
    for change in ctx.changed(CUSTOM_DATA):
        if change.op == "remove" or _cleared(change.new):
            continue
        before = describe_secret(change.old) or "not set"
        yield Hit.of(
            change,
            message=f"customData changed ({before} -> {describe_secret(change.new)}): new VMs get it at once, "
            "existing VMs only when they are reimaged (cloud-init/unattend read it at first boot).",
        )


def license_type_cleared(ctx: RuleContext) -> Iterator[Hit]:
    for change in ctx.changed(LICENSE_TYPE):
        if change.old and isinstance(change.new, str) and not change.new.strip():
            yield Hit.of(
                change,
                message=f"licenseType {change.old} -> empty string: the API does not accept an empty string "
                "in an update; set it to 'None' to stop using Azure Hybrid Benefit.",
            )


def license_type_changed(ctx: RuleContext) -> Iterator[Hit]:
    for change in ctx.changed(LICENSE_TYPE):
        if isinstance(change.new, str) and not change.new.strip():
            continue  # the empty string is the license-type-cleared rule's
        if change.op == "remove":
            yield Hit(
                change.pointer,
                change.op,
                change.old,
                None,
                message=f"licenseType {change.old} is removed: a PATCH leaves the current value in place; to "
                "stop using Azure Hybrid Benefit set it to 'None' explicitly.",
            )
            continue
        yield Hit.of(
            change,
            message=f"licenseType {change.old or '(not set)'} -> {change.new}: the billing benefit reaches "
            "existing VMs when they are upgraded (no restart of the guest OS is needed for billing).",
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
            if not has_health_extension(effective_extensions(ctx)):
                missing.append("no Application Health extension")
            if missing:
                yield Hit.of(
                    change,
                    message=f"patchMode becomes AutomaticByPlatform but {' and '.join(missing)}: automatic VM "
                    "guest patching on a scale set needs the VM agent (and Windows automatic updates) and the Application Health extension.",
                )


def priority_changed(ctx: RuleContext) -> Iterator[Hit]:
    """Regular <-> Spot. An absent priority is Regular, so adding "Spot" to a model without one counts."""
    for change in ctx.changed(f"{VMP}/priority"):
        if change.op == "remove":
            continue
        old = str(change.old or "Regular")
        new = str(change.new or "")
        if new and old.lower() != new.lower():
            yield Hit.of(
                change,
                message=f"priority {old} -> {new}: Regular/Spot is fixed when the scale set is created.",
            )
