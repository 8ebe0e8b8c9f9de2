"""`scaffold update [DIR]`: bring a service up to a newer template release, keeping its edits.

The recorded answers are kept. Only questions the new release added are asked (with scaffold's
own prompts, on a terminal; their defaults otherwise), plus any named by --ask, or all with
--reconfigure. Copier merges the new release into the service. When the update is interrupted,
or refused because it would delete files the team changed, the service is given back exactly as
it was: nothing is half-written.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold import answers as answers_mod
from scaffold import changelog, console, interrupts, questions, template
from scaffold.commands import update_shared
from scaffold.errors import ScaffoldError, ToolMissing, UpdateConflict, UsageError

#: Answers the command sets rather than asks (`scaffold new` records yes, `scaffold init` no).
#: A service from a release before them has the skeleton, so their default is right for it.
COMMAND_SET = frozenset({"include_app"})


@dataclass
class UpdateOptions:
    """What `scaffold update` was asked to do."""

    target: Path
    data: list[str] = field(default_factory=list)
    defaults: bool = False
    vcs_ref: str | None = None
    ask: list[str] = field(default_factory=list)
    reconfigure: bool = False
    check: bool = False
    dry_run: bool = False
    force: bool = False


@dataclass
class Plan:
    """The release to update to, and the complete answers to render it with."""

    source: str
    current: str
    release: str
    answers: dict[str, Any]
    recorded: dict[str, Any]
    changelog: str | None


def run(options: UpdateOptions) -> int:
    """Update the service at options.target; 1 when conflicts are left, 2 when --check finds one."""
    target = options.target.expanduser().absolute()
    recorded = answers_mod.recorded(target)
    if options.check:
        return _check(target, recorded, options.vcs_ref)
    _check_clean_git(target, update_shared.paths(recorded, recorded))
    plan = _plan(target, recorded, options)
    shared = update_shared.paths(recorded, plan.answers)
    _check_clean_git(target, shared)
    _announce(target, plan)
    if options.dry_run:
        return _dry_run(target, plan)
    with _restored_unless_done(target, shared):
        _run_copier_update(target, plan)
        if not options.force:
            _refuse_deleting_edits(target, plan)
        merged = _update_shared(target, plan)
        interrupts.raise_if_seen()
    return _report(target, plan, merged)


def _check(target: Path, recorded: Mapping[str, Any], ref: str | None) -> int:
    """`--check`: 0 when on the newest release, 2 (one line) when a newer one exists."""
    source = str(recorded.get("_src_path", ""))
    current = str(recorded.get("_commit", "?"))
    release = _target_release(source, current, ref)
    if not _older(current, release):
        console.info(f"{target.name} is on template {current}, the newest release.")
        return 0
    console.info(f"{current} → {release} available")
    return 2


def _target_release(source: str, current: str, ref: str | None) -> str:
    """The release to update to: REF, or the newest release tag of SOURCE."""
    if source == template.BUNDLE_SRC:
        template.install_bundle()
    available = template.releases(source)
    if not available:
        raise ScaffoldError(
            f"cannot read the template releases of {source}: check that it exists and is a git "
            "repository, URL or bundle with release tags"
        )
    release = ref or available[-1]
    if release not in available:
        raise ScaffoldError(
            f"template release {release} not found in {source}: choose one of "
            f"{', '.join(available)}"
        )
    if _older(release, current):
        raise ScaffoldError(
            f"the service is on template {current}, newer than {release}: downgrades are not "
            "supported"
        )
    return release


def _older(version: str, than: str) -> bool:
    """Whether release VERSION comes before THAN (an unreadable version counts as oldest)."""
    from packaging.version import InvalidVersion, Version

    def key(text: str) -> tuple[int, Version | None]:
        try:
            return (1, Version(text))
        except InvalidVersion:
            return (0, None)

    first, second = key(version), key(than)
    if first[0] != second[0]:
        return first[0] < second[0]
    return first[1] is not None and second[1] is not None and first[1] < second[1]


def _plan(target: Path, recorded: dict[str, Any], options: UpdateOptions) -> Plan:
    source = str(recorded.get("_src_path", ""))
    current = str(recorded.get("_commit", "?"))
    release = _target_release(source, current, options.vcs_ref)
    files = template.release_files(source, release, ["copier.yml", "renamed.yml", "CHANGELOG.md"])
    if files["copier.yml"] is None:
        raise ScaffoldError(f"template release {release} of {source} has no copier.yml")
    questionnaire = questions.parse(files["copier.yml"])
    previous = {k: v for k, v in recorded.items() if not k.startswith("_")}
    previous.update(answers_mod.renamed(recorded, files["renamed.yml"]))
    data = questions.parse_data(options.data, questionnaire)
    reask = set(questionnaire.names()) if options.reconfigure else set(options.ask)
    unknown = sorted(reask - set(questionnaire.names()))
    if unknown:
        raise UsageError(
            f"--ask: unknown key {', '.join(unknown)} "
            f"(valid keys: {', '.join(questionnaire.names())})"
        )
    interactive = sys.stdin.isatty() and not options.defaults
    answers = _resolve(questionnaire, previous, data, reask, interactive, target.name)
    return Plan(source, current, release, answers, recorded, files["CHANGELOG.md"])


def _resolve(  # noqa: PLR0917
    questionnaire: questions.Questionnaire,
    previous: Mapping[str, Any],
    data: Mapping[str, Any],
    reask: set[str],
    interactive: bool,
    folder_name: str,
) -> dict[str, Any]:
    """The complete answers: --data, else the recorded answer while still valid, else asked.

    Questions no recorded answer covers are asked on a terminal (INTERACTIVE), else take their
    default. Recorded answers are asked again only when named in REASK, with the recorded
    answer as the default.
    """
    prompt = None
    if interactive:
        from scaffold import prompts

        prompt = prompts.ask

    def keep_or_ask(
        q: questions.Questionnaire,
        question: questions.Question,
        context: Any,
        kept: Any,
        before: Any = None,
    ) -> Any:
        name = question.name
        if name not in reask:
            if kept is not None:
                return kept
            if name in COMMAND_SET and name not in previous:
                return q.default(question, context)
        if prompt is None:
            value = q.default(question, context) if kept is None else kept
        else:  # asked again: the recorded answer is the default, not a "detected" one
            value = prompt(q, question, context, None, kept if before is None else before)
        if name in previous and kept is None:
            console.info(f"note: {name}={previous[name]!r} no longer applies; now {name}={value!r}")
        return value

    return answers_mod.resolve(
        questionnaire,
        data,
        folder_name=folder_name,
        ask=keep_or_ask,
        detected=previous,
    )


def _announce(target: Path, plan: Plan) -> None:
    """Say which release step this is and what the releases crossed change."""
    if plan.current == plan.release:
        return
    console.info(f"Updating {target.name}: template {plan.current} → {plan.release}")
    for version, lines in changelog.crossed(plan.changelog or "", plan.current, plan.release):
        console.info(f"\n{version}:")
        for line in lines:
            console.info(f"  {line}")
    console.info()


def _git(target: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=target, capture_output=True, text=True, check=False)


def _check_clean_git(target: Path, shared: list[str]) -> None:
    """Refuse to update a service with uncommitted changes, or whose root CI files have some."""
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
    dirty = [p for p in shared if _git(target, "status", "--porcelain", "--", p).stdout.strip()]
    if dirty:
        raise ScaffoldError(
            f"{', '.join(dirty)} has uncommitted changes: commit or stash them, then run "
            "scaffold update"
        )


@contextlib.contextmanager
def _restored_unless_done(target: Path, shared: list[str]) -> Iterator[None]:
    """Give the service (and its root CI files) back as committed when the block fails."""
    try:
        yield
    except BaseException:
        with interrupts.held():
            _git(target, "checkout", "--quiet", "HEAD", "--", ".")
            _git(target, "clean", "--quiet", "--force", "-d", "--", ".")
            for path in shared:
                _git(target, "checkout", "--quiet", "HEAD", "--", path)
                _git(target, "clean", "--quiet", "--force", "--", path)
        raise


def _update_shared(target: Path, plan: Plan) -> list[update_shared.Shared]:
    """Merge the release's changes into the repository-root CI files of a service in a folder."""
    return update_shared.update(
        target, plan.source, plan.current, plan.release, plan.recorded, plan.answers
    )


def _run_copier_update(target: Path, plan: Plan) -> None:
    import copier
    from copier.errors import CopierError
    from jinja2 import UndefinedError

    try:
        copier.run_update(
            target,
            data=plan.answers,
            defaults=True,
            overwrite=True,
            conflict="inline",
            vcs_ref=plan.release,
            quiet=True,
            unsafe=False,
            skip_answered=True,
        )
    except (CopierError, ValueError) as error:
        text = str(error).strip()
        raise ScaffoldError(f"update failed: {text.splitlines()[0] if text else error!r}") from None
    except UndefinedError as error:
        raise ScaffoldError(
            f"template release {plan.release} cannot update a service made by {plan.current} "
            f"({error}): update to a later release"
        ) from None


def _refuse_deleting_edits(target: Path, plan: Plan) -> None:
    """Refuse an update that deletes a file holding the team's committed changes."""
    deleted = _git(target, "ls-files", "--deleted").stdout.split()
    if not deleted:
        return
    with tempfile.TemporaryDirectory() as scratch:
        update_shared.render(plan.source, plan.current, plan.recorded, Path(scratch))
        edited = [
            path
            for path in deleted
            if not (Path(scratch) / path).is_file()
            or _git(target, "show", f"HEAD:./{path}").stdout
            != (Path(scratch) / path).read_text(encoding="utf-8", errors="replace")
        ]
    if edited:
        raise ScaffoldError(
            f"these answers would delete {', '.join(edited)}, which hold your committed changes: "
            "keep the previous answer, or pass --force to delete them"
        )


def _changed_files(target: Path) -> tuple[list[str], set[str], set[str]]:
    """Changed paths, and which of them are new and which deleted."""
    new = set(_git(target, "ls-files", "--others", "--exclude-standard").stdout.splitlines())
    deleted = set(_git(target, "ls-files", "--deleted").stdout.splitlines())
    modified = set(_git(target, "ls-files", "--modified").stdout.splitlines())
    return sorted(new | deleted | modified), new, deleted


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


def _show_changes(target: Path, shared: list[update_shared.Shared]) -> list[str]:
    """Print each changed file with its status word; return the conflicted ones."""
    changed, new, deleted = _changed_files(target)
    conflicts = _conflicted(target, changed)
    for path in changed:
        word = "conflict" if path in conflicts else "create" if path in new else "update"
        console.status("delete" if path in deleted else word, path)
    for item in shared:
        if item.conflicts:
            conflicts.append(item.path)
            console.status("conflict", item.path)
        elif item.changed:
            console.status("update", item.path)
        elif item.skipped:
            console.status("skip", f"{item.path} ({item.skipped})")
    return conflicts


def _report(target: Path, plan: Plan, shared: list[update_shared.Shared]) -> int:
    conflicts = _show_changes(target, shared)
    if conflicts:
        raise UpdateConflict(conflicts)
    if not _changed_files(target)[0] and not any(item.changed for item in shared):
        console.info(f"{target.name} is up to date with template {plan.release}.")
        return 0
    if plan.current == plan.release:
        console.info(f"\nRendered template {plan.release} again with the new answers.")
    else:
        console.info(f"\nUpdated from template {plan.current} to {plan.release}.")
    console.next_steps(["git diff  # review the changes", "git commit -am 'Update Docker setup'"])
    return 0


def _dry_run(target: Path, plan: Plan) -> int:
    """Update a clone of the repository and show what would change; write nothing here."""
    top = Path(_git(target, "rev-parse", "--show-toplevel").stdout.strip())
    with tempfile.TemporaryDirectory(prefix="scaffold-update-") as scratch:
        clone = Path(scratch) / "repo"
        cloned = _git(top, "clone", "--quiet", "--no-hardlinks", str(top), str(clone))
        if cloned.returncode != 0:
            raise ScaffoldError(f"cannot copy {top} for the dry run: {cloned.stderr.strip()}")
        copy = clone / target.relative_to(top)
        _run_copier_update(copy, plan)
        shared = _update_shared(copy, plan)
        conflicts = _show_changes(copy, shared)
        _git(copy, "add", "--intent-to-add", "--", ".", *(s.path for s in shared))
        console.info(_git(copy, "diff", "--", ".", *(s.path for s in shared)).stdout.rstrip())
    if conflicts:
        console.info(f"\nConflicts to resolve after the update: {', '.join(conflicts)}")
    console.info(f"\nDry run: nothing written to {target}.")
    return 0
