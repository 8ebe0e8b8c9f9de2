"""A current Docker engine (Debian forky's docker.io 28, buildx, Compose v2) run from a Debian root.

The machines the suite runs on have a Docker 28 client but no engine, no container registry and no
privileged containers; Debian's archive is reachable, and its testing release (forky) packages the
engine users run today. So the engine runs from a forky root: debootstrap once per machine (cached
under /var/cache/scaffold-tests, keyed by the hash of this recipe), then `dockerd` in a mount
namespace whose root is that root (unshare, pivot_root), on a bridge and a socket of its own.
The host's client drives it, with forky's buildx and compose plugins in DOCKER_CONFIG/cli-plugins;
images stay in the root's /var/lib/docker between runs.

By hand (as root):
    python3 tests/engine_root.py up      # prints the DOCKER_HOST and DOCKER_CONFIG to export
    python3 tests/engine_root.py down
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CACHE = Path("/var/cache/scaffold-tests")
MIRROR = "http://deb.debian.org/debian"
SUITE = "forky"
PACKAGES = [
    "docker.io",
    "docker-cli",
    "docker-buildx",
    "docker-compose",
    "containerd",
    "runc",
    "iptables",
    "ca-certificates",
    "procps",  # `docker top` runs the root's ps
]
# The archive's forky Release file is past its Valid-Until date.
APT_CONF = 'Acquire::Check-Valid-Until "false";\n'
HOST_CAS = Path("/usr/local/share/ca-certificates")
BRIDGE, BRIDGE_ADDRESS = "scaffold0", "172.29.0.1/16"
# Networks Compose creates: away from docker0's 172.17/16 and other engines' defaults.
ADDRESS_POOL = "base=10.229.0.0/16,size=24"
SOCKET = "run/scaffold/docker.sock"  # inside the root
PIDFILE = "run/scaffold/docker.pid"
PLUGINS = ("docker-buildx", "docker-compose")
# The host's /tmp too: bind mounts (`docker run -v /tmp/x:...`) are resolved inside the root.
MOUNTS = ("proc", "dev", "dev/pts", "sys", "tmp")


def recipe_hash() -> str:
    digest = hashlib.sha256()
    for part in (MIRROR, SUITE, APT_CONF, *PACKAGES):
        digest.update(part.encode())
    for cert in sorted(HOST_CAS.glob("*.crt")):
        digest.update(cert.read_bytes())
    return digest.hexdigest()[:16]


ROOT = CACHE / f"engine-{SUITE}-{recipe_hash()}"


def socket_path() -> Path:
    return ROOT / SOCKET


def host() -> str:
    return f"unix://{socket_path()}"


def _run(*args: str | Path) -> None:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed:\n{result.stdout}{result.stderr}")


def _give_trust(root: Path) -> None:
    """The host's resolver and CA certificates (the egress re-signs TLS); apt's Valid-Until."""
    for cert in HOST_CAS.glob("*.crt"):
        shutil.copy(cert, root / "usr/local/share/ca-certificates" / cert.name)
    (root / "etc/apt/apt.conf.d/99scaffold-valid-until").write_text(APT_CONF)
    shutil.copy("/etc/resolv.conf", root / "etc/resolv.conf")


def debootstrap(target: Path, include: str = "ca-certificates") -> None:
    """A minimal forky root at TARGET that trusts the host's CAs (about 25 s)."""
    script = Path("/usr/share/debootstrap/scripts/sid")  # forky is not named in bookworm's
    _run(
        "debootstrap",
        "--variant=minbase",
        f"--include={include}",
        SUITE,
        target,
        MIRROR,
        script,
    )
    _give_trust(target)
    _run("chroot", target, "update-ca-certificates")


def ensure_root(say: object = print) -> Path:
    """The engine's root, made once per machine (about two minutes)."""
    if (ROOT / ".ready").exists():
        return ROOT
    if shutil.which("debootstrap") is None:
        raise RuntimeError("debootstrap is not installed: apt-get install debootstrap")
    CACHE.mkdir(parents=True, exist_ok=True)
    say(f"docker engine: debootstrap {SUITE} and install {' '.join(PACKAGES)} (once per machine)")  # type: ignore[operator]
    scratch = Path(tempfile.mkdtemp(dir=CACHE, prefix="engine-partial-"))
    try:
        debootstrap(scratch)
        _run("chroot", scratch, "apt-get", "update", "-qq")
        _run(
            "chroot",
            scratch,
            "env",
            "DEBIAN_FRONTEND=noninteractive",
            "apt-get",
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            *PACKAGES,
        )
        _run("chroot", scratch, "apt-get", "clean")
        (scratch / ".ready").write_text(recipe_hash() + "\n")
        scratch.rename(ROOT)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return ROOT


def install_plugins(config_dir: Path) -> None:
    """Forky's buildx and compose plugins, for the host's client."""
    plugins = config_dir / "cli-plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    for name in PLUGINS:
        shutil.copy(ROOT / "usr/libexec/docker/cli-plugins" / name, plugins / name)


def client() -> str:
    """The host's docker client (28.x on these machines), else the root's own."""
    found = shutil.which("docker")
    return found if found else str(ROOT / "usr/bin/docker")


def answers() -> bool:
    env = {**os.environ, "DOCKER_HOST": host()}
    try:
        result = subprocess.run(
            [client(), "version"], env=env, capture_output=True, timeout=20, check=False
        )
    except subprocess.TimeoutExpired:
        return False
    return result.returncode == 0


def _mounted(path: Path) -> bool:
    return subprocess.run(["mountpoint", "-q", str(path)], check=False).returncode == 0


def _mount() -> None:
    if not _mounted(ROOT):
        # A mount point of its own, else `docker import` fails: "remount /, flags: 0x84000".
        _run("mount", "--bind", ROOT, ROOT)
        _run("mount", "--make-private", ROOT)
    for name in MOUNTS:
        if not _mounted(ROOT / name):
            # rbind for /sys: cgroup hierarchies are submounts.
            _run("mount", "--rbind" if name == "sys" else "--bind", f"/{name}", ROOT / name)
    shutil.copy("/etc/resolv.conf", ROOT / "etc/resolv.conf")


def _bridge() -> None:
    shown = subprocess.run(["ip", "link", "show", BRIDGE], capture_output=True, check=False)
    if shown.returncode != 0:
        _run("ip", "link", "add", BRIDGE, "type", "bridge")
        _run("ip", "addr", "add", BRIDGE_ADDRESS, "dev", BRIDGE)
    _run("ip", "link", "set", BRIDGE, "up")


def up(log: Path, say: object = print, timeout: float = 90) -> int:
    """Start dockerd in the root; return its pid. Raises RuntimeError when it does not answer."""
    if os.geteuid() != 0:
        raise RuntimeError("starting the engine needs root (mounts, a namespace, a bridge)")
    ensure_root(say)
    _mount()
    _bridge()
    (ROOT / SOCKET).parent.mkdir(parents=True, exist_ok=True)
    dockerd = " ".join(
        [
            "exec dockerd",
            f"--host unix:///{SOCKET}",
            f"--pidfile /{PIDFILE}",
            "--exec-root /run/scaffold/exec",
            f"--bridge {BRIDGE}",
            f"--default-address-pool {ADDRESS_POOL}",
        ]
    )
    # Not a plain chroot: in a mount namespace of its own whose root is the root's (pivot_root),
    # as containers' exec processes (HEALTHCHECK, `docker exec`, compose watch) enter the root
    # of the engine's mount namespace: under chroot alone that is the host's.
    script = (
        f"set -e; cd {ROOT}; mkdir -p .host; pivot_root . .host; cd /; "
        f"/.host/bin/umount --lazy /.host; {dockerd}"
    )
    with log.open("ab") as out:
        process = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives a shell started by hand; `down` stops it
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            down()
            raise RuntimeError(f"dockerd exited ({process.returncode}): see {log}")
        if answers():
            return process.pid
        time.sleep(0.5)
    down()
    raise RuntimeError(f"dockerd did not answer within {timeout:.0f} s: see {log}")


def down() -> None:
    """Stop the root's dockerd (its containers stop with it), then unmount what `up` mounted."""
    pidfile = ROOT / PIDFILE
    if pidfile.exists():
        try:
            pid = int(pidfile.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
                time.sleep(0.3)
            if Path(f"/proc/{pid}").exists():
                os.kill(pid, signal.SIGKILL)
        except (ValueError, ProcessLookupError):
            pass
    if _mounted(ROOT):
        subprocess.run(["umount", "--recursive", str(ROOT)], capture_output=True, check=False)
    if _mounted(ROOT):  # something still busy: detach it lazily rather than leave it behind
        subprocess.run(["umount", "--recursive", "--lazy", str(ROOT)], check=False)
    subprocess.run(["ip", "link", "delete", BRIDGE], capture_output=True, check=False)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    config = CACHE / "docker-config"
    if command == "up":
        if not answers():
            up(CACHE / "dockerd.log", say=lambda line: sys.stderr.write(line + "\n"))
        install_plugins(config)
        sys.stdout.write(f"export DOCKER_HOST={host()} DOCKER_CONFIG={config}\n")
        return 0
    if command == "down":
        down()
        return 0
    sys.stderr.write("usage: engine_root.py up|down\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
