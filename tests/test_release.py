"""Template releases derived from pyproject.toml's history, and the wheel that ships them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from scaffold._release import build_bundle, history_releases

from helpers import REPO, git, git_save, set_version, template_source


def _tags(bundle: Path) -> dict[str, str]:
    heads = subprocess.run(
        ["git", "bundle", "list-heads", str(bundle)], capture_output=True, text=True, check=True
    ).stdout
    return {
        ref.removeprefix("refs/tags/"): sha
        for sha, ref in (line.split() for line in heads.splitlines())
        if ref.startswith("refs/tags/")
    }


def _repo_with_history(tmp_path: Path) -> Path:
    """0.9.0 -> (template edit, same version) -> 1.0.0 -> 1.1.0 (dirty working tree)."""
    repo = template_source(tmp_path / "src")
    set_version(repo, "0.9.0")
    git_save(repo, "0.9.0")
    (repo / "templates/NOTES.md").write_text("later 0.9.0 work\n")
    git_save(repo, "more 0.9.0 work")
    set_version(repo, "1.0.0")
    git_save(repo, "release 1.0.0")
    set_version(repo, "1.1.0")  # not committed: the version being worked on
    return repo


def test_each_version_is_the_last_commit_that_carries_it(tmp_path: Path) -> None:
    repo = _repo_with_history(tmp_path)
    commits = git(repo, "rev-list", "--first-parent", "--reverse", "HEAD").split()
    assert history_releases(repo) == {"0.9.0": commits[1], "1.0.0": commits[2]}
    bundle = tmp_path / "templates.bundle"
    assert build_bundle(repo, bundle) == ["0.9.0", "1.0.0", "1.1.0"]
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(bundle), str(clone))
    notes = git(clone, "show", "0.9.0:NOTES.md")
    assert notes == "later 0.9.0 work\n", "0.9.0 is the template as last committed with 0.9.0"


def test_every_machine_builds_the_same_release_commits(tmp_path: Path) -> None:
    repo = _repo_with_history(tmp_path)
    first, second = tmp_path / "a.bundle", tmp_path / "b.bundle"
    build_bundle(repo, first)
    copy = tmp_path / "teammate"
    git(tmp_path, "clone", "--quiet", str(repo), str(copy))  # another clone, other mtimes
    set_version(copy, "1.1.0")
    build_bundle(copy, second)
    assert _tags(first) == _tags(second)


def test_the_wheel_ships_templates_and_the_bundle(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    wheel = next(tmp_path.glob("scaffold-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "scaffold/templates/copier.yml" in names
    assert "scaffold/templates.bundle" in names
    data = [n for n in names if n.endswith(".data/data/share/scaffold/templates.bundle")]
    assert data, "pip install --user must place the bundle at ~/.local/share/scaffold/"
    (tmp_path / "bundle").write_bytes(zipfile.ZipFile(wheel).read("scaffold/templates.bundle"))
    from scaffold.cli import version

    assert version() in _tags(tmp_path / "bundle")


def test_shipped_releases_are_never_rewritten() -> None:
    releases = history_releases(REPO)
    shipped = [
        line.split()
        for line in (Path(__file__).parent / "released.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert shipped
    for version, tree in shipped:
        assert version in releases, f"release {version} is no longer in the history"
        now = git(REPO, "rev-parse", f"{releases[version]}:templates").strip()
        assert now == tree, (
            f"templates/ of release {version} changed: bump the version in pyproject.toml "
            "before changing the template"
        )
