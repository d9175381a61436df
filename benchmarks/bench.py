"""How fast vmss-lint is on this machine, next to the tools people would use instead.

    python benchmarks/bench.py                 # everything (about a minute; Checkov adds ~30 s)
    python benchmarks/bench.py --runs 5 --quick

Prints one table per question:

1. cold `vmss-lint check` (a new process, as a pre-commit hook or CI step runs it) of a typical model
   pair and of a typical real template pair: median and min wall time and peak memory (the child's
   ru_maxrss) over repeated, interleaved runs, next to `python -c pass` and Checkov scanning the same
   template (found on PATH, in /tmp/checkov-venv, or given with --checkov);
2. in-process throughput: model pairs per second, and the time for 1, 100, 1,000 and 10,000 pairs
   (the per-pair time must stay flat: growth is linear);
3. a generated ~1 MB template with 50 scale sets, expressions and copy loops.

This is a script, not a test: timings vary with the machine and its load, so nothing here asserts.
docs/performance.md records one run and the command that produced it.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "fixtures" / "models" / "web-rest.json"
CORPUS = REPO / "fixtures" / "templates"  # the Azure quickstarts, copied byte for byte (fixtures/SOURCES.md)
TEMPLATE = CORPUS / "vmss-windows-app-gateway" / "azuredeploy.json"
MIB = 1024 * 1024

TARGETS = {
    "cold": 150.0,  # ms, median, typical pair
    "vs_checkov": 15.0,  # times faster than Checkov on the same template
    "pairs_per_s": 1000.0,
    "big_template": 1000.0,  # ms
    "peak_mib": 80.0,
}


# ---------------------------------------------------------------------------------------------- inputs


def changed_model(doc: dict[str, Any]) -> dict[str, Any]:
    """A typical proposed change: a bigger VM size in the same family and a new capacity."""
    new = copy.deepcopy(doc)
    new["sku"]["name"] = "Standard_D4s_v5"
    new["sku"]["capacity"] = int(new["sku"].get("capacity", 2)) + 1
    return new


def changed_template(tpl: dict[str, Any]) -> dict[str, Any]:
    """A typical template PR: the default VM size and the upgrade mode change."""
    new = copy.deepcopy(tpl)
    params = new.get("parameters", {})
    for name, spec in params.items():
        if "sku" in name.lower() and isinstance(spec, dict) and isinstance(spec.get("defaultValue"), str):
            spec["defaultValue"] = "Standard_D4s_v5"
            break
    for res in new.get("resources", []):
        if str(res.get("type", "")).lower() == "microsoft.compute/virtualmachinescalesets":
            res.setdefault("properties", {}).setdefault("upgradePolicy", {})["mode"] = "Rolling"
    return new


def big_template(scale_sets: int = 50, target_bytes: int = MIB) -> dict[str, Any]:
    """A ~1 MB template: `scale_sets` VMSS with parameters, variables, expressions and copy loops.

    Each scale set has property copy loops (NIC configurations, data disks), extensions built with
    `concat`/`format`, `if` and `resourceId`, and tags; two are resource copy loops of two. Padding
    is realistic bulk (more tags and disks) until the JSON reaches `target_bytes`.
    """
    params: dict[str, Any] = {
        "location": {"type": "string", "defaultValue": "westeurope"},
        "adminUsername": {"type": "string", "defaultValue": "azureuser"},
        "adminPassword": {"type": "securestring"},
        "vmSku": {"type": "string", "defaultValue": "Standard_D2s_v5"},
        "diskCount": {"type": "int", "defaultValue": 8},
        "nicCount": {"type": "int", "defaultValue": 2},
        "zones": {"type": "array", "defaultValue": ["1", "2", "3"]},
    }
    variables: dict[str, Any] = {
        "vnetId": "[resourceId('Microsoft.Network/virtualNetworks', 'vnet-bench')]",
        "subnetId": "[concat(variables('vnetId'), '/subnets/default')]",
        "script": "[format('bash setup.sh --env {0} --sku {1}', 'prod', parameters('vmSku'))]",
    }
    resources: list[dict[str, Any]] = []
    for i in range(scale_sets):
        name = f"vmss{i:03d}"
        variables[f"{name}Tags"] = {f"tag{k:03d}": f"value-{i}-{k}-" + "x" * 24 for k in range(40)}
        res: dict[str, Any] = {
            "type": "Microsoft.Compute/virtualMachineScaleSets",
            "apiVersion": "2024-07-01",
            "name": f"[concat('{name}-', uniqueString(resourceGroup().id))]"
            if i % 5
            else f"[concat('{name}-', copyIndex())]",
            "location": "[parameters('location')]",
            "tags": f"[variables('{name}Tags')]",
            "zones": "[parameters('zones')]",
            "sku": {"name": "[parameters('vmSku')]", "tier": "Standard", "capacity": "[add(2, 1)]"},
            "properties": {
                "orchestrationMode": "Uniform",
                "singlePlacementGroup": False,
                "upgradePolicy": {
                    "mode": "[if(equals(mod(length(parameters('zones')), 2), 1), 'Rolling', 'Manual')]"
                },
                "virtualMachineProfile": {
                    "osProfile": {
                        "computerNamePrefix": name,
                        "adminUsername": "[parameters('adminUsername')]",
                        "adminPassword": "[parameters('adminPassword')]",
                    },
                    "storageProfile": {
                        "imageReference": {
                            "publisher": "Canonical",
                            "offer": "ubuntu-24_04-lts",
                            "sku": "server",
                            "version": "latest",
                        },
                        "osDisk": {"createOption": "FromImage", "caching": "ReadWrite"},
                        "copy": [
                            {
                                "name": "dataDisks",
                                "count": "[parameters('diskCount')]",
                                "input": {
                                    "lun": "[copyIndex('dataDisks')]",
                                    "createOption": "Empty",
                                    "diskSizeGB": "[mul(64, add(copyIndex('dataDisks'), 1))]",
                                    "caching": "[if(equals(copyIndex('dataDisks'), 0), 'ReadOnly', 'None')]",
                                },
                            }
                        ],
                    },
                    "networkProfile": {
                        "copy": [
                            {
                                "name": "networkInterfaceConfigurations",
                                "count": "[parameters('nicCount')]",
                                "input": {
                                    "name": f"[format('{name}-nic{{0}}', copyIndex('networkInterfaceConfigurations'))]",
                                    "properties": {
                                        "primary": "[equals(copyIndex('networkInterfaceConfigurations'), 0)]",
                                        "ipConfigurations": [
                                            {
                                                "name": "ipconfig1",
                                                "properties": {"subnet": {"id": "[variables('subnetId')]"}},
                                            }
                                        ],
                                    },
                                },
                            }
                        ]
                    },
                    "extensionProfile": {
                        "extensions": [
                            {
                                "name": f"ext{e}",
                                "properties": {
                                    "publisher": "Microsoft.Azure.Extensions",
                                    "type": "CustomScript",
                                    "typeHandlerVersion": "2.1",
                                    "autoUpgradeMinorVersion": True,
                                    "settings": {
                                        "commandToExecute": "[concat(variables('script'), ' --part "
                                        + str(e)
                                        + "')]"
                                    },
                                },
                            }
                            for e in range(4)
                        ]
                    },
                },
            },
        }
        if i % 25 == 0:
            res["copy"] = {"name": f"{name}Loop", "count": 2}
        resources.append(res)
    doc = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": params,
        "variables": variables,
        "resources": resources,
    }
    # Pad with more (realistic) tags until the document is about the target size.
    size = len(json.dumps(doc, indent=2))
    k = 40
    while size < target_bytes * 0.97 and k < 2000:
        for i in range(scale_sets):
            variables[f"vmss{i:03d}Tags"][f"tag{k:03d}"] = f"value-{i}-{k}-" + "x" * 24
        k += 1
        size += scale_sets * 50
    return doc


# ------------------------------------------------------------------------------------------ measuring


# Children run as on a user's machine: Python writes and reuses its bytecode cache. Some environments
# (this one among them) set PYTHONDONTWRITEBYTECODE, which makes every cold run compile vmss-lint's
# modules from source; `--from-source` keeps that setting to measure exactly that case.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_child(argv: Sequence[str], cwd: Path) -> tuple[float, float, int, float]:
    """(wall ms, peak RSS MiB, exit code, CPU ms) of one child process.

    CPU time (user + system) is reported next to wall time because it moves much less when other
    work shares the machine. Peak memory comes from GNU time when it is installed: a child forked from
    this (much bigger) benchmark process inherits its resident set until it execs, and Linux counts
    that in the child's own `ru_maxrss`, which would put a floor of this process's size under every
    figure. Without GNU time, `ru_maxrss` is reported and marked as an upper bound."""
    peak_file = cwd / ".peak-kib"
    prefix = [GNU_TIME, "-f", "%M", "-o", str(peak_file)] if GNU_TIME else []
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*prefix, *argv], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=CHILD_ENV
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    cpu = (usage.ru_utime + usage.ru_stime) * 1000
    peak_kib = float(peak_file.read_text().split()[-1]) if GNU_TIME else float(usage.ru_maxrss)
    return wall, peak_kib / 1024, os.waitstatus_to_exitcode(status), cpu


def _gnu_time() -> str | None:
    path = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").is_file() else None)
    if path is None:
        return None
    probe = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    return path if "GNU" in probe.stdout + probe.stderr else None


GNU_TIME = _gnu_time()


def cold(
    commands: dict[str, list[str]], runs: int, cwd: Path, slow: set[str], slow_runs: int
) -> dict[str, dict[str, float]]:
    """Interleave the commands (so load changes hit all alike); median/min wall, median peak RSS."""
    samples: dict[str, list[tuple[float, float, int, float]]] = {k: [] for k in commands}
    for argv in commands.values():
        run_child(argv, cwd)  # unmeasured: writes the bytecode cache, as any earlier run on a machine has
    for i in range(runs):
        for label, argv in commands.items():
            if label in slow and i >= slow_runs:
                continue
            samples[label].append(run_child(argv, cwd))
    out = {}
    for label, rows in samples.items():
        out[label] = {
            "median": statistics.median(r[0] for r in rows),
            "min": min(r[0] for r in rows),
            "rss": statistics.median(r[1] for r in rows),
            "cpu": statistics.median(r[3] for r in rows),
            "rc": float(rows[-1][2]),
            "n": float(len(rows)),
        }
    return out


def instructions(argv: Sequence[str], cwd: Path) -> int | None:
    """User-space instructions of one run, counted by valgrind's callgrind (None without valgrind).

    Unlike wall and CPU time the count does not move with the machine's load (about 50 times slower to
    take, and blind to system calls and cache misses), so two builds compare fairly on a shared machine:
    run `--instructions` with each build's Python side by side."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    proc = subprocess.run(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=CHILD_ENV,
        check=False,
    )
    found = re.search(r"Collected : (\d+)", proc.stderr)
    return int(found.group(1)) if found else None


def find_checkov(given: str | None) -> str | None:
    for candidate in (given, shutil.which("checkov"), "/tmp/checkov-venv/bin/checkov"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def installed_how() -> str:
    """Editable installs add an import hook to every start-up; users get a regular install."""
    import vmss_lint

    where = Path(vmss_lint.__file__).resolve()
    return (
        "source checkout (editable or PYTHONPATH)"
        if REPO in where.parents
        else f"installed in {where.parent.parent}"
    )


def lint_cli() -> list[str]:
    script = Path(sys.executable).with_name("vmss-lint")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "vmss_lint"]


def throughput(model: bytes, quick: bool) -> tuple[list[tuple[int, float]], float, float]:
    """Time N full in-process pairs (parse bytes, normalize, compare, rules, plan, JSON report).

    Each pair is distinct (a different capacity), so nothing is served from a cache. Returns
    [(N, seconds)], and the per-pair microseconds of the whole pipeline and of `lint_pair` alone
    (compare, rules, plan: what a caller holding parsed models pays).
    """
    from vmss_lint.arm.files import parse_text
    from vmss_lint.inputs.read import model_from
    from vmss_lint.pipeline import LintOptions, lint_pair, make_report, rules_for
    from vmss_lint.report.formats import renderer

    options = LintOptions()
    rules = rules_for(options)
    render = renderer("json")
    base = json.loads(model)
    sizes = [1, 100, 1000] if quick else [1, 100, 1000, 10_000]
    proposals = []
    for i in range(max(sizes)):
        doc = changed_model(base)
        doc["sku"]["capacity"] = 3 + i % 97
        proposals.append(json.dumps(doc).encode())

    def one(i: int) -> str:
        cur = model_from(parse_text(model, "current.json"))
        prop = model_from(parse_text(proposals[i], "proposed.json"))
        result = lint_pair(cur, prop, rules, options)
        return render(make_report([result], options.fail_on), colour=False)

    one(0)  # warm: first-use costs (pydantic schema build, regex compiles) are the cold benchmark's
    timings = []
    for n in sizes:
        start = time.perf_counter()
        for i in range(n):
            one(i)
        timings.append((n, time.perf_counter() - start))
    cur = model_from(parse_text(model, "current.json"))
    props = [model_from(parse_text(p, "proposed.json")) for p in proposals[:1000]]
    start = time.perf_counter()
    for p in props:
        lint_pair(cur, p, rules, options)
    lint_only = (time.perf_counter() - start) / len(props) * 1e6
    full = timings[-1][1] / timings[-1][0] * 1e6
    return timings, full, lint_only


# -------------------------------------------------------------------------------------------- report


def git_pull_request(root: Path, tpl: dict[str, Any], count: int) -> Path:
    """A real repository whose working tree changes `count` templates against HEAD."""
    root.mkdir()
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, env=env, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "bench@example.invalid")
    git("config", "user.name", "bench")
    for i in range(count):
        (root / f"t{i:03}.json").write_text(json.dumps(tpl, indent=2))
    git("add", "-A")
    git("commit", "-qm", "templates")
    changed = json.dumps(changed_template(tpl), indent=2)
    for i in range(count):
        (root / f"t{i:03}.json").write_text(changed)
    return root


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from vmss_lint import __version__

    return (
        f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, vmss-lint {__version__}"
    )


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    return "\n".join([line, sep, *body])


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=21, help="cold runs per command (default 21)")
    ap.add_argument("--checkov-runs", type=int, default=5, help="cold Checkov runs (default 5)")
    ap.add_argument("--checkov", help="path to the checkov executable (default: PATH, /tmp/checkov-venv)")
    ap.add_argument("--no-checkov", action="store_true", help="skip Checkov")
    ap.add_argument("--quick", action="store_true", help="stop the throughput series at 1,000 pairs")
    ap.add_argument(
        "--from-source",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE if set (every cold run compiles the modules from source)",
    )
    ap.add_argument(
        "--instructions",
        action="store_true",
        help="also count the instructions of one cold run of each command (needs valgrind; load-independent)",
    )
    args = ap.parse_args(argv)
    if args.from_source:
        CHILD_ENV.update(os.environ)

    print(f"machine: {machine()}")
    print(f"vmss-lint: {' '.join(lint_cli())} ({installed_how()})")
    bytecode = "off (compiled from source each run)" if CHILD_ENV.get("PYTHONDONTWRITEBYTECODE") else "on"
    print(f"bytecode cache for cold runs: {bytecode}")
    peak = (
        "GNU time (%M)"
        if GNU_TIME
        else "the child's ru_maxrss (an upper bound: includes this process's size)"
    )
    print(f"peak memory from: {peak}")
    print(
        f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (other work skews every figure)"
    )
    print(
        f"command: python benchmarks/bench.py {' '.join(argv if argv is not None else sys.argv[1:])}".rstrip()
    )
    with tempfile.TemporaryDirectory(prefix="vmss-lint-bench-") as tmp:
        work = Path(tmp)  # run from an empty folder: no config file is picked up
        model = MODEL.read_bytes()
        (work / "current.json").write_bytes(model)
        (work / "proposed.json").write_text(json.dumps(changed_model(json.loads(model)), indent=2))
        tpl = json.loads(TEMPLATE.read_text(encoding="utf-8-sig"))
        (work / "template-current.json").write_text(json.dumps(tpl, indent=2))
        (work / "template-proposed.json").write_text(json.dumps(changed_template(tpl), indent=2))
        big = big_template()
        big_text = json.dumps(big, indent=2)
        (work / "big-current.json").write_text(big_text)
        big_new = copy.deepcopy(big)
        big_new["parameters"]["vmSku"]["defaultValue"] = "Standard_D4s_v5"
        big_new["parameters"]["diskCount"]["defaultValue"] = 9
        (work / "big-proposed.json").write_text(json.dumps(big_new, indent=2))

        lint = lint_cli()
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "vmss-lint check (model pair)": [*lint, "check", "current.json", "proposed.json"],
            "vmss-lint check (template pair)": [
                *lint,
                "check",
                "template-current.json",
                "template-proposed.json",
            ],
        }
        checkov = None if args.no_checkov else find_checkov(args.checkov)
        slow: set[str] = set()
        if checkov:
            label = "checkov -f (same template)"
            commands[label] = [
                checkov, "-f", "template-proposed.json", "--framework", "arm",
                "--quiet", "--compact", "--skip-download", "-o", "cli",
            ]  # fmt: skip
            slow.add(label)
        os.environ.setdefault("BC_SKIP_MAPPING", "TRUE")  # Checkov: do not try the network first
        results = cold(commands, args.runs, work, slow, args.checkov_runs)

        print(
            f"\n1. Cold start, {args.runs} interleaved runs (Checkov {args.checkov_runs}), wall ms and peak RSS"
        )
        rows = []
        ck = results.get("checkov -f (same template)")
        for label, r in results.items():
            note = ""
            if label.startswith("vmss-lint") and r["rc"] == 2:
                note = "exit 2 (input not supported by this build)"
            elif ck and label.startswith("vmss-lint") and "template" in label:
                note = f"{ck['median'] / r['median']:.0f}x faster than Checkov"
            rows.append(
                [
                    label,
                    f"{r['median']:.0f}",
                    f"{r['min']:.0f}",
                    f"{r['cpu']:.0f}",
                    f"{r['rss']:.1f}",
                    f"{int(r['n'])}",
                    note,
                ]
            )
        if not ck:
            rows.append(
                [
                    "checkov -f (same template)",
                    "n/a",
                    "n/a",
                    "n/a",
                    "n/a",
                    "0",
                    "skipped" if args.no_checkov else "Checkov not found",
                ]
            )
        print(table(rows, ["command", "median ms", "min ms", "CPU ms", "peak MiB", "runs", "note"]))
        if args.instructions:
            # The entry-point script runs under this Python: valgrind would trace the `#!` line's.
            under = [sys.executable, *lint] if len(lint) == 1 else lint
            counted = {
                label: instructions(
                    [*under, *argv[len(lint) :]] if label.startswith("vmss-lint") else argv, work
                )
                for label, argv in commands.items()
                if label.startswith(("python", "vmss-lint"))
            }
            print("\n1b. Instructions of one cold run (callgrind; the machine's load does not change them)")
            print(
                table(
                    [
                        [label, "n/a (no valgrind)" if n is None else f"{n / 1e6:,.1f} M"]
                        for label, n in counted.items()
                    ],
                    ["command", "instructions"],
                )
            )

        print(
            "\n2. In-process throughput (distinct model pairs: read, normalize, compare, rules, plan, JSON)"
        )
        timings, full_us, lint_us = throughput(model, args.quick)
        rows = [[f"{n:,}", f"{s * 1000:.1f}", f"{s / n * 1e6:.0f}"] for n, s in timings]
        print(table(rows, ["pairs", "total ms", "us per pair"]))
        print(
            f"full pipeline: {1e6 / full_us:,.0f} pairs/s; lint_pair alone (parsed models): {1e6 / lint_us:,.0f} pairs/s"
        )

        print(f"\n3. Generated template: {len(big_text) / MIB:.2f} MiB, 50 scale sets (+2 by resource copy)")
        big_res = cold(
            {
                "vmss-lint check (1 MB template pair)": [
                    *lint,
                    "check",
                    "big-current.json",
                    "big-proposed.json",
                ]
            },
            max(3, args.runs // 4),
            work,
            set(),
            0,
        )
        r = big_res["vmss-lint check (1 MB template pair)"]
        note = "exit 2 (templates not supported by this build)" if r["rc"] == 2 else ""
        print(table([["vmss-lint check (1 MB template pair)", f"{r['median']:.0f}", f"{r['min']:.0f}", f"{r['cpu']:.0f}", f"{r['rss']:.1f}", note]],
                    ["command", "median ms", "min ms", "CPU ms", "peak MiB", "note"]))  # fmt: skip

        print("\n4. Git mode: a pull request that changes 200 templates (vmss-lint check --base HEAD)")
        pr = git_pull_request(work / "pr-repo", tpl, 200)
        git_res = cold({"vmss-lint check --base HEAD (200 templates)": [*lint, "check", "--base", "HEAD"]},
                       max(3, args.runs // 7), pr, set(), 0)  # fmt: skip
        g = git_res["vmss-lint check --base HEAD (200 templates)"]
        print(table([["200 changed templates", f"{g['median']:.0f}", f"{g['min']:.0f}", f"{g['cpu']:.0f}", f"{g['rss']:.1f}"]],
                    ["pull request", "median ms", "min ms", "CPU ms", "peak MiB"]))  # fmt: skip

        print("\nTargets")
        model_r = results["vmss-lint check (model pair)"]
        tpl_r = results["vmss-lint check (template pair)"]
        checks: list[tuple[str, Callable[[], bool] | None]] = [
            (f"cold model pair median < {TARGETS['cold']:.0f} ms: {model_r['median']:.0f} ms", lambda: model_r["median"] < TARGETS["cold"]),
            (f"cold template pair median < {TARGETS['cold']:.0f} ms: {tpl_r['median']:.0f} ms", lambda: tpl_r["median"] < TARGETS["cold"] and tpl_r["rc"] != 2),
            (
                f">= {TARGETS['vs_checkov']:.0f}x faster than Checkov: "
                + (f"{ck['median'] / tpl_r['median']:.0f}x" if ck else "n/a (Checkov not installed)"),
                (lambda: ck is not None and ck["median"] / tpl_r["median"] >= TARGETS["vs_checkov"]) if ck else None,
            ),
            (f">= {TARGETS['pairs_per_s']:,.0f} pairs/s in-process: {1e6 / full_us:,.0f} full, {1e6 / lint_us:,.0f} lint_pair", lambda: 1e6 / full_us >= TARGETS["pairs_per_s"]),
            (f"1 MB template < {TARGETS['big_template']:.0f} ms: {r['median']:.0f} ms", lambda: r["median"] < TARGETS["big_template"] and r["rc"] != 2),
            (f"peak memory < {TARGETS['peak_mib']:.0f} MiB (model pair): {model_r['rss']:.1f} MiB", lambda: model_r["rss"] < TARGETS["peak_mib"]),
        ]  # fmt: skip
        for text, test in checks:
            print(f"  {'n/a' if test is None else verdict(test()):>14}  {text}")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
