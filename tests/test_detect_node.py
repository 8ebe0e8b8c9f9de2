"""How scaffold init reads what a Node.js project is: a server, or a site that nginx can serve."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scaffold.detect import detect


def _project(root: Path, scripts: dict[str, str], deps: dict[str, str]) -> Path:
    package = {"name": "site", "scripts": scripts, "dependencies": deps}
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
