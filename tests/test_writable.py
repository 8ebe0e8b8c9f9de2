"""Folders a service writes at run time (writable_paths): read from the code by `scaffold init`,
owned by the uid in the image wherever they are, refused when they are the system's own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from scaffold.detect._common import database_folders

from helpers import assert_nothing_written, assert_one_line_error, git, git_save, run_scaffold

PROJECTS = Path(__file__).resolve().parent / "projects"
SOURCES = (".js", ".ts")


def _project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize(
    ("code", "folders"),
    [
        # Docker's getting-started tutorial: an environment variable, else an absolute default.
        ("const at = process.env.DB || '/etc/todos/todo.db';", ["/etc/todos"]),
        ('new Database("./data/app.sqlite3")', ["data"]),
        ("const url = `sqlite:///var/app.db`;", ["var"]),  # an SQLAlchemy-style relative URL
        ("url: 'sqlite:////srv/shop/shop.db'", ["/srv/shop"]),
        # Writable anyway, the image's own, the project root, not a database: nothing.
        ("const at = '/tmp/todos/todo.db';", []),
        ("const at = '/var/lib/app.db';", []),
        ("const at = 'todo.db';", []),
        ("const at = '/etc/todos/todo.json';", []),
        ("const at = '../shared/todo.db';", []),
    ],
)
def test_database_folders_are_read_from_the_service_code(
    tmp_path: Path, code: str, folders: list[str]
) -> None:
    _project(tmp_path, {"src/db.js": code})
    assert database_folders(tmp_path, SOURCES) == folders


def test_test_code_and_dependencies_name_no_folder(tmp_path: Path) -> None:
    _project(
        tmp_path,
        {
            "test/db.js": "'/srv/test-db/x.db'",
            "src/db.spec.ts": "'/srv/spec-db/x.db'",
            "node_modules/orm/index.js": "'/srv/orm/x.db'",
            "src/store.ts": "'/srv/store/x.db'",
        },
    )
    assert database_folders(tmp_path, SOURCES) == ["/srv/store"]


def _init(tmp_path: Path, name: str, *data: str) -> tuple[Path, object]:
    project = tmp_path / name
    shutil.copytree(PROJECTS / name, project)
    git(project, "init", "--quiet", "--initial-branch=main")
    git_save(project, "the team's project")
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    args = [arg for pair in data for arg in ("--data", pair)]
    return project, run_scaffold("init", project, "--defaults", *args, home=home)


def test_a_node_database_folder_is_the_uids_in_prod_dev_and_a_volume_in_compose(
    tmp_path: Path,
) -> None:
    project, result = _init(tmp_path, "node-sqlite")
    assert result.returncode == 0, result.stderr
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["writable_paths"] == "/var/lib/todo-list"
    dockerfile = (project / "Dockerfile").read_text()
    stages = dockerfile.split("\nFROM ")
    copy = "COPY --from=writable --chown=10001:10001 /outside/var/lib/todo-list /var/lib/todo-list"
    for target in ("AS dev", "AS prod"):  # the dev image's root is not the uid's either
        stage = next(s for s in stages if s.split("\n", 1)[0].endswith(target))
        assert copy in stage, stage
    assert "COPY --from=writable --chown=10001:10001 /writable/" not in dockerfile
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    assert compose["services"]["todo-list-prod"]["volumes"] == [
        "var-lib-todo-list:/var/lib/todo-list"
    ]
    assert "var-lib-todo-list" in compose["volumes"]
    assert "/var/lib/todo-list" not in (project / ".dockerignore").read_text()
    assert "-v /var/lib/todo-list" in (project / "DOCKER.md").read_text()


@pytest.mark.parametrize("path", ["/etc", "/var/lib/", "/usr/local", "/tmp", "/app"])
def test_a_system_folder_is_refused_in_one_line(tmp_path: Path, path: str) -> None:
    project, result = _init(tmp_path, "node-sqlite", f"writable_paths=data {path}")
    line = assert_one_line_error(result)
    assert f"cannot make the system folder {path} writable" in line, line
    assert not (project / "Dockerfile").exists()
    assert_nothing_written(tmp_path, "svc")
