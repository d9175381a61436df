"""`printable`: control, bidi and line-separator characters from the input are shown escaped.

Its fast path returns text that `str.isprintable()` accepts without running the regex; that is only
right while every character the regex escapes is one `isprintable()` refuses, which the first test holds.
"""

from __future__ import annotations

import re
import sys

from vmss_lint.core.escape import UNPRINTABLE, printable


def test_every_escaped_character_is_one_isprintable_refuses() -> None:
    pattern = re.compile(UNPRINTABLE)
    escaped = [chr(c) for c in range(sys.maxunicode + 1) if pattern.fullmatch(chr(c))]
    assert (
        len(escaped) == 32 + 33 + 1 + 2 + 2 + 5 + 4
    )  # C0, DEL + C1, ALM, LRM/RLM, LS/PS, LRE..RLO, LRI..PDI
    assert [hex(ord(ch)) for ch in escaped if ch.isprintable()] == []


def test_printable_escapes_what_would_rewrite_a_log_and_keeps_the_rest() -> None:
    assert printable("web-vmss.json") == "web-vmss.json"
    assert printable("a\u00a0b\u200bc") == "a\u00a0b\u200bc"  # not printable to Python, harmless in a log
    assert printable("x\n::error::y") == "x\\n::error::y"
    assert printable("\x1b[31mred\u202e") == "\\x1b[31mred\\u202e"
    assert printable("one\ntwo\r", keep="\n") == "one\ntwo\\r"
