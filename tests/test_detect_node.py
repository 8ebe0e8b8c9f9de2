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
def test_a_package_of_a_workspace_above_it_is_refused_in_one_line(
    tmp_path: Path, files: dict[str, str], member: str, kind: str
) -> None:
    """Its lockfile is the workspace's: a Dockerfile of its folder alone could not install it."""
    from scaffold.errors import ScaffoldError

    (tmp_path / ".git").mkdir()
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    service = _project(tmp_path / member, {"start": "node server.js"}, {"express": "^5.1.0"})
    with pytest.raises(ScaffoldError, match=f"a package of the {kind} workspace at {tmp_path},"):
        detect(service, {})


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
