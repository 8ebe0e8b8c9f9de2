"""How scaffold init reads what a Node.js project is: a server, or a site that nginx can serve."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scaffold.detect import detect


def _project(root: Path, scripts: dict[str, str], deps: dict[str, str]) -> Path:
    package = {"name": "site", "scripts": scripts, "dependencies": deps}
    root.mkdir(parents=True, exist_ok=True)
    (root / "package.json").write_text(json.dumps(package))
    return root


@pytest.mark.parametrize(
    ("start", "folder"),
    [
        ("sirv public --no-clear", "public"),  # Svelte's template (rollup, no builder we know)
        ("serve -s build", "build"),
        ("http-server ./dist -p 8080", "dist"),
        ("npx serve out/", "out"),
    ],
)
def test_a_start_script_serving_the_built_folder_is_a_static_site(
    tmp_path: Path, start: str, folder: str
) -> None:
    scripts = {"build": "rollup -c", "start": start}
    found = detect(_project(tmp_path, scripts, {"sirv-cli": "^2.0.0"}), {})
    assert (found.answers["language"], found.answers["serving"]) == ("static", "nginx")
    assert found.answers["entrypoint"] == folder
    assert found.answers["port"] == 8080


def test_a_file_server_without_a_build_or_beside_a_server_framework_is_not_a_site(
    tmp_path: Path,
) -> None:
    found = detect(_project(tmp_path, {"start": "serve -l 3000"}, {}), {})
    assert found.answers["serving"] == "node"
    (tmp_path / "server.js").write_text("require('express')().listen(3000)\n")
    scripts = {"build": "tsc", "start": "serve public"}
    found = detect(_project(tmp_path, scripts, {"express": "^4.0.0"}), {})
    assert found.answers["serving"] == "node"


def test_a_server_whose_file_is_not_found_is_named_in_a_warning(tmp_path: Path) -> None:
    found = detect(_project(tmp_path, {"start": "serve -l 3000"}, {}), {})
    assert "entrypoint" not in found.answers
    assert any("answer entrypoint" in warning for warning in found.warnings)
    (tmp_path / "index.js").write_text("require('http').createServer().listen(3000)\n")
    found = detect(tmp_path, {})
    assert found.answers["entrypoint"] == "index.js"
    assert not any("entrypoint" in warning for warning in found.warnings)


@pytest.mark.parametrize(
    ("files", "member", "kind"),
    [
        ({"pnpm-workspace.yaml": "packages:\n  - 'apps/*'\n"}, "apps/api", "pnpm"),
        ({"package.json": '{"workspaces": ["./services/*"]}'}, "services/api", "npm"),
        (  # yarn classic's form, with nohoist
            {"package.json": '{"workspaces": {"packages": ["apps/**"]}}', "yarn.lock": ""},
            "apps/backend/api",
            "yarn",
        ),
    ],
)
def test_a_package_of_a_workspace_above_it_is_built_from_the_workspace_root(
    tmp_path: Path, files: dict[str, str], member: str, kind: str
) -> None:
    """Its lockfile is the workspace's: the image is built from there, with its manager."""
    (tmp_path / ".git").mkdir()
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    service = _project(tmp_path / member, {"start": "node server.js"}, {"express": "^5.1.0"})
    found = detect(service, {})
    assert found.answers["workspace_member"] == member
    assert found.answers["workspace_package"] == "site"
    assert found.answers.get("package_manager", "npm") == kind
    assert "workspace_builds" not in found.answers  # it uses no package of the workspace


def _workspace(root: Path, packages: dict[str, dict[str, object]]) -> None:
    """A pnpm workspace at ROOT with PACKAGES (folder -> package.json) under packages/."""
    (root / ".git").mkdir(parents=True)
    (root / "pnpm-workspace.yaml").write_text("packages:\n  - 'packages/*'\n")
    (root / "package.json").write_text('{"private": true, "packageManager": "pnpm@9.15.9"}')
    (root / "pnpm-lock.yaml").write_text("lockfileVersion: '9.0'\n")
    for folder, package in packages.items():
        (root / "packages" / folder).mkdir(parents=True)
        (root / "packages" / folder / "package.json").write_text(json.dumps(package))


def test_the_workspace_packages_a_member_uses_are_built_first_dependencies_first(
    tmp_path: Path,
) -> None:
    """Only those with a build script, each after what it uses; a cycle ends the walk."""
    build = {"build": "tsc"}
    _workspace(
        tmp_path,
        {
            "api": {
                "name": "@acme/api",
                "scripts": {"start": "node dist/main.js", "build": "tsc"},
                "dependencies": {"@acme/db": "workspace:*", "express": "^5.1.0"},
                "devDependencies": {"@acme/config": "workspace:*"},
            },
            "db": {"name": "@acme/db", "scripts": build, "dependencies": {"@acme/util": "*"}},
            "util": {"name": "@acme/util", "scripts": build, "dependencies": {"@acme/db": "*"}},
            "config": {"name": "@acme/config"},  # shared settings: nothing to build
            "web": {"name": "@acme/web", "scripts": build},  # not used by the API
        },
    )
    found = detect(tmp_path / "packages/api", {})
    assert found.answers["workspace_builds"] == "@acme/util @acme/db"
    assert found.answers["package_manager"] == "pnpm"  # the root's packageManager
    assert found.answers["entrypoint"] == "dist/main.js"


@pytest.mark.parametrize(
    ("package", "message"),
    [
        (
            {"scripts": {"start": "node server.js"}, "dependencies": {"express": "^5.1.0"}},
            "package.json has no name, which its pnpm workspace needs to pick it out",
        ),
    ],
)
def test_a_workspace_package_scaffold_cannot_build_is_refused_in_one_line(
    tmp_path: Path, package: dict[str, object], message: str
) -> None:
    from scaffold.errors import ScaffoldError

    _workspace(tmp_path, {"app": package})
    with pytest.raises(ScaffoldError, match=message):
        detect(tmp_path / "packages/app", {})


@pytest.mark.parametrize(
    ("files", "member"),
    [
        # create-vite's templates in vite's repository: `packages/*` is one folder deep.
        ({"pnpm-workspace.yaml": "packages:\n  - 'packages/*'\n"}, "packages/cv/template"),
        ({"pnpm-workspace.yaml": "onlyBuiltDependencies: [esbuild]\n"}, "app"),  # settings
        ({"package.json": '{"private": true}'}, "basics/blog"),  # next-learn: no workspaces
    ],
)
def test_a_project_in_a_repository_that_is_no_workspace_of_it_is_read(
    tmp_path: Path, files: dict[str, str], member: str
) -> None:
    (tmp_path / ".git").mkdir()
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    service = _project(tmp_path / member, {"start": "node server.js"}, {"express": "^5.1.0"})
    assert detect(service, {}).answers["serving"] == "node"


def test_a_workspace_without_its_lockfile_is_told_to_lock_at_its_root(tmp_path: Path) -> None:
    """init makes no lockfile in the package's folder: the workspace's belongs at its root."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "package.json").write_text('{"private": true, "workspaces": ["services/*"]}')
    service = _project(tmp_path / "services/api", {"start": "node server.js"}, {"express": "5"})
    (tmp_path / ".nvmrc").write_text("v24.11.0\n")
    found = detect(service, {})
    assert found.answers["language_version"] == "24"  # the workspace's .nvmrc
    assert found.sources["language_version"] == "../../.nvmrc"
    assert any(
        w.startswith("no lockfile:") and f"`npm install` in the workspace root ({tmp_path})" in w
        for w in found.warnings
    ), found.warnings


@pytest.mark.parametrize("script", ["serve", "prod"])
def test_a_server_started_by_another_script_runs_the_file_that_script_names(
    tmp_path: Path, script: str
) -> None:
    """No start script, as in Turborepo starters: `serve` or `prod` runs the build's output."""
    scripts = {"build": "tsc", "dev": "tsx watch src/index.ts", script: "node dist/index.js"}
    found = detect(_project(tmp_path, scripts, {"express": "^4.21.2"}), {})
    assert found.answers["entrypoint"] == "dist/index.js"
    assert found.sources["entrypoint"] == f"package.json: scripts.{script}"


def test_next_start_with_a_typescript_config_is_said_to_keep_every_dependency(
    tmp_path: Path,
) -> None:
    """create-next-app writes next.config.ts: `next start` needs TypeScript to read it."""
    (tmp_path / "next.config.ts").write_text("const nextConfig = {};\nexport default nextConfig;\n")
    found = detect(_project(tmp_path, {"build": "next build"}, {"next": "16.0.0"}), {})
    assert found.answers["next_standalone"] is False
    assert any(
        "`next start` with every dependency, dev ones too (next.config.ts runs again" in w
        for w in found.warnings
    ), found.warnings
