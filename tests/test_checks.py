"""Docker's own build checks (`docker build --check`) find nothing in any generated Dockerfile.

Every combination `scaffold new` can write and every setup `scaffold init` can add, checked by the
engine's BuildKit frontend, beside hadolint (tests/test_init.py, tests/test_properties.py). The
checks read the base images' configuration (UndefinedVar knows their ENV), so each base image must
exist locally: the kit's stand-in, or, for the images no stand-in can be made of here (.NET,
Gradle, Alpine Rust), the Debian root under that name, which the run reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine import Engine
from helpers import combinations, combo_id, render
from kit import Kit, base_images

pytestmark = pytest.mark.engine

NEW = {combo_id(a): a for a in combinations()}
INIT = {combo_id(a): a for a in combinations(include_app=False)}


@pytest.fixture(scope="module")
def checker(engine: Engine, say: Any) -> Kit:
    return Kit(engine, say)


def _check(engine: Engine, kit: Kit, answers: dict[str, Any], folder: Path) -> None:
    """Render ANSWERS into FOLDER and run Docker's build checks on it: no warning, no error."""
    render(answers, folder)
    for image in sorted(base_images((folder / "Dockerfile").read_text())):
        kit.provide_or_placeholder(image)
    result = engine.run("build", "--check", str(folder), check=False, timeout=300)
    # Warnings go to stdout, the build's progress to stderr; any warning makes the exit code 1.
    assert result.returncode == 0, f"docker build --check:\n{result.stdout[-4000:]}"
    assert "Check complete, no warnings found." in result.stdout, result.stdout[-4000:]


@pytest.mark.parametrize("name", sorted(NEW))
def test_new_service_passes_docker_build_checks(
    name: str, engine: Engine, checker: Kit, tmp_path: Path
) -> None:
    _check(engine, checker, NEW[name], tmp_path / "svc")


@pytest.mark.parametrize("name", sorted(INIT))
def test_existing_project_setup_passes_docker_build_checks(
    name: str, engine: Engine, checker: Kit, tmp_path: Path
) -> None:
    _check(engine, checker, INIT[name], tmp_path / "svc")
