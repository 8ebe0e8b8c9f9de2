"""Every stand-in in the test kit builds under the names it answers to, and its runtime works."""

from __future__ import annotations

from typing import Any

import pytest

from engine import Engine
from kit import PATTERNS, RECIPES, Kit, recipe_for

pytestmark = pytest.mark.engine

# One image name per recipe, as an official Dockerfile would write it, and a command that
# proves the runtime inside answers (no shell in the distroless ones: those run nothing).
EXAMPLES: dict[str, tuple[str, list[str]]] = {
    "python": ("python:3.14-slim", ["python", "-c", "import ssl, venv; print('ok')"]),
    "node": ("node:24-slim", ["node", "-e", "console.log('ok')"]),
    # Node.js's own release of the tag's major, npm of its line, and no corepack from 25 on.
    "node-release": (
        "node:26-slim",
        [
            "sh",
            "-c",
            "node --version | grep '^v26[.]' && npm --version | grep '^11[.]'"
            " && ! command -v corepack",
        ],
    ),
    "nginx-unprivileged": ("nginxinc/nginx-unprivileged:1.30-alpine", ["nginx", "-t"]),
    "uv": ("ghcr.io/astral-sh/uv:0.13.9", ["/uv", "--version"]),
    "python-full": ("python:3.14", ["gcc", "--version"]),
    "node-full": ("node:24", ["gcc", "--version"]),
    "debian-slim": ("debian:trixie-slim", ["cat", "/etc/debian_version"]),
    "golang": ("golang:1.27-trixie", ["go", "version"]),
    "rust": ("rust:1.95-slim-trixie", ["cargo", "--version"]),
    "java-jdk": ("eclipse-temurin:25-jdk", ["javac", "-version"]),
    "java-jre": ("eclipse-temurin:25-jre", ["java", "-version"]),
    "php-apache": ("php:8.5-apache", ["php", "-r", "echo 'ok';"]),
    "php-fpm": ("php:8.5-fpm", ["php-fpm", "--test"]),
    "composer": ("composer:2", ["composer", "--version"]),
    "ruby": ("ruby:3.4-slim", ["bundle", "--version"]),
    "distroless-static": ("gcr.io/distroless/static-debian13", []),
    "distroless-static-nonroot": ("gcr.io/distroless/static-debian13:nonroot", []),
    # Docker Hardened Images: the -dev variants build a virtualenv or run npm; the runtime variants
    # run the interpreter as their non-root user, with no /bin/sh beside it.
    "dhi-python-dev": (
        "dhi.io/python:3.14-debian13-dev",
        ["sh", "-c", "python -m venv --without-pip /tmp/v && readlink /tmp/v/bin/python"],
    ),
    "dhi-python": (
        "dhi.io/python:3.14-debian13",
        [
            "python3",
            "-c",
            "import os, ssl; assert not os.path.exists('/bin/sh'); print(os.getuid())",
        ],
    ),
    "dhi-node-dev": ("dhi.io/node:24-debian13-dev", ["npm", "--version"]),
    "distroless-nodejs": (
        "gcr.io/distroless/nodejs24-debian13:nonroot",
        ["-e", "process.exit(require('fs').existsSync('/bin/sh') ? 1 : 0)"],
    ),
    "dhi-node": (
        "dhi.io/node:24-debian13",
        [
            "node",
            "-e",
            "process.exit(require('fs').existsSync('/bin/sh') ? 1 : 0)",
        ],
    ),
    "distroless-java": ("gcr.io/distroless/java25-debian13:nonroot", ["-version"]),
    "dhi-temurin": ("dhi.io/eclipse-temurin:25-debian13", ["java", "-version"]),
}
# distroless Java's entrypoint is `java -jar`, which needs a jar: the example runs java itself.
ENTRYPOINTS = {"distroless-java": "/usr/bin/java"}


def test_every_recipe_has_an_example_and_a_pattern() -> None:
    assert set(EXAMPLES) == set(RECIPES)
    assert {recipe for _, recipe in PATTERNS} == set(RECIPES)
    for recipe, (image, _) in EXAMPLES.items():
        assert recipe_for(image) == recipe


@pytest.fixture(scope="module")
def kit(engine: Engine, say: Any) -> Kit:
    return Kit(engine, say)


@pytest.mark.parametrize("recipe", sorted(EXAMPLES))
def test_stand_in_builds_and_its_runtime_answers(
    recipe: str, engine: Engine, kit: Kit, say: Any
) -> None:
    image, command = EXAMPLES[recipe]
    kit.provide(image)
    if command:
        entrypoint = [f"--entrypoint={ENTRYPOINTS[recipe]}"] if recipe in ENTRYPOINTS else []
        result = engine.run("run", "--rm", *entrypoint, image, *command)
        say(f"test kit: {image} ({recipe}): {(result.stdout + result.stderr).strip()[:60]}")
        return
    container = engine.run("create", image, "/nonexistent").stdout.strip()
    try:
        passwd = engine.run("cp", f"{container}:/etc/passwd", "-").stdout
        engine.run("cp", f"{container}:/etc/ssl/certs/ca-certificates.crt", "-")
        engine.run("cp", f"{container}:/usr/share/zoneinfo/UTC", "-")
    finally:
        engine.run("rm", container, check=False)
    assert "nonroot:x:65532:65532" in passwd
    user = engine.run("image", "inspect", "--format", "{{.Config.User}}", image).stdout.strip()
    assert user == ("65532:65532" if image.endswith(":nonroot") else "")
    say(f"test kit: {image} ({recipe}): passwd with nonroot 65532, CA certificates, tzdata")


# The hardened and distroless Node.js images are made from the stand-in of the release their tag
# names; the runtime variants keep node and nothing of npm.
NODE_FAMILY_RELEASES = [
    ("dhi.io/node:26-debian13-dev", [], "v26.", True),
    ("dhi.io/node:26-debian13", [], "v26.", False),
    (
        "gcr.io/distroless/nodejs26-debian13:nonroot",
        ["--entrypoint=/nodejs/bin/node"],
        "v26.",
        False,
    ),
    ("dhi.io/node:24-debian13", [], "v24.", False),
]


@pytest.mark.parametrize("case", NODE_FAMILY_RELEASES, ids=lambda case: case[0])
def test_node_family_stand_ins_run_the_release_their_tag_names(
    case: tuple[str, list[str], str, bool], engine: Engine, kit: Kit
) -> None:
    image, entrypoint, release, npm = case
    kit.provide(image)
    script = (
        "const fs = require('fs');"
        "console.log(process.version, fs.existsSync('/usr/local/bin/npm'),"
        " fs.existsSync('/bin/sh'))"
    )
    command = ["-e", script] if entrypoint else ["node", "-e", script]
    shown = engine.run("run", "--rm", *entrypoint, image, *command).stdout.split()
    assert shown[0].startswith(release), shown
    assert shown[1:] == ([str(npm).lower(), "true"] if npm else ["false", "false"]), shown
