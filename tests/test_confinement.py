"""File access stays inside the repository (git mode) or the input's folder (file mode), and is size-capped.

A pull request writes the templates and the config, so every path taken from them is hostile. Each test
plants a secret outside the allowed folder (a `ghp_` token, as a bare word and as a value inside a real
scale-set template) and checks that no output format, stderr or the job summary ever shows it, and that
the refusal names the reference as written. Real files, real symlinks, a real git repository.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES
from gitfixture import GitRepo, subnet_id, template

from vmss_lint.cli import main

SECRET = "ghp_" + "Zq7xK2mW9pL4vN8rT1yB6cH3jF5dS0aGeU2i"
assert len(SECRET) == 40
FORMATS = ("text", "json", "github", "sarif")
WEB = FIXTURES / "templates" / "web" / "azuredeploy.json"
SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def secret_template() -> str:
    """A valid scale-set template whose name is the secret: followed, it would be in every report."""
    text = template(vnet="vnet-b").replace('"name": "web"', f'"name": "{SECRET}"', 1)
    assert SECRET in text
    return text


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder next to (never inside) the allowed one, holding the secret as text and as a template."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text(f"{SECRET} is the token\n", encoding="utf-8")
    (folder / "secret.json").write_text(secret_template(), encoding="utf-8")
    return folder


def linking(relative: str) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "resources": [
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "linked",
                "properties": {"mode": "Incremental", "templateLink": {"relativePath": relative}},
            }
        ],
    }


def cli(args: list[str], capsys: pytest.CaptureFixture[str], cwd: Path | None = None) -> tuple[int, str, str]:
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        rc = main(["check", *args])
    finally:
        os.chdir(old)
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def assert_refused(rc: int, out: str, err: str, *needles: str) -> None:
    assert rc == 2, (out, err)
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    for needle in needles:
        assert needle in err, err
    assert SECRET not in err and "ghp_" not in err


# ------------------------------------------------------------------------------------------- file mode


@pytest.mark.parametrize(
    "relative",
    [
        "../outside/secret.txt",
        "../outside/secret.json",
        "modules/../../outside/secret.json",
        "../../../../../../../../etc/passwd",
        "/etc/passwd",
        "/proc/self/environ",
    ],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_linked_template_outside_the_folder_is_refused_unread(
    tmp_path: Path, outside: Path, relative: str, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = tmp_path / "proj"
    proj.mkdir()
    main_json = proj / "main.json"
    main_json.write_text(json.dumps(linking(relative), indent=2))
    rc, out, err = cli([str(main_json), str(main_json), "--format", fmt], capsys)
    assert_refused(rc, out, err, f"'{relative}'", "/resources/0/properties/templateLink/relativePath")
    assert "resolves outside the folder of the template given on the command line" in err
    assert "line " in err  # where the reference is written


def test_absolute_path_to_the_planted_secret_is_refused(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = tmp_path / "proj"
    proj.mkdir()
    main_json = proj / "main.json"
    for target in (outside / "secret.txt", outside / "secret.json"):
        main_json.write_text(json.dumps(linking(str(target)), indent=2))
        assert_refused(*cli([str(main_json), str(main_json)], capsys), "refused, not read")


def test_refusal_names_the_path_as_written_not_its_resolved_value(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A relativePath built from a secure parameter must not echo the parameter's value."""
    proj = tmp_path / "proj"
    proj.mkdir()
    doc = linking("[concat('../outside/', parameters('token'))]")
    doc["parameters"] = {"token": {"type": "securestring", "defaultValue": SECRET}}
    main_json = proj / "main.json"
    main_json.write_text(json.dumps(doc, indent=2))
    rc, out, err = cli([str(main_json), str(main_json)], capsys)
    assert_refused(rc, out, err, "'[concat('../outside/', parameters('token'))]'")


def test_linked_template_symlinked_out_of_the_folder_is_refused(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = tmp_path / "proj"
    (proj / "modules").mkdir(parents=True)
    (proj / "modules" / "vmss.json").symlink_to(outside / "secret.json")
    (proj / "modules" / "word.json").symlink_to(outside / "secret.txt")
    (proj / "escape").symlink_to(outside, target_is_directory=True)
    for relative in ("modules/vmss.json", "modules/word.json", "escape/secret.json"):
        main_json = proj / "main.json"
        main_json.write_text(json.dumps(linking(relative), indent=2))
        for fmt in FORMATS:
            rc, out, err = cli([str(main_json), str(main_json), "--format", fmt], capsys)
            assert_refused(rc, out, err, f"'{relative}'")


def test_a_chain_of_links_stays_in_the_top_level_templates_folder(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Links are relative to the template that writes them (as in ARM), but the confinement root is the
    folder of the template on the command line: `modules/a.json` may reach `shared/`, not `../outside`."""
    proj = tmp_path / "proj"
    (proj / "modules").mkdir(parents=True)
    (proj / "shared").mkdir()
    (proj / "shared" / "vmss.json").write_text(template())
    (proj / "modules" / "a.json").write_text(json.dumps(linking("../shared/vmss.json")))
    main_json = proj / "main.json"
    main_json.write_text(json.dumps(linking("modules/a.json")))
    rc, out, err = cli([str(main_json), str(main_json), "--format", "json"], capsys)
    assert rc == 0, err
    report = json.loads(out)
    assert [r["name"] for r in report["results"]] == ["web"]
    assert not any("not followed" in n for n in report["notices"])

    (proj / "modules" / "a.json").write_text(json.dumps(linking("../../outside/secret.json")))
    assert_refused(*cli([str(main_json), str(main_json)], capsys), "'../../outside/secret.json'")


def test_symlink_inside_the_folder_is_followed_as_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = tmp_path / "proj"
    (proj / "real").mkdir(parents=True)
    (proj / "real" / "vmss.json").write_text(template())
    (proj / "modules").symlink_to(proj / "real", target_is_directory=True)
    main_json = proj / "main.json"
    main_json.write_text(json.dumps(linking("modules/vmss.json")))
    rc, out, err = cli([str(main_json), str(main_json), "--format", "json"], capsys)
    assert rc == 0, err
    assert [r["name"] for r in json.loads(out)["results"]] == ["web"]


def test_linked_template_not_there_is_still_a_notice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = tmp_path / "proj"
    proj.mkdir()
    main_json = proj / "main.json"
    main_json.write_text(json.dumps(linking("modules/missing.json")))
    rc, out, err = cli([str(main_json), str(main_json), "--format", "json"], capsys)
    assert rc == 0, err
    assert any("relativePath that was not found" in n for n in json.loads(out)["notices"])


def _config_project(tmp_path: Path, mapping: str) -> Path:
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "vmss.json").write_text(template())
    (proj / ".vmss-lint.toml").write_text(f'[parameters]\n"vmss.json" = {mapping}\n')
    return proj


@pytest.mark.parametrize(
    "mapping",
    [
        '"../outside/secret.json"',
        '"../outside/secret.txt"',
        '"/etc/passwd"',
        '["vmss.json", "../outside/secret.txt"]',
    ],
)
def test_config_parameters_mapping_outside_its_folder_is_refused(
    tmp_path: Path, outside: Path, mapping: str, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = _config_project(tmp_path, mapping)
    written = json.loads(mapping)
    bad = written if isinstance(written, str) else written[-1]
    for fmt in FORMATS:
        rc, out, err = cli(["vmss.json", "vmss.json", "--format", fmt], capsys, cwd=proj)
        assert_refused(
            rc, out, err, ".vmss-lint.toml", "[parameters]", f"'{bad}'", "outside the config file's folder"
        )


def test_config_parameters_mapping_symlinked_out_is_refused(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = _config_project(tmp_path, '"prod.parameters.json"')
    (proj / "prod.parameters.json").symlink_to(outside / "secret.txt")
    assert_refused(*cli(["vmss.json", "vmss.json"], capsys, cwd=proj), "'prod.parameters.json'")


def test_config_parameters_mapping_inside_still_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = _config_project(tmp_path, '"params/prod.json"')
    (proj / "params").mkdir()
    # one declared name (a file of this template) and one it does not declare, which the notice names
    mapped = {"parameters": {"subnetId": {"value": subnet_id("vnet-a")}, "extraKnob": {"value": 1}}}
    (proj / "params" / "prod.json").write_text(json.dumps(mapped))
    rc, out, err = cli(["vmss.json", "vmss.json", "--format", "json"], capsys, cwd=proj)
    assert rc == 0, err
    assert any("sets extraknob" in n for n in json.loads(out)["notices"])  # the mapped file was read


def test_conventional_parameters_file_symlinked_out_is_refused(
    tmp_path: Path, outside: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "vmss.json").write_text(template())
    (proj / "vmss.parameters.json").symlink_to(outside / "secret.txt")
    rc, out, err = cli([str(proj / "vmss.json"), str(proj / "vmss.json")], capsys)
    assert_refused(rc, out, err, "vmss.parameters.json", "--parameters")


# -------------------------------------------------------------------------------------------- git mode


@pytest.fixture
def git_repo(tmp_path: Path, outside: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.write("infra/vmss.json", template())
    repo.commit("scale set")
    return repo


def _swap_for_symlink(repo: GitRepo, rel: str, target: Path) -> None:
    path = repo.path / rel
    path.unlink()
    path.symlink_to(target)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("planted", ["secret.json", "secret.txt"])
def test_working_tree_symlink_out_of_the_repository_is_not_followed(
    git_repo: GitRepo, outside: Path, tmp_path: Path, fmt: str, planted: str
) -> None:
    _swap_for_symlink(git_repo, "infra/vmss.json", outside / planted)
    summary = tmp_path / "summary.md"
    proc = git_repo.vmss_lint(
        "check", "--base", "HEAD", "--format", fmt, env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert proc.returncode in (0, 1), proc.stderr
    text = proc.stdout + proc.stderr + (summary.read_text() if summary.exists() else "")
    assert SECRET not in text and "ghp_" not in text
    assert "infra/vmss.json" in text
    assert "is a symbolic link that resolves outside the repository; not followed" in text


def test_new_untracked_symlink_out_of_the_repository_is_a_notice(git_repo: GitRepo, outside: Path) -> None:
    (git_repo.path / "infra" / "new.json").symlink_to(outside / "secret.json")
    rc, report = git_repo.json_report("check", "--base", "HEAD")
    assert rc == 0 and report["results"] == []
    assert any(n.startswith("infra/new.json: is a symbolic link") for n in report["notices"])
    assert SECRET not in json.dumps(report)


def test_symlink_inside_the_repository_is_still_followed(git_repo: GitRepo) -> None:
    git_repo.write("infra/real.json", template(vnet="vnet-b"))
    _swap_for_symlink(git_repo, "infra/vmss.json", git_repo.path / "infra" / "real.json")
    rc, report = git_repo.json_report("check", "--base", "HEAD", "infra/vmss.json")
    assert rc == 1 and "VMSS106" in [f["rule"] for r in report["results"] for f in r["findings"]]


def test_committed_symlink_is_read_as_git_stores_it_not_followed(git_repo: GitRepo, outside: Path) -> None:
    _swap_for_symlink(git_repo, "infra/vmss.json", outside / "secret.json")
    git_repo.commit("link out")
    for fmt in FORMATS:
        proc = git_repo.vmss_lint("check", "--base", "HEAD~1", "--head", "HEAD", "--format", fmt)
        assert proc.returncode in (0, 1), proc.stderr
        assert SECRET not in proc.stdout + proc.stderr


def _parent(relative: str) -> dict[str, Any]:
    return linking(relative)


@pytest.mark.parametrize("fmt", FORMATS)
def test_git_linked_template_symlinked_out_is_refused(git_repo: GitRepo, outside: Path, fmt: str) -> None:
    git_repo.write("infra/main.json", _parent("linked/vmss.json"))
    (git_repo.path / "infra" / "linked").mkdir()
    (git_repo.path / "infra" / "linked" / "vmss.json").symlink_to(outside / "secret.json")
    proc = git_repo.vmss_lint("check", "--base", "HEAD", "--format", fmt, "infra/main.json")
    assert_refused(proc.returncode, proc.stdout, proc.stderr, "'linked/vmss.json'", "outside the repository")


@pytest.mark.parametrize("relative", ["../../outside/secret.json", "../..", "/etc/passwd"])
def test_git_linked_template_outside_the_repository_is_refused(git_repo: GitRepo, relative: str) -> None:
    git_repo.write("infra/main.json", _parent(relative))
    proc = git_repo.vmss_lint("check", "--base", "HEAD", "infra/main.json")
    assert_refused(proc.returncode, proc.stdout, proc.stderr, f"'{relative}'", "outside the repository")
    git_repo.commit("link out")
    proc = git_repo.vmss_lint("check", "--base", "HEAD~1", "--head", "HEAD", "infra/main.json")
    assert_refused(proc.returncode, proc.stdout, proc.stderr, f"'{relative}'", "outside the repository")


def test_git_conventional_parameters_symlinked_out_are_not_used(git_repo: GitRepo, outside: Path) -> None:
    git_repo.write("infra/vmss.json", template(sku="Standard_D4s_v5"))
    (git_repo.path / "infra" / "vmss.parameters.json").symlink_to(outside / "secret.txt")
    rc, report = git_repo.json_report("check", "--base", "HEAD")
    assert rc in (0, 1)
    assert any("vmss.parameters.json: is a symbolic link" in n for n in report["notices"])
    assert SECRET not in json.dumps(report)


# ------------------------------------------------------------------------------------------ size caps

SMALL = {"VMSS_LINT_MAX_BYTES": "2000"}


def _limit_line(rc: int, out: str, err: str) -> None:
    assert rc == 2, (out, err)
    assert len(err.strip().splitlines()) == 1, err
    assert "VMSS_LINT_MAX_BYTES" in err and "input size" in err


def test_oversized_linked_template_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = tmp_path / "proj"
    (proj / "modules").mkdir(parents=True)
    (proj / "modules" / "vmss.json").write_text(template() + " " * 3000)
    main_json = proj / "main.json"
    main_json.write_text(json.dumps(linking("modules/vmss.json")))
    monkeypatch.setenv("VMSS_LINT_MAX_BYTES", SMALL["VMSS_LINT_MAX_BYTES"])
    # From the project, not the checkout: the checkout's pyproject.toml is itself over the small limit.
    rc, out, err = cli([str(main_json), str(main_json)], capsys, cwd=proj)
    _limit_line(rc, out, err)
    assert "vmss.json" in err


def test_oversized_config_file_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / ".vmss-lint.toml").write_text("# padding\n" * 500)
    monkeypatch.setenv("VMSS_LINT_MAX_BYTES", SMALL["VMSS_LINT_MAX_BYTES"])
    _limit_line(*cli([str(WEB), str(WEB)], capsys, cwd=proj))


def test_oversized_git_file_is_one_line_in_the_working_tree_and_at_a_revision(git_repo: GitRepo) -> None:
    git_repo.write("infra/vmss.json", template(vnet="vnet-b") + " " * 3000)
    proc = git_repo.vmss_lint("check", "--base", "HEAD", env=SMALL)
    _limit_line(proc.returncode, proc.stdout, proc.stderr)
    assert "infra/vmss.json" in proc.stderr
    git_repo.commit("big")
    proc = git_repo.vmss_lint("check", "--base", "HEAD~1", "--head", "HEAD", env=SMALL)
    _limit_line(proc.returncode, proc.stdout, proc.stderr)
    assert "infra/vmss.json" in proc.stderr


def test_oversized_unrelated_json_in_git_mode_is_skipped_as_before(git_repo: GitRepo) -> None:
    git_repo.write("data/big.json", json.dumps({"rows": list(range(2000))}))
    rc, report = git_repo.json_report("check", "--base", "HEAD", env=SMALL)
    assert rc == 0 and report["results"] == []
    git_repo.commit("data")
    rc, report = git_repo.json_report("check", "--base", "HEAD~1", "--head", "HEAD", env=SMALL)
    assert rc == 0 and report["results"] == []
