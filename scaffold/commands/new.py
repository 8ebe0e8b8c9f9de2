"""`scaffold new DIR`: ask, render into a scratch folder next to DIR, then move into place."""

from __future__ import annotations

import errno
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scaffold import answers as answers_mod
from scaffold import console, engine, interrupts, lockfiles, questions, review, template
from scaffold.commands import RenderOptions, current_umask
from scaffold.errors import ScaffoldError, TargetNotEmpty


def run(options: RenderOptions, version: str) -> int:
    """Create a service folder from the template; returns the exit code."""
    target = options.target.expanduser().absolute()
    _check_target(target, options.force)
    template.require_git()  # before any question: the answers would be lost otherwise
    source = template.Source.open(options.source, version)
    questionnaire = questions.load(source.folder)
    given = options.given(questionnaire)

    ask = options.asker(answered=bool(given))
    given.setdefault("include_app", True)  # a new service gets its skeleton; init says no
    check = None if options.dry_run else _tools

    def resolve(keep: dict[str, Any] | None = None, change: str | None = None) -> dict[str, Any]:
        return answers_mod.resolve(
            questionnaire,
            {k: v for k, v in given.items() if k != change},
            folder_name=target.name,
            ask=ask,
            check=check,
            keep=keep,
            change=change,
            new_service=True,
        )

    answers = resolve()

    def replay() -> str:
        return review.replay("new", options.target, answers, options.source)

    def revise(key: str, previous: dict[str, Any]) -> dict[str, Any]:
        nonlocal answers
        answers = resolve(previous, key)
        return answers

    with review.kept(replay, interactive=ask is not None):
        if ask is not None:
            confirmed = review.confirm(
                f"\nscaffold will create {target} with:", answers, revise, question="Create it?"
            )
            if confirmed is None:
                console.info("Nothing written.")
                review.say_replay(replay())
                return 0
            answers = confirmed
        source.install()  # the service's answers name it: `scaffold update` needs it here
        probe = None if options.dry_run else engine.Probe()
        try:
            files = _render_and_place(target, answers, options, source)
        except BaseException as error:
            if probe is not None:
                probe.stop()  # nothing was written: no advice on building it
            if isinstance(error, OSError):
                raise write_error(target, error) from None
            raise
    if probe is None:
        return 0
    for path in files:
        console.status("create", path)
    problem = probe.warning()
    console.next_steps(_next_steps(target, answers))
    if problem:
        console.warning(problem)
    return 0


def _tools(name: str, value: Any, context: Mapping[str, Any]) -> str:
    """What the answer to question NAME needs installed that is missing ("" when nothing)."""
    if name == "package_manager":
        return lockfiles.missing(str(value))
    if name == "pip_hashes" and value:  # requirements.txt is compiled from requirements.in
        return lockfiles.missing(lockfiles.PIP_HASHES)
    return ""


def write_error(target: Path, error: OSError) -> ScaffoldError:
    """The one-line error for a failed write under TARGET, saying what to do."""
    advice = "free some space" if error.errno == errno.ENOSPC else "choose a writable folder"
    return ScaffoldError(
        f"cannot write {target}: {error.strerror or error}; {advice}, nothing was written"
    )


def _check_target(target: Path, force: bool) -> None:
    if target.exists() and not target.is_dir():
        raise TargetNotEmpty(f"{target} exists and is not a directory: choose another path")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise TargetNotEmpty(
            f"{target} is not empty: choose a new directory, or pass --force to write into it"
        )


def _render_and_place(
    target: Path, answers: Mapping[str, Any], options: RenderOptions, source: template.Source
) -> list[str]:
    """Render, lock and move the service into TARGET; the files created (dry run: listed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.scaffold-", dir=target.parent))
    try:
        render(scratch, answers, source)
        files = _files(scratch)
        if options.dry_run:
            _dry_run(target, files, lockfiles.lock_key(answers))
            return files
        written = lockfiles.create(
            lockfiles.lock_key(answers), scratch, python=str(answers.get("language_version", ""))
        )
        interrupts.raise_if_seen()
        _place(scratch, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return sorted([*files, *written])


def _dry_run(target: Path, files: list[str], package_manager: str) -> None:
    for path in files:
        console.status("create", path)
    locker = lockfiles.locker_for(package_manager)
    missing = lockfiles.missing(package_manager)
    if locker:
        how = f"not created: {locker.needs} is missing" if missing else f"by {locker.command[0]}"
        made = [locker.lockfile, *(then[-2] for then in locker.then if then[-1] in files)]
        for lockfile in made:
            console.status("create", f"{lockfile} ({how})")
    console.info(f"\nDry run: nothing written to {target}.")
    if missing:
        console.warning(missing)


def render(destination: Path, answers: Mapping[str, Any], source: template.Source) -> None:
    """Render SOURCE's template into DESTINATION, recorded as its release and source path.

    The packaged templates/ folder is the tree that release VERSION holds in the bundle (both
    are built from the same checkout), so rendering it directly gives the files `copier copy`
    from the bundle gives, without cloning the bundle first. Only the answers file records the
    source, and it records the bundle (or the --template source), so `copier update` works as
    after a plain `copier copy`.
    """
    import copier
    import yaml
    from copier.errors import CopierError

    try:
        copier.run_copy(
            str(source.folder),
            destination,
            data=dict(answers),
            defaults=True,
            overwrite=True,
            quiet=True,
            unsafe=False,
        )
    except (CopierError, ValueError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ScaffoldError(f"rendering the template failed: {first}") from None
    answers_file = destination / template.ANSWERS_FILE
    recorded = yaml.safe_dump({"_commit": source.commit, "_src_path": source.src_path})
    lines = answers_file.read_text(encoding="utf-8").splitlines(keepends=True)
    answers_file.write_text(
        "".join(
            recorded if line.startswith("_src_path:") else line
            for line in lines
            if not line.startswith("_commit:")
        ),
        encoding="utf-8",
    )


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _place(scratch: Path, target: Path) -> None:
    """Move the rendered tree into TARGET: one rename when TARGET is new or empty."""
    scratch.chmod(0o777 & ~current_umask())
    if target.is_dir() and not any(target.iterdir()):
        target.rmdir()
    if not target.exists():
        scratch.rename(target)
        return
    for path in sorted(scratch.rglob("*")):
        destination = target / path.relative_to(scratch)
        if path.is_dir():
            destination.mkdir(exist_ok=True)
        else:
            path.replace(destination)


def _next_steps(target: Path, answers: Mapping[str, Any]) -> list[str]:
    try:
        shown = str(target.relative_to(Path.cwd()))
    except ValueError:
        shown = str(target)
    steps = [
        f"cd {shown}",
        'git init && git add -A && git commit -m "Initial commit from scaffold"',
    ]
    if answers["dev_test_prod"]:
        steps += ["docker build --target test .", "docker compose --profile dev up --watch"]
    steps.append(f"docker build -t {answers['image']}:local .")
    return steps
