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


def test_a_uv_workspace_member_is_told_where_its_lockfile_is(tmp_path: Path, home: Path) -> None:
    root = tmp_path / "platform"
    member = root / "packages" / "api"
    member.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "platform"\nversion = "0"\n\n'
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n'
    )
    (root / "uv.lock").write_text('version = 1\nrequires-python = ">=3.12"\n')
    (member / "pyproject.toml").write_text(
        '[project]\nname = "api"\nversion = "0"\ndependencies = ["fastapi", "uvicorn"]\n'
    )
    (member / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    result = run_scaffold("init", member, "--defaults", "--dry-run", home=home)
    assert result.returncode == 0, result.stderr
    assert "a member of the uv workspace at ../..: its lockfile is ../../uv.lock" in result.stdout
    assert "no uv.lock: " not in result.stdout
