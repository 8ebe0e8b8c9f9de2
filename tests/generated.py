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
        if a["registry"] == "dockerhub"
        and a["ci"] == "github"
        and not_buildable_here(a) is None
        and _proves_a_family(a)
    ]


def _proves_a_family(answers: dict[str, Any]) -> bool:
    """Shell-less families (runtime_base) are built with every target (dev_test_prod) and one
    package manager per way of installing (pip and uv for Python, npm for Node.js): their stages
    differ from the official ones only in the base images and the production stage's copies, which
    those cover; the other combinations are rendered, linted and build-checked. 50 images instead
    of 76 keep the whole run within its time."""
    if answers.get("runtime_base", "official") == "official":
        return True
    return bool(answers["dev_test_prod"]) and answers["package_manager"] in {"pip", "uv", "npm"}


ENGINE_COMBOS = {combo_id(a).removesuffix("-dockerhub-github"): a for a in _engine_combos()}
WITH_TEST_STAGE = [k for k, a in ENGINE_COMBOS.items() if a["dev_test_prod"]]
# Production images with no shell and no package manager (runtime_base other than official).
SHELLLESS = sorted(
    k for k, a in ENGINE_COMBOS.items() if a.get("runtime_base", "official") != "official"
)

# The non-root user of each shell-less runtime image: Docker Hardened Images
# (docker-hardened-images/catalog: image/python/debian-13/*.yaml run as nonroot 65532,
# image/node/debian-13/*.yaml as node 1000) and distroless's :nonroot tags (65532).
IMAGE_UID = {
    ("hardened", "python"): 65532,
    ("hardened", "node"): 1000,
    ("distroless", "node"): 65532,
}


def runtime_uid(answers: dict[str, Any]) -> int:
    """The uid a production image runs as: the uid answer on an official base, else the image's own
    non-root user (nothing in a shell-less image could add another)."""
    if answers.get("runtime_base", "official") == "official":
        return int(answers["uid"])
    return IMAGE_UID[(answers["runtime_base"], answers["language"])]


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
