"""`scaffold init [DIR]`: add the Docker setup to an existing project, file by file, with care.

The setup is rendered into a scratch folder first; each file then gets a status word:
`create` (new), `identical` (already there, same bytes), `conflict` (there, different),
then `overwrite` or `skip` once the conflict is decided. Nothing is written until every
decision is made, and a file is overwritten only when git can give it back (tracked, no
uncommitted change) or the user passed --force.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaffold import answers as answers_mod
from scaffold import (
    console,
    engine,
    eol,
    interrupts,
    lockfiles,
    monorepo,
    questions,
    review,
    template,
)
from scaffold import detect as detect_mod
from scaffold.commands import RenderOptions, current_umask
from scaffold.commands.new import render, write_error
from scaffold.errors import ScaffoldError


@dataclass
class Planned:
    """One file of the setup and what happens to it."""

    path: str
    status: str
    new: bytes
    old: bytes | None = None
    note: str = ""
    merged: bool = False  # the project's own entries kept, the setup's added (dependabot.yml)

    def diff(self) -> str:
        """The unified diff from the project's file to the generated one."""
        old = (self.old or b"").decode("utf-8", "replace").splitlines(keepends=True)
        new = self.new.decode("utf-8", "replace").splitlines(keepends=True)
        lines = difflib.unified_diff(old, new, f"a/{self.path}", f"b/{self.path}")
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def run(options: RenderOptions, version: str) -> int:
    """Add the Docker setup to an existing project; returns the exit code."""
    target = options.target.expanduser().absolute()
    try:
        return _run(target, options, version)
    except OSError as error:  # reading the project, or writing scratch or the bundle
        where = str(error.filename or "")
        if not where.startswith(str(target)):
            raise write_error(Path(where) if where else target, error) from None
        reason = error.strerror or str(error)
        raise ScaffoldError(f"cannot read {target}: {reason}; check its permissions") from None


def _run(target: Path, options: RenderOptions, version: str) -> int:
    if not target.is_dir():
        raise ScaffoldError(
            f"{target} is not a folder: point scaffold init at an existing project "
            "(scaffold new creates one)"
        )
    if (target / template.ANSWERS_FILE).exists():
        raise ScaffoldError(
            f"{target} already has {template.ANSWERS_FILE}: run scaffold update to bring it to "
            "the newest template"
        )
    source = template.Source.open(options.source, version)
    questionnaire = questions.load(source.folder)
    given = options.given(questionnaire)
    if given.get("include_app") not in (None, False, "false", "no", "n", "0", "off"):
        raise ScaffoldError("scaffold init never writes an app skeleton: drop include_app")
    given["include_app"] = False
    found = detect_mod.detect(target, given)
    folder = monorepo.folder_in_repository(target)
    found.found("service_dir", folder, "a folder of its git repository: CI files go to its root")

    ask = options.asker(answered=set(given) != {"include_app"}, hint=" (detected answers)")
    if ask is not None or options.dry_run:
        _show_detected(target, found)

    def resolve(keep: dict[str, Any] | None = None, change: str | None = None) -> dict[str, Any]:
        return answers_mod.resolve(
            questionnaire,
            {k: v for k, v in given.items() if k != change},
            folder_name=target.name,
            ask=ask,
            detected=found.answers,
            keep=keep,
            change=change,
            # The workspace questions are asked only of a package detection found in one.
            known={"_scaffold_workspace": "workspace_member" in {**found.answers, **given}},
        )

    answers = resolve()

    def replay() -> str:
        return review.replay("init", options.target, answers, options.source)

    with review.kept(replay, interactive=ask is not None):
        source.install()  # the answers name it: `scaffold update` needs it here
        while True:
            if ask is not None:
                review.show(f"\nscaffold init will use these answers for {target}:", answers)
            plan = _plan(target, answers, source)
            if options.dry_run:
                _show(plan, diffs=True)
                console.info(f"\nDry run: nothing written to {target}.")
                return 0
            if _decide(plan, target, options.force, prompting=ask is not None):
                break
            key = _change(ask is not None, answers)
            if key is None:
                console.info("Nothing written.")
                if ask is not None:
                    review.say_replay(replay())
                return 0
            answers = resolve(answers, key)
        try:
            _write(target, plan)
        except OSError as error:
            raise write_error(target, error) from None
    probe = engine.Probe()  # asked while the lock step runs
    _show(plan, diffs=False)
    warnings = _lock_if_missing(target, answers, found.warnings)
    ended = eol.ended(source.folder, answers, found.sources.get("language_version"))
    warnings += [ended] if ended else []
    console.next_steps([*warnings, *_next_steps(answers, plan)])
    excludes = any(p.path == "Dockerfile" and b"--exclude=" in p.new for p in plan)
    problem = probe.warning(excludes=excludes)
    if problem:
        console.warning(problem)
    return 0


def _lock_if_missing(target: Path, answers: Mapping[str, Any], warnings: list[str]) -> list[str]:
    """Make the lockfile the Dockerfile installs from when the project has none.

    As `scaffold new` does: a new file, the project's to commit. Returns WARNINGS with detection's
    "no lockfile" line replaced by what happened. Nothing is tried when the tool is not installed,
    for Yarn 1 (its lock step differs) or a workspace member (its lockfile is the workspace's, at
    its root, and detection says where): the warning stays.
    """
    manager = str(answers.get("package_manager", ""))
    locker = lockfiles.locker_for(manager)
    member = answers.get("workspace_member")  # the lockfile is the workspace's, at its root
    if locker is None or answers.get("yarn_classic") or member or lockfiles.missing(manager):
        return warnings
    said = [w for w in warnings if w.startswith((f"no {locker.lockfile}:", "no lockfile:"))]
    if not said or (target / locker.lockfile).exists():
        return warnings
    rest = [w for w in warnings if w not in said]
    # Without requires-python, uv locks for the Python it runs on; the image's uv would then find
    # the lockfile stale. Lock for the image's Python (uv fetches it if it is not installed).
    pyproject = target / "pyproject.toml"
    unbounded = manager == "uv" and "requires-python" not in _text(pyproject)
    more_env = {"UV_PYTHON": str(answers["language_version"])} if unbounded else {}
    try:
        lockfiles.create(manager, target, more_env)
    except ScaffoldError as error:
        return [*rest, f"{locker.lockfile} could not be made ({error}): create it and commit it"]
    return [*rest, f"{locker.lockfile} created with `{' '.join(locker.command)}`: commit it"]


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _change(prompting: bool, answers: Mapping[str, Any]) -> str | None:
    """After the user declined the plan: the answer to change, or None to stop."""
    if not prompting:
        return None
    from scaffold import prompts

    return prompts.change_or_quit(answers)


def _show_detected(target: Path, found: detect_mod.Detection) -> None:
    """The detection table: each answer read from the project, its value and where it was read."""
    rows = [
        (key, review.shown(value), f"({found.sources.get(key, '')})")
        for key, value in found.answers.items()
    ]
    console.summary(f"scaffold init read from {target}:", rows, found.warnings)
    console.info()


def _plan(target: Path, answers: Mapping[str, Any], source: template.Source) -> list[Planned]:
    with tempfile.TemporaryDirectory(prefix="scaffold-init-") as scratch:
        rendered = Path(scratch) / "out"
        render(rendered, answers, source)
        plan = []
        for path in sorted(p for p in rendered.rglob("*") if p.is_file()):
            name = monorepo.destination(path.relative_to(rendered).as_posix(), answers)
            new = path.read_bytes()
            existing = target / name
            if existing.is_symlink() or existing.exists():
                if not existing.is_file():
                    raise ScaffoldError(
                        f"{existing} exists and is not a file: move it away, then rerun"
                    )
                old = existing.read_bytes()
                merged = None
                if name.endswith(monorepo.DEPENDABOT) and old != new:
                    merged = monorepo.merge_dependabot(old, new)
                    new = merged or new
                status = "identical" if old == new else "conflict"
                plan.append(Planned(name, status, new, old, merged=merged is not None))
            else:
                plan.append(Planned(name, "create", new))
    return plan


def _decide(plan: list[Planned], target: Path, force: bool, *, prompting: bool) -> bool:
    """Turn every conflict into overwrite or skip; False when the user quits."""
    conflicts = [p for p in plan if p.status == "conflict"]
    for item in conflicts:
        item.note = "" if force else _unrecoverable(target, item.path)
    if force:
        for item in conflicts:
            item.status = "overwrite"
        return True
    if not prompting:
        if conflicts:
            _show(plan, diffs=False)
            names = ", ".join(p.path for p in conflicts)
            raise ScaffoldError(
                f"{len(conflicts)} file(s) already exist with other content ({names}): "
                "see them with --dry-run, then rerun with --force to overwrite"
            )
        return True
    from scaffold import prompts

    console.info(f"\nscaffold init will write into {target}:")
    _show(plan, diffs=False)
    if not conflicts:
        return prompts.confirm("Write these files?")
    return _ask_each(conflicts)


def _ask_each(conflicts: list[Planned]) -> bool:
    """Ask about each conflict (yes, no, all, quit, diff); False when the user quits."""
    from scaffold import prompts

    overwrite_all = False
    for item in conflicts:
        if item.note:
            console.status("skip", f"{item.path} ({item.note}; --force overwrites it)")
            item.status = "skip"
            continue
        while not overwrite_all:
            choice = prompts.conflict(item.path)
            if choice != "diff":
                break
            console.write(item.diff())
        if overwrite_all or choice in {"yes", "all"}:
            overwrite_all = overwrite_all or choice == "all"
            item.status = "overwrite"
        elif choice == "quit":
            return False
        else:
            item.status = "skip"
    return True


def _unrecoverable(target: Path, path: str) -> str:
    """Why git could not give PATH back after an overwrite, or "" when it could."""

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *args], cwd=target, capture_output=True, text=True, check=False
        )

    try:
        tracked = git("ls-files", "--error-unmatch", "--", path).returncode == 0
        if not tracked:
            return "not committed to git"
        if git("status", "--porcelain", "--", path).stdout.strip():
            return "has uncommitted changes"
    except OSError:
        return "git is not installed"
    return ""


def _write(target: Path, plan: list[Planned]) -> None:
    """Write each created or overwritten file through a temporary file and a rename."""
    interrupts.raise_if_seen()
    for item in plan:
        if item.status not in {"create", "overwrite"}:
            continue
        destination = target / item.path
        destination.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{destination.name}.", dir=destination.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(item.new)
            mode = destination.stat().st_mode if destination.exists() else 0o666 & ~current_umask()
            Path(temporary).chmod(mode & 0o7777)
            Path(temporary).replace(destination)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


def _show(plan: list[Planned], *, diffs: bool) -> None:
    for item in plan:
        suffix = f" ({item.note})" if item.note and item.status == "conflict" else ""
        if item.merged and item.status != "identical":
            suffix += " (merged: your entries kept, the missing ones added)"
        console.status(item.status, item.path + suffix)
        if diffs and item.status == "conflict":
            console.write(item.diff())


def _next_steps(answers: Mapping[str, Any], plan: list[Planned]) -> list[str]:
    steps = []
    if any(p.status == "skip" for p in plan):
        steps.append("skipped files keep your version: compare them with --dry-run later")
    # A workspace member builds from the workspace root, where its lockfile is.
    member = str(answers.get("workspace_member") or "")
    context = "--file Dockerfile " + "/".join([".."] * len(member.split("/"))) if member else "."
    if answers["dev_test_prod"]:
        steps.append(f"docker build --target test {context}")
    steps.append(f"docker build -t {answers['image']}:local {context}")
    steps.append('git add -A && git commit -m "Docker setup from scaffold"')
    return steps
