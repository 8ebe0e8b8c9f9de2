"""Which locked Node.js packages build a native addon when they install, read offline.

A package with a C/C++ addon (sqlite3, bcrypt, better-sqlite3, ...) downloads a prebuilt binary
if one exists for this Node.js and platform, else compiles it with node-gyp, which needs python3,
make and g++. Such a package depends on one of the build helpers below; package-lock.json also
marks it `hasInstallScript`, pnpm-lock.yaml (before lockfile v9) `requiresBuild`. A package that
only runs a script (esbuild's postinstall) depends on no helper and needs no compiler. Packages
for other systems only (fsevents on macOS) never install on Linux.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from scaffold.detect._common import text_of

#: Packages that build or load a native addon; depending on one means having one.
BUILD_HELPERS = frozenset(
    {
        "node-gyp",
        "node-gyp-build",
        "prebuild-install",
        "node-pre-gyp",
        "@mapbox/node-pre-gyp",
        "nan",
        "node-addon-api",
        "bindings",
    }
)
#: Addons for macOS only, which older lockfiles (yarn.lock v1) list without their `os`.
_NOT_LINUX = frozenset({"fsevents"})

_PNPM_NAME = re.compile(r"^/?(@[^/@]+/[^/@(]+|[^/@(]+)")


def native_packages(root: Path, manager: str) -> list[str]:
    """Locked packages (sorted names) that build a native addon, by MANAGER's lockfile."""
    if manager == "npm":
        found = _npm(text_of(root / "package-lock.json"))
    elif manager == "pnpm":
        found = _pnpm(text_of(root / "pnpm-lock.yaml"))
    else:
        found = _yarn(text_of(root / "yarn.lock"))
    return sorted({name for name in found if name not in _NOT_LINUX})


def _builds(dependencies: Iterator[str]) -> bool:
    return any(name in BUILD_HELPERS for name in dependencies)


def _on_linux(entry: Mapping[str, Any]) -> bool:
    systems = entry.get("os")
    if not isinstance(systems, list) or not systems:
        return True
    return "linux" in systems or all(str(system).startswith("!") for system in systems)


def _dependency_names(entry: Mapping[str, Any]) -> Iterator[str]:
    for field in ("dependencies", "optionalDependencies", "requires"):
        names = entry.get(field)
        if isinstance(names, dict):
            yield from (str(name) for name in names)


def _npm(text: str) -> Iterator[str]:
    """package-lock.json: v2/v3 `packages` (hasInstallScript), else v1's nested `dependencies`."""
    try:
        lock = json.loads(text) if text else {}
    except json.JSONDecodeError:
        return
    packages = lock.get("packages") if isinstance(lock, dict) else None
    if isinstance(packages, dict):
        for path, entry in packages.items():
            if (
                path
                and isinstance(entry, dict)
                and entry.get("hasInstallScript") is True
                and _on_linux(entry)
                and _builds(_dependency_names(entry))
            ):
                yield str(path).rsplit("node_modules/", 1)[-1]
        return
    stack = [lock.get("dependencies")] if isinstance(lock, dict) else []
    while stack:
        level = stack.pop()
        if not isinstance(level, dict):
            continue
        for name, entry in level.items():
            if isinstance(entry, dict):
                if _builds(_dependency_names(entry)):
                    yield str(name)
                stack.append(entry.get("dependencies"))


def _pnpm(text: str) -> Iterator[str]:
    """pnpm-lock.yaml: `packages` (and v9's `snapshots`, where the dependencies moved)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        lock = yaml.load(text, Loader=loader) if text else {}
    except yaml.YAMLError:
        return
    if not isinstance(lock, dict):
        return
    entries: dict[str, dict[str, Any]] = {}
    for section in ("packages", "snapshots"):
        for key, entry in (lock.get(section) or {}).items():
            match = _PNPM_NAME.match(str(key))
            if match and isinstance(entry, dict):
                merged = entries.setdefault(str(key).lstrip("/"), {"name": match.group(1)})
                merged.update(entry)
    for entry in entries.values():
        if (
            entry.get("requiresBuild", True) is not False
            and _on_linux(entry)
            and _builds(_dependency_names(entry))
        ):
            yield str(entry["name"])


_YARN_HEADER = re.compile(r'^"?((?:@[^@/"\s]+/)?[^@"\s,]+)@')
_YARN_SECTION = re.compile(r"^  (dependencies|optionalDependencies|conditions)\b:?\s*(.*)$")
_YARN_DEPENDENCY = re.compile(r'^    "?((?:@[^@/"\s:]+/)?[^@"\s:]+)"?:?\s')


def _yarn(text: str) -> Iterator[str]:
    """yarn.lock, Yarn 1 (`  dependencies:` / `    name "range"`) and Yarn 2+ (`name: range`)."""
    name = ""
    section = ""
    depends: set[str] = set()
    linux = True
    for line in [*text.splitlines(), ""]:
        if not line.startswith(" "):  # a new entry (or a blank line, a comment): end the last
            if name and linux and depends & BUILD_HELPERS:
                yield name
            header = _YARN_HEADER.match(line)
            name, section, depends, linux = (header.group(1) if header else ""), "", set(), True
            continue
        heading = _YARN_SECTION.match(line)
        if heading:
            section = heading.group(1)
            if section == "conditions":  # Yarn 2+: `conditions: os=darwin`
                linux = "os=" not in heading.group(2) or "os=linux" in heading.group(2)
            continue
        if not line.startswith("    "):
            section = ""
        elif section in {"dependencies", "optionalDependencies"}:
            dependency = _YARN_DEPENDENCY.match(line)
            if dependency:
                depends.add(dependency.group(1))
