"""The command-line contract: exit codes, one-line errors, nothing written on failure."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import (
    assert_nothing_written,
    assert_one_line_error,
    git,
    git_save,
    read_answers,
    run_scaffold,
    scaffold_env,
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
        (["--data", "image=docker.io/acme/billing"], "Docker Hub images are namespace/name"),
        # The missing namespace, not the format, is what is wrong with a bare name.
        (["--data", "image=web-site"], "Docker Hub images are namespace/name, e.g. acme/web-site"),
        (["--data", "registry=ghcr", "--data", "image=acme/billing"], "GHCR images start with"),
        (["--data", "language=cobol"], "language must be one of: python, node"),
        (["--data", "serving=nginx"], "serving must be one of: gunicorn, uvicorn, python"),
        (["--data", "language=node", "--data", "package_manager=uv"], "package_manager must be"),
        (["--data", "project_name=Billing_API"], "project_name must be kebab-case"),
        # Leading digits are a valid name, except for a new Rust crate (Cargo refuses them).
        (
            ["--data", "project_name=101-app", "--data", "language=rust"],
            "a Rust crate name cannot start with a digit",
        ),
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
        (["--data", "registry=ecr", "--data", "image=acme/billing"], "image: ECR images start"),
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


def _path_with(home: Path, **scripts: str) -> str:
    """A PATH of git and the given fake programs (name -> shell script body), nothing else."""
    folder = home / "bin"
    folder.mkdir(exist_ok=True)
    git = shutil.which("git")
    assert git
    (folder / "git").symlink_to(git)
    for name, body in scripts.items():
        (folder / name).write_text(f"#!/bin/sh\n{body}\n")
        (folder / name).chmod(0o755)
    return str(folder)


def test_dry_run_says_when_the_package_manager_is_missing(home: Path) -> None:
    result = run_scaffold(
        "new", "svc", "--defaults", "--data", "language=node", "--dry-run",
        home=home, env={"PATH": _path_with(home)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "create  package-lock.json (not created: npm is missing)" in result.stdout
    assert "npm is needed to create package-lock.json and is not installed" in result.stderr
    assert_nothing_written(home)


# How the lock tools fail when the network or a package is not there: the cause comes first,
# a wrap-up line (a hint, the log file's path) last.
FAILED_LOCKS = {
    "uv": (
        "echo 'Resolving dependencies' >&2\n"
        "echo 'error: Failed to download cpython-3.14.0' >&2\n"
        "echo '  Caused by: failed to lookup address information' >&2\n"
        "echo 'hint: see the docs' >&2\nexit 2",
        "lock  uv.lock: running uv lock --quiet",
        "failed: error: Failed to download cpython-3.14.0 (Caused by: failed to lookup address",
        "see the docs",
    ),
    "npm": (
        "echo 'npm warn config production Use --omit=dev instead.' >&2\n"
        "echo 'npm error code E404' >&2\n"
        "echo 'npm error 404 Not Found - GET https://registry.npmjs.org/left-pad-x' >&2\n"
        "echo 'npm error A complete log of this run can be found in: /root/.npm/x.log' >&2\n"
        "exit 1",
        "lock  package-lock.json: running npm install --package-lock-only",
        "failed: npm error code E404 (404 Not Found - GET https://registry.npmjs.org/left-pad-x)",
        "complete log",
    ),
}


@pytest.mark.parametrize("tool", sorted(FAILED_LOCKS))
def test_a_failed_lock_step_shows_what_ran_and_its_first_error(home: Path, tool: str) -> None:
    script, progress, first, last = FAILED_LOCKS[tool]
    language = "python" if tool == "uv" else "node"
    result = run_scaffold(
        "new", "svc", "--defaults", "--data", f"language={language}",
        "--data", f"package_manager={tool}",
        home=home, env={"PATH": _path_with(home, **{tool: script})},
    )  # fmt: skip
    line = assert_one_line_error(result)
    assert progress in result.stdout, "no progress line while the tool runs"
    assert first in line and last not in line
    assert "nothing was written: fix that and rerun, or choose another package_manager" in line
    assert_nothing_written(home)


@pytest.mark.parametrize(
    ("engine", "env", "warned"),
    [
        ("20.10.24+dfsg1", {}, "Docker Engine 20.10.24+dfsg1 builds this Dockerfile only with"),
        ("20.10.24", {"DOCKER_BUILDKIT": "1"}, ""),
        ("17.03.2", {"DOCKER_BUILDKIT": "1"}, "Docker Engine 17.03.2 cannot build this"),
        ("28.5.2", {}, ""),
    ],
)
def test_new_warns_when_the_local_engine_cannot_build_the_dockerfile(
    home: Path, engine: str, env: dict[str, str], warned: str
) -> None:
    docker = f'[ "$1" = version ] && echo "{engine}"'
    path = _path_with(home, docker=docker)
    result = run_scaffold(
        "new", "svc", "--defaults", "--data", "ci=none", home=home, env={"PATH": path, **env}
    )
    assert result.returncode == 0, result.stderr
    warnings = result.stderr.strip().splitlines()
    if warned:
        assert len(warnings) == 1 and warnings[0].startswith("warning: ") and warned in warnings[0]
    else:
        assert warnings == []
    assert "DOCKER_BUILDKIT=1" in (home / "svc/README.md").read_text(), "README names no minimum"


@pytest.mark.parametrize(
    ("engine", "warned"),
    [
        ("28.2.2", "Docker Engine 28.2.2 builds this Dockerfile's `COPY --exclude` only with"),
        ("27.5.1", "`# syntax=docker/dockerfile:1.19` as its first line"),
        ("28.5.2", ""),
        ("29.1.0", ""),
    ],
)
def test_init_warns_when_the_local_engine_lacks_copy_exclude(
    home: Path, engine: str, warned: str
) -> None:
    project = home / "orders"
    project.mkdir()
    (project / "go.mod").write_text("module example.com/orders\n\ngo 1.27\n")
    (project / "main.go").write_text("package main\n\nfunc main() {}\n")
    git(project, "init", "--quiet", "--initial-branch=main")
    git_save(project, "the team's project")
    path = _path_with(home, docker=f'[ "$1" = version ] && echo "{engine}"')
    result = run_scaffold("init", project, "--defaults", home=home, env={"PATH": path})
    assert result.returncode == 0, result.stderr
    assert "--exclude=.git" in (project / "Dockerfile").read_text()
    warnings = result.stderr.strip().splitlines()
    if warned:
        assert len(warnings) == 1 and warnings[0].startswith("warning: ") and warned in warnings[0]
    else:
        assert warnings == []


def test_debug_is_accepted_after_the_subcommand(home: Path) -> None:
    result = run_scaffold("new", "svc", "--defaults", "--debug", "--data", "ci=none", home=home)
    assert result.returncode == 0, result.stderr
    for args in (["update", home / "nowhere", "--debug"], ["--debug", "update", home / "nowhere"]):
        result = run_scaffold(*args, home=home)
        assert result.returncode == 1 and "usage:" not in result.stderr
        assert "Traceback" in result.stderr and "has no .copier-answers.yml" in result.stderr


def test_a_closed_stdout_after_a_successful_write_is_not_an_error(home: Path) -> None:
    """`scaffold new svc --defaults | head -1`: the reader leaves, the service is complete."""
    reader, writer = os.pipe()
    os.close(reader)  # the reader has gone before scaffold prints its first line
    try:
        result = subprocess.run(
            [sys.executable, "-m", "scaffold", "new", "svc", "--defaults"],
            cwd=home,
            env=scaffold_env(home),
            stdin=subprocess.DEVNULL,
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        os.close(writer)
    assert result.returncode in (0, 141) and result.stderr == ""
    assert read_answers(home / "svc")["project_name"] == "svc"
    assert (home / "svc/Dockerfile").is_file() and (home / "svc/tests/test_main.py").is_file()


def test_the_readme_install_line_for_uv_installs_a_working_scaffold(tmp_path: Path) -> None:
    """The README's install block, run as written (uv's line: no system Python is touched), then
    `scaffold new` with the defaults on a machine that has no uv of its own."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    lines = [line.split("#")[0].strip() for line in readme.splitlines()]
    assert "pipx install ." in lines and any("-m venv" in line for line in lines)
    assert "uv tool install ." in lines
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    assert uv, "uv is not installed: run `pip install .[test]`"
    env = {
        **os.environ,
        "UV_TOOL_DIR": str(tmp_path / "tools"),
        "UV_TOOL_BIN_DIR": str(tmp_path / "bin"),
    }
    installed = subprocess.run(
        [uv, "tool", "install", "."],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    result = subprocess.run(
        [str(tmp_path / "bin/scaffold"), "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout.startswith("scaffold ")
    # The next README line, on a PATH with git and no uv: the default service (pip, locked with
    # hashes) needs uv, which the install brings.
    tools = tmp_path / "path"
    tools.mkdir()
    (tools / "git").symlink_to(shutil.which("git") or "git")
    made = subprocess.run(
        [str(tmp_path / "bin/scaffold"), "new", "svc", "--defaults", "--data", "ci=none"],
        cwd=tmp_path,
        env={**scaffold_env(tmp_path), "PATH": str(tools)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    assert "--hash=sha256:" in (tmp_path / "svc/requirements.txt").read_text()


@pytest.mark.parametrize("command", ["new", "init"])
def test_a_folder_name_with_leading_digits_keeps_them(command: str, home: Path) -> None:
    """`101-app` names the service, its image and its compose service; no digit is dropped."""
    if command == "init":
        (home / "101-app").mkdir()
        (home / "101-app/package.json").write_text('{"scripts": {"start": "node server.js"}}')
        (home / "101-app/server.js").write_text("require('http').createServer().listen(3000)\n")
    result = run_scaffold(command, "101-app", "--defaults", "--data", "ci=none", home=home)
    assert result.returncode == 0, result.stderr
    answers = read_answers(home / "101-app")
    assert (answers["project_name"], answers["image"]) == ("101-app", "example/101-app")
    assert yaml.safe_load((home / "101-app/compose.yaml").read_text())["services"].keys() >= {
        "101-app"
    }
