"""Every blob of a git-mode run through one `git cat-file --batch` process, on a real repository."""

from __future__ import annotations

from pathlib import Path

from gitfixture import GitRepo

from vmss_lint.inputs.git.repo import Repo


def test_many_blobs_missing_ones_trees_and_odd_names_through_one_process(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    names = [f"infra/t{i}.json" for i in range(60)] + ["with space.json", "new\nline.json", "ünï.json"]
    for i, name in enumerate(names):
        repo.write(name, {"n": i, "pad": "x" * (i * 97)})
    head = repo.commit("many templates")
    r = Repo(repo.path)
    for i, name in enumerate(names):
        data = r.read(head, name)
        assert data is not None and f'"n": {i}' in data.decode()
        assert r.start(head, name, 8) == data[:8]
    assert r.read(head, "absent.json") is None
    assert r.read(head, "web vmss 12.json") is None  # "<name> missing" where the name has spaces
    assert r.read(head, "a b") is None
    assert r.read(head, "infra") is None  # a tree is not a file
    assert r.exists(head, names[3]) and not r.exists(head, "absent.json")
    assert r.read(head, names[5]) is not None  # the stream stays in step after the misses
    batch = r._batch
    assert batch is not None and batch.poll() is None  # one long-lived process served all of it
