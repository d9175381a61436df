"""Record what the real azure-cli sends for every edit of the differential corpus (a dev tool).

    /work/venvs/azcli-real/bin/python tests/record_azcli.py OUT.jsonl [MODEL ...]

One JSON line per edit: model, arguments, az's exit code, the captured PUT body (or null) and az's error.
`tests/test_azcli_differential.py` runs the same loop live; this file lets a run be replayed and a small
part of it committed as fixtures (`fixtures/azcli/`).
"""

from __future__ import annotations

import json
import shlex
import sys

from azcli_corpus import MODELS, edits_for, load
from azcli_harness import LoopbackAz, azure_cli_version


def main() -> None:
    out, models = sys.argv[1], sys.argv[2:] or list(MODELS)
    done: set[tuple[str, str]] = set()
    try:
        with open(out, encoding="utf-8") as old:
            done = {(r["model"], r["args"]) for r in map(json.loads, old)}
    except FileNotFoundError:
        pass
    az = LoopbackAz()
    try:
        with open(out, "a", encoding="utf-8") as fh:
            for name in models:
                current = load(name)
                for args in edits_for(name):
                    if (name, args) in done:
                        continue
                    r = az.update(current, shlex.split(args))
                    row = {"cli": azure_cli_version(), "model": name, "args": args, "exit": r.exit_code,
                           "put": r.put, "error": r.error, "other": list(az.exchange.other)}  # fmt: skip
                    fh.write(json.dumps(row) + "\n")
                    fh.flush()
    finally:
        az.close()


if __name__ == "__main__":
    main()
