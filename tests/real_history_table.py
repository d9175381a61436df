"""Regenerate the per-pair verdict table of docs/real-history.md from the shared real-history corpus.

A maintainer's tool, not a test (the tests never read ../shared): run it from the repository root with the
corpus folder when the corpus or vmss-lint's verdicts change, review the diff of docs/real-history.md, and
update `JUDGEMENTS` where a verdict needs a reason a reader can check.

    python tests/real_history_table.py ../shared/corpus/real-history > /tmp/table.md

Each consecutive pair of versions is run the way a user would run it: `vmss-lint check --format json
--fail-on error CURRENT PROPOSED`, with each version's own parameters file when it has one (found next to
the template). tests/test_real_history.py keeps the outcome of every pair that is copied into fixtures/.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

VMSS_LINT = [sys.executable, "-m", "vmss_lint"]

# Why each `error` is right, by pair (template folder, current version, proposed version). Every error a
# pair gets must be here: the tool refuses to write a table with an unexplained error.
JUDGEMENTS: dict[tuple[str, str, str], str] = {
    ("azstack__101-vmss-windows-vm", "06", "07"): "Linux -> Windows image (publisher Canonical -> "
    "MicrosoftWindowsServer): the REST API allows the publisher only at creation (VMSS103), and the OS type "
    "changes with it.",
    ("azstack__201-vmss-linux-existing-vnet", "06", "07"): "Windows -> Linux image (publisher "
    "MicrosoftWindowsServer -> Canonical, VMSS103). The extension whose name becomes an unresolved expression is "
    "one VMSS001, not a handler change.",
    ("azstack__201-vmss-linux-extension", "06", "07"): "Windows -> Linux image, as in "
    "201-vmss-linux-existing-vnet 06 -> 07 (same commit).",
    (
        "azstack__201-vmss-linux-extension",
        "09",
        "10",
    ): "The parameters file changes adminUsername azureuser -> "
    "GEN-UNIQUE-admin (the quickstart CI's placeholder for a generated name, which differs from azureuser "
    "either way): 'Changing property 'adminUsername' is not allowed.' (VMSS152).",
    ("azstack__201-vmss-linux-extension", "10", "11"): "The parameters file changes the admin password under "
    "Compute API 2016-03-30 (from the template's apiVersion), which does not allow a password change on an "
    "existing scale set (VMSS150); the password itself is never printed.",
    ("azstack__201-vmss-linux-vm-largescale", "07", "08"): "Windows -> Linux image (VMSS103).",
    (
        "sf__nodetype-upgrade-no-outage~Upgrade-1NodeType-2ScaleSets-ManagedDisks",
        "02",
        "03",
    ): "The proposed version has no parameters file and its adminUserName default (testadm) differs from the "
    "current one's value (adminuser), on both scale sets (VMSS152, one per scale set).",
    ("sf__nodetype-upgrade~Step1-AddPrimaryNodeType", "02", "03"): "Two different files of the repository "
    "(cluster-tutorial/vnet-cluster.json -> nodetype-upgrade/Step1-AddPrimaryNodeType.json) both declare "
    "scale set nt1vm: deployed over the first, the second moves it from southcentralus to its hard-coded "
    "westus (VMSS110), changes adminUsername to its default GEN-UNIQUE (VMSS152) and moves the OS disks "
    "from vhdContainers to managed disks, which Azure refuses ('Changing property 'osDisk.managedDisk' is "
    "not allowed.', azure-docs#12751, VMSS128).",
    (
        "sf__nodetype-upgrade~Step2-UnmarkOriginalPrimaryNodeType",
        "02",
        "03",
    ): "As Step1 02 -> 03 (same pair of files and commits).",
    ("sf__nodetype-upgrade~Step3-CleanupOriginalPrimaryNodeType", "02", "03"): "As Step1 02 -> 03 (same pair "
    "of files and commits).",
}

NOTES = {
    "VMSS001": "unresolved values named (VMSS001)",
    "VMSS004": "a scale set no longer managed (VMSS004)",
    "VMSS005": "a scale set created (VMSS005)",
    "VMSS010": "what the deployment leaves out reported (VMSS010)",
    "VMSS128": "OS disk kind (VMSS128)",
}


def run_pair(current: Path, proposed: Path) -> tuple[int, list[dict[str, object]], str]:
    """(exit code, findings, the error line or the scale sets' statuses) of one pair, run as a user runs it."""
    done = subprocess.run(
        [*VMSS_LINT, "check", "--format", "json", "--fail-on", "error", str(current), str(proposed)],
        capture_output=True,
        text=True,
        check=False,
        cwd=current.parent.parent,  # no config file of this repository applies
    )
    if done.returncode == 2:
        return 2, [], done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    report = json.loads(done.stdout)
    statuses = ",".join(sorted({str(r["status"]) for r in report["results"]}))
    return done.returncode, [f for r in report["results"] for f in r["findings"]], statuses


def verdict(key: tuple[str, str, str], code: int, findings: list[dict[str, object]], error: str) -> str:
    if code == 2:
        if "not valid JSON" in error:
            return "Refused with one line: this version is not valid JSON (a work-in-progress commit)."
        raise SystemExit(f"{key}: exit 2 without a known reason: {error}")
    errors = [f for f in findings if f["severity"] == "error"]
    if errors:
        if key not in JUDGEMENTS:
            raise SystemExit(f"{key}: errors {[f['rule'] for f in errors]} have no judgement in JUDGEMENTS")
        return JUDGEMENTS[key]
    seen = sorted({str(f["rule"]) for f in findings})
    said = [NOTES[r] for r in seen if r in NOTES]
    if not findings:
        return (
            "No change Azure would see (formatting, parameters, other resources)."
            if error == "unchanged"
            else "Model-only changes no rule is about."
        )
    base = "No rejection: the changes are accepted ones"
    return base + ("; " + ", ".join(said) if said else "") + "."


def main(corpus: Path) -> None:
    rows = []
    for folder in sorted(p for p in corpus.iterdir() if p.is_dir()):
        versions = sorted(p for p in folder.iterdir() if p.is_dir())
        for a, b in itertools.pairwise(versions):
            key = (folder.name, a.name[:2], b.name[:2])
            code, found, error = run_pair(a / "azuredeploy.json", b / "azuredeploy.json")
            counts = Counter(f"{f['rule']}" + ("!" if f["severity"] == "error" else "") for f in found)
            shown = ", ".join(f"{rule}×{n}" if n > 1 else rule for rule, n in sorted(counts.items())) or "–"
            rows.append(
                f"| `{folder.name}` | {key[1]} → {key[2]} | {code} | {shown} | {verdict(key, code, found, error)} |"
            )
    print("| template | versions | exit | findings (`!` = error) | judgement |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
