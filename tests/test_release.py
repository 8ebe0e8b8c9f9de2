"""Template releases derived from pyproject.toml's history, and the wheel that ships them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import jinja2
import yaml

from scaffold import changelog, questions
from scaffold._release import build_bundle, history_releases, version_of
from scaffold.answers import resolve

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


def _release_questions() -> dict[str, str]:
    """copier.yml of every release in the history, and of the version being worked on."""
    found = {
        version: git(REPO, "show", f"{commit}:templates/copier.yml")
        for version, commit in history_releases(REPO).items()
    }
    found[version_of((REPO / "pyproject.toml").read_text()) or "?"] = (
        REPO / "templates/copier.yml"
    ).read_text()
    return found


def test_every_release_has_a_changelog_entry() -> None:
    listed = changelog.entries((REPO / "templates/CHANGELOG.md").read_text())
    missing = [v for v in _release_questions() if not listed.get(v)]
    assert not missing, f"templates/CHANGELOG.md has no entry for {missing}: add what changes"


def _recorded_by(copier_yml: str) -> list[dict[str, object]]:
    """The answers a release records with its defaults, for each language it offers."""
    questionnaire = questions.parse(copier_yml)
    language = next(q for q in questionnaire if q.name == "language")
    return [
        resolve(questionnaire, {"language": c.value}, folder_name="svc", ask=None)
        for c in language.choices
    ]


def test_the_newest_exclude_rules_work_with_every_older_releases_answers() -> None:
    """Copier renders the old side of an update with the answers the old release recorded and
    the new release's _exclude: an answer a later release added must have a default there."""
    config = yaml.safe_load((REPO / "templates/copier.yml").read_text())
    newest = questions.load(REPO / "templates")
    for version, copier_yml in _release_questions().items():
        for answers in _recorded_by(copier_yml):
            for rule in config["_exclude"]:
                try:
                    newest.render(rule, {**answers, "_copier_conf": {}})
                except jinja2.UndefinedError as error:
                    raise AssertionError(
                        f"_exclude uses an answer release {version} did not record ({error}): "
                        "read it with `| default(...)`"
                    ) from None
