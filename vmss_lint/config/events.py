"""Whether this run is on an untrusted CI event, and the `--trust-config` choice that can force it.

The detections, one per CI system, are listed in SECURITY.md ("Trust model for configuration"); what
an untrusted event changes is `vmss_lint.config.trust`'s. This module imports nothing else of the
package, so the config file reader can ask it about Python hooks without a cycle.
"""

from __future__ import annotations

import json
import os
from typing import Any

from vmss_lint.core.errors import InputError

TRUST_CHOICES = ("auto", "base", "head")
TRUST_ENV = "VMSS_LINT_TRUST_CONFIG"
# GitHub events that run with a pull request's (or a comment author's) data without a fork check to make.
GITHUB_UNTRUSTED_EVENTS = ("merge_group", "issue_comment", "workflow_run")


def decide(choice: str | None, env: dict[str, str] | None = None) -> str | None:
    """Why the head's config is untrusted in this run, or None when it is trusted: `--trust-config`
    (`choice`), else `VMSS_LINT_TRUST_CONFIG`, else `auto` (detect the event)."""
    env = dict(os.environ) if env is None else env
    value = (choice if choice is not None else env.get(TRUST_ENV) or "auto").strip().lower()
    source = "--trust-config" if choice is not None else TRUST_ENV
    if value not in TRUST_CHOICES:
        raise InputError(source, f"'{value}' is not a trust setting", hint="use auto, base or head")
    if value == "base":
        return f"{source}=base"
    if value == "head":
        return None
    return untrusted_event(env)


def untrusted_event(env: dict[str, str]) -> str | None:
    """Why this run is on an untrusted event, or None (a local run, a push, a same-repository PR)."""
    if env.get("GITHUB_ACTIONS") == "true":
        event = env.get("GITHUB_EVENT_NAME", "")
        if event in GITHUB_UNTRUSTED_EVENTS:
            return f"a GitHub '{event}' event"
        if event in ("pull_request", "pull_request_target"):
            fork = _github_fork(env.get("GITHUB_EVENT_PATH"))
            return f"a GitHub '{event}' event {fork}" if fork is not None else None
    if env.get("TF_BUILD", "").lower() == "true" and env.get("BUILD_REASON", "").lower() == "pullrequest":
        forked = env.get("SYSTEM_PULLREQUEST_ISFORK", "").lower() == "true"
        return f"an Azure Pipelines pull-request build{' from a fork' if forked else ''}"
    return None


def _github_fork(event_path: str | None) -> str | None:
    """'from the fork NAME' when the event payload's pull request comes from another repository, None
    when it is the same repository; a payload that cannot be read counts as a fork (fail closed)."""
    if not event_path:
        return "(no event payload to tell a fork from)"
    from vmss_lint.core.limits import read_capped

    try:
        payload = json.loads(read_capped(event_path, "GITHUB_EVENT_PATH", role="event payload"))
    except (InputError, ValueError):
        return "(its event payload cannot be read)"
    pr = payload.get("pull_request") if isinstance(payload, dict) else None
    head = _dig(pr, "head", "repo")
    base = _dig(pr, "base", "repo")
    head_name = head.get("full_name") if isinstance(head, dict) else None
    base_name = base.get("full_name") if isinstance(base, dict) else None
    if not isinstance(head_name, str) or not isinstance(base_name, str):
        return "(the event payload does not name both repositories)"
    if head_name.lower() != base_name.lower() or (isinstance(head, dict) and head.get("fork") is True):
        return f"from the fork {head_name}"
    return None


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value
