"""`scaffold init`: detection on fixture projects, never clobbering a file, and forks of the
template (`--template`, `scaffold template export`) that `scaffold update` follows."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import (
    LOCKFILES,
    assert_one_line_error,
    combinations,
    combo_id,
    git,
    git_save,
    hadolint_findings,
    read_answers,
    render,
    run_scaffold,
    tree,
)

PROJECTS = Path(__file__).resolve().parent / "projects"

# What each fixture project is, as detection must read it (answers it cannot read are absent).
DETECTED: dict[str, dict[str, Any]] = {
    "uv-workspace": {
        "language": "python",
        "package_manager": "uv",
        "language_version": "3.14",
        "serving": "uvicorn",
        "entrypoint": "app.main:app",
        "dev_test_prod": True,
        "project_name": "catalog-api",
        "service_dir": "backend",
        "workspace_member": "backend",
        "workspace_package": "catalog-api",
    },
    # npm, pnpm and Yarn workspaces: the server uses a sibling package that builds first.
    "node-pnpm-workspace": {
        "language": "node",
        "package_manager": "pnpm",
        "serving": "node",
        "entrypoint": "dist/main.js",
        "build_script": True,
        "dev_test_prod": True,
        "project_name": "api",
        "service_dir": "apps/api",
        "workspace_member": "apps/api",
        "workspace_package": "@shelf/api",
        "workspace_builds": "@shelf/shared",
    },
    # create-turbo's shape: a Next.js app whose UI package ships TypeScript source.
    "node-next-workspace": {
        "language": "node",
        "package_manager": "pnpm",
        "serving": "next",
        "next_standalone": False,
        "dev_test_prod": False,
        "project_name": "web",
        "service_dir": "apps/web",
        "workspace_member": "apps/web",
        "workspace_package": "web",
    },
    **{
        name: {
            "language": "node",
            "package_manager": manager,
            "serving": "node",
            "entrypoint": "src/server.js",
            "build_script": False,
            "dev_test_prod": True,
            "project_name": "server",
            "service_dir": "packages/server",
            "workspace_member": "packages/server",
            "workspace_package": "@tasks/server",
            "workspace_builds": "@tasks/core",
            **({"yarn_classic": classic} if manager == "yarn" else {}),
        }
        for name, manager, classic in [
            ("node-npm-workspace", "npm", None),
            ("node-yarn-workspace", "yarn", False),
            ("node-yarn1-workspace", "yarn", True),
        ]
    },
    "python-flask": {
        "language": "python",
        "package_manager": "pip",
        "language_version": "3.11",
        "serving": "gunicorn",
        "entrypoint": "greeter.web:app",
        "add_server": False,
        "dev_test_prod": True,
    },
    "python-uv-fastapi": {
        "language": "python",
        "package_manager": "uv",
        "language_version": "3.13",
        "serving": "uvicorn",
        "entrypoint": "src.catalog.main:api",
        "dev_test_prod": True,
        "project_name": "catalog-service",
    },
    "python-poetry-worker": {
        "language": "python",
        "package_manager": "poetry",
        "language_version": "3.14",
        "serving": "python",
        "entrypoint": "jobs",
        "dev_test_prod": False,
        "project_name": "nightly-jobs",
    },
    # Spring 2024 pins of compiled packages (numpy 1.26.4, psycopg2-binary 2.9.9: wheels up to
    # CPython 3.12) in poetry.lock, pytest in an optional Poetry group.
    "python-poetry-pins": {
        "language": "python",
        "package_manager": "poetry",
        "language_version": "3.12",
        "serving": "gunicorn",
        "entrypoint": "reports.app:app",
        "add_server": False,
        "dev_test_prod": True,
        "project_name": "reports-api",
    },
    # The Flask tutorial's shape: an application factory, pytest in an optional extra, runtime.txt.
    "python-flask-factory": {
        "language": "python",
        "package_manager": "uv",
        "language_version": "3.12",
        "serving": "gunicorn",
        "entrypoint": "flaskr:create_app()",
        "add_server": True,
        "writable_paths": "instance",
        "dev_test_prod": True,
        "project_name": "flaskr",
    },
    # TypeScript compiled by tsc: the image builds it and starts dist/index.js (node_build_step).
    "node-ts-express": {
        "language": "node",
        "package_manager": "npm",
        "serving": "node",
        "build_script": True,
        "entrypoint": "dist/index.js",
        "port": 4000,
        "dev_test_prod": True,
        "project_name": "inventory-api",
    },
    # Nest's layout: `nest start`, and `node dist/main` (no extension) for production.
    "node-nest": {
        "language": "node",
        "serving": "node",
        "build_script": True,
        "entrypoint": "dist/main.js",
        "port": 3000,
        "project_name": "billing-service",
    },
    # express-generator: the server is ./bin/www, a script without an extension; app.js only
    # exports the app. No build script: nothing is compiled.
    "node-express-generator": {
        "language": "node",
        "serving": "node",
        "entrypoint": "bin/www",
        "build_script": False,
        "port": 3000,
        "dev_test_prod": False,
        "project_name": "shop-front",
    },
    # MDN's LocalLibrary shape: STATIC_ROOT with WhiteNoise, an old gunicorn pin, uploads in
    # MEDIA_ROOT, the secret key from the environment with a development default.
    "django-site": {
        "language": "python",
        "package_manager": "pip",
        "serving": "gunicorn",
        "entrypoint": "locallibrary.wsgi:application",
        "collectstatic": True,
        "build_env": "",
        "writable_paths": "media",
        "add_server": False,
        "dev_test_prod": False,
    },
    "node-express": {
        "language": "node",
        "package_manager": "npm",
        "language_version": "22",
        "serving": "node",
        "entrypoint": "server.js",
        "build_script": False,
        "port": 8081,
        "dev_test_prod": True,
        "project_name": "orders",
    },
    # A Fastify TypeScript starter from pnpm 7's days: a 5.4 lockfile, no packageManager pin, so
    # corepack's own pnpm would refuse the lockfile; the image pins the pnpm 7 that reads it.
    "node-fastify-pnpm7": {
        "language": "node",
        "package_manager": "pnpm",
        "pnpm_version": "7.33.7",
        "serving": "node",
        "build_script": True,
        "entrypoint": "dist/index.js",
        "port": 3000,
        "dev_test_prod": True,
        "project_name": "orders-api",
    },
    # No `output: "standalone"` (only in a comment): the image runs `next start`.
    "node-next": {
        "language": "node",
        "package_manager": "pnpm",
        "language_version": "22",
        "serving": "next",
        "next_standalone": False,
        "project_name": "storefront",
    },
    "static-vite": {
        "language": "static",
        "package_manager": "yarn",
        "yarn_classic": True,
        "serving": "nginx",
        "entrypoint": "dist",
        "project_name": "marketing-site",
    },
    # docker/getting-started's shape: Express on Yarn 1 (a v1 yarn.lock, a .yarnrc, resolutions),
    # no SIGTERM handler, and a folder name with leading digits.
    "node-yarn-classic": {
        "language": "node",
        "package_manager": "yarn",
        "yarn_classic": True,
        "serving": "node",
        "entrypoint": "src/index.js",
        "build_script": False,
        "port": 3000,
        "dev_test_prod": True,
        "project_name": "101-todo-app",
        "native_modules": False,
    },
    # The same app on npm with sqlite3, whose addon compiles when no prebuilt binary downloads;
    # package.json approves its install script (npm 12 skips unapproved ones).
    "node-sqlite": {
        "language": "node",
        "package_manager": "npm",
        "language_version": "24",
        "serving": "node",
        "entrypoint": "src/index.js",
        "port": 3000,
        "dev_test_prod": True,
        "native_modules": True,
        "writable_paths": "/var/lib/todo-list",
        "project_name": "todo-list",
    },
    "go-cmd": {
        "language": "go",
        "language_version": "1.24",
        "entrypoint": "./cmd/api",
        "project_name": "inventory",
    },
    "rust-bin": {
        "language": "rust",
        "language_version": "1.88",
        "entrypoint": "ledger-server",
        "project_name": "ledger",
    },
    "java-maven": {
        "language": "java",
        "package_manager": "maven",
        "language_version": "21",
        "entrypoint": "com.acme.billing.Server",
        "project_name": "billing-engine",
    },
    "java-gradle": {
        "language": "java",
        "package_manager": "gradle",
        "language_version": "17",
        "entrypoint": "org.example.Main",
        "project_name": "payments",
    },
    "dotnet-api": {
        "language": "dotnet",
        "language_version": "8.0",
        "entrypoint": "src/Shop.Api/Shop.Api.csproj",
        "project_name": "shop-api",
    },
    "php-slim": {
        "language": "php",
        "language_version": "8.5",
        "dev_test_prod": False,
        "project_name": "quotes",
    },
    "ruby-rails": {
        "language": "ruby",
        "language_version": "3.3",
        "port": 3000,
        "writable_paths": "tmp log",
    },
}


def _project(name: str, where: Path, *, commit: bool = True) -> Path:
    """A copy of fixture NAME in WHERE, committed to git like a real project."""
    project = where / name
    shutil.copytree(PROJECTS / name, project, symlinks=True)
    if commit:
        git(project, "init", "--quiet", "--initial-branch=main")
        git_save(project, "the team's project")
    return project


def _init(project: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_scaffold("init", project, *args, home=home)


def test_every_fixture_has_its_expectations() -> None:
    assert sorted(DETECTED) == sorted(p.name for p in PROJECTS.iterdir())


@pytest.mark.parametrize("name", sorted(DETECTED))
def test_init_detects_the_project_and_writes_only_the_docker_setup(
    name: str, tmp_path: Path, home: Path
) -> None:
    project = _project(name, tmp_path)
    expected = DETECTED[name]
    # A workspace member's fixture is the whole repository: init runs in the member's folder,
    # writes its files there (the ignore rules beside its Dockerfile) and the CI files at the root.
    folder = expected.get("service_dir", "")
    service = project / folder if folder else project
    before = tree(project, skip={".git"})
    result = _init(service, home, "--defaults")
    assert result.returncode == 0, result.stderr
    answers = read_answers(service)
    assert {k: answers.get(k) for k in expected} == expected
    assert answers["include_app"] is False
    after = tree(project, skip={".git"})
    assert {k: v for k, v in after.items() if k in before} == before, "a project file changed"
    added = sorted(set(after) - set(before))
    ignore = "Dockerfile.dockerignore" if folder else ".dockerignore"
    own = {".copier-answers.yml", "DOCKER.md", ignore, "Dockerfile", "compose.yaml", "nginx.conf"}
    prefix = f"{folder}/" if folder else ""
    workflow = f"{answers['project_name']}.yml" if folder else "docker-publish.yml"
    allowed = {prefix + f for f in own} | {
        ".github/dependabot.yml",
        f".github/workflows/{workflow}",
    }
    # The lockfile the Dockerfile installs from, when the project had none: made and announced.
    locked = {f for f in added if f in LOCKFILES}
    for lockfile in locked:
        assert f"{lockfile} created with" in result.stdout
    assert set(added) - locked <= allowed, f"not Docker setup: {set(added) - allowed - locked}"
    assert {prefix + f for f in ("Dockerfile", ignore, "compose.yaml")} <= set(added)
    assert hadolint_findings(service) == ""
    for key in ("entrypoint", "language_version"):
        if key in expected:
            assert str(expected[key]) in (service / "Dockerfile").read_text()


@pytest.mark.parametrize("answers", list(combinations(include_app=False)), ids=combo_id)
def test_every_existing_project_setup_is_hadolint_clean(
    answers: dict[str, Any], tmp_path: Path
) -> None:
    folder = render(answers, tmp_path / "svc")
    written = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    skeleton = {"README.md", ".gitignore", "src", "app", "Api", "lib", "public", "test", "tests"}
    assert not {w.split("/")[0] for w in written} & skeleton, sorted(written)
    assert hadolint_findings(folder) == ""


def test_an_existing_file_is_never_overwritten_without_being_asked(
    tmp_path: Path, home: Path
) -> None:
    project = _project("python-flask", tmp_path, commit=False)
    (project / "Dockerfile").write_text('FROM python:3.11\nCMD ["python", "-m", "greeter"]\n')
    git(project, "init", "--quiet", "--initial-branch=main")
    git_save(project, "with an old Dockerfile")
    before = tree(project, skip={".git"})

    refused = _init(project, home, "--defaults")
    message = assert_one_line_error(refused)
    assert "Dockerfile" in message and "--force" in message
    assert re.search(r"conflict\s+Dockerfile", refused.stdout)
    assert tree(project, skip={".git"}) == before, "a refused init wrote files"

    dry = _init(project, home, "--defaults", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert re.search(r"conflict\s+Dockerfile", dry.stdout)
    assert re.search(r"create\s+compose.yaml", dry.stdout)
    assert '-CMD ["python", "-m", "greeter"]' in dry.stdout, "the diff is shown"
    assert tree(project, skip={".git"}) == before, "--dry-run wrote files"

    forced = _init(project, home, "--defaults", "--force")
    assert forced.returncode == 0, forced.stderr
    assert re.search(r"overwrite\s+Dockerfile", forced.stdout)
    assert "greeter.web:app" in (project / "Dockerfile").read_text()
    old = git(project, "show", "HEAD:Dockerfile")
    assert old == before["Dockerfile"].decode(), "git gives the old Dockerfile back"


def test_dry_run_shows_what_was_detected_where_and_its_warnings(tmp_path: Path, home: Path) -> None:
    project = _project("node-express", tmp_path, commit=False)
    (project / "package-lock.json").unlink()
    result = _init(project, home, "--defaults", "--dry-run")
    assert result.returncode == 0, result.stderr
    table = result.stdout.split("create", 1)[0]
    assert f"scaffold init read from {project}:" in table
    for row in [
        r"project_name +orders +\(package\.json\)",
        r"language_version +22 +\(\.nvmrc\)",
        r"entrypoint +server\.js +\(package\.json: scripts\.start\)",
        r"port +8081 +\(server\.js\)",
    ]:
        assert re.search(row, table), row
    assert "warning: no lockfile: the image installs exactly what package-lock.json pins" in table
    assert not (project / "Dockerfile").exists()


def test_files_already_as_generated_are_identical_and_not_rewritten(
    tmp_path: Path, home: Path
) -> None:
    project = _project("go-cmd", tmp_path)
    assert _init(project, home, "--defaults").returncode == 0
    (project / ".copier-answers.yml").unlink()
    again = _init(project, home, "--defaults")
    assert again.returncode == 0, again.stderr
    assert re.search(r"identical\s+Dockerfile", again.stdout)
    assert re.search(r"create\s+\.copier-answers\.yml", again.stdout)


def test_init_refuses_a_project_already_set_up_and_an_app_skeleton(
    tmp_path: Path, home: Path
) -> None:
    project = _project("go-cmd", tmp_path)
    assert _init(project, home, "--defaults").returncode == 0
    message = assert_one_line_error(_init(project, home, "--defaults"))
    assert "scaffold update" in message
    other = _project("rust-bin", tmp_path)
    message = assert_one_line_error(_init(other, home, "--defaults", "--data", "include_app=true"))
    assert "include_app" in message
    assert not (other / "Dockerfile").exists()
    message = assert_one_line_error(_init(tmp_path / "missing", home, "--defaults"))
    assert "scaffold new" in message


def test_no_lockfile_is_reported_and_a_symlink_loop_does_not_hang(
    tmp_path: Path, home: Path
) -> None:
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "package.json").write_text(
        json.dumps({"name": "loop", "scripts": {"start": "node src/server.js"}})
    )
    (project / "src/server.js").write_text("require('http').createServer().listen(3000)\n")
    (project / "src/again").symlink_to(project)  # a loop
    (project / "latin1.js").write_bytes("// caf\xe9\n".encode("latin-1"))
    result = _init(project, home, "--defaults")
    assert result.returncode == 0, result.stderr
    # The Dockerfile installs from the lockfile: init makes it, as scaffold new does.
    assert "package-lock.json created with `npm install --package-lock-only" in result.stdout
    assert "no lockfile" not in result.stdout
    assert json.loads((project / "package-lock.json").read_text())["name"] == "loop"
    assert read_answers(project)["entrypoint"] == "src/server.js"


@pytest.mark.parametrize("resolvable", [True, False], ids=["locks", "cannot-lock"])
def test_a_python_project_without_its_lockfile_gets_one_or_is_told_why_not(
    tmp_path: Path, home: Path, resolvable: bool
) -> None:
    project = tmp_path / "blog"
    (project / "blog").mkdir(parents=True)
    (project / "blog/__init__.py").write_text("from flask import Flask\n\napp = Flask(__name__)\n")
    dependency = "" if resolvable else '"no-such-package-scaffold-tests==0.0.1"'
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "blog"\nversion = "1.0.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{dependency}]\n"
    )
    git(project, "init", "--quiet", "--initial-branch=main")
    git_save(project, "the team's project")
    result = _init(project, home, "--defaults", "--data", "language=python")
    assert result.returncode == 0, result.stderr
    assert read_answers(project)["package_manager"] == "uv"
    if resolvable:
        assert "uv.lock created with `uv lock --quiet`: commit it" in result.stdout
        assert "[[package]]" in (project / "uv.lock").read_text()
    else:  # the files are written; the next steps say what stopped the lock
        assert "uv.lock could not be made (" in result.stdout, result.stdout
        assert not (project / "uv.lock").exists()
        assert (project / "Dockerfile").is_file()


BERRY_LOCK = (
    '# This file is generated by running "yarn install" inside your project.\n\n'
    "__metadata:\n  version: 8\n"
)
CLASSIC_LOCK = (
    "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n"
)


@pytest.mark.parametrize(
    ("files", "package_manager", "classic"),
    [
        ({"yarn.lock": CLASSIC_LOCK}, None, True),
        ({"yarn.lock": BERRY_LOCK, ".yarnrc.yml": "nodeLinker: node-modules\n"}, None, False),
        ({}, "yarn@1.22.19", True),  # no lockfile yet: corepack's pin says which
        ({"yarn.lock": CLASSIC_LOCK}, "yarn@4.5.0", False),  # migrating: the pin runs
        ({"yarn.lock": "", ".yarnrc": "network-timeout 600000\n"}, None, True),
    ],
    ids=["v1-lockfile", "berry-lockfile", "pinned-1", "pinned-4", "yarnrc"],
)
def test_yarn_classic_and_berry_each_get_the_install_that_works_for_them(
    files: dict[str, str], package_manager: str | None, classic: bool, tmp_path: Path, home: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    package: dict[str, Any] = {"name": "web", "scripts": {"start": "node server.js"}}
    if package_manager:
        package["packageManager"] = package_manager
    (project / "package.json").write_text(json.dumps(package))
    (project / "server.js").write_text("require('http').createServer().listen(3000)\n")
    for name, text in files.items():
        (project / name).write_text(text)
    result = _init(project, home, "--defaults", "--data", "package_manager=yarn")
    assert result.returncode == 0, result.stderr
    assert read_answers(project)["yarn_classic"] is classic
    dockerfile = (project / "Dockerfile").read_text()
    if classic:
        assert "yarn install --frozen-lockfile --production" in dockerfile
        assert ".yarnrc.yml" not in dockerfile and "--immutable" not in dockerfile
        assert "corepack enable" not in dockerfile  # newer Node.js images have no corepack
    else:
        assert "yarn workspaces focus --all --production" in dockerfile
        assert "COPY package.json yarn.lock .yarnrc.yml ./" in dockerfile
    assert hadolint_findings(project) == ""


@pytest.mark.parametrize(
    ("lockfile_version", "package_manager", "pinned"),
    [
        ("5.4", None, "7.33.7"),
        ("'5.3'", None, "7.33.7"),
        ("'6.0'", None, "8.15.9"),
        ("'9.0'", None, ""),
        ("5.4", "pnpm@7.33.7", ""),
    ],
    ids=["pnpm7-lockfile", "pnpm6-lockfile", "pnpm8-lockfile", "current-lockfile", "pinned"],
)
def test_an_older_pnpm_lockfile_gets_the_pnpm_that_reads_it(
    lockfile_version: str, package_manager: str | None, pinned: str, tmp_path: Path, home: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    package: dict[str, Any] = {"name": "api", "scripts": {"start": "node server.js"}}
    if package_manager:
        package["packageManager"] = package_manager
    (project / "package.json").write_text(json.dumps(package))
    (project / "server.js").write_text("require('http').createServer().listen(3000)\n")
    (project / "pnpm-lock.yaml").write_text(f"lockfileVersion: {lockfile_version}\n\n")
    result = _init(project, home, "--defaults")
    assert result.returncode == 0, result.stderr
    answers = read_answers(project)
    assert answers["package_manager"] == "pnpm"
    assert answers["pnpm_version"] == pinned
    dockerfile = (project / "Dockerfile").read_text()
    installs = r"npm install --global corepack@[0-9.]+ \\\n && corepack enable pnpm"
    assert re.search(installs, dockerfile)  # newer Node.js images have no corepack of their own
    if pinned:
        assert f"corepack prepare pnpm@{pinned} --activate" in dockerfile
    else:
        assert "corepack prepare" not in dockerfile
    assert hadolint_findings(project) == ""


def test_a_pnpm_version_that_is_no_release_is_refused_in_one_line(
    tmp_path: Path, home: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "package.json").write_text(json.dumps({"scripts": {"start": "node server.js"}}))
    (project / "server.js").write_text("require('http').createServer().listen(3000)\n")
    (project / "pnpm-lock.yaml").write_text("lockfileVersion: 5.4\n")
    result = _init(project, home, "--defaults", "--data", "pnpm_version=7")
    assert result.returncode == 1
    assert "pnpm_version must be a pnpm release such as 8.15.9" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (project / "Dockerfile").exists()


def test_an_unreadable_folder_is_skipped_and_an_unreadable_project_refused(
    tmp_path: Path, home: Path
) -> None:
    """Root reads every folder: the CLI runs without the capabilities that let it (setpriv)."""
    project = _project("go-cmd", tmp_path, commit=False)
    locked = project / "secrets"
    locked.mkdir()
    (locked / "main.go").write_text("package main\n")
    locked.chmod(0)
    try:
        result = _without_read_override(project, home)
        assert result.returncode == 0, result.stderr
        assert read_answers(project)["entrypoint"] == "./cmd/api"
        (project / ".copier-answers.yml").unlink()
        project.chmod(0o300)  # may write, may not list
        refused = _without_read_override(project, home)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "cannot read" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    finally:
        project.chmod(0o755)
        locked.chmod(0o755)


def _without_read_override(project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    import sys

    from helpers import scaffold_env

    drop = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
    return subprocess.run(
        [*drop, sys.executable, "-m", "scaffold", "init", str(project), "--defaults"],
        capture_output=True,
        text=True,
        env=scaffold_env(home),
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_init_then_update_keeps_the_project_free_of_skeleton_files(
    tmp_path: Path, home: Path
) -> None:
    project = _project("node-express", tmp_path)
    assert _init(project, home, "--defaults").returncode == 0
    git_save(project, "Docker setup")
    before = tree(project, skip={".git"})
    result = run_scaffold("update", project, "--defaults", home=home)
    assert result.returncode == 0, result.stderr
    assert tree(project, skip={".git"}) == before
    assert read_answers(project)["include_app"] is False


# --- forks of the template ------------------------------------------------------------------


def _release(fork: Path, tag: str, old: str, new: str) -> None:
    dockerfile = fork / "dockerfiles/go.jinja"
    text = dockerfile.read_text()
    assert old in text
    dockerfile.write_text(text.replace(old, new))
    git_save(fork, f"release {tag}")
    git(fork, "tag", tag)


def test_a_fork_is_exported_released_used_and_followed_by_update(
    tmp_path: Path, home: Path
) -> None:
    fork = tmp_path / "acme-template"
    exported = run_scaffold("template", "export", fork, home=home)
    assert exported.returncode == 0, exported.stderr
    tags = git(fork, "tag", "--list").split()
    assert "0.3.0" in tags and git(fork, "branch", "--show-current").strip() == "main"
    assert (fork / "copier.yml").is_file()

    # The platform team's base image, released as the fork's 1.0.0.
    ours = "AS base\nLABEL com.acme.team=platform\nWORKDIR /src"
    _release(fork, "1.0.0", "AS base\nWORKDIR /src", ours)
    service = tmp_path / "inventory"
    created = run_scaffold(
        "new",
        service,
        "--defaults",
        "--template",
        str(fork),
        "--data",
        "language=go",
        home=home,
    )
    assert created.returncode == 0, created.stderr
    recorded = read_answers(service)
    assert recorded["_src_path"] == str(fork) and recorded["_commit"] == "1.0.0"
    assert "com.acme.team=platform" in (service / "Dockerfile").read_text()
    git(service, "init", "--quiet", "--initial-branch=main")
    dockerfile = service / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "# the team's own line\n")
    git_save(service, "generated, with an edit")

    _release(fork, "1.1.0", "com.acme.team=platform", "com.acme.team=platform-2")
    updated = run_scaffold("update", service, "--defaults", home=home)
    assert updated.returncode == 0, updated.stderr
    text = dockerfile.read_text()
    assert "com.acme.team=platform-2" in text, "the fork's new release reached the service"
    assert "# the team's own line" in text, "the team's edit survived"
    assert read_answers(service)["_commit"] == "1.1.0"

    project = _project("go-cmd", tmp_path)
    initialised = _init(project, home, "--defaults", "--template", str(fork))
    assert initialised.returncode == 0, initialised.stderr
    assert "com.acme.team=platform-2" in (project / "Dockerfile").read_text()
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["_commit"] == "1.1.0"


def test_a_template_source_that_is_no_release_is_refused_in_one_line(
    tmp_path: Path, home: Path
) -> None:
    message = assert_one_line_error(
        run_scaffold(
            "new", tmp_path / "svc", "--defaults", "--template", str(tmp_path / "nope"), home=home
        )
    )
    assert "cannot read template" in message
    untagged = tmp_path / "untagged"
    untagged.mkdir()
    (untagged / "copier.yml").write_text("project_name: {type: str}\n")
    git(untagged, "init", "--quiet")
    git_save(untagged, "no tag")
    message = assert_one_line_error(
        run_scaffold("new", tmp_path / "svc", "--defaults", "--template", str(untagged), home=home)
    )
    assert "no release tag" in message
    git(untagged, "rm", "--quiet", "copier.yml")
    git_save(untagged, "not a template")
    git(untagged, "tag", "1.0.0")
    message = assert_one_line_error(
        run_scaffold("new", tmp_path / "svc", "--defaults", "--template", str(untagged), home=home)
    )
    assert "has no copier.yml at release 1.0.0" in message
    assert not (tmp_path / "svc").exists()


MANIFEST_NAMES = [
    "package.json",
    "pyproject.toml",
    "requirements.txt",
    "go.mod",
    "Cargo.toml",
    "pom.xml",
    "build.gradle",
    "composer.json",
    "Gemfile",
    "Api.csproj",
    ".nvmrc",
    ".python-version",
    "rust-toolchain.toml",
    "uv.lock",
    "package-lock.json",
]
# Manifests shaped like the real thing, with values of the wrong type where a table belongs.
SHAPED = st.sampled_from(
    [
        '{"name": 1, "scripts": [], "engines": "node", "dependencies": null}',
        '{"workspaces": false, "packageManager": 7, "main": {}}',
        "[project]\nname = 1\ndependencies = 'flask'\nscripts = []\n",
        "[tool.poetry]\ndependencies = []\ngroup = 'dev'\n",
        "[package]\nname = []\n[[bin]]\nname = 3\n",
        "[workspace]\n[package]\nname = 'x'\nrust-version = 1.8\n",
        "[toolchain]\nchannel = 1\n",
        '{"require": "php", "require-dev": [], "name": null}',
        "project = 'x'\n",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    files=st.dictionaries(
        st.sampled_from(MANIFEST_NAMES),
        st.one_of(SHAPED, st.text(max_size=80), st.binary(max_size=40).map(repr)),
        min_size=1,
        max_size=3,
    )
)
def test_detection_of_any_manifest_content_answers_or_refuses_in_one_line(
    files: dict[str, str],
) -> None:
    from scaffold.detect import detect
    from scaffold.errors import ScaffoldError

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch, "proj")
        root.mkdir()
        for name, content in files.items():
            (root / name).write_text(content)
        try:
            found = detect(root, {})
        except ScaffoldError as refused:
            assert "\n" not in str(refused)
            return
        assert all(isinstance(key, str) for key in found.answers)


@pytest.mark.parametrize(
    ("engines", "nvmrc", "tag"),
    [
        # Yarn classic refuses to install on a release the range leaves out: node:10 is 10.24.
        ("~10.15.1", "10.15.1", "10.15"),
        ("10.15.x", None, "10.15"),
        ("10.15.1", None, "10.15.1"),
        # Every release of the major qualifies: the newest (the major's tag) is the one to run.
        ("^10.15.1", "10.15.1", "10"),
        ("18.x", None, "18"),
        ("^20 || ^22", None, "20"),
        # A floor says nothing the default does not meet; .nvmrc's major then stands.
        (">=18", "22.3.0", "22"),
        (None, "v24.1.0", "24"),
    ],
)
def test_node_version_is_the_tag_engines_node_admits(
    tmp_path: Path, engines: str | None, nvmrc: str | None, tag: str
) -> None:
    from scaffold.detect import detect

    package: dict[str, Any] = {"name": "svc", "scripts": {"start": "node server.js"}}
    if engines:
        package["engines"] = {"node": engines}
    (tmp_path / "package.json").write_text(json.dumps(package))
    if nvmrc:
        (tmp_path / ".nvmrc").write_text(nvmrc + "\n")
    assert detect(tmp_path, {}).answers["language_version"] == tag


@pytest.mark.parametrize(
    ("script", "tested"),
    [
        ("jest --watch", False),  # fails at once in a build: no git to watch with
        ("mocha -w test", False),
        ("jest --watchAll=true", False),
        ("jest --watchAll=false", True),
        ("jest --ci", True),
        ("node --test", True),
        ('echo "Error: no test specified" && exit 1', False),
    ],
)
def test_a_test_script_that_watches_for_changes_gets_no_test_stage(
    tmp_path: Path, script: str, tested: bool
) -> None:
    from scaffold.detect import detect

    package = {"name": "svc", "scripts": {"start": "node server.js", "test": script}}
    (tmp_path / "package.json").write_text(json.dumps(package))
    assert detect(tmp_path, {}).answers["dev_test_prod"] is tested


def test_init_in_a_workspace_without_its_lockfile_makes_none_in_the_package(
    tmp_path: Path, home: Path
) -> None:
    """The lockfile is the workspace's: init names the root, and writes no lockfile anywhere."""
    project = _project("node-npm-workspace", tmp_path, commit=False)
    (project / "package-lock.json").unlink()
    git(project, "init", "--quiet", "--initial-branch=main")
    git_save(project, "a workspace not locked yet")
    result = _init(project / "packages/server", home, "--defaults")
    assert result.returncode == 0, result.stderr
    assert "`npm install` in the workspace root" in " ".join(result.stdout.split())
    made = [p for p in project.rglob("package-lock.json") if ".git" not in p.parts]
    assert not made, made
