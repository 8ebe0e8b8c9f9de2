"""Where scaffold's Copier template lives, and the bundle that `copier update` reads.

Services record `_src_path: ~/.local/share/scaffold/templates.bundle`. Copier expands `~`,
so the same answers file works for every teammate: each scaffold installation copies its
packaged bundle (one tagged commit per released template version) to that path.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scaffold.errors import ScaffoldError, ToolMissing

#: Copier's answers file in every service (Copier's default name).
ANSWERS_FILE = ".copier-answers.yml"

#: The template source recorded in every service's answers file.
BUNDLE_SRC = "~/.local/share/scaffold/templates.bundle"

_PACKAGE = Path(__file__).resolve().parent


def templates_dir() -> Path:
    """The template folder: inside the installed package, or next to it in a source checkout."""
    packaged = _PACKAGE / "templates"
    return packaged if packaged.is_dir() else _PACKAGE.parent / "templates"


def packaged_bundle() -> Path:
    """The release bundle shipped in the wheel; in a source checkout, built from its history."""
    packaged = _PACKAGE / "templates.bundle"
    if packaged.is_file():
        return packaged
    from scaffold import _release

    require_git()
    built = _cache_dir() / "source-checkout.bundle"
    try:
        _release.build_bundle(_PACKAGE.parent, built)
    except (OSError, subprocess.CalledProcessError) as error:
        raise ScaffoldError(
            f"cannot build the template bundle from the checkout: {error}"
        ) from None
    return built


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "scaffold"


def bundle_versions(bundle: Path) -> list[str]:
    """The release tags a bundle holds."""
    require_git()
    heads = subprocess.run(
        ["git", "bundle", "list-heads", str(bundle)], capture_output=True, text=True, check=False
    ).stdout
    return [line.split("refs/tags/", 1)[1] for line in heads.splitlines() if "refs/tags/" in line]


def local_source(src_path: str) -> str:
    """SRC_PATH as git reads it: `~` expanded for a local path (as Copier does), URLs unchanged."""
    return str(Path(src_path).expanduser()) if src_path.startswith("~") else src_path


def releases(src_path: str) -> list[str]:
    """The PEP 440 release tags of SRC_PATH (bundle, repository or URL), oldest first, or []."""
    from packaging.version import InvalidVersion, Version

    require_git()
    listed = subprocess.run(
        ["git", "ls-remote", "--tags", "--refs", local_source(src_path)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
    )
    found = []
    for line in listed.stdout.splitlines():
        tag = line.partition("refs/tags/")[2]
        try:
            found.append((Version(tag), tag))
        except InvalidVersion:
            continue
    return [tag for _, tag in sorted(found)]


def release_files(src_path: str, ref: str, names: list[str]) -> dict[str, str | None]:
    """The text of each of NAMES at release REF of SRC_PATH; None where that release has none."""
    require_git()
    texts: dict[str, str | None] = dict.fromkeys(names)
    with tempfile.TemporaryDirectory() as scratch:
        fetched = subprocess.run(
            [
                "git",
                "clone",
                "--quiet",
                "--bare",
                "--depth=1",
                "--branch",
                ref,
                _clone_url(local_source(src_path)),
                scratch,
            ],
            capture_output=True,
            check=False,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
        )
        if fetched.returncode != 0:
            return texts
        for name in names:
            shown = subprocess.run(
                ["git", "--git-dir", scratch, "show", f"{ref}:{name}"],
                capture_output=True,
                text=True,
                check=False,
            )
            texts[name] = shown.stdout if shown.returncode == 0 else None
    return texts


def _clone_url(source: str) -> str:
    """A local repository as a file:// URL, so a shallow clone works for it too."""
    path = Path(source)
    return path.absolute().as_uri() if path.is_dir() else source


def install_bundle() -> str:
    """Copy the packaged bundle to BUNDLE_SRC unless a bundle with newer releases is there.

    Returns the source path to give Copier (with `~`, as recorded in answers files).
    """
    from packaging.version import Version

    source = packaged_bundle()
    target = Path(BUNDLE_SRC).expanduser()
    if target.is_file():
        if target.read_bytes() == source.read_bytes():
            return BUNDLE_SRC
        installed = bundle_versions(target)
        if installed and max(map(Version, installed)) > max(map(Version, bundle_versions(source))):
            return BUNDLE_SRC  # a newer scaffold installed it; it holds our releases too
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    shutil.copyfile(source, partial)
    partial.replace(target)
    return BUNDLE_SRC


def require_git() -> None:
    """Fail when git is missing: the template release and `scaffold update` need it."""
    if shutil.which("git") is None:
        raise ToolMissing(
            "git is not installed: scaffold needs it for templates and updates; install git "
            "(e.g. apt-get install git), then rerun"
        )


@dataclass(frozen=True)
class Source:
    """The template a service is rendered from, and what its answers file records.

    The packaged template by default; with `--template SOURCE`, the newest release tag of a
    fork (a git URL, a local repository or a bundle), which `copier update` then follows.
    """

    folder: Path
    src_path: str
    commit: str
    packaged: bool = True

    @classmethod
    def open(cls, spec: str | None, version: str) -> Source:
        """The packaged template (SPEC None) or the newest release of SPEC, checked out."""
        if spec is None:
            return cls(templates_dir(), BUNDLE_SRC, version)
        require_git()
        local = Path(spec).expanduser()
        src_path = str(local.absolute()) if local.exists() else spec
        checkout = _cache_dir() / "sources" / hashlib.sha256(src_path.encode()).hexdigest()[:16]
        shutil.rmtree(checkout, ignore_errors=True)
        checkout.parent.mkdir(parents=True, exist_ok=True)
        reason = _clone(src_path, checkout)
        if reason:
            raise ScaffoldError(
                f"cannot read template {spec}: {reason}; pass a git URL, a local git repository "
                "or a bundle"
            )
        release = _checkout_newest_release(checkout)
        if release is None:
            raise ScaffoldError(
                f"template {spec} has no release tag: tag one (e.g. git tag 1.0.0) so services "
                "can record and update from it"
            )
        if not (checkout / "copier.yml").is_file():
            raise ScaffoldError(
                f"template {spec} has no copier.yml at release {release}: start a fork with "
                "scaffold template export DIR"
            )
        return cls(checkout, src_path, release, packaged=False)

    def install(self) -> None:
        """Make the recorded source readable for `scaffold update` (the packaged bundle)."""
        if self.packaged:
            install_bundle()


def _clone(source: str, destination: Path) -> str:
    """Clone SOURCE (URL, repository or bundle) into DESTINATION; "" or git's reason it failed."""
    cloned = subprocess.run(
        ["git", "clone", "--quiet", source, str(destination)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
    )
    if cloned.returncode == 0:
        return ""
    return (cloned.stderr.strip().splitlines() or ["git clone failed"])[-1].removeprefix("fatal: ")


def _checkout_newest_release(repository: Path) -> str | None:
    """Check out REPOSITORY's newest PEP 440 tag and return it; None when it has none."""
    from packaging.version import InvalidVersion, Version

    tags = subprocess.run(
        ["git", "-C", str(repository), "tag", "--list"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    releases = []
    for tag in tags:
        try:
            releases.append((Version(tag), tag))
        except InvalidVersion:
            continue
    if not releases:
        return None
    newest = max(releases)[1]
    subprocess.run(
        ["git", "-C", str(repository), "checkout", "--quiet", newest],
        capture_output=True,
        check=True,
    )
    return newest


def export(destination: Path) -> list[str]:
    """Write scaffold's template to DESTINATION as a git repository with its release tags."""
    require_git()
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise ScaffoldError(f"{destination} is not empty: choose a new folder for the template")
    bundle = packaged_bundle()
    reason = _clone(str(bundle), destination)
    if reason:
        raise ScaffoldError(
            f"cannot write {destination}: {reason}; choose a writable folder, nothing was written"
        )
    _checkout_newest_release(destination)
    for command in (["switch", "--quiet", "-C", "main"], ["remote", "remove", "origin"]):
        subprocess.run(["git", "-C", str(destination), *command], capture_output=True, check=True)
    return bundle_versions(bundle)
