"""The local Docker engine, asked once after `scaffold new` whether it can build the file.

The Dockerfiles use `RUN --mount` (cache and secret mounts), which only BuildKit builds.
Docker 23 and later build with BuildKit by default; 18.09 to 22 need `DOCKER_BUILDKIT=1`;
older engines cannot build the file at all. No engine, or no docker, is not a problem here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

BUILDKIT_DEFAULT = 23


def warning() -> str:
    """A one-line warning when the engine `docker version` reports cannot build the file."""
    docker = shutil.which("docker")
    if docker is None:
        return ""
    try:
        result = subprocess.run(
            [docker, "version", "--format", "{{.Server.Version}}"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return advice(result.stdout.strip() if result.returncode == 0 else "", os.environ)


def advice(version: str, env: dict[str, str] | os._Environ[str]) -> str:
    """The warning for engine VERSION ("" when unknown or new enough) given ENV."""
    found = re.match(r"(\d+)\.(\d+)", version)
    if not found:
        return ""
    major, minor = int(found.group(1)), int(found.group(2))
    if (major, minor) < (18, 9):
        return (
            f"Docker Engine {version} cannot build this Dockerfile (RUN --mount needs BuildKit): "
            f"upgrade to Docker {BUILDKIT_DEFAULT} or later"
        )
    if major < BUILDKIT_DEFAULT and env.get("DOCKER_BUILDKIT") != "1":
        return (
            f"Docker Engine {version} builds this Dockerfile only with BuildKit: run "
            f"`export DOCKER_BUILDKIT=1` before docker build (Docker {BUILDKIT_DEFAULT}+ needs "
            "nothing)"
        )
    return ""
