"""`scaffold init services/api` in a repository of several services: the CI files go where GitHub
reads them (the repository's root), build that folder only, and join the repository's own
dependabot.yml instead of replacing it."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from helpers import git, git_save, lint_workflows, run_scaffold, schema_errors

PROJECTS = Path(__file__).resolve().parent / "projects"

# The repository's own Dependabot config: a worker's pip dependencies and the actions.
THEIRS = """# Dependency updates for the whole repository.
version: 2
updates:
  - package-ecosystem: pip
    directory: /services/worker
    schedule:
      interval: daily
  - package-ecosystem: github-actions
    directory: /
    schedule:
      interval: monthly
"""


def _repository(where: Path) -> Path:
    root = where / "platform"
    shutil.copytree(PROJECTS / "python-flask", root / "services" / "api")
    (root / ".github").mkdir()
    (root / ".github" / "dependabot.yml").write_text(THEIRS)
    git(root, "init", "--quiet", "--initial-branch=main")
    git_save(root, "two services")
    return root


def _updates(text: str) -> list[tuple[str, str]]:
    entries = yaml.safe_load(text)["updates"]
    return [(e["package-ecosystem"], e.get("directory") or e["directories"][0]) for e in entries]


def test_ci_files_go_to_the_repository_root_and_build_the_service_folder(
    tmp_path: Path, home: Path
) -> None:
    root = _repository(tmp_path)
    service = root / "services" / "api"
    result = run_scaffold("init", service, "--defaults", "--force", home=home)
    assert result.returncode == 0, result.stderr
    assert not (service / ".github").exists(), "GitHub never reads a folder's .github"
    workflow = (root / ".github" / "workflows" / "api.yml").read_text()
    spec = yaml.safe_load(workflow)
    assert spec["name"] == "api"
    triggers = spec[True]  # YAML 1.1 reads the `on` key as true
    paths = ["services/api/**", ".github/workflows/api.yml"]
    assert triggers["push"]["paths"] == paths and triggers["pull_request"]["paths"] == paths
    builds = [
        s["with"]
        for j in spec["jobs"].values()
        for s in j["steps"]
        if "context" in s.get("with", {})
    ]
    assert builds and all(b["context"] == "services/api" for b in builds)
    assert lint_workflows({workflow}) == {workflow: []}
    assert "service_dir: services/api" in (service / ".copier-answers.yml").read_text()

    merged = (root / ".github" / "dependabot.yml").read_text()
    assert merged.startswith(THEIRS), "the repository's own entries and comments are kept"
    assert _updates(merged) == [
        ("pip", "/services/worker"),
        ("github-actions", "/"),  # there already: not added twice (Dependabot refuses that)
        ("docker", "/services/api"),
        ("docker-compose", "/services/api"),
        ("pip", "/services/api"),
    ]
    assert schema_errors("vendor.dependabot", "dependabot.yml", merged) == ""
    assert "merged: your entries kept" in result.stdout


def test_without_force_the_merged_dependabot_file_is_a_conflict_that_writes_nothing(
    tmp_path: Path, home: Path
) -> None:
    root = _repository(tmp_path)
    result = run_scaffold("init", root / "services" / "api", "--defaults", home=home)
    assert result.returncode == 1
    assert "../../.github/dependabot.yml" in result.stderr
    assert (root / ".github" / "dependabot.yml").read_text() == THEIRS
    assert not (root / "services" / "api" / "Dockerfile").exists()


def test_a_service_at_the_repository_root_keeps_its_workflow_name(
    tmp_path: Path, home: Path
) -> None:
    project = tmp_path / "greeter"
    shutil.copytree(PROJECTS / "python-flask", project)
    (project / ".github").mkdir()
    (project / ".github" / "dependabot.yml").write_text(THEIRS.replace("/services/worker", "/"))
    git(project, "init", "--quiet", "--initial-branch=main")
    git_save(project, "one service")
    result = run_scaffold("init", project, "--defaults", "--force", home=home)
    assert result.returncode == 0, result.stderr
    assert (project / ".github" / "workflows" / "docker-publish.yml").is_file()
    merged = (project / ".github" / "dependabot.yml").read_text()
    # Their pip entry for / stays as they wrote it; docker and compose entries are added.
    assert _updates(merged) == [
        ("pip", "/"),
        ("github-actions", "/"),
        ("docker", "/"),
        ("docker-compose", "/"),
    ]


def _workspace(where: Path) -> Path:
    """The uv workspace fixture as a git repository: backend/ is the member, frontend/ a sibling."""
    root = where / "catalog"
    shutil.copytree(PROJECTS / "uv-workspace", root)
    (root / ".dockerignore").write_text("frontend/node_modules\n")  # the repository's own
    git(root, "init", "--quiet", "--initial-branch=main")
    git_save(root, "a uv workspace")
    return root


def _copies(dockerfile: str) -> list[str]:
    """The source of each COPY from the build context (not --from another stage)."""
    joined = dockerfile.replace("\\\n", " ")
    return [
        line.split()[-2]
        for line in joined.splitlines()
        if line.startswith("COPY ") and "--from=" not in line
    ]


def test_a_uv_workspace_member_builds_from_the_workspace_root_with_its_lockfile(
    tmp_path: Path, home: Path
) -> None:
    root = _workspace(tmp_path)
    member = root / "backend"
    result = run_scaffold("init", member, "--defaults", home=home)
    assert result.returncode == 0, result.stderr
    answers = yaml.safe_load((member / ".copier-answers.yml").read_text())
    assert answers["workspace_member"] == "backend"
    assert answers["workspace_package"] == "catalog-api"  # uv's normalised name of catalog_api
    dockerfile = (member / "Dockerfile").read_text()
    assert "--mount=type=bind,source=uv.lock,target=uv.lock" in dockerfile
    assert "--mount=type=bind,source=backend/pyproject.toml," in dockerfile
    assert "uv sync --frozen --no-dev --package catalog-api --no-install-workspace" in dockerfile
    # Only the member's folder is copied, never the whole repository.
    assert _copies(dockerfile) == ["backend/", "backend/"]
    # BuildKit reads backend/Dockerfile.dockerignore for backend/Dockerfile: the repository's
    # root .dockerignore is left alone, and the context admits only the lockfile, the manifest
    # and the member.
    assert (root / ".dockerignore").read_text() == "frontend/node_modules\n"
    assert not (member / ".dockerignore").exists()
    ignore = (member / "Dockerfile.dockerignore").read_text().splitlines()
    assert ignore[2:6] == ["*", "!pyproject.toml", "!uv.lock", "!backend"]
    assert "backend/.copier-answers.yml" in ignore and "**/.env" in ignore
    builds = [
        s["build"]
        for s in yaml.safe_load((member / "compose.yaml").read_text())["services"].values()
    ]
    assert [(b["context"], b["dockerfile"], b["target"]) for b in builds] == [
        ("..", "backend/Dockerfile", "dev"),
        ("..", "backend/Dockerfile", "prod"),
    ]
    workflow = (root / ".github" / "workflows" / "catalog-api.yml").read_text()
    spec = yaml.safe_load(workflow)
    steps = [
        s["with"]
        for j in spec["jobs"].values()
        for s in j["steps"]
        if "context" in s.get("with", {})
    ]
    assert steps and all((w["context"], w["file"]) == (".", "backend/Dockerfile") for w in steps)
    assert spec[True]["push"]["paths"] == [
        "backend/**",
        "pyproject.toml",
        "uv.lock",
        ".github/workflows/catalog-api.yml",
    ]
    assert lint_workflows({workflow}) == {workflow: []}
    updates = _updates((root / ".github" / "dependabot.yml").read_text())
    assert ("uv", "/") in updates, "Dependabot reads the workspace's uv.lock at its root"
    assert "docker build --target test --file Dockerfile .." in result.stdout


def test_a_member_two_folders_down_builds_from_two_folders_up(tmp_path: Path, home: Path) -> None:
    root = tmp_path / "platform"
    member = root / "packages" / "api"
    member.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "platform"\nversion = "0"\n\n'
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n'
    )
    (root / "uv.lock").write_text('version = 1\nrequires-python = ">=3.12"\n')
    (member / "pyproject.toml").write_text(
        '[project]\nname = "Orders.API"\nversion = "0"\ndependencies = ["fastapi", "uvicorn"]\n'
    )
    (member / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    result = run_scaffold("init", member, "--defaults", home=home)
    assert result.returncode == 0, result.stderr
    assert "no uv.lock" not in result.stdout
    dockerfile = (member / "Dockerfile").read_text()
    assert "--package orders-api --no-install-workspace" in dockerfile
    assert _copies(dockerfile) == ["packages/api/"]
    build = yaml.safe_load((member / "compose.yaml").read_text())["services"]["orders-api"]["build"]
    assert (build["context"], build["dockerfile"]) == ("../..", "packages/api/Dockerfile")


def test_a_folder_the_workspace_excludes_is_not_a_member(tmp_path: Path, home: Path) -> None:
    root = tmp_path / "platform"
    member = root / "packages" / "legacy"
    member.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[tool.uv.workspace]\nmembers = ["packages/*"]\nexclude = ["packages/legacy"]\n'
    )
    (root / "uv.lock").write_text("version = 1\n")
    (member / "pyproject.toml").write_text(
        '[project]\nname = "legacy"\nversion = "0"\ndependencies = ["fastapi", "uvicorn"]\n'
    )
    (member / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    result = run_scaffold("init", member, "--defaults", "--dry-run", home=home)
    assert result.returncode == 0, result.stderr
    assert "no uv.lock: " in result.stdout
    assert "workspace_member" not in result.stdout.split("Dry run")[0].split("\n\n")[0]


def test_a_workspace_without_a_lockfile_is_told_to_lock_it(tmp_path: Path, home: Path) -> None:
    root = tmp_path / "platform"
    member = root / "api"
    member.mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.uv.workspace]\nmembers = ["api"]\n')
    (member / "pyproject.toml").write_text(
        '[project]\nname = "api"\nversion = "0"\ndependencies = ["fastapi", "uvicorn"]\n'
    )
    (member / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    result = run_scaffold("init", member, "--defaults", "--dry-run", home=home)
    assert result.returncode == 0, result.stderr
    assert "a member of the uv workspace at .., which has no uv.lock: run `uv lock` there" in (
        result.stdout
    )
