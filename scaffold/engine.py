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
# `COPY --exclude` (existing projects' Dockerfiles) is Dockerfile syntax 1.19, built into Docker
# 28.5 and later; older engines need the syntax line that fetches it.
EXCLUDE_BUILT_IN = (28, 5)


class Probe:
    """`docker version`, started in the background so it costs no time while scaffold renders."""

    def __init__(self) -> None:
        """Start asking the engine its version (nothing when docker is not installed)."""
        docker = shutil.which("docker")
        self._process: subprocess.Popen[str] | None = None
        if docker is None:
            return
        try:
            self._process = subprocess.Popen(
                [docker, "version", "--format", "{{.Server.Version}}"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
        except OSError:
            self._process = None

    def warning(self, excludes: bool = False) -> str:
        """A one-line warning when the engine cannot build the file as it is, else "".

        EXCLUDES: the Dockerfile uses `COPY --exclude`.
        """
        if self._process is None:
            return ""
        try:
            out, _ = self._process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            self.stop()
            return ""
        version = out.strip() if self._process.returncode == 0 else ""
        return advice(version, os.environ, excludes)

    def stop(self) -> None:
        """End the probe (scaffold stopped early, or the engine does not answer)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()


def advice(version: str, env: dict[str, str] | os._Environ[str], excludes: bool = False) -> str:
    """The warning for engine VERSION ("" when unknown or new enough) given ENV.

    EXCLUDES: the Dockerfile uses `COPY --exclude`.
    """
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
    if excludes and (major, minor) < EXCLUDE_BUILT_IN:
        return (
            f"Docker Engine {version} builds this Dockerfile's `COPY --exclude` only with "
            "`# syntax=docker/dockerfile:1.19` as its first line (BuildKit fetches that syntax): "
            "add it, or upgrade to Docker 28.5 or later"
        )
    return ""
