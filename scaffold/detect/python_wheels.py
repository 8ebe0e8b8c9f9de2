"""Which Python versions a project's pinned binary packages have wheels for, read offline.

uv.lock, poetry.lock and pdm.lock list the wheel files of every locked release; a wheel's name
carries its tags (`numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.whl`). A release whose Linux
wheels are all built for particular CPython versions installs on those versions only: newer ones
need a compiler and the library's headers (psycopg2-binary on a Python it has no wheel for is not
even "binary" any more). requirements.txt lists no files: there, known compiled packages pinned
exactly get a warning instead.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from scaffold.detect._common import text_of

#: Lockfiles that list each locked release's files, in the order they are read.
LOCKFILES = ("uv.lock", "poetry.lock", "pdm.lock")

# name-version(-build)?-python-abi-platform.whl
_WHEEL = re.compile(r"^[^-]+-[^-]+(?:-\d[^-]*)?-([^-]+)-([^-]+)-([^-]+)\.whl$")
_CPYTHON = re.compile(r"^cp3(\d+)$")

#: Compiled packages common in services' requirements; a pin of one may have no wheel for a
#: newer Python than it was released for.
COMPILED = {
    "psycopg2-binary",
    "numpy",
    "pandas",
    "scipy",
    "pydantic-core",
    "lxml",
    "grpcio",
    "pillow",
    "orjson",
    "ujson",
    "uvloop",
    "greenlet",
    "gevent",
    "httptools",
    "asyncpg",
    "pyyaml",
    "psutil",
    "regex",
    "mysqlclient",
    "scikit-learn",
}


@dataclass(frozen=True)
class Pin:
    """A locked binary release and the Python minor versions (3.X as X) it has Linux wheels for."""

    name: str
    version: str
    minors: frozenset[int]
    abi3_from: int | None = None

    def supports(self, python: str) -> bool:
        """Whether a Linux wheel of this release installs on PYTHON ("3.12")."""
        minor = int(python.split(".")[1])
        return minor in self.minors or (self.abi3_from is not None and minor >= self.abi3_from)

    def shown(self) -> str:
        """`numpy 1.26.4 (wheels for 3.9-3.12)`: what a warning or a source names."""
        minors = sorted(self.minors)
        span = f"3.{minors[0]}-3.{minors[-1]}" if len(minors) > 1 else f"3.{minors[0]}"
        if self.abi3_from is not None:
            span = f"3.{self.abi3_from} and later"
        return f"{self.name} {self.version} (wheels for {span})"


def binary_pins(root: Path) -> tuple[str, list[Pin]]:
    """The first lockfile of ROOT that lists files, and its releases tied to CPython versions."""
    for name in LOCKFILES:
        text = text_of(root / name)
        if not text:
            continue
        try:
            packages = tomllib.loads(text).get("package", [])
        except tomllib.TOMLDecodeError:
            continue
        pins = [pin for pin in map(_pin, packages if isinstance(packages, list) else []) if pin]
        return name, pins
    return "", []


def _pin(package: object) -> Pin | None:
    if not isinstance(package, dict):
        return None
    files = [*package.get("wheels", []), *package.get("files", [])]
    names = []
    for entry in files:
        if isinstance(entry, dict):
            location = str(entry.get("url") or entry.get("file") or entry.get("path") or "")
            names.append(location.rsplit("/", 1)[-1].split("#", 1)[0])
    minors: set[int] = set()
    abi3: list[int] = []
    for file in names:
        tags = _WHEEL.match(file)
        if not tags:
            continue
        python, abi, platform = tags.groups()
        if abi == "none" and platform == "any":
            return None  # a pure-Python wheel installs anywhere
        if "linux" not in platform:
            continue
        for tag in python.split("."):
            cpython = _CPYTHON.match(tag)
            if not cpython:
                continue
            if abi == "abi3":
                abi3.append(int(cpython.group(1)))
            elif not abi.endswith("t"):  # free-threaded builds are another interpreter
                minors.add(int(cpython.group(1)))
    if not minors and not abi3:
        return None
    return Pin(
        str(package.get("name", "?")),
        str(package.get("version", "?")),
        frozenset(minors),
        min(abi3) if abi3 else None,
    )


def newest_supported(pins: list[Pin], versions: list[str]) -> str | None:
    """The newest of VERSIONS (newest first) every pin has a wheel for."""
    return next((v for v in versions if all(pin.supports(v) for pin in pins)), None)


def compiled_requirements(text: str) -> list[str]:
    """`name==version` pins of known compiled packages in a requirements file's TEXT."""
    pins = []
    for line in text.splitlines():
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*==\s*([\w.]+)", line)
        if match and match.group(1).lower().replace("_", "-") in COMPILED:
            pins.append(f"{match.group(1)}=={match.group(2)}")
    return pins
