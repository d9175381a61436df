"""Text from the input (file names, values, names) made harmless for the place it is printed.

A file name is chosen by whoever wrote the commit, and CI systems read commands out of the log: a line
that starts with `::error` is a GitHub workflow command, `##vso[task.setvariable ...]` anywhere in a line
is an Azure Pipelines logging command, and ESC sequences rewrite what a terminal or a log viewer shows. So
a newline, a carriage return, ESC or any other control character from the input is never printed raw:
`printable` shows it escaped (`\\n`, `\\x1b`), the way Python writes it, so the reader still sees what the
name really is. Bidirectional overrides and Unicode line separators are escaped too, because they change
how the surrounding text reads.

Each format adds its own target's escaping on top (`vmss_lint.report.formats`): workflow-command
properties and data, logging-command properties, Markdown in the job summary, XML in JUnit (by the XML
writer), JSON and SARIF (by the JSON encoder).
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, Unicode line/paragraph separators, bidi embeddings/overrides/isolates and marks.
# Every one of them is also a character `str.isprintable()` refuses (categories Cc, Cf, Zl, Zp; a test holds
# that), so text it accepts is returned without a regex. That is nearly all text, and the pattern is then
# compiled (by `re`, on first use, cached) only in a run that meets other text: a module-level re.compile
# of this class cost about 2 M instructions on every start-up.
UNPRINTABLE = "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _shown(char: str) -> str:
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, keep: str = "") -> str:
    """`text` on one line with every control character shown escaped (except those in `keep`)."""
    if text.isprintable() or not re.search(UNPRINTABLE, text):
        return text
    return re.sub(UNPRINTABLE, lambda m: m.group() if m.group() in keep else _shown(m.group()), text)
