"""Services generated for the engine tests: which combinations, and how each is generated."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine import not_buildable_here
from helpers import combinations, combo_id, git_save, run_scaffold

SECRET = "SCAFFOLD_PLANTED_SECRET=do-not-ship"
STAND_IN_VERSIONS = {"php": "8.4"}


def _engine_combos() -> list[dict[str, Any]]:
    """One combination per image-relevant answer set (registry and CI do not change the image)."""
    return [
        a
        for a in combinations()
        if a["registry"] == "dockerhub" and a["ci"] == "github" and not_buildable_here(a) is None
    ]


ENGINE_COMBOS = {combo_id(a).removesuffix("-dockerhub-github"): a for a in _engine_combos()}
WITH_TEST_STAGE = [k for k, a in ENGINE_COMBOS.items() if a["dev_test_prod"]]


@dataclass
class Service:
    """A generated service and its built production image."""

    name: str
    answers: dict[str, Any]
    path: Path
    prod: str


def generate(
    name: str,
    answers: dict[str, Any],
    where: Path,
    home: Path,
    env: dict[str, str] | None = None,
) -> Path:
    data = {k: v for k, v in answers.items() if k != "project_name"}
    # The stand-ins' runtimes: uv checks requires-python, Composer's autoloader PHP's version.
    language = answers["language"]
    data["language_version"] = STAND_IN_VERSIONS.get(language, data["language_version"])
    args = [arg for key, value in data.items() for arg in ("--data", f"{key}={value}")]
    result = run_scaffold("new", where / name, "--defaults", *args, home=home, env=env)
    assert result.returncode == 0, result.stderr
    service = where / name
    # Plant what must never reach an image: a git history and an env file with a secret.
    (service / ".env").write_text(SECRET + "\n")
    git_save(service, "generated")
    return service
