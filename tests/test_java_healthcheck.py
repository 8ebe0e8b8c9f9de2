"""Java's HEALTHCHECK is cheap: it asks the health route without starting a JVM.

A JVM per check (the HEALTHCHECK before 0.6.0) took about 0.5 s of CPU and 65 MB of the
container's memory every 10 s. Java images cannot be built here (no Maven Central), so the check
command of the rendered prod stage runs in its base image's Debian (the jlink image's base, whose
stand-in has no Java either) against a server on the host: it must pass when the route answers
200, fail on 404 and fail when nothing listens, each within the HEALTHCHECK's timeout.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from engine import Engine
from helpers import combinations, dockerfile_instructions, render
from kit import Kit

pytestmark = pytest.mark.engine

BASE = "debian:trixie-slim"


class _Health(http.server.BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        code = self.status if self.path == "/healthz" else 404
        self.send_response(code)
        self.end_headers()
        self.wfile.write(b"ok\n")

    def log_message(self, *_: Any) -> None:
        pass


def _check_argv(dockerfile: str) -> list[str]:
    health = [args for op, args in dockerfile_instructions(dockerfile) if op == "HEALTHCHECK"]
    assert health, "no HEALTHCHECK in the prod stage"
    argv: list[str] = json.loads(health[-1].split("CMD", 1)[1])
    return argv


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("serving", ["jre", "jlink"])
def test_health_check_asks_the_route_without_a_jvm(
    serving: str, engine: Engine, kit: Kit | None, tmp_path: Path, say: Any
) -> None:
    answers = next(a for a in combinations() if a["language"] == "java" and a["serving"] == serving)
    dockerfile = (render(answers, tmp_path / "svc") / "Dockerfile").read_text()
    argv = _check_argv(dockerfile)
    assert argv[0] != "java", f"the health check starts a JVM: {argv}"
    if kit is not None:
        kit.provide(BASE)
    port = _free_port()
    argv = [a.replace(f"127.0.0.1/{answers['port']}", f"127.0.0.1/{port}") for a in argv]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    results: dict[str, tuple[int, float]] = {}
    try:
        for case, status in (("200", 200), ("404", 404)):
            _Health.status = status
            started = time.monotonic()
            run = engine.run("run", "--rm", "--network", "host", BASE, *argv, check=False)
            results[case] = (run.returncode, time.monotonic() - started)
    finally:
        server.shutdown()
        server.server_close()
    started = time.monotonic()
    run = engine.run("run", "--rm", "--network", "host", BASE, *argv, check=False)
    results["nothing listening"] = (run.returncode, time.monotonic() - started)
    say(f"java {serving}: health check {argv[:2]} exit codes and docker-run times {results}")
    assert results["200"][0] == 0, results
    assert results["404"][0] != 0, results
    assert results["nothing listening"][0] != 0, results
