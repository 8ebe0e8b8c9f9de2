"""The command-line contract: exit codes, one-line errors, nothing written on failure."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import (
    assert_nothing_written,
    assert_one_line_error,
    read_answers,
    run_scaffold,
)


def test_version_and_help(home: Path) -> None:
    from scaffold.cli import version

    result = run_scaffold("--version", home=home)
    assert result.returncode == 0 and result.stdout.strip() == f"scaffold {version()}"
    for args in (["--help"], ["new", "--help"], ["update", "--help"]):
        result = run_scaffold(*args, home=home)
        assert result.returncode == 0 and "usage: scaffold" in result.stdout


def test_console_script_is_installed(home: Path) -> None:
    script = shutil.which("scaffold", path=str(Path(sys.executable).parent))
    assert script, "the `scaffold` console script is not installed next to python"
    result = subprocess.run([script, "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout.startswith("scaffold ")


def test_defaults_create_a_complete_service(home: Path) -> None:
    result = run_scaffold("new", "billing-api", "--defaults", home=home)
    assert result.returncode == 0, result.stderr
    service = home / "billing-api"
    for name in [
        "Dockerfile",
        ".dockerignore",
        "compose.yaml",
        "README.md",
        "app/main.py",
        "tests/test_main.py",
        ".github/workflows/docker-publish.yml",
    ]:
        assert (service / name).is_file(), name
        assert f"create  {name}" in result.stdout
    answers = read_answers(service)
    assert answers["project_name"] == "billing-api" and answers["language"] == "python"
    assert answers["_src_path"] == "~/.local/share/scaffold/templates.bundle"
    assert "Next steps:" in result.stdout
    assert oct(service.stat().st_mode & 0o777) != oct(0o700), "service folder kept mkdtemp's mode"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--data", "port=0"], "port must be a number from 1 to 65535"),
        (["--data", "port=65536"], "port must be a number from 1 to 65535"),
        (["--data", "port=http"], "port must be a whole number"),
        (["--data", "uid=0"], "uid must be a number from 1 to 65533"),
        (["--data", "uid=-1"], "uid must be a number"),
        (["--data", "image=Acme/Billing"], "image must be a lowercase image reference"),
        (["--data", "image=acme/billing:1.0"], "image must be a lowercase image reference"),
        (["--data", "image=docker.io/acme/billing"], "image for Docker Hub is namespace/name"),
        (["--data", "registry=ghcr", "--data", "image=acme/billing"], "image for GHCR starts"),
        (["--data", "language=cobol"], "language must be one of: python, node"),
        (["--data", "serving=nginx"], "serving must be one of: gunicorn, uvicorn, python"),
        (["--data", "language=node", "--data", "package_manager=uv"], "package_manager must be"),
        (["--data", "project_name=Billing_API"], "project_name must be kebab-case"),
        (["--data", "dev_test_prod=maybe"], "dev_test_prod must be yes or no"),
        (["--data", "colour=blue"], "unknown key colour"),
        (["--data", "serving=python", "--data", "port=8000"], "port does not apply"),
        # `$` in a regex also matches before a final newline: validators anchor with \\Z.
        (["--data", "project_name=billing\n"], "project_name must be kebab-case"),
        (["--data", "image=acme/billing\nRUN id"], "image must be a lowercase image reference"),
        (["--data", "image=acme/billing\n"], "image must be a lowercase image reference"),
        (["--data", "language_version=3.14\n"], "language_version must be a version number"),
        (["--data", "registry=ecr", "--data", "ecr_region=eu-west-1\n"], "ecr_region must be"),
        (
            ["--data", "registry=ecr", "--data", "ecr_role_arn=arn:aws:iam::1:role/x"],
            "ecr_role_arn",
        ),
        (["--data", "registry=gar", "--data", "gar_project=X"], "gar_project must be"),
        (["--data", "registry=acr", "--data", "acr_login_server=acme.io"], "acr_login_server"),
        (["--data", "registry=other", "--data", "registry_host=harbor"], "registry_host must"),
        (["--data", "registry=ecr", "--data", "image=acme/billing"], "image for ECR starts"),
        (["--data", "ci=gitlab", "--data", "registry=ecr"], "registry must be one of"),
        (["--data", "ci=github", "--data", "registry=gitlab"], "registry must be one of"),
        (["--data", "ci=none", "--data", "sign=true"], "sign does not apply"),
    ],
)
def test_bad_answers_are_refused_before_anything_is_written(
    home: Path, args: list[str], expected: str
) -> None:
    line = assert_one_line_error(run_scaffold("new", "svc", "--defaults", *args, home=home))
    assert expected in line
    assert_nothing_written(home)


def test_answers_file_gives_answers_and_data_overrides_it(home: Path) -> None:
    answers = home / "answers.yml"
    answers.write_text("language: node\nport: 4000\nci: none\n")
    result = run_scaffold("new", "svc", "--answers-file", answers, "--data", "port=4100", home=home)
    assert result.returncode == 0, result.stderr
    recorded = read_answers(home / "svc")
    assert (recorded["language"], recorded["port"], recorded["ci"]) == ("node", 4100, "none")
    assert not (home / "svc/.github").exists()


def test_refuses_a_non_empty_directory_unless_forced(home: Path) -> None:
    target = home / "svc"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n")
    line = assert_one_line_error(run_scaffold("new", "svc", "--defaults", home=home))
    assert "not empty" in line and "--force" in line
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]

    result = run_scaffold("new", "svc", "--defaults", "--force", home=home)
    assert result.returncode == 0, result.stderr
    assert (target / "notes.txt").read_text() == "mine\n"
    assert (target / "Dockerfile").is_file()


def test_an_empty_directory_is_fine(home: Path) -> None:
    (home / "svc").mkdir()
    assert run_scaffold("new", "svc", "--defaults", home=home).returncode == 0
    assert (home / "svc/Dockerfile").is_file()


def test_dry_run_lists_files_and_writes_nothing(home: Path) -> None:
    result = run_scaffold(
        "new", "svc", "--defaults", "--data", "language=node", "--dry-run", home=home
    )
    assert result.returncode == 0, result.stderr
    assert "create  Dockerfile" in result.stdout and "create  src/server.js" in result.stdout
    assert "create  package-lock.json (by npm)" in result.stdout
    assert_nothing_written(home)
