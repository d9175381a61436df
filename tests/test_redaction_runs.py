"""The secrets a run has read belong to that run (`vmss_lint.core.redact.run_secrets`).

A run that read an admin password redacts it from its own report; the next run in the same process,
whose inputs show the same string in a plain tag, prints the tag as it is (had the first run's secrets
stayed behind, the tag would read `<secret>`); a library caller calls nothing before or after; and a run
in another thread never sees this one's secrets.
"""

from __future__ import annotations

import copy
import json
import threading
from typing import Any

from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

import vmss_lint
from vmss_lint.core import redact
from vmss_lint.core.records import to_json

PASSWORD = "Run-One-Pa55word-7731"


def base() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((FIXTURES / "models" / "web-rest.json").read_text())
    return doc


def with_password(doc: dict[str, Any], password: str) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["properties"]["virtualMachineProfile"]["osProfile"]["adminPassword"] = password
    return doc


def with_tag(doc: dict[str, Any], value: str) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["tags"] = {**doc["tags"], "note": value}
    return doc


def report_text(report: Any) -> str:
    return json.dumps(to_json(report))


def test_a_second_run_does_not_inherit_the_first_runs_secrets() -> None:
    first = vmss_lint.check(with_password(base(), "Old-Pa55word-0001"), with_password(base(), PASSWORD))
    assert PASSWORD not in report_text(first)  # redacted in its own run
    assert "adminPassword" in report_text(first)  # ...and the change is still reported

    second = vmss_lint.check(base(), with_tag(base(), PASSWORD))
    findings = [f for r in second.results for f in r.findings if f.pointer == "/tags/note"]
    assert findings, "the tag change is a finding"
    assert PASSWORD in report_text(second)  # a plain tag of this run: shown, not taken for a secret


def test_a_library_caller_needs_no_cleanup() -> None:
    """Nothing is left behind after a run: no state in the context, nothing for `redact_text` to hide."""
    vmss_lint.check(base(), with_password(base(), PASSWORD))
    assert redact.redact_text(f"tag {PASSWORD}") == f"tag {PASSWORD}"
    assert redact._RUN.get() is None


def test_secrets_read_before_a_run_are_redacted_by_it_then_dropped() -> None:
    """A caller that reads inputs (which remember secrets) before calling `pipeline.check`: the run adopts
    them, redacts them from its report, and drops them when it returns."""
    from vmss_lint.arm.files import parse_text
    from vmss_lint.inputs.sources import from_files
    from vmss_lint.pipeline import LintOptions, check

    current = parse_text(json.dumps(base()), "current.json")
    proposed = parse_text(json.dumps(with_tag(base(), PASSWORD)), "proposed.json")
    inputs = from_files(current, proposed)
    redact.remember(PASSWORD)  # as a reader does for a secret it met (a `--set` value, a secure parameter)
    report = check(inputs, LintOptions())
    assert PASSWORD not in report_text(report)
    assert redact._RUN.get() is None
    assert redact.redact_text(PASSWORD) == PASSWORD


def test_a_run_in_another_thread_does_not_see_this_runs_secrets() -> None:
    seen: list[str] = []
    with redact.run_secrets():
        redact.remember(PASSWORD)
        assert redact.redact_text(PASSWORD) == redact.SECRET_MARK
        worker = threading.Thread(target=lambda: seen.append(redact.redact_text(PASSWORD)))
        worker.start()
        worker.join()
    assert seen == [PASSWORD]


def test_nested_runs_share_the_outer_runs_secrets() -> None:
    with redact.run_secrets() as outer:
        redact.remember(PASSWORD)
        with redact.run_secrets() as inner:
            assert inner is outer
            assert redact.redact_text(PASSWORD) == redact.SECRET_MARK
        assert redact.redact_text(PASSWORD) == redact.SECRET_MARK  # the inner run did not drop them
    assert redact.redact_text(PASSWORD) == PASSWORD


# Pieces of URLs and credentials in every spelling, so that generated texts hit every pattern and guard.
_PIECES = [
    "https://",
    "HTTP://",
    "https%3A%2F%2F",
    "%3a%2f%2f",
    "user:pw",
    "tok",
    "@",
    "%40",
    "?",
    "&",
    ";",
    "%3F",
    "%26",
    "=",
    "%3D",
    "sig",
    "SIG",
    "code",
    "token",
    "key",
    "x-amz-signature",
    "abc",
    "/",
    " ",
    "%",
    "#",
    "REDACTED",
    "<",
    '"',
]


@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
@settings(max_examples=400, deadline=None)
def test_scrub_text_guards_change_nothing(text: str) -> None:
    """`scrub_text` skips a pattern when the text lacks what each of its matches contains; the result is
    the one every pattern applied in turn gives."""
    sas_sig, query_credential, url_credentials, encoded_url_credentials = redact._url_patterns()
    expected = url_credentials.sub(r"\1REDACTED@", text)
    expected = encoded_url_credentials.sub(r"\1REDACTED%40", expected)
    expected = sas_sig.sub(r"\1REDACTED", expected)
    expected = query_credential.sub(r"\1REDACTED", expected)
    assert redact.scrub_text(text) == expected
