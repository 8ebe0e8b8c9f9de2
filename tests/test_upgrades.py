"""Every shipped template release updates to the newest one, by every route users take.

A service is rendered by an old release straight from the release bundle (plain `copier copy
--vcs-ref`), committed, and given two committed team edits (a Dockerfile line and a line in a
skeleton file, or in .dockerignore for an existing project's setup). It is then updated to the
newest release by `scaffold update` without a terminal, plain `copier update --defaults`,
Renovate's copier manager command, and `scaffold update` on a terminal answering only Enter.
Each must keep both edits, leave no `.rej`, record the newest release, and give the files a
fresh render of the newest release gives for the same answers.

The releases, their languages and serving methods are read from the history (the bundle
scaffold ships), so every future release joins this matrix by itself.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pexpect
import pytest

from scaffold import questions
from scaffold._release import build_bundle, history_releases, version_of
from scaffold.template import BUNDLE_SRC

from helpers import (
    REPO,
    bundle_home,
    git,
    git_save,
    read_answers,
    render,
    run_copier,
    run_scaffold,
    scaffold_env,
    tree,
)

pytestmark = pytest.mark.upgrades

DOCKERFILE_EDIT = "# Team: images are mirrored to our registry nightly; keep the stages in sync.\n"
SKELETON_EDIT = "team: our health route is probed by the load balancer too"
# A service's main source file, by the first one a release rendered, and its comment marker.
SKELETON_FILES = [
    ("app/main.py", "#"),
    ("src/server.js", "//"),
    ("src/app/page.js", "//"),
    ("src/app.js", "//"),
    ("main.go", "//"),
    ("src/main.rs", "//"),
    ("src/main/java/app/App.java", "//"),
    ("Api/Program.cs", "//"),
    ("public/index.php", "//"),
    ("lib/app.rb", "#"),
]
PROJECT_FILE = "NOTES.team.md"  # an existing project's own file: no update may touch it
ROUTES = ("scaffold", "copier", "renovate", "terminal")
# A questionary prompt on the terminal: "?" and the question, each in its own colour.
QUESTION = r"\?(?:\x1b\[[0-9;]*m)* (?:\x1b\[[0-9;]*m)*([^\s\x1b][^\x1b\r\n]*)"


def _releases() -> dict[str, str]:
    """Every release in the bundle scaffold builds from this checkout: version -> copier.yml."""
    from packaging.version import Version

    found = {
        version: git(REPO, "show", f"{commit}:templates/copier.yml")
        for version, commit in history_releases(REPO).items()
    }
    current = version_of((REPO / "pyproject.toml").read_text())
    assert current, "pyproject.toml has no static version"
    found[current] = (REPO / "templates/copier.yml").read_text()
    return dict(sorted(found.items(), key=lambda item: Version(item[0])))


RELEASES = _releases()
NEWEST = list(RELEASES)[-1]


def _services() -> Iterator[tuple[str, dict[str, str]]]:
    """(release, answers) for every language each older release offered, with one of its
    serving methods (turning through them from release to release, so that several are
    covered), and the same with include_app false where the release asked it."""
    for index, (release, text) in enumerate(list(RELEASES.items())[:-1]):
        questionnaire = questions.parse(text)
        by_name = {q.name: q for q in questionnaire}
        for language in [c.value for c in by_name["language"].choices]:
            context = {"language": language, "_folder_name": "svc"}
            servings = [c.value for c in questionnaire.available(by_name["serving"], context)]
            answers = {"language": language, "serving": servings[index % len(servings)]}
            yield release, answers
            if "include_app" in by_name:
                yield release, {**answers, "include_app": "false"}


SERVICES = list(_services())


def _service_id(service: tuple[str, dict[str, str]]) -> str:
    release, answers = service
    init = "-init" if answers.get("include_app") == "false" else ""
    return f"{release}-{answers['language']}-{answers['serving']}{init}"


@pytest.fixture(scope="module")
def machine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A HOME where the newest scaffold is installed: every release in its bundle."""
    home = tmp_path_factory.mktemp("upgrades-home")
    assert build_bundle(REPO, bundle_home(home)) == list(RELEASES)
    return home


def old_service(home: Path, parent: Path, release: str, answers: dict[str, str]) -> Path:
    """A service rendered by RELEASE with plain copier, committed, then edited by the team."""
    data = [arg for key, value in answers.items() for arg in ("--data", f"{key}={value}")]
    result = run_copier(
        "copy", "--defaults", "--vcs-ref", release, *data, BUNDLE_SRC, "svc", home=home, cwd=parent
    )
    assert result.returncode == 0, result.stderr[-3000:]
    service = parent / "svc"
    assert read_answers(service)["_commit"] == release
    init = answers.get("include_app") == "false"
    if init:
        (service / PROJECT_FILE).write_text("The team's own notes.\n")
    git_save(service, f"generated by {release}")
    _edit_dockerfile(service / "Dockerfile")
    if init:
        with (service / ".dockerignore").open("a") as ignore:
            ignore.write(f"# {SKELETON_EDIT}\nlocal-data/\n")
    else:
        path, marker = _skeleton_file(service)
        with path.open("a") as source:
            source.write(f"{marker} {SKELETON_EDIT}\n")
    git_save(service, "team edits")
    return service


def _edit_dockerfile(dockerfile: Path) -> None:
    """Add the team's comment between the two blank lines that open the production stage."""
    lines = dockerfile.read_text().splitlines(keepends=True)
    prod = next(
        i for i, line in enumerate(lines) if line.startswith("FROM ") and " AS prod" in line
    )
    gap = max(i for i in range(1, prod) if lines[i - 1] == lines[i] == "\n")
    lines.insert(gap, DOCKERFILE_EDIT)
    dockerfile.write_text("".join(lines))


def _skeleton_file(service: Path) -> tuple[Path, str]:
    for name, marker in SKELETON_FILES:
        if (service / name).is_file():
            return service / name, marker
    raise AssertionError(f"no skeleton source file in {sorted(tree(service))}")


def update(route: str, service: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """Update SERVICE to the newest release the way ROUTE does."""
    if route == "scaffold":
        return run_scaffold("update", service, home=home)
    if route == "copier":
        return run_copier("update", "--defaults", home=home, cwd=service)
    if route == "renovate":  # what Renovate's copier manager runs
        return run_copier(
            "update", "--skip-answered", "--defaults", "--vcs-ref", NEWEST, home=home, cwd=service
        )
    return _update_on_a_terminal(service, home)


def _update_on_a_terminal(service: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """`scaffold update` on a pty, pressing Enter at every question it asks."""
    child = pexpect.spawn(
        sys.executable,
        ["-m", "scaffold", "update"],
        cwd=str(service),
        env=scaffold_env(home),
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 120),
    )
    asked: list[str] = []
    while child.expect([QUESTION, pexpect.EOF]) == 0:
        question = child.match.group(1).strip()
        if asked and asked[-1] == question:
            continue  # the same prompt drawn again with its answer
        asked.append(question)
        child.send("\r")
    child.close()
    return subprocess.CompletedProcess(
        ["scaffold", "update"], child.exitstatus or 0, str(child.before), "\n".join(asked)
    )


def _conflicts(service: Path) -> list[str]:
    return sorted(
        path
        for path, content in tree(service).items()
        if any(line.startswith(b"<<<<<<< ") for line in content.splitlines())
    )


def _without_team_edits(files: dict[str, bytes]) -> dict[str, bytes]:
    edits = (DOCKERFILE_EDIT.encode(), SKELETON_EDIT.encode(), b"local-data/")
    return {
        path: b"".join(
            line
            for line in content.splitlines(keepends=True)
            if not any(edit.strip() in line for edit in edits)
        )
        for path, content in files.items()
        if path != PROJECT_FILE
    }


def fresh(answers: dict[str, Any], destination: Path) -> dict[str, bytes]:
    """The files `scaffold new` (or init) of the newest release renders for ANSWERS."""
    render(answers, destination)
    return tree(destination)


@pytest.mark.parametrize("service", SERVICES, ids=[_service_id(s) for s in SERVICES])
def test_every_route_updates_an_old_service_and_keeps_the_teams_edits(
    service: tuple[str, dict[str, str]],
    machine: Path,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    release, answers = service
    (tmp_path / "old").mkdir()
    original = old_service(machine, tmp_path / "old", release, answers)
    results: dict[str, dict[str, bytes]] = {}
    copies = {route: tmp_path / route / "svc" for route in ROUTES}
    for copy in copies.values():
        shutil.copytree(original, copy)
    # The routes update separate copies: two at a time, one per core.
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = dict(
            zip(ROUTES, pool.map(lambda r: update(r, copies[r], machine), ROUTES), strict=True)
        )
    for route, result in done.items():
        copy = copies[route]
        where = f"{route} route, {release} -> {NEWEST}"
        conflicts = _conflicts(copy)
        if conflicts:  # only where a team edit overlaps a template change, and never silently
            assert set(conflicts) <= {"Dockerfile", str(_edited(original))}, (where, conflicts)
            if route in ("scaffold", "terminal"):
                assert result.returncode == 1, (where, result.stdout)
                named = result.stderr if route == "scaffold" else result.stdout
                assert all(path in named for path in conflicts), (where, named)
        else:
            assert result.returncode == 0, (where, result.stdout[-2000:], result.stderr[-3000:])
        assert not list(copy.rglob("*.rej")), where
        after = read_answers(copy)
        assert after["_commit"] == NEWEST, where
        assert after["_src_path"] == BUNDLE_SRC, where
        files = tree(copy)
        assert DOCKERFILE_EDIT.encode() in files["Dockerfile"], f"{where}: Dockerfile edit lost"
        assert SKELETON_EDIT.encode() in files[str(_edited(original))], f"{where}: edit lost"
        if answers.get("include_app") == "false":
            assert files[PROJECT_FILE] == b"The team's own notes.\n", where
        if route == "terminal":
            _assert_asked_only_new_questions(release, original, copy, result.stderr.splitlines())
        results[route] = files

    first = results[ROUTES[0]]
    for route in ROUTES[1:]:
        assert results[route] == first, f"{route} and {ROUTES[0]} updates differ"
    recorded = {k: v for k, v in read_answers(tmp_path / ROUTES[0] / "svc").items()}
    expected = fresh({k: v for k, v in recorded.items() if not k.startswith("_")}, tmp_path / "new")
    conflicted = set(_conflicts(tmp_path / ROUTES[0] / "svc"))
    record_property("routes", len(ROUTES))  # for bench/robustness.py
    record_property("conflicted_files", len(conflicted))
    got = {k: v for k, v in _without_team_edits(first).items() if k not in conflicted}
    want = {k: v for k, v in expected.items() if k not in conflicted}
    assert sorted(got) == sorted(want), "the update leaves other files than a fresh render"
    differ = [path for path in want if got[path] != want[path]]
    assert not differ, f"after the update these differ from a fresh render: {differ}"


def _assert_asked_only_new_questions(
    release: str, service: Path, updated: Path, asked: list[str]
) -> None:
    """On a terminal, update asks exactly the questions that are new to this service: those the
    newest release added, or widened to services like it, that apply to it (none when there are
    none), and none the service's release answered."""
    before = questions.parse(RELEASES[release])
    newest = questions.parse(RELEASES[NEWEST])
    then = {**read_answers(service), "_folder_name": "svc"}
    widened = {q.name for q in before if not before.applies(q, then)}
    added = (set(newest.names()) - set(before.names()) | widened) - {"include_app"}
    context = {**read_answers(updated), "_folder_name": "svc"}
    expected = [
        str(newest.render(q.help, context)).strip()
        for q in newest
        if q.name in added
        and newest.applies(q, context)
        and not (q.choices and len(newest.available(q, context)) == 1)
    ]
    assert asked == expected, f"{release} -> {NEWEST}: asked {asked}, not {expected}"
    recorded = set(read_answers(service))
    for question in before:
        prefix = str(question.help).split("{", 1)[0].strip()
        if question.name in recorded and len(prefix) > 8:
            again = [text for text in asked if text.startswith(prefix)]
            assert not again, f"asked the recorded {question.name} again: {again}"


def _edited(service: Path) -> Path:
    """The second edited file, relative to SERVICE."""
    for name, _ in SKELETON_FILES:
        if (service / name).is_file():
            return Path(name)
    return Path(".dockerignore")


OLDEST = next(iter(RELEASES))
# Shipped releases whose template cannot update a service made by an earlier release, and why.
# They cannot be changed after shipping; services skip them and update to a later release.
CANNOT_UPDATE_OLDER = {"0.4.0": "its _exclude reads include_app, which older answers lack"}


@pytest.mark.parametrize(
    "language",
    [
        c.value
        for c in next(q for q in questions.parse(RELEASES[OLDEST]) if q.name == "language").choices
    ],
)
def test_release_by_release_ends_where_one_step_does(
    language: str, machine: Path, tmp_path: Path
) -> None:
    """The oldest release's service, updated through every release in turn, has the files the
    same service updated straight to the newest has. A release that cannot update older
    services refuses in one line and leaves the service as it was."""
    (tmp_path / "old").mkdir()
    original = old_service(machine, tmp_path / "old", OLDEST, {"language": language})
    straight = tmp_path / "straight" / "svc"
    shutil.copytree(original, straight)
    assert update("scaffold", straight, machine).returncode == 0
    stepwise = tmp_path / "stepwise" / "svc"
    shutil.copytree(original, stepwise)
    for release in list(RELEASES)[1:]:
        before = read_answers(stepwise)["_commit"]
        result = run_scaffold("update", "--vcs-ref", release, stepwise, home=machine)
        if release in CANNOT_UPDATE_OLDER:
            assert result.returncode == 1, f"{release} updates older services now: drop it"
            assert f"template release {release} cannot update a service made by {before}" in (
                result.stderr
            )
            assert git(stepwise, "status", "--porcelain") == ""
            continue
        assert result.returncode == 0, (release, result.stdout, result.stderr)
        assert read_answers(stepwise)["_commit"] == release
        git_save(stepwise, f"update to {release}")
    assert tree(stepwise) == tree(straight)


# The newest shipped release: where a team's service stands when it moves to a shell-less base.
SHIPPED = list(RELEASES)[-2]


@pytest.mark.parametrize(
    ("language", "serving", "family"),
    [
        ("python", "gunicorn", "hardened"),
        ("node", "node", "hardened"),
        ("node", "next", "distroless"),
        ("java", "jre", "distroless"),
        ("java", "jre", "hardened"),
    ],
)
def test_update_with_runtime_base_moves_a_service_over_and_keeps_the_teams_edits(
    language: str, serving: str, family: str, machine: Path, tmp_path: Path
) -> None:
    (tmp_path / "old").mkdir()
    answers = {"language": language, "serving": serving}
    service = old_service(machine, tmp_path / "old", SHIPPED, answers)
    result = run_scaffold("update", service, "--data", f"runtime_base={family}", home=machine)
    assert result.returncode == 0, (result.stdout[-2000:], result.stderr[-3000:])
    assert not _conflicts(service) and not list(service.rglob("*.rej"))
    recorded = read_answers(service)
    assert (recorded["runtime_base"], recorded["_commit"]) == (family, NEWEST)
    files = tree(service)
    assert DOCKERFILE_EDIT.encode() in files["Dockerfile"], "the team's Dockerfile edit was lost"
    assert SKELETON_EDIT.encode() in files[str(_edited(service))], "the team's edit was lost"
    assert b"AS prod" in files["Dockerfile"] and b"FROM base AS prod" not in files["Dockerfile"]
    expected = fresh({k: v for k, v in recorded.items() if not k.startswith("_")}, tmp_path / "new")
    assert _without_team_edits(files) == expected, "the update differs from a fresh render"
