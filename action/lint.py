"""The GitHub Action's lint step: which revision holds CURRENT for this event, one vmss-lint run, outputs.

Run by action.yml as `python -I action/lint.py` with the venv's interpreter: isolated, so nothing in the
checkout under review (a `json.py`, a `vmss_lint/` folder) is ever imported; this file uses the standard
library only and reaches vmss-lint through its console script.

The base revision, per event (decided here, documented in README.md and docs/templates.md):

* `base` input set: that revision (fetched from origin, one commit deep, when the checkout lacks it).
* `pull_request` / `pull_request_target`: actions/checkout gives the merge commit; its first parent is the
  base branch tip the merge was computed on (fresher than `pull_request.base.sha`). The parent's id is read
  from the commit object itself, so the default `fetch-depth: 1` works: the parent is fetched, one commit
  deep. A checkout of the head (not the merge commit) is compared with its merge base with
  `pull_request.base.sha`, as GitHub's "Files changed" tab does.
* `push`: the payload's `before`. A new branch (`before` all zeros) is compared with its merge base with the
  default branch; the first push of the default branch has nothing to compare with and is skipped with a
  notice. A `before` the checkout lacks (a push of several commits with a shallow checkout) is fetched, one
  commit deep: a diff needs the two trees, not the history between them. A `before` origin no longer has
  (a force push) falls back to the default branch's merge base, with a notice.
* `merge_group`: `merge_group.base_sha` (fetched when missing); the checkout is `head_sha`.
* `workflow_dispatch`: the merge base with the default branch; on the default branch itself there is
  nothing to compare with, and the run is skipped with a notice that says to set `base`.
* any other event: the `base` input is required (exit 2 saying so).

A merge base needs history: it is fetched in growing steps (50, 200, 1000 commits) until one exists; none
after that is a notice and a skip, never a made-up base.

Fetches use the checkout's own credentials when it kept them; otherwise the `token` input (the job's
GITHUB_TOKEN by default) goes to git as an `http.<server>/.extraheader` through GIT_CONFIG_* variables of
the git process only: never on a command line, never written to .git/config.

`args` (extra vmss-lint options) is split as a POSIX shell would split words (shlex: quotes and
backslashes, no variables, no globbing, no command substitution), never evaluated; options the action owns
(`--format`, `--output`, `--base`, `--head`, `--pre-commit`, `--allow-python-rules`) are refused.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

ZEROS = re.compile(r"^0+$")
DEEPEN = (50, 200, 1000)
OWNED = ("--format", "--output", "--base", "--head", "--pre-commit", "--allow-python-rules")


class Skip(Exception):
    """Nothing to compare for this event: a notice, zero findings, exit 0."""


class Refusal(Exception):
    """Bad input to the action: one `::error` line, exit 2."""


def main() -> int:
    env = os.environ
    try:
        extra = split_args(env.get("INPUT_ARGS", ""))
        git = Git(env)
        base = resolve_base(git, env)
        if base == git.commit("HEAD"):
            print(
                "::warning title=vmss-lint::the base is the checked-out commit itself, so nothing changed between "
                "them (on pull_request_target the checkout is the base branch: check out the pull request's head, "
                "or use pull_request)"
            )
    except Refusal as exc:
        print(f"::error title=vmss-lint::{escape(str(exc))}")
        return 2
    except Skip as exc:
        print(f"::notice title=vmss-lint::{escape(str(exc))}")
        write_outputs({"impact": "none", "errors": "0", "warnings": "0", "infos": "0", "failed": "false"})
        write_outputs({"sarif-file": "", "report-file": "", "base": ""})
        return 0
    temp = Path(env["RUNNER_TEMP"])
    sarif = env.get("INPUT_SARIF_FILE") or str(temp / "vmss-lint.sarif")
    report = str(temp / "vmss-lint-report.json")
    args = [f"--base={base}", *options(env), *extra]  # one word: a value that looks like an option stays one
    paths = lines(env.get("INPUT_PATHS", ""))
    rc = run_lint(env["VMSS_LINT_SCRIPT"], args, paths, sarif=sarif, report=report)
    if rc not in (0, 1):
        return rc
    summary = json.loads(Path(report).read_text(encoding="utf-8"))["summary"]
    write_outputs({key: str(summary[key]) for key in ("impact", "errors", "warnings", "infos")})
    write_outputs({"sarif-file": sarif, "report-file": report, "base": base, "failed": str(rc == 1).lower()})
    return rc


def run_lint(script: str, args: list[str], paths: list[str], *, sarif: str, report: str) -> int:
    """One vmss-lint run writes every output (`--format NAME:FILE`, repeatable) when the installed vmss-lint
    has that option; an older one (the `version` input) gets one run per output, each deterministic, so
    they agree. Exit 0/1 is the verdict, anything else a failure (its message is already on stderr)."""
    tail = ["--", *paths]
    if writes_several_formats(script):
        outputs = ["--format", "github", "--format", f"sarif:{sarif}", "--format", f"json:{report}"]
        return call([script, "check", *args, *outputs, *tail])
    rc = call([script, "check", *args, "--format", "json", "--output", report, *tail])
    if rc not in (0, 1):
        return rc
    for fmt in (["--format", "sarif", "--output", sarif], ["--format", "github"]):
        again = call([script, "check", *args, *fmt, *tail])
        if again not in (0, 1):
            return again
    return rc


def writes_several_formats(script: str) -> bool:
    """Whether this vmss-lint takes `--format FORMAT:FILE` (its `check --help` says so)."""
    proc = subprocess.run([script, "check", "--help"], capture_output=True, text=True, check=False)
    return proc.returncode == 0 and ("FORMAT:FILE" in proc.stdout or "FORMAT[:FILE]" in proc.stdout)


def call(argv: list[str]) -> int:
    sys.stdout.flush()
    return subprocess.run(argv, check=False).returncode


def options(env: os._Environ[str] | dict[str, str]) -> list[str]:
    """The action's inputs as vmss-lint options (each value one word after `=`, or its own word)."""
    out: list[str] = []
    if env.get("INPUT_FAIL_ON"):
        out += ["--fail-on", env["INPUT_FAIL_ON"]]
    if env.get("INPUT_CONFIG"):
        out += ["--config", env["INPUT_CONFIG"]]
    trust = env.get("INPUT_TRUST_CONFIG", "").strip()
    if trust and trust != "auto":  # auto is vmss-lint's default (and an older release lacks the option)
        out.append(f"--trust-config={trust}")
    if env.get("INPUT_LIVE"):
        out.append(f"--live={env['INPUT_LIVE']}")
    for item in lines(env.get("INPUT_PARAMETERS", "")):
        out += ["--parameters", item]
    for item in lines(env.get("INPUT_TERRAFORM_PLANS", "")):
        out.append(f"--terraform-plans={item}")
    return out


def split_args(text: str) -> list[str]:
    """The `args` input as words, split like a POSIX shell (quotes, backslashes) and never evaluated."""
    try:
        words = shlex.split(text, comments=False, posix=True)
    except ValueError as exc:
        raise Refusal(f"the args input cannot be split into words ({exc}): check its quotes") from None
    for word in words:
        name = word.split("=", 1)[0]
        if name in OWNED or (word.startswith("-o") and not word.startswith("--")):
            raise Refusal(
                f"the args input may not set {name}: the action sets it (use the base, sarif-file or "
                "paths inputs; allow-python-rules is never honoured here)"
            )
    return words


def lines(text: str) -> list[str]:
    return [s.strip() for s in text.splitlines() if s.strip()]


class Git:
    """The real git in the workspace, never prompting; fetches from origin with the action's token."""

    def __init__(self, env: os._Environ[str] | dict[str, str]) -> None:
        self.env = dict(env)
        self.env["GIT_TERMINAL_PROMPT"] = "0"

    def run(self, *args: str, auth: bool = False) -> subprocess.CompletedProcess[str]:
        env = self.env
        if auth:
            env = {**env, **self._auth_env()}
        return subprocess.run(["git", *args], capture_output=True, text=True, env=env, check=False)

    def out(self, *args: str) -> str | None:
        proc = self.run(*args)
        return proc.stdout.strip() if proc.returncode == 0 else None

    def commit(self, rev: str) -> str | None:
        """The full id of `rev` when the checkout has that commit."""
        return self.out("rev-parse", "--verify", "-q", "--end-of-options", f"{rev}^{{commit}}")

    def shallow(self) -> bool:
        return self.out("rev-parse", "--is-shallow-repository") == "true"

    def fetch(self, *refs: str, depth: int = 1) -> bool:
        """Fetch from origin, `depth` commits deep in a shallow checkout; a complete one (fetch-depth: 0)
        fetches whole, since a depth would make it shallow."""
        deep = [f"--depth={depth}"] if self.shallow() else []
        proc = self.run("fetch", "--no-tags", "--quiet", *deep, "origin", *refs, auth=True)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
            print(f"vmss-lint: git fetch {' '.join(refs)}: {last}", file=sys.stderr)
        return proc.returncode == 0

    def parents(self, rev: str) -> list[str]:
        """Parent ids from the commit object itself: known even when a shallow checkout lacks the parents."""
        raw = self.out("cat-file", "commit", rev) or ""
        header = raw.split("\n\n", 1)[0]
        return [line.split()[1] for line in header.splitlines() if line.startswith("parent ")]

    def _auth_env(self) -> dict[str, str]:
        token, server = self.env.get("INPUT_TOKEN", ""), self.env.get("GITHUB_SERVER_URL", "")
        if not token or not server:
            return {}
        key = f"http.{server.rstrip('/')}/.extraheader"
        if self.out("config", "--get-all", key):
            return {}  # actions/checkout kept its credentials: a second Authorization header would break them
        import base64

        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        count = int(self.env.get("GIT_CONFIG_COUNT", "0") or 0)
        return {
            "GIT_CONFIG_COUNT": str(count + 1),
            f"GIT_CONFIG_KEY_{count}": key,
            f"GIT_CONFIG_VALUE_{count}": f"AUTHORIZATION: basic {basic}",
        }


def resolve_base(git: Git, env: os._Environ[str] | dict[str, str]) -> str:
    """The revision holding CURRENT for this run (see the module docstring); raises Skip or Refusal."""
    event_name = env.get("GITHUB_EVENT_NAME", "")
    event = load_event(env)
    given = env.get("INPUT_BASE", "")
    if given:
        if given.startswith("-"):
            raise Refusal(f"the base input '{given}' is not a revision")
        return available(git, given, what="the base input")
    if event_name in ("pull_request", "pull_request_target"):
        return pull_request_base(git, event)
    if event_name == "push":
        return push_base(git, event)
    if event_name == "merge_group":
        group = event.get("merge_group") or {}
        base_sha = str(group.get("base_sha") or "")
        if not base_sha:
            raise Refusal("merge_group event without merge_group.base_sha: set the base input")
        return available(git, base_sha, what="merge_group.base_sha")
    if event_name == "workflow_dispatch":
        default = default_branch(event)
        if current_branch(env) == default:
            raise Skip(
                f"workflow_dispatch on the default branch {default}: nothing to compare with; "
                "set the action's base input (for example base: HEAD~1, with fetch-depth: 2)"
            )
        return merge_base_with_default(git, event, why="workflow_dispatch")
    raise Refusal(
        f"cannot tell the base revision on a {event_name or 'unknown'} event: set the action's base input "
        "(the revision that holds what is deployed, e.g. origin/main)"
    )


def pull_request_base(git: Git, event: dict[str, Any]) -> str:
    parents = git.parents("HEAD")
    if len(parents) == 2:  # the merge commit actions/checkout makes for a pull request
        return available(git, parents[0], what="the merge commit's first parent")
    base_sha = str((event.get("pull_request") or {}).get("base", {}).get("sha") or "")
    if not base_sha:
        raise Refusal(
            "HEAD is not a pull request merge commit and the event names no base: set the action's base input"
        )
    found = merge_base(git, base_sha, refs=[base_sha])
    if found is None:
        raise Skip(
            f"no merge base of HEAD and the pull request base {base_sha[:12]} within {DEEPEN[-1]} commits"
        )
    return found


def push_base(git: Git, event: dict[str, Any]) -> str:
    if event.get("deleted"):
        raise Skip("a branch deletion: nothing to check")
    before = str(event.get("before") or "")
    if before and not ZEROS.match(before):
        if git.commit(before) or git.fetch(before):
            found = git.commit(before)
            if found:
                return found
        print(
            f"::notice title=vmss-lint::the push's before commit {before[:12]} is not on origin (a force push?): "
            "comparing with the merge base of the default branch instead"
        )
    ref = str(event.get("ref") or "")
    default = default_branch(event)
    if ref == f"refs/heads/{default}":
        raise Skip(f"the first push of the default branch {default}: nothing to compare with")
    return merge_base_with_default(git, event, why="a new branch")


def merge_base_with_default(git: Git, event: dict[str, Any], *, why: str) -> str:
    default = default_branch(event)
    tracking = f"refs/remotes/origin/{default}"
    found = merge_base(git, tracking, refs=[f"+refs/heads/{default}:{tracking}"])
    if found is None:
        raise Skip(
            f"{why}: no merge base with the default branch {default} within {DEEPEN[-1]} commits; "
            "set the action's base input"
        )
    print(f"::notice title=vmss-lint::{why}: comparing with the merge base of {default} ({found[:12]})")
    return found


def merge_base(git: Git, target: str, *, refs: list[str]) -> str | None:
    """The merge base of `target` and HEAD, fetching more history (HEAD's and the target's) until it exists."""
    if git.commit(target):
        found = git.out("merge-base", target, "HEAD")
        if found:
            return found
    head = git.commit("HEAD") or "HEAD"
    for depth in DEEPEN:
        if not git.fetch(head, *refs, depth=depth):
            return None
        found = git.out("merge-base", target, "HEAD")
        if found:
            return found
        if not git.shallow():
            return None
    return None


def available(git: Git, rev: str, *, what: str) -> str:
    """`rev` as a commit id, fetched from origin (one commit deep) when the checkout lacks it."""
    found = git.commit(rev)
    if found:
        return found
    branch = rev.removeprefix("origin/")
    refspec = f"+refs/heads/{branch}:refs/remotes/origin/{branch}" if branch != rev else rev
    if git.fetch(refspec):
        found = git.commit(rev) or git.commit("FETCH_HEAD")
        if found:
            return found
    raise Refusal(
        f"{what} {rev} is not in the checkout and could not be fetched from origin: check that it exists "
        "(and, for a private repository with persist-credentials: false, that the token input can read it)"
    )


def default_branch(event: dict[str, Any]) -> str:
    repo = event.get("repository") or {}
    return str(repo.get("default_branch") or "main")


def current_branch(env: os._Environ[str] | dict[str, str]) -> str:
    ref = env.get("GITHUB_REF", "")
    return ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else ""


def load_event(env: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def write_outputs(values: dict[str, str]) -> None:
    with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
        for key, value in values.items():
            out.write(f"{key}={value}\n")


def escape(text: str) -> str:
    """A workflow command's message: `%`, CR and LF escaped, so no text can start another command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


if __name__ == "__main__":
    sys.exit(main())
