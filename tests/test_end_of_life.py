"""`scaffold init` on a project that pins a runtime release past its end of life: the image uses
what the project pins (the team's decision; init never edits project files), and the next steps
say in one line that the release gets no security fixes and what to do about it."""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

import jinja2
import pytest

from scaffold import eol

from helpers import TEMPLATES, git, git_save, read_answers, run_scaffold

PROJECTS = Path(__file__).resolve().parent / "projects"
_TABLE = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES)).get_template(
    "data/defaults.jinja"
)
#: The version scaffold proposes for each language, which the warning tells teams to move to.
DEFAULTS = _TABLE.module.defaults  # type: ignore[attr-defined]
NEWEST = {name: row["version"] for name, row in DEFAULTS.items()}


def _project(name: str, where: Path) -> Path:
    project = where / name
    shutil.copytree(PROJECTS / name, project, symlinks=True)
    return project


def _init(project: Path, home: Path) -> tuple[str, str]:
    """Commit PROJECT, run init with the detected answers; (stdout, the project's files before)."""
    git(project, "init", "--quiet", "--initial-branch=main")
    git_save(project, "the team's project")
    result = run_scaffold("init", project, "--defaults", home=home)
    assert result.returncode == 0, result.stderr
    assert git(project, "diff", "--name-only") == "", "init changed a file of the project"
    return result.stdout, result.stderr


def _next_steps(stdout: str) -> list[str]:
    return [line.strip() for line in stdout.split("Next steps:\n", 1)[1].splitlines()]


def _lock_express(project: Path, version: str, engines: str) -> None:
    """Give package-lock.json's express the VERSION and engines.node it would have locked."""
    path = project / "package-lock.json"
    lock = json.loads(path.read_text())
    lock["packages"]["node_modules/express"].update(version=version, engines={"node": engines})
    path.write_text(json.dumps(lock, indent=2) + "\n")


def test_a_node_10_pin_is_kept_and_warned_about(tmp_path: Path, home: Path) -> None:
    """express-babel's shape: `"engines": {"node": "~10.15"}`, no .nvmrc, and Express 4, which
    runs on any Node.js since 0.10. Yarn refuses a release outside the range: node:10 is 10.24,
    so the image is node:10.15."""
    project = _project("node-express", tmp_path)
    (project / ".nvmrc").unlink()
    package = json.loads((project / "package.json").read_text())
    package["engines"] = {"node": "~10.15"}
    (project / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    _lock_express(project, "4.21.2", ">= 0.10.0")
    stdout, _ = _init(project, home)
    assert read_answers(project)["language_version"] == "10.15"
    assert "FROM node:10.15-slim AS base\n" in (project / "Dockerfile").read_text()
    warned = [line for line in _next_steps(stdout) if "end of life" in line]
    assert warned == [
        "Node.js 10 reached end of life on 2021-04-30: the image gets no security fixes; raise "
        f"the pin (package.json: engines.node) to {NEWEST['node']} and run "
        f"`scaffold update --data language_version={NEWEST['node']}`"
    ]


def test_a_pin_that_a_locked_dependency_refuses_gives_way_to_the_default(
    tmp_path: Path, home: Path
) -> None:
    """next-learn's shape: .nvmrc says 16, but the lockfile took Express 5 (engines >= 18): on
    node:16 the service would not run. init uses the default and says which package needs what."""
    project = _project("node-express", tmp_path)
    (project / ".nvmrc").write_text("16\n")
    _lock_express(project, "5.1.0", ">= 18")
    stdout, stderr = _init(project, home)
    assert read_answers(project)["language_version"] == NEWEST["node"]
    assert f"FROM node:{NEWEST['node']}-slim AS base\n" in (project / "Dockerfile").read_text()
    assert (
        ".nvmrc names Node.js 16, but express 5.1.0 in the lockfile needs node >= 18: the image "
        "uses the default Node.js; raise the pin to match"
    ) in " ".join((stdout + stderr).split())
    assert "end of life" not in stdout  # the image's Node.js is supported


def test_a_python_3_8_runtime_txt_is_kept_and_warned_about(tmp_path: Path, home: Path) -> None:
    project = _project("python-flask", tmp_path)
    (project / ".python-version").unlink()
    (project / "runtime.txt").write_text("python-3.8.18\n")
    stdout, _ = _init(project, home)
    assert read_answers(project)["language_version"] == "3.8"
    assert "FROM python:3.8-slim" in (project / "Dockerfile").read_text()
    warned = [line for line in _next_steps(stdout) if "end of life" in line]
    assert warned == [
        "Python 3.8 reached end of life on 2024-10-07: the image gets no security fixes; raise "
        f"the pin (runtime.txt) to {NEWEST['python']} and run "
        f"`scaffold update --data language_version={NEWEST['python']}`"
    ]


def test_a_supported_pin_gets_no_warning(tmp_path: Path, home: Path) -> None:
    project = _project("node-express", tmp_path)
    assert (project / ".nvmrc").read_text().strip() == "22"  # supported until April 2027
    stdout, stderr = _init(project, home)
    assert read_answers(project)["language_version"] == "22"
    assert "end of life" not in stdout + stderr


def test_the_suggested_command_moves_the_service_to_the_default(tmp_path: Path, home: Path) -> None:
    """What the warning says to run works: the image moves to the supported release."""
    project = _project("python-flask", tmp_path)
    (project / ".python-version").unlink()
    (project / "runtime.txt").write_text("python-3.8.18\n")
    _init(project, home)
    (project / "runtime.txt").write_text("python-3.14.0\n")
    git_save(project, "Docker setup, and Python 3.14")
    result = run_scaffold(
        "update", project, "--defaults", "--data", "language_version=3.14", home=home
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FROM python:3.14-slim" in (project / "Dockerfile").read_text()
    assert read_answers(project)["language_version"] == "3.14"


@pytest.mark.parametrize(
    ("language", "version", "today", "expected"),
    [
        ("static", "20", "2026-05-01", "Node.js 20 reached end of life on 2026-04-30"),
        ("python", "3.10.12", "2026-11-30", "Python 3.10 reached end of life on 2026-10-31"),
        ("dotnet", "6.0", "2026-11-30", ".NET 6.0 reached end of life on 2024-11-12"),
        ("php", "8.1", "2026-11-30", "PHP 8.1 reached end of life on 2025-12-31"),
        ("ruby", "3.1", "2026-11-30", "Ruby 3.1 reached end of life on 2025-03-26"),
        ("go", "1.19", "2026-11-30", None),  # no dates for Go's older releases: no warning
        ("node", "99", "2026-11-30", None),  # a release the table does not know
    ],
)
def test_end_of_life_dates_come_from_the_defaults_table(
    language: str, version: str, today: str, expected: str | None
) -> None:
    line = eol.ended(
        TEMPLATES,
        {"language": language, "language_version": version},
        None,
        today=datetime.date.fromisoformat(today),
    )
    if expected is None:
        assert line is None
    else:
        assert line == (
            f"{expected}: the image gets no security fixes; run "
            f"`scaffold update --data language_version={NEWEST[language]}`"
        )


def test_the_default_release_ages_like_any_other() -> None:
    """The defaults' own end-of-life dates count too: the last day of fixes is still fine."""
    row = DEFAULTS["python"]
    end = datetime.date.fromisoformat(row["eol"])
    answers = {"language": "python", "language_version": row["version"]}
    assert eol.ended(TEMPLATES, answers, ".python-version", today=end) is None
    line = eol.ended(TEMPLATES, answers, ".python-version", today=end + datetime.timedelta(1))
    assert line is not None
    assert line.startswith(f"Python {row['version']} reached end of life on {end}: ")


def test_a_template_without_the_table_gives_no_warning(tmp_path: Path) -> None:
    answers = {"language": "node", "language_version": "10"}
    assert eol.ended(tmp_path, answers, "package.json: engines.node") is None
