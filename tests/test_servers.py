"""The production command works with the server versions projects pin, old and new.

Existing projects pin servers from years ago (Django's tutorial pins gunicorn 22): the generated
CMD must not pass a flag only newer releases know. Each version is installed from the package
index into a virtualenv and started exactly as the Dockerfile's CMD and ENV say, as a user
without a home, then asked for the health route.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import combinations, dockerfile_instructions, render

GUNICORN = next(
    a for a in combinations() if a["serving"] == "gunicorn" and a["package_manager"] == "pip"
)


def _prod_stage(dockerfile: str) -> tuple[list[str], dict[str, str]]:
    """The CMD of the last stage and the ENV of the stages it is built on (KEY=value form)."""
    cmd: list[str] = []
    env: dict[str, str] = {}
    for instruction, args in dockerfile_instructions(dockerfile):
        if instruction == "ENV":
            for pair in args.split():
                key, _, value = pair.partition("=")
                env[key] = value
        elif instruction == "CMD":
            cmd = json.loads(args)
    return cmd, env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def workspace() -> Iterator[Path]:
    """A folder the service's uid may read (pytest's own temporary folders are root-only)."""
    folder = Path(tempfile.mkdtemp(prefix="scaffold-servers-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("version", ["22.0.0", "23.0.0", "27.0.1"])
def test_gunicorn_cmd_serves_with_old_and_new_gunicorn(version: str, workspace: Path) -> None:
    """As the image's uid, with no home: old gunicorns accept every flag, new ones put their
    control socket where that uid may write."""
    tmp_path = workspace
    service = render(GUNICORN, tmp_path / "svc")
    cmd, env = _prod_stage((service / "Dockerfile").read_text())
    assert cmd[0] == "gunicorn"
    venv = tmp_path / "venv"
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or "uv"
    # An interpreter the service's uid may run (this suite's own may live in root's home).
    system_python = shutil.which("python3", path="/usr/bin:/usr/local/bin")
    assert system_python, "no python3 in /usr/bin or /usr/local/bin: apt-get install python3"
    subprocess.run([uv, "venv", "--quiet", "--python", system_python, str(venv)], check=True)
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--python",
            str(venv / "bin/python"),
            f"gunicorn=={version}",
        ],
        check=True,
    )
    port = _free_port()
    argv = [a.replace(f"0.0.0.0:{GUNICORN['port']}", f"127.0.0.1:{port}") for a in cmd]
    runtime = tmp_path / "runtime"  # stands for the image's /tmp
    runtime.mkdir(mode=0o1777)
    runtime.chmod(0o1777)
    server = subprocess.Popen(
        [str(venv / "bin" / argv[0]), *argv[1:]],
        cwd=service,
        env={
            "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
            "HOME": "/nonexistent",
            **{
                k: str(runtime) if k == "XDG_RUNTIME_DIR" else v
                for k, v in env.items()
                if "$" not in v
            },
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        user=GUNICORN["uid"],
        group=GUNICORN["uid"],
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, f"gunicorn {version} exited:\n{server.stdout.read()}"  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, f"gunicorn {version} never answered"
                time.sleep(0.2)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert output.count("Booting worker") == int(env["WEB_CONCURRENCY"]), output
    assert "Control server error" not in output, output
    assert "/nonexistent" not in output, output


UVICORN = next(
    a for a in combinations() if a["serving"] == "uvicorn" and a["package_manager"] == "pip"
)


@pytest.mark.parametrize(
    ("allow", "client"), [(None, "203.0.113.7"), ("10.0.0.1", "127.0.0.1"), ("*", "203.0.113.7")]
)
def test_uvicorn_cmd_trusts_forwarded_headers_from_forwarded_allow_ips(
    allow: str | None, client: str, workspace: Path
) -> None:
    """The README's FORWARDED_ALLOW_IPS: uvicorn, started as the CMD says, takes the client
    address from X-Forwarded-For sent by a trusted proxy (127.0.0.1 when unset), and ignores it
    from any other."""
    service = render(UVICORN, workspace / "svc")
    cmd, env = _prod_stage((service / "Dockerfile").read_text())
    assert cmd[0] == "uvicorn"
    venv = workspace / "venv"
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or "uv"
    subprocess.run([uv, "venv", "--quiet", str(venv)], check=True)
    # A new pip service's requirements.txt is compiled by scaffold new's lock step: install what
    # it is compiled from.
    requirements = str(
        next(
            service / n for n in ("requirements.txt", "requirements.in") if (service / n).is_file()
        )
    )
    pip = [uv, "pip", "install", "--quiet", "--python", str(venv / "bin/python")]
    subprocess.run([*pip, "--requirement", requirements], check=True)
    port = _free_port()
    argv = [str(port) if a == str(UVICORN["port"]) else a for a in cmd]
    argv = ["127.0.0.1" if a == "0.0.0.0" else a for a in argv]
    server_env = {"PATH": f"{venv / 'bin'}:{os.environ['PATH']}", **env, "WEB_CONCURRENCY": "1"}
    if allow is not None:
        server_env["FORWARDED_ALLOW_IPS"] = allow
    server = subprocess.Popen(
        [str(venv / "bin" / argv[0]), *argv[1:]],
        cwd=service,
        env={k: v for k, v in server_env.items() if "$" not in v},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-For": "203.0.113.7"}
        )
        while True:
            assert server.poll() is None, f"uvicorn exited:\n{server.stdout.read()}"  # type: ignore[union-attr]
            try:
                with urllib.request.urlopen(request, timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "uvicorn never answered"
                time.sleep(0.2)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    logged = re.findall(r'(\S+):\d+ - "GET /healthz HTTP/1.1" 200', output)
    assert logged == [client], output
