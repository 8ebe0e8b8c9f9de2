"""Tests that need a database server get no test stage: `docker build` has none to give them.

Shaped like full-stack-fastapi-template: the backend is a folder of a repository whose compose
file, at the repository's root, starts PostgreSQL for the app and for its tests.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from scaffold.detect import detect

from helpers import read_answers, run_scaffold

BACKEND = """[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["fastapi[standard]>=0.114", "sqlmodel>=0.0.21", "psycopg[binary]>=3.1"]

[dependency-groups]
dev = ["pytest>=7.4"]
"""
COMPOSE = "services:\n  {name}:\n    image: {image}\n  backend:\n    build: ./backend\n"


def _repository(root: Path, compose: str | None, *, folder: str = "compose.yml") -> Path:
    """A git repository with the backend in backend/ and COMPOSE at FOLDER (from the root)."""
    (root / "backend").mkdir(parents=True)
    (root / "backend/pyproject.toml").write_text(BACKEND)
    (root / "backend/app.py").write_text("from fastapi import FastAPI\napp = FastAPI()\n")
    if compose is not None:
        (root / folder).parent.mkdir(parents=True, exist_ok=True)
        (root / folder).write_text(compose)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root / "backend"


@pytest.mark.parametrize(
    "image",
    [
        "postgres:18",
        "docker.io/library/mysql:8.4",
        "mcr.microsoft.com/mssql/server:2022-latest",
        "${DB_IMAGE:-postgis/postgis:17-3.5}",
        "bitnami/postgresql:17",
        "mongo:8@sha256:" + "0" * 64,
    ],
)
def test_tests_beside_a_database_in_the_repositorys_compose_file_get_no_test_stage(
    tmp_path: Path, image: str
) -> None:
    service = _repository(tmp_path, COMPOSE.format(name="db", image=json.dumps(image)))
    found = detect(service, {})
    assert found.answers["dev_test_prod"] is False
    assert found.sources["dev_test_prod"].startswith(f"../compose.yml's db ({image})")
    assert any("--data dev_test_prod=yes" in w for w in found.warnings), found.warnings


@pytest.mark.parametrize(
    ("compose", "where"),
    [
        (None, "compose.yml"),
        (COMPOSE.format(name="cache", image="redis:8"), "compose.yml"),  # tests stand in for it
        (COMPOSE.format(name="db", image="postgres-exporter:1"), "compose.yml"),
        ("services: [", "compose.yml"),  # not YAML: not read, no refusal
        ("- a list", "docker-compose.yml"),
        (COMPOSE.format(name="db", image="postgres:18"), "deploy/compose.yml"),  # not above
    ],
)
def test_tests_keep_their_stage_without_a_database_server_above_them(
    tmp_path: Path, compose: str | None, where: str
) -> None:
    service = _repository(tmp_path, compose, folder=where)
    found = detect(service, {})
    assert found.answers["dev_test_prod"] is True, found.sources["dev_test_prod"]


def test_a_compose_file_above_a_folder_outside_any_repository_is_not_the_projects(
    tmp_path: Path,
) -> None:
    (tmp_path / "compose.yml").write_text(COMPOSE.format(name="db", image="postgres:18"))
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/pyproject.toml").write_text(BACKEND)
    assert detect(tmp_path / "svc", {}).answers["dev_test_prod"] is True
    (tmp_path / "svc/docker-compose.yaml").write_text(COMPOSE.format(name="db", image="mysql"))
    assert detect(tmp_path / "svc", {}).answers["dev_test_prod"] is False


def test_init_says_why_and_an_answer_given_keeps_the_test_stage(tmp_path: Path, home: Path) -> None:
    service = _repository(tmp_path / "repo", COMPOSE.format(name="db", image="postgres:18"))
    result = run_scaffold("init", service, "--defaults", "--dry-run", home=home)
    assert result.returncode == 0, result.stderr
    shown = result.stdout + result.stderr
    assert "dev_test_prod" in shown and "../compose.yml's db (postgres:18)" in shown, shown
    result = run_scaffold("init", service, "--defaults", "--data", "dev_test_prod=yes", home=home)
    assert result.returncode == 0, result.stderr
    assert read_answers(service)["dev_test_prod"] is True
    assert "AS test" in (service / "Dockerfile").read_text()
