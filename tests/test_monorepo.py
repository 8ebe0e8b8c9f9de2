"""`scaffold init services/api` in a repository of several services: the CI files go where GitHub
reads them (the repository's root), build that folder only, and join the repository's own
dependabot.yml instead of replacing it; `scaffold update` keeps them there."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from packaging.version import Version

from scaffold import monorepo

from helpers import (
    git,
    git_save,
    hadolint_findings,
    lint_workflows,
    read_answers,
    run_copier,
    run_scaffold,
    schema_errors,
)

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


def _member_of(root: Path, folder: str, workspace: str, lock: str | None, name: str) -> Path:
    """A uv workspace at ROOT (its pyproject.toml's WORKSPACE table, uv.lock LOCK when given) with
    a FastAPI member NAME in FOLDER; the member's folder."""
    member = root / folder
    member.mkdir(parents=True)
    (root / "pyproject.toml").write_text(workspace)
    if lock is not None:
        (root / "uv.lock").write_text(lock)
    (member / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "0"\ndependencies = ["fastapi", "uvicorn"]\n'
    )
    (member / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    return member


def test_a_member_two_folders_down_builds_from_two_folders_up(tmp_path: Path, home: Path) -> None:
    root = tmp_path / "platform"
    member = _member_of(
        root,
        "packages/api",
        '[project]\nname = "platform"\nversion = "0"\n\n'
        '[tool.uv.workspace]\nmembers = ["packages/*"]\n',
        'version = 1\nrequires-python = ">=3.12"\n',
        "Orders.API",
    )
    result = run_scaffold("init", member, "--defaults", home=home)
    assert result.returncode == 0, result.stderr
    assert "no uv.lock" not in result.stdout
    dockerfile = (member / "Dockerfile").read_text()
    assert "--package orders-api --no-install-workspace" in dockerfile
    assert _copies(dockerfile) == ["packages/api/"]
    build = yaml.safe_load((member / "compose.yaml").read_text())["services"]["orders-api"]["build"]
    assert (build["context"], build["dockerfile"]) == ("../..", "packages/api/Dockerfile")


def test_a_folder_the_workspace_excludes_is_not_a_member(tmp_path: Path, home: Path) -> None:
    member = _member_of(
        tmp_path / "platform",
        "packages/legacy",
        '[tool.uv.workspace]\nmembers = ["packages/*"]\nexclude = ["packages/legacy"]\n',
        "version = 1\n",
        "legacy",
    )
    result = run_scaffold("init", member, "--defaults", "--dry-run", home=home)
    assert result.returncode == 0, result.stderr
    assert "no uv.lock: " in result.stdout
    assert "workspace_member" not in result.stdout.split("Dry run")[0].split("\n\n")[0]


def test_a_workspace_without_a_lockfile_is_told_to_lock_it(tmp_path: Path, home: Path) -> None:
    member = _member_of(
        tmp_path / "platform", "api", '[tool.uv.workspace]\nmembers = ["api"]\n', None, "api"
    )
    result = run_scaffold("init", member, "--defaults", "--dry-run", home=home)
    assert result.returncode == 0, result.stderr
    assert "a member of the uv workspace at .., which has no uv.lock: run `uv lock` there" in (
        result.stdout
    )


# --- scaffold update of a service in a folder ------------------------------------------------

TEAM_STEP = "      - name: Team licence check\n        run: ./scripts/check-licences\n"
CHECKOUT = "          persist-credentials: false\n"


def _template(where: Path, home: Path) -> Path:
    """A template fork with scaffold's releases, as `scaffold template export` writes it."""
    fork = where / "template"
    exported = run_scaffold("template", "export", fork, home=home)
    assert exported.returncode == 0, exported.stderr
    return fork


def _next_release(fork: Path) -> str:
    """The fork's next release: jobs time out after 25 minutes, Dependabot waits 5 days, not 7."""
    workflow = fork / "template/.github/workflows/docker-publish.yml.jinja"
    text = workflow.read_text()
    assert "emulated else 30" in text
    workflow.write_text(text.replace("emulated else 30", "emulated else 25"))
    dependabot = fork / "template/.github/dependabot.yml.jinja"
    text = dependabot.read_text()
    assert "default-days: 7" in text
    dependabot.write_text(text.replace("default-days: 7", "default-days: 5"))
    newest = max(Version(tag) for tag in git(fork, "tag", "--list").split())
    tag = f"{newest.major}.{newest.minor}.{newest.micro + 1}"
    git_save(fork, f"release {tag}")
    git(fork, "tag", tag)
    return tag


def _init(root: Path, folder: str, fork: Path, home: Path) -> Path:
    service = root / folder
    if not service.exists():
        shutil.copytree(PROJECTS / "python-flask", service)
        git_save(root, f"add {folder}")
    result = run_scaffold("init", service, "--defaults", "--force", "--template", fork, home=home)
    assert result.returncode == 0, result.stderr
    git_save(root, f"Docker setup of {folder}")
    return service


def _cooldowns(root: Path) -> dict[tuple[str, str], int]:
    entries = yaml.safe_load((root / ".github/dependabot.yml").read_text())["updates"]
    return {
        (e["package-ecosystem"], e.get("directory") or e["directories"][0]): e.get(
            "cooldown", {}
        ).get("default-days", 0)
        for e in entries
    }


def test_update_from_the_service_folder_merges_the_root_workflow_and_dependabot_entries(
    tmp_path: Path, home: Path
) -> None:
    fork = _template(tmp_path, home)
    root = _repository(tmp_path)
    service = _init(root, "services/api", fork, home)
    workflow = root / ".github/workflows/api.yml"
    assert workflow.read_text().count("timeout-minutes: 30") == 2
    workflow.write_text(workflow.read_text().replace(CHECKOUT, CHECKOUT + TEAM_STEP, 1))
    dockerfile = service / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text() + "# team: reviewed by platform\n")
    git_save(root, "team edits")

    tag = _next_release(fork)
    preview = run_scaffold("update", "--defaults", "--dry-run", home=home, cwd=service)
    assert preview.returncode == 0, preview.stderr
    assert "+++ b/.github/workflows/api.yml" in preview.stdout
    assert "+    timeout-minutes: 25" in preview.stdout
    assert "timeout-minutes: 25" not in workflow.read_text(), "a dry run writes nothing"

    result = run_scaffold("update", "--defaults", home=home, cwd=service)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "update  ../../.github/workflows/api.yml" in result.stdout
    assert "update  ../../.github/dependabot.yml" in result.stdout
    assert read_answers(service)["_commit"] == tag

    text = workflow.read_text()
    assert text.count("timeout-minutes: 25") == 2, "the release's change is in the root workflow"
    assert TEAM_STEP in text, "the team's step is kept"
    assert "<<<<<<<" not in text
    assert lint_workflows({text}) == {text: []}
    assert dockerfile.read_text().endswith("# team: reviewed by platform\n")
    assert not (service / ".github").exists(), "GitHub never reads a folder's .github"
    merged = (root / ".github/dependabot.yml").read_text()
    assert merged.startswith(THEIRS.partition("  - package-ecosystem: github-actions")[0])
    assert _cooldowns(root) == {
        ("pip", "/services/worker"): 0,  # another service's entry, as the repository wrote it
        ("github-actions", "/"): 0,  # the repository's own, shared by every service
        ("docker", "/services/api"): 5,
        ("docker-compose", "/services/api"): 5,
        ("pip", "/services/api"): 5,
    }
    assert schema_errors("vendor.dependabot", "dependabot.yml", merged) == ""

    git_save(root, "update")
    again = run_scaffold("update", "--defaults", home=home, cwd=service)
    assert again.returncode == 0 and "up to date" in again.stdout, again.stdout + again.stderr


def test_a_team_edit_the_release_also_changes_is_a_conflict_in_the_root_workflow(
    tmp_path: Path, home: Path
) -> None:
    fork = _template(tmp_path, home)
    root = _repository(tmp_path)
    service = _init(root, "services/api", fork, home)
    workflow = root / ".github/workflows/api.yml"
    workflow.write_text(workflow.read_text().replace("timeout-minutes: 30", "timeout-minutes: 45"))
    git_save(root, "our builds are slow")

    _next_release(fork)
    result = run_scaffold("update", service, "--defaults", home=home)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "conflicts in ../../.github/workflows/api.yml" in result.stderr
    text = workflow.read_text()
    assert "<<<<<<< before updating" in text and "timeout-minutes: 45" in text
    assert "timeout-minutes: 25" in text
    assert not (service / ".github").exists()


def test_a_second_service_gets_its_own_workflow_and_updates_on_its_own(
    tmp_path: Path, home: Path
) -> None:
    fork = _template(tmp_path, home)
    root = _repository(tmp_path)
    api = _init(root, "services/api", fork, home)
    web = _init(root, "services/web", fork, home)
    workflows = root / ".github/workflows"
    assert sorted(p.name for p in workflows.iterdir()) == ["api.yml", "web.yml"]
    web_spec = yaml.safe_load((workflows / "web.yml").read_text())
    assert web_spec[True]["push"]["paths"] == ["services/web/**", ".github/workflows/web.yml"]
    assert _cooldowns(root)[("pip", "/services/web")] == 7

    _next_release(fork)
    result = run_scaffold("update", web, "--defaults", home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "timeout-minutes: 25" in (workflows / "web.yml").read_text()
    assert "timeout-minutes: 30" in (workflows / "api.yml").read_text(), "api is not updated yet"
    cooldowns = _cooldowns(root)
    assert cooldowns[("pip", "/services/web")] == 5
    assert cooldowns[("pip", "/services/api")] == 7
    assert cooldowns[("pip", "/services/worker")] == 0
    git_save(root, "update web")

    result = run_scaffold("update", api, "--defaults", home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "timeout-minutes: 25" in (workflows / "api.yml").read_text()
    assert _cooldowns(root)[("pip", "/services/api")] == 5
    assert len(_cooldowns(root)) == 8  # worker, actions, and three entries per service
    assert not (api / ".github").exists() and not (web / ".github").exists()


def test_plain_copier_update_in_the_service_folder_leaves_every_github_folder_alone(
    tmp_path: Path, home: Path
) -> None:
    fork = _template(tmp_path, home)
    root = _repository(tmp_path)
    service = _init(root, "services/api", fork, home)
    before = (root / ".github/workflows/api.yml").read_text()
    tag = _next_release(fork)
    # A file the release adds under .github: Copier would otherwise create it in the folder.
    (fork / "template/.github/CODEOWNERS").write_text("* @platform\n")
    git_save(fork, "codeowners")
    git(fork, "tag", "--force", tag)

    result = run_copier("update", "--defaults", "--skip-answered", home=home, cwd=service)
    assert result.returncode == 0, result.stderr
    assert read_answers(service)["_commit"] == tag
    assert not (service / ".github").exists()
    assert (root / ".github/workflows/api.yml").read_text() == before


def _entry(ecosystem: str, folder: str, days: int) -> str:
    return (
        f"  - package-ecosystem: {ecosystem}\n    directory: {folder}\n"
        f"    schedule:\n      interval: weekly\n    cooldown:\n      default-days: {days}\n"
    )


def test_a_dependabot_entry_both_sides_changed_is_marked_and_other_entries_stay() -> None:
    base = "version: 2\nupdates:\n" + _entry("pip", "/services/api", 7)
    new = "version: 2\nupdates:\n" + _entry("pip", "/services/api", 5)
    theirs = (
        "version: 2\nupdates:\n"
        + _entry("npm", "/services/web", 3)
        + _entry("pip", "/services/api", 1)  # the team's own cooldown
    )
    result = monorepo.update_dependabot(
        theirs.encode(), base.encode(), new.encode(), "services/api"
    )
    assert result is not None
    merged, conflicts = result
    text = merged.decode()
    assert conflicts == 1
    assert text.startswith("version: 2\nupdates:\n" + _entry("npm", "/services/web", 3))
    assert "<<<<<<< before updating\n      default-days: 1\n" in text
    assert "=======\n      default-days: 5\n>>>>>>> after updating\n" in text

    # Flow style is valid YAML scaffold does not rewrite: None, and update says to merge by hand.
    flow = b'{"version": 2, "updates": []}\n'
    assert monorepo.update_dependabot(flow, base.encode(), new.encode(), "services/api") is None


def test_scaffold_update_takes_back_what_a_template_without_the_exclusion_writes_in_the_folder(
    tmp_path: Path, home: Path
) -> None:
    """A fork that dropped the `_exclude` line: Copier creates the folder's .github, scaffold
    removes it again and still merges the root files."""
    fork = _template(tmp_path, home)
    root = _repository(tmp_path)
    service = _init(root, "services/api", fork, home)
    copier_yml = fork / "copier.yml"
    lines = copier_yml.read_text().splitlines(keepends=True)
    kept = [line for line in lines if "_copier_operation" not in line]
    assert len(kept) == len(lines) - 1
    copier_yml.write_text("".join(kept))
    _next_release(fork)

    result = run_scaffold("update", service, "--defaults", home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (service / ".github").exists()
    assert ".github" not in git(root, "status", "--porcelain", "--", "services/api")
    assert "timeout-minutes: 25" in (root / ".github/workflows/api.yml").read_text()


def test_a_static_site_of_a_pnpm_workspace_builds_from_the_workspace_root(
    tmp_path: Path, home: Path
) -> None:
    """apps/web (Vite) of a pnpm workspace: its files beside it, CI at the root, the root's lock."""
    root = tmp_path / "shop"
    web = root / "apps" / "web"
    web.mkdir(parents=True)
    (root / "package.json").write_text('{"private": true, "packageManager": "pnpm@10.34.9"}\n')
    (root / "pnpm-workspace.yaml").write_text("packages:\n  - apps/*\n  - packages/*\n")
    (root / "pnpm-lock.yaml").write_text("lockfileVersion: '9.0'\n")
    (web / "package.json").write_text(
        '{"name": "@shop/web", "scripts": {"build": "vite build"},'
        ' "dependencies": {"@shop/ui": "workspace:*"}, "devDependencies": {"vite": "^7.1.0"}}\n'
    )
    ui = root / "packages" / "ui"
    ui.mkdir(parents=True)
    (ui / "package.json").write_text('{"name": "@shop/ui", "scripts": {"build": "tsc"}}\n')
    git(root, "init", "--quiet", "--initial-branch=main")
    git_save(root, "the shop's workspace")
    result = run_scaffold("init", web, "--defaults", home=home)
    assert result.returncode == 0, result.stderr
    answers = yaml.safe_load((web / ".copier-answers.yml").read_text())
    assert (answers["serving"], answers["workspace_member"]) == ("nginx", "apps/web")
    assert answers["workspace_builds"] == "@shop/ui"
    dockerfile = (web / "Dockerfile").read_text()
    assert "RUN pnpm --filter @shop/ui run build\nWORKDIR /app/apps/web\n" in dockerfile
    assert "COPY --from=build /app/apps/web/dist /usr/share/nginx/html" in dockerfile
    assert "COPY apps/web/nginx.conf /etc/nginx/conf.d/default.conf" in dockerfile
    assert hadolint_findings(web) == ""
    ignore = (web / "Dockerfile.dockerignore").read_text().splitlines()
    assert {"apps/web/Dockerfile", "apps/web/.copier-answers.yml", "**/node_modules"} <= set(ignore)
    assert "**/dist" in ignore and "*" not in ignore, "the whole workspace enters, less these"
    build = yaml.safe_load((web / "compose.yaml").read_text())["services"]["web"]["build"]
    assert (build["context"], build["dockerfile"]) == ("../..", "apps/web/Dockerfile")
    workflow = (root / ".github" / "workflows" / "web.yml").read_text()
    spec = yaml.safe_load(workflow)
    assert spec[True]["push"]["paths"] == ["**", ".github/workflows/web.yml"]
    steps = [
        s["with"] for j in spec["jobs"].values() for s in j["steps"] if "file" in s.get("with", {})
    ]
    assert steps and all((w["context"], w["file"]) == (".", "apps/web/Dockerfile") for w in steps)
    assert lint_workflows({workflow}) == {workflow: []}
    assert ("npm", "/") in _updates((root / ".github" / "dependabot.yml").read_text())
    assert "docker build --target test --file Dockerfile ../.." not in result.stdout  # no tests
    assert "docker build -t example/web:local --file Dockerfile ../.." in result.stdout
