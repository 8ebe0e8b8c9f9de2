"""Which Node.js releases the project's locked dependencies accept (their `engines.node`).

A project pinned to an old Node.js (`.nvmrc`: 18) whose lockfile has since taken a dependency
that needs a newer one (Next.js 16: `>=20.9.0`) cannot build on the image its pin names. npm's
package-lock.json and pnpm-lock.yaml record each package's `engines`; init checks the version it
would choose against those of the project's direct dependencies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

Version = tuple[int, int, int]

_PART = r"(\d+|[xX*])"
_VERSION = re.compile(rf"v?{_PART}(?:\.{_PART})?(?:\.{_PART})?(?:[-+][\w.-]*)?")
_COMPARATOR = re.compile(r"\s*(<=|>=|<|>|=|\^|~)?\s*([^\s<>=^~]\S*)")
_NEWEST = 10_000  # a tag names the newest release of its line: node:18 is 18.newest.newest


def _parts(text: str) -> list[int | None] | None:
    match = _VERSION.fullmatch(text)
    if not match:
        return None
    return [int(p) if p and p.isdigit() else None for p in match.groups()]


def _floor(parts: list[int | None]) -> Version:
    major, minor, patch = (p or 0 for p in parts)
    return major, minor, patch


def _ceiling(operator: str, parts: list[int | None]) -> Version | None:
    """The first version past what OPERATOR with PARTS admits (None: no upper bound)."""
    major, minor, patch = parts
    if operator == "^":
        if major != 0 or minor is None:
            return ((major or 0) + 1, 0, 0)
        return (0, minor + 1, 0) if minor != 0 or patch is None else (0, 0, patch + 1)
    if operator == "~" or (not operator and minor is not None and patch is None):
        return ((major or 0) + 1, 0, 0) if minor is None else (major or 0, minor + 1, 0)
    if not operator and minor is None:
        return ((major or 0) + 1, 0, 0)
    return None


def _admits_one(comparators: str, version: Version) -> bool:
    for operator, text in _COMPARATOR.findall(comparators):
        parts = _parts(text)
        if parts is None or parts[0] is None:
            continue  # "*", "x", "latest": anything
        low = _floor(parts)
        if operator in {">", ">="}:
            ok = version > low if operator == ">" else version >= low
        elif operator == "<=" and None in parts:  # <=18 is every 18
            ok = version < (_ceiling("", parts) or low)
        elif operator in {"<", "<="}:
            ok = version < low if operator == "<" else version <= low
        elif operator == "=" or (not operator and None not in parts):
            ok = version[: len(parts)] == low[: len(parts)]
        else:
            ceiling = _ceiling(operator, parts)
            ok = version >= low and (ceiling is None or version < ceiling)
        if not ok:
            return False
    return True


def engines_tag(spec: object) -> str | None:
    """The node image tag package.json's engines.node range holds the service to.

    "^10.15.1" and "10.x" -> "10" (every 10 qualifies, the newest is taken), "~10.15.1" and
    "10.15" -> "10.15", an exact "10.15.1" -> itself. None for a floor (">=18": the default fits)
    or no version.
    """
    if not isinstance(spec, str) or spec.lstrip().startswith((">", "<")):
        return None
    match = _COMPARATOR.match(spec.split("||")[0])
    parts = _parts(match.group(2)) if match else None
    if match is None or parts is None or parts[0] is None:
        return None
    operator, (major, minor, patch) = match.group(1), parts
    if (operator == "^" and major != 0) or minor is None:
        return str(major)
    if operator == "~" or patch is None:
        return f"{major}.{minor}"
    return f"{major}.{minor}.{patch}"


def admits(spec: str, tag: str) -> bool:
    """Whether the semver range SPEC admits the newest release of the image tag TAG ("18")."""
    numbers = [int(p) for p in re.findall(r"\d+", tag)[:3]]
    version = (*numbers, *[_NEWEST] * (3 - len(numbers)))
    newest: Version = (version[0], version[1], version[2])
    spec = re.sub(r"(\S+)\s+-\s+(\S+)", r">=\1 <=\2", spec)  # hyphen range
    spec = re.sub(r"(<=|>=|<|>|=|\^|~)\s+", r"\1", spec)
    return any(_admits_one(alternative, newest) for alternative in spec.split("||"))


def locked_engines(root: Path, package: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(name, locked version, engines.node) of each direct dependency whose lock entry has one."""
    names = {**package.get("devDependencies", {}), **package.get("dependencies", {})}
    npm = root / "package-lock.json"
    pnpm = root / "pnpm-lock.yaml"
    try:
        if npm.is_file():
            entries = json.loads(npm.read_text(encoding="utf-8")).get("packages", {})
            for name in sorted(names):
                entry = entries.get(f"node_modules/{name}", {})
                yield from _engine(name, entry)
        elif pnpm.is_file():
            lock = yaml.safe_load(pnpm.read_text(encoding="utf-8")) or {}
            yield from _pnpm_engines(lock, names)
    except (OSError, ValueError, yaml.YAMLError, AttributeError, TypeError):
        return


def _engine(name: str, entry: Any) -> Iterator[tuple[str, str, str]]:
    engines = entry.get("engines") if isinstance(entry, dict) else None
    node = engines.get("node") if isinstance(engines, dict) else None
    if isinstance(node, str):
        yield name, str(entry.get("version", "")), node


def _pnpm_engines(
    lock: Mapping[str, Any], names: Mapping[str, Any]
) -> Iterator[tuple[str, str, str]]:
    importer = (lock.get("importers") or {}).get(".", lock)  # lockfile 5 keeps them at the top
    packages = lock.get("packages") or {}
    for group in ("dependencies", "devDependencies"):
        for name, locked in (importer.get(group) or {}).items():
            if name not in names:
                continue
            version = str(locked.get("version", "") if isinstance(locked, dict) else locked)
            version = version.split("(", 1)[0]
            for key in (f"{name}@{version}", f"/{name}@{version}", f"/{name}/{version}"):
                if key in packages:
                    entry = {**packages[key], "version": version}
                    yield from _engine(name, entry)
                    break
