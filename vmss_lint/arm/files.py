"""One JSON input file read under the limits: the bytes, the value, and positions on demand.

Every file goes through the same ARM-dialect reader (comments, trailing commas, BOM) so that positions
are always known and a bad file always gets the same kind of one-line message. It lives in `arm`, beside
the reader it wraps, because the template walker opens linked templates and parameters files with it;
`vmss_lint.inputs.read` says what kind of document a file is and builds models from it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vmss_lint.core.errors import InputError, LimitExceeded
from vmss_lint.core.limits import INPUT_BYTES, JSON_DEPTH, read_capped

if TYPE_CHECKING:
    # Imported where it is used: a strict-JSON model file never needs the ARM reader (its module and
    # its tokenizer regex are a few milliseconds of a cold start).
    from vmss_lint.arm.reader import ParsedJson


class InputFile:
    """One input document. Most inputs are strict JSON, which the C parser reads 20 to 50 times faster
    than the position-keeping ARM reader; positions are then computed only when a finding needs a line.
    Anything `json.loads` refuses (comments, trailing commas, NaN, too deep) goes to the ARM reader at
    once, so errors and limits are always the ARM reader's."""

    def __init__(
        self, path: str, parsed: ParsedJson | None = None, *, data: bytes | str | None = None
    ) -> None:
        self.path = path
        self._parsed = parsed
        self._data = data
        self._value: Any = _NOT_READ
        # The decoded text when `json.loads` read it: single positions are then found by `locate`.
        self.strict_text: str | None = None
        if parsed is None:
            if data is None:
                raise ValueError("InputFile needs parsed JSON or raw data")
            if isinstance(data, bytes):
                data = self._data = decode_input(data, path)
            self._value, self.strict_text = _strict_json(data, JSON_DEPTH.value)
            if self._value is _NOT_READ:
                self._parsed = load_json(data, path)

    @property
    def parsed(self) -> ParsedJson:
        if self._parsed is None:
            assert self._data is not None
            self._parsed = load_json(self._data, self.path)
        return self._parsed

    @property
    def value(self) -> Any:
        return self._value if self._value is not _NOT_READ else self.parsed.value


_NOT_READ: Any = object()


def _strict_json(data: bytes | str, max_depth: int) -> tuple[Any, str | None]:
    """The value and text of a strict-JSON document within the depth limit, or _NOT_READ to use the ARM
    reader."""
    import json

    if len(data) > INPUT_BYTES.value:
        return _NOT_READ, None  # the ARM reader raises the limit's message
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        if _HALF_CHARACTER.search(text):  # the ARM reader tells a lone surrogate from a pair
            return _NOT_READ, None
        value = json.loads(
            text, parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_double_range_int
        )
    except (ValueError, RecursionError, TypeError):  # the ARM reader explains it, with the position
        return _NOT_READ, None
    if text.count("{") + text.count("[") <= max_depth:
        return value, text  # cannot nest deeper than it has brackets: no walk needed (most models)
    return (value, text) if _depth_within(value, max_depth) else (_NOT_READ, None)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_HALF_CHARACTER = re.compile(r"\\u[dD][89a-fA-F]")


def _finite_float(text: str) -> float:
    value = float(text)
    if value - value != 0:  # inf (1e400) or nan
        raise ValueError(f"{text} is outside the range of JSON numbers")
    return value


def _double_range_int(text: str) -> int:
    value = int(text)  # more than 4,300 digits: ValueError already
    if len(text) > 300:
        from vmss_lint.arm.reader import number_problem

        if number_problem(value) is not None:
            raise ValueError(f"{text[:20]}... is outside the range of JSON numbers")
    return value


def _depth_within(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return True


def load_json(data: bytes | str, source: str) -> ParsedJson:
    """`load_arm_json` under the limits in force, with a message that says how to raise them.

    The reader's own hint names its keyword arguments (right for a library caller); a CLI user needs
    the environment variable instead.
    """
    from vmss_lint.arm.reader import load_arm_json

    size, depth = INPUT_BYTES.value, JSON_DEPTH.value
    try:
        return load_arm_json(data, source, max_depth=depth, max_bytes=size)
    except LimitExceeded as exc:
        if "nested" in exc.problem:
            raise JSON_DEPTH.exceeded(source, where=exc.where) from None
        raise INPUT_BYTES.exceeded(source) from None  # stdin is read only up to the limit: size unknown


def read_file(path: str | Path, *, role: str = "input") -> InputFile:
    """Read and parse; a missing, unreadable or malformed file is an InputError naming it."""
    name = str(path)
    if name == "-":
        import sys

        data: bytes = sys.stdin.buffer.read(INPUT_BYTES.value + 1)  # never more than the limit into memory
    else:
        p = Path(path)
        if not p.exists():
            raise InputError(name, f"{role} file does not exist", hint="check the path")
        if p.is_dir():
            raise InputError(name, f"{role} is a directory, not a JSON file")
        data = read_capped(p, name, role=role)  # refused from its size: a huge file never fills memory
        if name.lower().endswith(".bicep"):
            data = _compiled_bicep(p, name)
    return InputFile(name, data=data)


def _compiled_bicep(path: Path, name: str) -> bytes:
    """A `.bicep` input is judged by the ARM JSON it compiles to, as git mode does; without a compiler on
    PATH it is refused with the command that makes the JSON (never parsed as JSON and misreported)."""
    from vmss_lint.arm.bicep import bicep_command, compile_bicep

    command = bicep_command()
    if command is None:
        raise InputError(
            name,
            "this is a Bicep file, and no Bicep compiler is on PATH",
            hint=f"run `bicep build {name}` and pass the JSON it writes, or install the Bicep CLI "
            "(`az bicep install`, or the standalone `bicep`) so that vmss-lint compiles it",
        )
    return compile_bicep(command, path, name)


def decode_input(data: bytes, name: str) -> bytes:
    """UTF-16 with a byte-order mark (what Windows PowerShell 5.1's `ConvertTo-Json > file` writes) as
    UTF-8; everything else as it is (UTF-8, with or without its BOM, is the ARM reader's business)."""
    if data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        return data
    try:
        return data.decode("utf-16").encode("utf-8")
    except UnicodeDecodeError:
        raise InputError(name, "starts with a UTF-16 byte-order mark but is not valid UTF-16") from None


def parse_text(data: bytes | str, name: str) -> InputFile:
    return InputFile(name, data=data)
