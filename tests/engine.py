"""A real Docker engine for the tests: the one that answers, or a dockerd the suite starts itself.

Docker Engine 20.10's own client (/usr/bin/docker) is used with DOCKER_BUILDKIT=1: another client
on PATH may lack buildx and fall back to the legacy builder, which rejects `RUN --mount`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OWN_SOCKET = "/run/scaffold-tests/docker.sock"

# Combinations that cannot be built or run on these machines, and why. They are still rendered,
# linted and golden-tested; the run's header lists them, they are never silently dropped.
NOT_BUILDABLE_HERE: list[tuple[dict[str, set[str]], str]] = [
    (
        {"package_manager": {"poetry"}},
        "Poetry needs PyPI's JSON API, which the package index reachable here does not serve",
    ),
    (
        {"language": {"java"}},
        "Maven Central is unreachable, and the machine's Maven repository lacks what"
        " maven-dependency-plugin needs (commons-beanutils 1.9.4); Gradle 9 is not packaged",
    ),
    (
        {"language": {"dotnet"}},
        "the .NET SDK image and NuGet are not reachable here, and Debian packages no .NET",
    ),
    ({"language": {"ruby"}}, "Bundler needs rubygems.org for puma, which is not reachable here"),
    (
        {"language": {"rust"}, "serving": {"scratch", "distroless"}},
        "static Rust builds on rust:alpine (musl); no musl Rust toolchain can be had here",
    ),
    (
        {"serving": {"next"}},
        "Next.js 16 needs Node.js >= 20.9; the only Node.js packaged here (Debian's) is 18",
    ),
    (
        {"serving": {"fpm"}},
        "PHP-FPM speaks FastCGI: proven with its nginx `web` target by a test of its own",
    ),
    (
        {"language": {"node"}, "serving": {"nginx"}},
        "renders the Dockerfile of language=static (a render test proves it), built as static",
    ),
]


def not_buildable_here(answers: dict[str, Any]) -> str | None:
    """Why ANSWERS' image cannot be proven on this machine's engine, or None."""
    for match, why in NOT_BUILDABLE_HERE:
        if all(answers[key] in values for key, values in match.items()):
            return why
    return None


class EngineUnavailable(Exception):
    """No engine answers and none could be started."""


@dataclass
class Engine:
    """A Docker engine reachable through `client` with `env`."""

    client: str
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def run(
        self, *args: str, check: bool = True, stdin: str | None = None, timeout: float = 900
    ) -> subprocess.CompletedProcess[str]:
        """Run one docker command; raise with its output when CHECK and it fails."""
        result = subprocess.run(
            [self.client, *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"docker {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-4000:]}{result.stderr[-4000:]}"
            )
        return result

    def answers(self) -> bool:
        """Whether the engine replies to `docker info`."""
        try:
            return self.run("info", check=False, timeout=20).returncode == 0
        except subprocess.TimeoutExpired:
            return False

    def stop(self) -> None:
        """Stop the dockerd this suite started (an engine found running is left alone)."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _client() -> str:
    for candidate in ("/usr/bin/docker", shutil.which("docker")):
        if candidate and Path(candidate).is_file():
            return candidate
    raise EngineUnavailable("no docker client: install docker.io (.ci/run does)")


def connect(config_dir: Path, log: Path) -> Engine:
    """The running engine, or a dockerd started on a socket of our own."""
    env = {**os.environ, "DOCKER_BUILDKIT": "1", "DOCKER_CONFIG": str(config_dir)}
    env.pop("DOCKER_HOST", None)
    engine = Engine(_client(), env)
    if engine.answers():
        return engine
    dockerd = shutil.which("dockerd")
    if dockerd is None:
        raise EngineUnavailable("no engine answers and dockerd is not installed: install docker.io")
    if os.geteuid() != 0:
        raise EngineUnavailable("no engine answers and starting dockerd needs root")
    Path(OWN_SOCKET).parent.mkdir(parents=True, exist_ok=True)
    engine.env["DOCKER_HOST"] = f"unix://{OWN_SOCKET}"
    with log.open("wb") as out:
        engine.process = subprocess.Popen(
            [
                dockerd,
                "--host",
                f"unix://{OWN_SOCKET}",
                "--exec-root",
                "/run/scaffold-tests/exec",
                "--pidfile",
                "/run/scaffold-tests/docker.pid",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if engine.process.poll() is not None:
            raise EngineUnavailable(f"dockerd exited: see {log}")
        if engine.answers():
            return engine
        time.sleep(0.5)
    engine.stop()
    raise EngineUnavailable(f"dockerd did not answer within 60 s: see {log}")
