"""A real Docker engine for the tests: Docker 28 with buildx and Compose, from engine_root.py.

The suite drives the engine with the host's docker client and forky's buildx and compose plugins
(copied into its own DOCKER_CONFIG), so builds go through BuildKit as they do for users.
Set DOCKER_HOST to an engine of your own (27 or newer, with buildx) to use that one instead.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import engine_root

# Combinations that cannot be built or run on these machines, and why. They are still rendered,
# linted and golden-tested; the run's header lists them, they are never silently dropped.
NOT_BUILDABLE_HERE: list[tuple[dict[str, set[str]], str]] = [
    (
        {"package_manager": {"poetry"}},
        "Poetry needs PyPI's JSON API, which the package index reachable here does not serve",
    ),
    (
        {"language": {"java"}},
        "Maven Central is unreachable, and Debian's Maven repository has neither the plugins"
        " the pom pins (maven-dependency-plugin 3.9.0, ...) nor JUnit 5; Debian packages Gradle"
        " 4.7, not 9",
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


# What a build prints when a name could not be resolved at all (apt, pip, npm, Go's proxy).
RESOLVER_FAILED = re.compile(
    r"Temporary failure resolving|Temporary failure in name resolution|EAI_AGAIN"
    r"|Could not resolve host|server misbehaving"
)


def _resolver_failed(args: tuple[str, ...], result: subprocess.CompletedProcess[str]) -> bool:
    builds = args[0] == "build" or (args[0] == "compose" and ("build" in args or "--build" in args))
    return builds and bool(RESOLVER_FAILED.search(result.stdout + result.stderr))


class EngineUnavailable(Exception):
    """No engine answers and none could be started."""


@dataclass
class Engine:
    """A Docker engine reachable through `client` with `env`."""

    client: str
    env: dict[str, str]
    started: bool = False

    def run(
        self, *args: str, check: bool = True, stdin: str | None = None, timeout: float = 900
    ) -> subprocess.CompletedProcess[str]:
        """Run one docker command; raise with its output when CHECK and it fails.

        A build that failed only because this machine's resolver did not answer (the archive or
        registry was never reached: nothing about the Dockerfile was tried) is run again, at most
        twice, and says so on stderr; any other failure is reported as it is."""
        for attempt in range(1, 4):
            result = subprocess.run(
                [self.client, *args],
                env=self.env,
                input=stdin,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
            if result.returncode == 0 or attempt == 3 or not _resolver_failed(args, result):
                break
            print(f"docker {args[0]}: no name resolution, attempt {attempt + 1}", file=sys.stderr)
            time.sleep(10)
        if check and result.returncode != 0:
            raise AssertionError(
                f"docker {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-4000:]}{result.stderr[-4000:]}"
            )
        return result

    def export(self, image: str) -> bytes:
        """IMAGE's filesystem as a tar stream (from a container that is created, never started:
        the command given only satisfies images without one, like scratch-based ones)."""
        container = self.run("create", image, "/nonexistent").stdout.strip()
        try:
            return subprocess.run(
                [self.client, "export", container], env=self.env, capture_output=True, check=True
            ).stdout
        finally:
            self.run("rm", container, check=False)

    def answers(self) -> bool:
        """Whether the engine replies to `docker version`."""
        try:
            return self.run("version", check=False, timeout=20).returncode == 0
        except subprocess.TimeoutExpired:
            return False

    def versions(self) -> dict[str, str]:
        """The engine's, buildx's and Compose's versions."""
        return {
            "engine": self.run("version", "--format", "{{.Server.Version}}").stdout.strip(),
            "buildx": self.run("buildx", "version").stdout.split()[1],
            "compose": self.run("compose", "version", "--short").stdout.strip(),
        }

    def tidy(self) -> None:
        """On the suite's own engine, remove what runs leave behind: stopped containers, untagged
        images (every `docker build` without a tag makes one) and build cache past 10 GB. Without
        it the engine's root grows by gigabytes a run until the disk is full. An engine of the
        user's own (DOCKER_HOST) is left alone."""
        if self.env.get("DOCKER_HOST") != engine_root.host():
            return
        self.run("container", "prune", "--force", check=False)
        self.run("image", "prune", "--force", check=False)
        self.run("builder", "prune", "--force", "--max-used-space", "10GB", check=False)

    def stop(self) -> None:
        """Stop the engine this suite started (an engine found running is left alone)."""
        if self.started:
            engine_root.down()


def connect(config_dir: Path, log: Path, say: Any = print) -> Engine:
    """The engine DOCKER_HOST names, else the root's dockerd, started when it does not answer."""
    try:
        engine_root.ensure_root(say)
    except (RuntimeError, OSError) as error:
        raise EngineUnavailable(f"cannot make the engine's root: {error}") from error
    engine_root.install_plugins(config_dir)
    env = {**os.environ, "DOCKER_CONFIG": str(config_dir)}
    env.pop("DOCKER_BUILDKIT", None)
    if "DOCKER_HOST" in env:
        engine = Engine(engine_root.client(), env)
        if engine.answers():
            return engine
    env["DOCKER_HOST"] = engine_root.host()
    engine = Engine(engine_root.client(), env)
    if engine.answers():
        return engine
    try:
        engine_root.up(log, say)
    except RuntimeError as error:
        raise EngineUnavailable(str(error)) from error
    engine.started = True
    return engine
