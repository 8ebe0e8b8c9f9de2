"""Node.js services and static sites: package.json, its lockfile and version files."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scaffold.detect._common import Detection, json_object, kebab, text_of, version_in
from scaffold.errors import ScaffoldError

_NODE_LOCKS = {
    "package-lock.json": "npm",
    "pnpm-lock.yaml": "pnpm",
    "yarn.lock": "yarn",
    "bun.lockb": "bun",
    "bun.lock": "bun",
}
_SERVERS = {"express", "fastify", "koa", "@hapi/hapi", "hapi", "@nestjs/core", "restify"}
_SITE_BUILDERS = {  # build tool -> the folder it writes the site to
    "vite": "dist",
    "react-scripts": "build",
    "astro": "dist",
    "@angular/cli": "dist",
    "parcel": "dist",
    "gatsby": "public",
    "@11ty/eleventy": "_site",
    "webpack": "dist",
}


def read(root: Path, found: Detection) -> None:
    """Record a Node.js project's answers: package manager, version, serving, entry point."""
    package = json_object(root, "package.json")
    if package.get("workspaces") or (root / "pnpm-workspace.yaml").is_file():
        raise ScaffoldError(
            f"{root} is a workspace of several packages: run scaffold init in the folder of the "
            "package that is the service"
        )
    found.found("project_name", kebab(str(package.get("name", "")).split("/")[-1]), "package.json")
    deps = {**package.get("devDependencies", {}), **package.get("dependencies", {})}
    scripts = package.get("scripts", {}) if isinstance(package.get("scripts"), dict) else {}
    _node_package_manager(root, package, found)
    for name in (".nvmrc", ".node-version"):
        version = version_in(text_of(root / name), 1)
        found.found("language_version", version, name)
    engines = package.get("engines", {})
    node = engines.get("node") if isinstance(engines, dict) else None
    if isinstance(node, str) and not node.lstrip().startswith(">"):  # a floor: the default fits
        found.found("language_version", version_in(node, 1), "engines.node")
    builder = next((tool for tool in _SITE_BUILDERS if tool in deps), None)
    if "next" in deps:
        found.found("language", "node", "next in package.json")
        found.found("serving", "next", "next in package.json")
    elif _SERVERS & deps.keys() or (builder is None and "start" in scripts):
        found.found("language", "node", "package.json")
        found.found("serving", "node", "a server in package.json")
        _node_entrypoint(root, package, scripts, found)
    elif builder is not None and "build" in scripts:
        found.found("language", "static", f"{builder} and a build script")
        found.found("serving", "nginx", f"{builder} and a build script")
        found.found("entrypoint", _SITE_BUILDERS[builder], f"{builder}'s output folder")
        found.found("port", 8080, "nginx")
    found.found(
        "dev_test_prod",
        "test" in scripts and "no test specified" not in str(scripts.get("test")),
        "scripts.test",
    )


def _node_package_manager(root: Path, package: Mapping[str, Any], found: Detection) -> None:
    locks = [name for name in _NODE_LOCKS if (root / name).is_file()]
    declared = str(package.get("packageManager", "")).split("@")[0]
    managers = {_NODE_LOCKS[name] for name in locks}
    if "bun" in managers or declared == "bun":
        raise ScaffoldError(
            "bun is not supported yet: create a package-lock.json (npm install) or pass "
            "--data package_manager=npm|pnpm|yarn"
        )
    if declared in {"npm", "pnpm", "yarn"}:
        found.found("package_manager", declared, "packageManager in package.json")
    if len(managers) > 1 and declared not in managers:
        raise ScaffoldError(
            f"{root} has lockfiles of several package managers ({', '.join(locks)}): delete the "
            "stale one, or pass --data package_manager=npm|pnpm|yarn"
        )
    if managers:
        found.found("package_manager", next(iter(sorted(managers))), locks[0])
    else:
        manager = found.answers.get("package_manager", "npm")
        lock = {"npm": "package-lock.json", "pnpm": "pnpm-lock.yaml", "yarn": "yarn.lock"}[manager]
        found.warnings.append(
            f"no lockfile: the image installs exactly what {lock} pins; create it with "
            f"`{manager} install` and commit it before building"
        )


def _node_entrypoint(
    root: Path, package: Mapping[str, Any], scripts: Mapping[str, Any], found: Detection
) -> None:
    start = re.search(r"\bnode\s+(?:--\S+\s+)*([\w./-]+\.[cm]?js)\b", str(scripts.get("start", "")))
    candidates = [
        *([start.group(1)] if start else []),
        str(package.get("main", "")),
        "server.js",
        "index.js",
        "app.js",
        "src/server.js",
        "src/index.js",
        "src/app.js",
    ]
    entry = next((c.removeprefix("./") for c in candidates if c and (root / c).is_file()), None)
    if entry is None:
        return
    source = "scripts.start" if start and entry == start.group(1).removeprefix("./") else entry
    found.found("entrypoint", entry, source)
    port = re.search(r"process\.env\.PORT\s*(?:\|\||\?\?)\s*(\d{2,5})", text_of(root / entry))
    if port:
        found.found("port", int(port.group(1)), entry)
