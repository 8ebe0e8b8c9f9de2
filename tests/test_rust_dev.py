"""Rust's dev target runs a debug build: an edit recompiles the service's crate without release
optimisation or LTO, against dependencies the image compiled once."""

from __future__ import annotations

import re
import time
import urllib.request
from typing import Any

import pytest

from engine import Engine
from generated import Service

pytestmark = pytest.mark.engine

NAME = "rust-debian-cargo-dtp"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except OSError:
            time.sleep(0.5)
    return False


def test_dev_target_runs_a_debug_build(
    engine: Engine, services: dict[str, Service], say: Any
) -> None:
    service = services[NAME]
    dev = f"scaffold-e2e/{NAME}:dev"
    engine.run("build", "--target", "dev", "--tag", dev, str(service.path))
    container = f"scaffold-e2e-{NAME}-dev"
    engine.run("rm", "--force", container, check=False)
    port = _free_port()
    try:
        started = time.monotonic()
        engine.run(
            "run", "--detach", "--name", container,
            "--publish", f"127.0.0.1:{port}:{service.answers['port']}", dev,
        )  # fmt: skip
        if not _answers(f"http://127.0.0.1:{port}/healthz", started + 180):
            logs = engine.run("logs", container, check=False)
            raise AssertionError(f"dev never answered:\n{logs.stdout}{logs.stderr}")
        first_start = time.monotonic() - started
        top = engine.run("top", container, "-eo", "pid,args").stdout
        rebuild = {}
        for profile, flag in (("debug", []), ("release", ["--release"])):
            engine.run("exec", container, "touch", "/src/src/main.rs")
            begun = time.monotonic()
            engine.run("exec", container, "cargo", "build", "--locked", *flag)
            rebuild[profile] = round(time.monotonic() - begun, 1)
    finally:
        engine.run("rm", "--force", container, check=False)
        engine.run("rmi", "--force", dev, check=False)
    say(
        f"{NAME}: dev answered {first_start:.1f}s after start; processes {top.splitlines()[1:]}; "
        f"rebuild after an edit: {rebuild} s (debug is what `cargo run` does)"
    )
    # cargo's target for the platform is set (tests/test_cross.py): its folder is in the path.
    assert re.search(r"/tmp/target/[\w-]+-linux-gnu/debug/", top), top
    assert "/release/" not in top, top
