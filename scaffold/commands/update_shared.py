"""The repository-wide files of a service in a folder, brought along by `scaffold update`.

`scaffold init services/api` writes the service's workflow and Dependabot entries at the
repository's root, where GitHub reads them (see scaffold/monorepo.py). Copier updates only the
service's folder, and the template leaves `.github` out of an update there, so scaffold merges
these files itself, three-way as Copier does: the release the service is on, rendered with its
recorded answers, is the base; the team's edits are kept and a clash is marked inline.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaffold import monorepo, template


@dataclass
class Shared:
    """One repository-root file of the service: where it is, and what the update made of it."""

    path: str  # relative to the service's folder, as `scaffold init` shows it
    rendered: str  # its name in a rendered service
    conflicts: int = 0
    changed: bool = False
    skipped: str = ""  # why the release's changes could not be merged into it


def folder(answers: Mapping[str, Any]) -> str:
    """The service's folder in its repository (service_dir), "." at the root."""
    return str(answers.get("service_dir") or ".").strip("/") or "."


def paths(recorded: Mapping[str, Any], answers: Mapping[str, Any]) -> list[str]:
    """The repository-root files the update may write, relative to the service's folder."""
    found = []
    for side in (recorded, answers):
        if folder(side) == ".":
            continue
        for name in (monorepo.WORKFLOW, monorepo.DEPENDABOT):
            path = monorepo.destination(name, side)
            if path not in found:
                found.append(path)
    return found


#: Copier exclusions that leave only the CI files (rendering the rest would be thrown away).
_ONLY_GITHUB = ["/*", "!/.github", "!/.github/**"]


def render(
    source: str, ref: str, answers: Mapping[str, Any], destination: Path, *, github: bool = False
) -> None:
    """Render release REF of SOURCE with ANSWERS into DESTINATION (a new folder).

    With GITHUB, only the `.github` folder is rendered.
    """
    import copier

    copier.run_copy(
        template.local_source(source),
        destination,
        data={k: v for k, v in answers.items() if not k.startswith("_")},
        vcs_ref=ref,
        exclude=_ONLY_GITHUB if github else [],
        defaults=True,
        quiet=True,
        unsafe=False,
    )


def update(  # noqa: PLR0917
    target: Path,
    source: str,
    current: str,
    release: str,
    recorded: Mapping[str, Any],
    answers: Mapping[str, Any],
) -> list[Shared]:
    """Merge the template's changes from CURRENT to RELEASE into the service's root files.

    Nothing is done for a service at its repository's root (Copier updates its `.github`).
    A file Copier created in the service's own `.github` (a template without the exclusion does)
    is removed again: GitHub never reads it there.
    """
    if folder(answers) == ".":
        return []
    _git(target, "clean", "--quiet", "--force", "-d", "--", ".github")
    moved = folder(recorded) != folder(answers)
    done = []
    with tempfile.TemporaryDirectory(prefix="scaffold-update-") as scratch:
        old, new = Path(scratch) / "old", Path(scratch) / "new"
        render(source, current, recorded, old, github=True)
        render(source, release, answers, new, github=True)
        for name in (monorepo.WORKFLOW, monorepo.DEPENDABOT):
            rendered = (old / name, new / name)
            shared = _merge(target, name, rendered, (recorded, answers), moved=moved)
            if shared is not None:
                done.append(shared)
    return done


def _merge(
    target: Path,
    name: str,
    rendered: tuple[Path, Path],
    sides: tuple[Mapping[str, Any], Mapping[str, Any]],
    *,
    moved: bool,
) -> Shared | None:
    """Merge file NAME, RENDERED by the old and the new release, into its root copy.

    SIDES are the recorded and the new answers. None when there is nothing to write.
    """
    base, ours = (path.read_bytes() if path.is_file() else None for path in rendered)
    recorded, answers = sides
    path = monorepo.destination(name, answers)
    was = target / monorepo.destination(name, recorded if not moved else answers)
    theirs = was.read_bytes() if was.is_file() else None
    if ours is None or (theirs is None and base is not None and not moved):
        return None  # the release has no such file, or the team deleted it: it stays deleted
    shared = Shared(path, name)
    if theirs is None:
        merged = ours
    elif name == monorepo.DEPENDABOT:
        result = monorepo.update_dependabot(theirs, base, ours, folder(answers))
        if result is None:  # said only when the release changes the service's entries
            if base != ours:
                shared.skipped = "not a Dependabot config scaffold reads: merge its entries by hand"
            return shared
        merged, shared.conflicts = result
    else:
        merged, shared.conflicts = monorepo.merge_text(theirs, base or b"", ours)
    if merged != theirs:
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(merged)
        shared.changed = True
    if was != target / path and was.is_file():
        was.unlink()
        shared.changed = True
    return shared


def _git(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=target, capture_output=True, text=True, check=False)
