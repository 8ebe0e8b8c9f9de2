"""`docker stop` drains the servers the skeletons run: a request in flight when it starts gets its
answer, and the container still exits on its own well inside Docker's 10 s.

Node.js and gunicorn: the request is held open by its client (the request line and headers are
sent before the stop, the blank line that ends them after the container has received SIGTERM),
so the server is mid-request while it is asked to stop, as with a slow upload. uvicorn closes a
connection whose headers are incomplete as idle; its request in flight is a slow route the test
adds to the FastAPI skeleton (a handler still running when the signal arrives).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from engine import Engine
from generated import Service
from helpers import git_save

pytestmark = pytest.mark.engine

# One per server kind whose shutdown the image leaves to the server itself.
SERVERS = [
    "node-node-npm-prod-only",
    "python-gunicorn-pip-prod-only",
    "python-uvicorn-uv-prod-only",
]


SLOW_ROUTE = """

@app.get("/slow", response_class=PlainTextResponse)
async def slow() -> str:
    \"\"\"Take 3 s, like a slow query.\"\"\"
    import asyncio

    await asyncio.sleep(3)
    return "done\\n"
"""


def _image(engine: Engine, service: Service, tmp_path: Path) -> tuple[str, bytes, bytes]:
    """The image to run, the request to send before the stop, and the bytes to send after."""
    if service.answers["serving"] != "uvicorn":
        return service.prod, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n", b"\r\n"
    slow = tmp_path / service.name
    shutil.copytree(service.path, slow, symlinks=True)
    main = slow / "app" / "main.py"
    main.write_text(main.read_text() + SLOW_ROUTE)
    git_save(slow, "a slow route")
    image = f"scaffold-e2e/{service.name}:slow"
    engine.run("build", "--target", "prod", "--tag", image, str(slow))
    return image, b"GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n", b""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _connect(port: int, deadline: float) -> socket.socket:
    """A connection to PORT once the server answers its health route on it."""
    while True:
        try:
            probe = socket.create_connection(("127.0.0.1", port), timeout=2)
            probe.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            if probe.recv(64).startswith(b"HTTP/1.1 200"):
                probe.close()
                return socket.create_connection(("127.0.0.1", port), timeout=15)
            probe.close()
        except OSError:
            pass
        assert time.monotonic() < deadline, "the server never answered"
        time.sleep(0.3)


def _read_all(conn: socket.socket) -> bytes:
    data = b""
    try:
        while chunk := conn.recv(4096):
            data += chunk
    except OSError as error:  # a reset: the server cut the request
        return data + f"\n<{error}>".encode()
    return data


@pytest.mark.parametrize("name", SERVERS)
def test_stop_lets_a_request_in_flight_finish(
    name: str, engine: Engine, services: dict[str, Service], tmp_path: Path, say: Any
) -> None:
    service = services[name]
    image, before, after = _image(engine, service, tmp_path)
    container = f"scaffold-e2e-drain-{name}"
    host_port = _free_port()
    engine.run("rm", "--force", container, check=False)
    engine.run(
        "run", "--detach", "--name", container, "--read-only", "--tmpfs", "/tmp",
        "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
        "--publish", f"127.0.0.1:{host_port}:{service.answers['port']}", image,
    )  # fmt: skip
    try:
        conn = _connect(host_port, time.monotonic() + 30)
        conn.sendall(before)
        time.sleep(0.5)  # the server has read the request line: the request is in flight
        stopped: dict[str, float] = {}

        def stop() -> None:
            started = time.monotonic()
            engine.run("stop", "--time", "10", container)
            stopped["took"] = time.monotonic() - started

        stopper = threading.Thread(target=stop)
        stopper.start()
        time.sleep(1.5)  # the signal has arrived; the server is stopping
        if after:
            conn.sendall(after)
        answer = _read_all(conn)
        stopper.join(timeout=30)
        conn.close()
        exit_code = engine.run("inspect", "--format", "{{.State.ExitCode}}", container).stdout
    finally:
        logs = engine.run("logs", container, check=False)
        engine.run("rm", "--force", container, check=False)
        if image != service.prod:
            engine.run("rmi", "--force", image, check=False)
    status = answer.split(b"\r\n", 1)[0].decode(errors="replace")
    say(
        f"{name}: request in flight at `docker stop` answered {status!r}; stopped in "
        f"{stopped.get('took', -1):.1f}s (exit {exit_code.strip()})"
    )
    assert answer.startswith(b"HTTP/1.1 200"), (answer, logs.stdout + logs.stderr)
    assert stopped["took"] < 9, "the server did not exit after the last request: docker killed it"
