"""Template releases: a git bundle with one tagged commit per released version of templates/.

No git tags travel with main, so releases are derived from its history: the version is the
static `version = "X.Y.Z"` in pyproject.toml, and release X.Y.Z is the templates/ tree of the
*last* first-parent commit that carries X.Y.Z (for the version being worked on, the working
tree). Each release becomes a commit with fixed author and date, so every machine that builds
from the same history gets the same commits and tags: a teammate's `copier update` finds the
`_commit` tag a service was generated from.

This module needs only git and `packaging`: the wheel build hook loads it by path.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from packaging.version import Version

_VERSION = re.compile(r'^version\s*=\s*"([^"]+)"', re.MULTILINE)
_IDENTITY = {
    "GIT_AUTHOR_NAME": "scaffold",
    "GIT_AUTHOR_EMAIL": "scaffold@localhost",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00+0000",
    "GIT_COMMITTER_NAME": "scaffold",
    "GIT_COMMITTER_EMAIL": "scaffold@localhost",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00+0000",
}


def _git(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    full_env = {**os.environ, **(env or {}), "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=full_env, check=True, capture_output=True, text=True
    )
    return result.stdout.strip()


def version_of(pyproject_text: str) -> str | None:
    """The static project version written in a pyproject.toml, if any."""
    match = _VERSION.search(pyproject_text)
    return match.group(1) if match else None


def history_releases(repo: Path) -> dict[str, str]:
    """Map each version in REPO's first-parent history to the last commit that carries it."""
    try:
        commits = _git("rev-list", "--first-parent", "--reverse", "HEAD", cwd=repo).split()
        bumps = set(
            _git("log", "--first-parent", "--format=%H", "--", "pyproject.toml", cwd=repo).split()
        )
    except (subprocess.CalledProcessError, FileNotFoundError):
        return {}
    last: dict[str, str] = {}
    version: str | None = None
    for commit in commits:
        if commit in bumps or version is None:
            try:
                version = version_of(_git("show", f"{commit}:pyproject.toml", cwd=repo))
            except subprocess.CalledProcessError:
                version = None
        if version:
            last[version] = commit
    return last


def _working_files(repo: Path) -> list[str]:
    """Files under templates/ that git tracks or would track (ignored files are left out)."""
    try:
        listed = _git("ls-files", "-co", "--exclude-standard", "--", "templates", cwd=repo)
    except (subprocess.CalledProcessError, FileNotFoundError):
        listed = "\n".join(
            str(p.relative_to(repo)) for p in (repo / "templates").rglob("*") if p.is_file()
        )
    return [f for f in listed.splitlines() if f and (repo / f).is_file()]


def build_bundle(repo: Path, output: Path) -> list[str]:
    """Write the release bundle of the checkout at REPO to OUTPUT: its versions, oldest first.

    Works in a scratch git directory, so REPO's own object store is never written to.
    """
    current = version_of((repo / "pyproject.toml").read_text(encoding="utf-8"))
    if not current:
        raise ValueError(f"{repo / 'pyproject.toml'} has no static version")
    with tempfile.TemporaryDirectory(prefix="scaffold-release-") as scratch:
        git_dir = Path(scratch) / "releases.git"
        _git("init", "--quiet", "--bare", str(git_dir))
        gd = f"--git-dir={git_dir}"
        trees: dict[str, str] = {}
        history = {v: c for v, c in history_releases(repo).items() if v != current}
        if history:
            _git(gd, "fetch", "--quiet", "--no-tags", str(repo.resolve()), "HEAD")
            for version, commit in history.items():
                try:
                    trees[version] = _git(gd, "rev-parse", f"{commit}:templates")
                except subprocess.CalledProcessError:
                    continue  # that version predates the template
        trees[current] = _tree_of_working_copy(git_dir, repo, _working_files(repo))
        versions = sorted(trees, key=Version)
        parent: list[str] = []
        for version in versions:
            commit = _git(
                gd,
                "commit-tree",
                trees[version],
                *parent,
                "-m",
                f"scaffold template {version}",
                env=_IDENTITY,
            )
            _git(gd, "tag", version, commit)
            parent = ["-p", commit]
        _git(gd, "update-ref", "refs/heads/main", parent[1])
        _git(gd, "symbolic-ref", "HEAD", "refs/heads/main")
        output.parent.mkdir(parents=True, exist_ok=True)
        _git(gd, "bundle", "create", "--quiet", str(output.resolve()), "--all")
    return versions


def _tree_of_working_copy(git_dir: Path, repo: Path, files: Iterable[str]) -> str:
    """Store FILES (paths under templates/) in GIT_DIR and return the tree of templates/."""
    env = {"GIT_INDEX_FILE": str(git_dir / "index.working")}
    gd, wt = f"--git-dir={git_dir}", f"--work-tree={repo.resolve()}"
    paths = list(files)
    for start in range(0, len(paths), 200):
        _git(gd, wt, "add", "--force", "--", *paths[start : start + 200], cwd=repo, env=env)
    return _git(gd, "write-tree", "--prefix=templates/", env=env)
