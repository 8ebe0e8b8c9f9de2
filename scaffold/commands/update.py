"""`scaffold update [DIR]`: bring a service up to the newest template, keeping the team's edits."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold import console, questions, template
from scaffold.errors import ScaffoldError, ToolMissing, UpdateConflict


@dataclass
class UpdateOptions:
    """What `scaffold update` was asked to do."""

    target: Path
    data: list[str] = field(default_factory=list)
    defaults: bool = False
    vcs_ref: str | None = None


def run(options: UpdateOptions) -> int:
    """Update the service at options.target; exit code 1 when conflicts are left."""
    target = options.target.expanduser().absolute()
    recorded = _recorded_answers(target)
    _check_clean_git(target)
    if recorded.get("_src_path") == template.BUNDLE_SRC:
        template.install_bundle()
        data = questions.parse_data(options.data, questions.load(template.templates_dir()))
        renames = template.release_file("renamed.yml", options.vcs_ref)
        data = {**_renamed_answers(recorded, renames), **data}
    else:
        data = dict(item.partition("=")[::2] for item in options.data)
    interactive = sys.stdin.isatty()
    before = recorded.get("_commit", "?")
    _run_copier_update(
        target, data, defaults=options.defaults or not interactive, ref=options.vcs_ref
    )
    after = _recorded_answers(target).get("_commit", "?")
    changed = _changed_files(target)
    for path in changed:
        console.status("update", path)
    conflicts = _conflicted(target, changed)
    if conflicts:
        raise UpdateConflict(conflicts)
    if not changed:
        console.info(f"{target.name} is up to date with template {after}.")
        return 0
    console.info(f"\nUpdated from template {before} to {after}.")
    console.next_steps(["git diff  # review the changes", "git commit -am 'Update Docker setup'"])
    return 0


def _renamed_answers(recorded: dict[str, Any], renames_yaml: str | None) -> dict[str, Any]:
    """Recorded answers under keys the template has since renamed, given under their new keys.

    RENAMES_YAML is the target release's renamed.yml (old key: new key). The merge base is
    rendered from the answers file as recorded (old keys, old release); the new release gets
    the same answer under its new key, and Copier drops the old one.
    """
    import yaml

    try:
        renames = yaml.safe_load(renames_yaml or "") or {}
    except yaml.YAMLError:
        renames = {}
    if not isinstance(renames, dict):
        return {}
    return {
        str(new): recorded[old]
        for old, new in renames.items()
        if old in recorded and new not in recorded
    }


def _recorded_answers(target: Path) -> dict[str, Any]:
    import yaml

    path = target / template.ANSWERS_FILE
    if not path.is_file():
        raise ScaffoldError(
            f"{target} has no {template.ANSWERS_FILE}: "
            "run scaffold update inside a service made by scaffold"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        raise ScaffoldError(f"{path} is not valid YAML: restore it from git") from None
    if not isinstance(data, dict):
        raise ScaffoldError(f"{path} is not a mapping of answers: restore it from git")
    return data


def _git(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=target, capture_output=True, text=True, check=False)


def _check_clean_git(target: Path) -> None:
    if shutil.which("git") is None:
        raise ToolMissing("git is not installed: scaffold update needs it to merge changes")
    if _git(target, "rev-parse", "--is-inside-work-tree").stdout.strip() != "true":
        raise ScaffoldError(
            f"{target} is not a git repository: run `git init && git add -A && git commit` first"
        )
    if _git(target, "status", "--porcelain", "--", ".").stdout.strip():
        raise ScaffoldError(
            f"{target} has uncommitted changes: commit or stash them, then run scaffold update"
        )


def _run_copier_update(
    target: Path, data: dict[str, Any], *, defaults: bool, ref: str | None
) -> None:
    import copier
    from copier.errors import CopierError

    try:
        copier.run_update(
            target,
            data=data,
            defaults=defaults,
            overwrite=True,
            conflict="inline",
            vcs_ref=ref,
            quiet=True,
            unsafe=False,
        )
    except (CopierError, ValueError) as error:
        text = str(error).strip()
        raise ScaffoldError(f"update failed: {text.splitlines()[0] if text else error!r}") from None


def _changed_files(target: Path) -> list[str]:
    listed = _git(target, "ls-files", "--modified", "--deleted", "--others", "--exclude-standard")
    return sorted(set(listed.stdout.splitlines()))


def _conflicted(target: Path, changed: list[str]) -> list[str]:
    """Files with conflict markers, and .rej files Copier leaves for hunks it could not place."""
    conflicts = []
    for name in changed:
        path = target / name
        if name.endswith(".rej"):
            conflicts.append(name)
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if any(line.startswith("<<<<<<< ") for line in text.splitlines()):
            conflicts.append(name)
    return conflicts
