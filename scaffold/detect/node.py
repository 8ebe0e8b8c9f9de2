"""Node.js services and static sites: package.json, its lockfile and version files."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scaffold.detect._common import (
    Detection,
    database_folders,
    json_object,
    kebab,
    repository_folders,
    text_of,
    up_to,
    version_in,
    walk,
)
from scaffold.detect.node_engines import admits, engines_tag, locked_engines
from scaffold.detect.node_native import native_packages
from scaffold.errors import ScaffoldError

_NODE_LOCKS = {
    "package-lock.json": "npm",
    "pnpm-lock.yaml": "pnpm",
    "yarn.lock": "yarn",
    "bun.lockb": "bun",
    "bun.lock": "bun",
}
#: The service's own source files, where a database file's path is named.
_SOURCE_SUFFIXES = (".js", ".cjs", ".mjs", ".ts", ".cts", ".mts")
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


#: A start script that serves a folder of files (`sirv public`, `serve -s build`,
#: `http-server ./dist`): the folder the build fills.
_FILE_SERVER = re.compile(
    r"^(?:npx\s+)?(?:sirv|serve|http-server|live-server)(?:\s+-\S+)*"
    r"\s+(?![-\d])\.?/?([\w./-]+?)/?(?:\s|$)"
)

#: A test script that waits for file changes: `jest --watch`, `mocha -w`, `--watchAll=true`.
_WATCHING = re.compile(r"(^|\s)(--watch(All)?|-w)(=true)?(\s|$)")


def read(root: Path, found: Detection) -> None:
    """Record a Node.js project's answers: package manager, version, serving, entry point."""
    package = json_object(root, "package.json")
    if package.get("workspaces") or _pnpm_workspace(root).get("packages"):
        raise ScaffoldError(
            f"{root} is a workspace of several packages: run scaffold init in the folder of the "
            "package that is the service"
        )
    workspace = _workspace_of(root)
    # A workspace's package manager, lockfile and settings are its root's.
    locked = workspace.folder if workspace else root
    settings = _package_at(locked) if workspace else package
    found.found("project_name", kebab(str(package.get("name", "")).split("/")[-1]), "package.json")
    deps = {**package.get("devDependencies", {}), **package.get("dependencies", {})}
    scripts = package.get("scripts", {}) if isinstance(package.get("scripts"), dict) else {}
    if workspace and workspace.kind == "pnpm" and not (locked / "pnpm-lock.yaml").is_file():
        found.found("package_manager", "pnpm", "the workspace's pnpm-workspace.yaml")
    _node_package_manager(locked, settings, found, workspace=workspace is not None)
    _native_modules(locked, settings, found)
    engines = package.get("engines", {})
    held = engines_tag(engines.get("node")) if isinstance(engines, dict) else None
    if held and "." in held:  # narrower than a major: yarn and pnpm refuse any other release
        found.found("language_version", held, "package.json: engines.node")
    _version_files(root, locked, found)
    found.found("language_version", held, "package.json: engines.node")
    _check_locked_engines(locked, package, found)
    builder = next((tool for tool in _SITE_BUILDERS if tool in deps), None)
    served = _FILE_SERVER.search(str(scripts.get("start", "")))
    if "next" in deps:
        found.found("language", "node", "next in package.json")
        found.found("serving", "next", "next in package.json")
        _next_output(root, found)
    elif served and "build" in scripts and not _SERVERS & deps.keys():
        source = f"scripts.start serves {served.group(1)}/ and a build script"
        found.found("language", "static", source)
        found.found("serving", "nginx", source)
        found.found("entrypoint", served.group(1), source)
        found.found("port", 8080, "nginx")
    elif _SERVERS & deps.keys() or (builder is None and "start" in scripts):
        found.found("language", "node", "package.json")
        found.found("serving", "node", "a server in package.json")
        _node_entrypoint(root, package, scripts, found)
        folders = database_folders(root, _SOURCE_SUFFIXES)
        found.found("writable_paths", " ".join(folders), "a database file the code names")
    elif builder is not None and "build" in scripts:
        found.found("language", "static", f"{builder} and a build script")
        found.found("serving", "nginx", f"{builder} and a build script")
        found.found("entrypoint", _SITE_BUILDERS[builder], f"{builder}'s output folder")
        found.found("port", 8080, "nginx")
    if workspace is not None:
        _workspace_member(workspace, package, found)
    test = str(scripts.get("test", ""))
    if _WATCHING.search(test):  # never ends, or fails without a terminal or git (jest --watch)
        found.found("dev_test_prod", False, "scripts.test watches for changes: a build cannot")
    found.found(
        "dev_test_prod", "test" in scripts and "no test specified" not in test, "scripts.test"
    )


def _version_files(root: Path, workspace: Path, found: Detection) -> None:
    """The Node.js version .nvmrc or .node-version names: the package's, else its workspace's."""
    root = root.resolve()
    for folder in dict.fromkeys((root, workspace)):
        shown = "" if folder == root else up_to(root, folder)
        for name in (".nvmrc", ".node-version"):
            version = version_in(text_of(folder / name), 1)
            found.found("language_version", version, f"{shown}/{name}" if shown else name)


def _check_locked_engines(root: Path, package: Mapping[str, Any], found: Detection) -> None:
    """Drop a pinned version that a locked direct dependency refuses (its engines.node)."""
    chosen = found.answers.get("language_version")
    if not chosen:
        return
    refusing = [
        (name, version, spec)
        for name, version, spec in locked_engines(root, package)
        if not admits(spec, str(chosen))
    ]
    if not refusing:
        return
    name, version, spec = refusing[0]
    source = found.sources.pop("language_version")
    del found.answers["language_version"]
    found.warnings.append(
        f"{source} names Node.js {chosen}, but {name} {version} in the lockfile needs node "
        f"{spec}: the image uses the default Node.js; raise the pin to match"
    )


def _node_package_manager(
    root: Path, package: Mapping[str, Any], found: Detection, workspace: bool = False
) -> None:
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
        where = f" in the workspace root ({root})" if workspace else ""
        found.warnings.append(
            f"no lockfile: the image installs exactly what {lock} pins; create it with "
            f"`{manager} install`{where} and commit it before building"
        )
    if found.answers.get("package_manager") == "yarn":
        _yarn_release(root, package, found)
    if found.answers.get("package_manager") == "pnpm":
        _pnpm_release(root, package, found)


_LOCKFILE_OF = {manager: lock for lock, manager in _NODE_LOCKS.items() if manager != "bun"}


def _native_modules(root: Path, package: Mapping[str, Any], found: Detection) -> None:
    """native_modules: whether a locked dependency compiles a native addon when it installs."""
    manager = found.answers.get("package_manager", "npm")
    lock = _LOCKFILE_OF[manager]
    if not (root / lock).is_file():
        return  # the answer stays its default: nothing to read it from
    names = native_packages(root, manager)
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    found.found(
        "native_modules",
        bool(names),
        f"{lock}: {shown} {'builds' if len(names) == 1 else 'build'} a native addon"
        if names
        else f"{lock}: no native addon",
    )
    approved = package.get("allowScripts")
    approved = approved if isinstance(approved, dict) else {}
    allowed = {
        key.rsplit("@", 1)[0] if "@" in key[1:] else key for key, ok in approved.items() if ok
    }
    blocked = [name for name in names if name not in allowed]
    if manager == "pnpm":
        _pnpm_builds(root, package, names, found)
    elif manager == "npm" and blocked:
        found.warnings.append(
            f"{', '.join(blocked)} build{'s' if len(blocked) == 1 else ''} a native addon in an "
            "install script, which npm 12 and later skip unless package.json's allowScripts "
            f"approves it: run `npm install-scripts approve {' '.join(blocked)}` and commit "
            "package.json"
        )


@dataclass(frozen=True)
class Workspace:
    """The npm, pnpm or Yarn workspace a package belongs to."""

    folder: Path  #: the workspace root: its package.json, lockfile and settings
    member: str  #: the package's folder inside it, e.g. apps/api
    kind: str  #: "pnpm", "yarn" or "npm"
    globs: tuple[str, ...]  #: the folders it lists

    def packages(self) -> dict[str, tuple[str, dict[str, Any]]]:
        """Every package of the workspace: its name -> (folder, package.json)."""
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        for pattern in self.globs:
            depth = 6 if "**" in pattern else pattern.count("/") + 1
            matcher = _glob(pattern)
            for manifest in _manifests(self.folder, depth):
                folder = manifest.parent.relative_to(self.folder).as_posix()
                package = _package_at(manifest.parent)
                if matcher.fullmatch(folder) and isinstance(package.get("name"), str):
                    found.setdefault(package["name"], (folder, package))
        return found

    def built_first(self, package: Mapping[str, Any]) -> list[str]:
        """The workspace packages PACKAGE depends on with a build script, dependencies first."""
        packages = self.packages()
        order: list[str] = []

        def visit(manifest: Mapping[str, Any], seen: frozenset[str]) -> None:
            for name in sorted(_dependency_names(manifest)):
                if name in packages and name not in seen and name not in order:
                    _, dependency = packages[name]
                    visit(dependency, seen | {name})
                    scripts = dependency.get("scripts")
                    if isinstance(scripts, dict) and isinstance(scripts.get("build"), str):
                        order.append(name)

        visit(package, frozenset({str(package.get("name", ""))}))
        return order


def _workspace_member(workspace: Workspace, package: Mapping[str, Any], found: Detection) -> None:
    """Record a workspace package's answers: built from the workspace root, with its lockfile."""
    up = up_to(workspace.folder / workspace.member, workspace.folder)
    where = f"{up} is its {workspace.kind} workspace"
    name = package.get("name")
    if not isinstance(name, str) or not name:
        raise ScaffoldError(
            f"{workspace.folder / workspace.member}/package.json has no name, which its "
            f"{workspace.kind} workspace needs to pick it out: add a name and run init again"
        )
    found.found("workspace_member", workspace.member, f"{where}: the image is built from {up}")
    found.found("workspace_package", name, "package.json: name")
    built = workspace.built_first(package)
    found.found("workspace_builds", " ".join(built), "workspace packages it uses, with a build")


def _dependency_names(package: Mapping[str, Any]) -> set[str]:
    names: set[str] = set()
    for field in ("dependencies", "devDependencies", "optionalDependencies"):
        listed = package.get(field)
        if isinstance(listed, dict):
            names.update(str(name) for name in listed)
    return names


def _manifests(folder: Path, depth: int) -> list[Path]:
    """The package.json files under FOLDER, to DEPTH folders down (dependencies skipped)."""
    return [path for path in walk(folder, depth + 1) if path.name == "package.json"]


def _package_at(folder: Path) -> dict[str, Any]:
    try:
        package = json.loads(text_of(folder / "package.json") or "{}")
    except json.JSONDecodeError:
        return {}
    return package if isinstance(package, dict) else {}


def _workspace_of(root: Path) -> Workspace | None:
    """The npm, yarn or pnpm workspace above ROOT that lists ROOT's folder as a package.

    The workspace's globs match as its package managers do: `*` within a folder, `**` across.
    """
    root = root.resolve()
    for folder in repository_folders(root)[1:]:
        package = _package_at(folder)
        listed = package.get("workspaces")
        if isinstance(listed, dict):  # yarn classic's {"packages": [...], "nohoist": [...]}
            listed = listed.get("packages")
        pnpm = _pnpm_workspace(folder).get("packages")
        globs = tuple(
            g.removeprefix("./").rstrip("/")
            for g in (pnpm or listed or [])
            if isinstance(g, str) and g[:1] != "!"
        )
        member = root.relative_to(folder).as_posix()
        if any(_glob(g).fullmatch(member) for g in globs):
            kind = "pnpm" if pnpm else "yarn" if (folder / "yarn.lock").is_file() else "npm"
            return Workspace(folder, member, kind, globs)
    return None


def _glob(pattern: str) -> re.Pattern[str]:
    """A workspace glob: `*` and `?` within one folder, `**` across folders."""
    escaped = re.escape(pattern).replace(r"\*\*", ".*")
    return re.compile(escaped.replace(r"\*", "[^/]*").replace(r"\?", "[^/]"))


def _pnpm_workspace(root: Path) -> dict[str, Any]:
    """pnpm-workspace.yaml's settings; since pnpm 10 a single package keeps settings there too."""
    try:
        settings = yaml.safe_load(text_of(root / "pnpm-workspace.yaml"))
    except yaml.YAMLError:
        return {}
    return settings if isinstance(settings, dict) else {}


def _pnpm_builds(
    root: Path, package: Mapping[str, Any], names: list[str], found: Detection
) -> None:
    """Warn when pnpm 10 or later would skip a native addon's build script.

    pnpm 10 runs a dependency's install scripts only when onlyBuiltDependencies (package.json's
    pnpm field or pnpm-workspace.yaml) or allowBuilds lists it; older releases run them all.
    """
    pinned = re.match(r"pnpm@(\d+)", str(package.get("packageManager", "")))
    lock = _LOCKFILE_VERSION.search(text_of(root / "pnpm-lock.yaml")[:500])
    if (pinned and int(pinned.group(1)) < 10) or (
        not pinned and lock and lock.group(1) in _PNPM_FOR_LOCKFILE
    ):
        return  # a pnpm older than 10 runs (the pin, or the one that reads this lockfile)
    workspace = _pnpm_workspace(root)
    if workspace.get("dangerouslyAllowAllBuilds") is True:
        return
    listed: set[str] = set()
    field = package.get("pnpm")
    pnpm: Mapping[str, Any] = field if isinstance(field, dict) else {}
    for source in (pnpm.get("onlyBuiltDependencies"), workspace.get("onlyBuiltDependencies")):
        listed.update(str(name) for name in source or [] if isinstance(source, list))
    allow = workspace.get("allowBuilds")
    if isinstance(allow, dict):
        listed.update(str(name) for name, ok in allow.items() if ok is True)
    blocked = [name for name in names if name not in listed]
    if blocked:
        found.warnings.append(
            f"{', '.join(blocked)} build{'s' if len(blocked) == 1 else ''} a native addon in an "
            "install script, which pnpm 10 and later skip unless onlyBuiltDependencies lists it: "
            "run `pnpm approve-builds` and commit pnpm-workspace.yaml"
        )


# The newest pnpm release line that reads each older pnpm-lock.yaml dialect (lockfileVersion's
# major): pnpm 7 wrote 5.4 (and reads 5.3), pnpm 8 wrote 6.x. Corepack's own default reads 9.0.
_PNPM_FOR_LOCKFILE = {"5": "7.33.7", "6": "8.15.9"}
_LOCKFILE_VERSION = re.compile(r"""^lockfileVersion:\s*['"]?(\d+)\.(\d+)['"]?\s*$""", re.MULTILINE)


def _pnpm_release(root: Path, package: Mapping[str, Any], found: Detection) -> None:
    """pnpm_version: the pnpm that reads pnpm-lock.yaml, when package.json pins none.

    Corepack runs the packageManager pin when there is one; without it, its own (newest) pnpm,
    which refuses an older lockfile dialect under --frozen-lockfile.
    """
    if str(package.get("packageManager", "")).startswith("pnpm@"):
        return  # corepack runs the pinned release: the answer stays empty
    match = _LOCKFILE_VERSION.search(text_of(root / "pnpm-lock.yaml")[:500])
    if match and match.group(1) in _PNPM_FOR_LOCKFILE:
        version = f"{match.group(1)}.{match.group(2)}"
        found.found(
            "pnpm_version",
            _PNPM_FOR_LOCKFILE[match.group(1)],
            f"pnpm-lock.yaml: lockfileVersion {version}",
        )


_NEXT_CONFIGS = ("next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs")
_COMMENTS = re.compile(r"/\*.*?\*/|(?<![:\w])//[^\n]*", re.DOTALL)
_STANDALONE = re.compile(r"""\boutput\s*:\s*["'`]standalone["'`]""")


def _next_output(root: Path, found: Detection) -> None:
    """next_standalone: whether next.config sets `output: "standalone"` (a server.js to ship)."""
    config = next((name for name in _NEXT_CONFIGS if (root / name).is_file()), None)
    if config is None:
        found.found("next_standalone", False, "no next.config")
        return
    code = _COMMENTS.sub("", text_of(root / config))  # `// output: "standalone"` is off
    standalone = bool(_STANDALONE.search(code))
    found.found(
        "next_standalone",
        standalone,
        f"{config}: output standalone" if standalone else f"{config}: no output standalone",
    )
    if not standalone:
        found.warnings.append(
            f'{config} has no `output: "standalone"`: the image runs `next start` with every '
            f"dependency, dev ones too ({config} runs again at start and may import them); "
            "with standalone output it is smaller"
        )


def _yarn_release(root: Path, package: Mapping[str, Any], found: Detection) -> None:
    """yarn_classic: Yarn 1 and Yarn 2+ read the same yarn.lock name, in different formats.

    The packageManager pin is what corepack runs; then the lockfile's own format (Yarn 1 writes
    a "# yarn lockfile v1" header, later releases a __metadata block); then .yarnrc.yml (Yarn 2+)
    against .yarnrc (Yarn 1).
    """
    declared = str(package.get("packageManager", ""))
    if declared.startswith("yarn@"):
        major = version_in(declared.removeprefix("yarn@"), 1)
        found.found("yarn_classic", major == "1", "packageManager in package.json")
    head = text_of(root / "yarn.lock")[:2000]
    if "# yarn lockfile v1" in head:
        found.found("yarn_classic", True, "yarn.lock: # yarn lockfile v1")
    elif "__metadata:" in head:
        found.found("yarn_classic", False, "yarn.lock: __metadata (Yarn 2+)")
    if (root / ".yarnrc.yml").is_file():
        found.found("yarn_classic", False, ".yarnrc.yml (Yarn 2+)")
    elif (root / ".yarnrc").is_file():
        found.found("yarn_classic", True, ".yarnrc (Yarn 1)")


_NODE_RUN = re.compile(r"(?:^|[\s;&|(])node\s+(?:-\S+\s+)*([\w./-]+?)(\.[cm]?js)?(?=$|[\s;&|])")


def _node_entrypoint(
    root: Path, package: Mapping[str, Any], scripts: Mapping[str, Any], found: Detection
) -> None:
    """The script the server starts with; with a build script (node_build_step), its output.

    A project compiled first (TypeScript, Babel, Nest) starts a file the build writes, so that
    file need not exist yet: `node dist/main` in scripts.start or scripts["start:prod"].
    """
    build = isinstance(scripts.get("build"), str)
    found.found(
        "build_script", build, "package.json: scripts.build" if build else "no scripts.build"
    )
    started = []
    for name in ("start", "start:prod", "serve", "prod"):
        match = _NODE_RUN.search(str(scripts.get(name, "")))
        if match:  # `node dist/main` runs dist/main.js; `node ./bin/www` a file without one
            path = match.group(1) + (match.group(2) or "")
            if not match.group(2) and not (root / path).is_file():
                path += ".js"
            started.append((path, f"package.json: scripts.{name}"))
    main = str(package.get("main", ""))
    if main.endswith(("js", "cjs", "mjs")):
        started.append((main, "package.json: main"))
    usual = ("server.js", "index.js", "app.js", "src/server.js", "src/index.js", "src/app.js")
    chosen = next(
        (
            (path.removeprefix("./"), source)
            for path, source in [*started, *((u, f"{u} exists") for u in usual)]
            if (root / path).is_file() or (build and (path, source) in started)
        ),
        None,
    )
    if chosen is None:
        found.warnings.append(
            "no server file found (scripts.start, main, server.js, index.js, app.js): "
            "answer entrypoint with the file that starts the server"
        )
        return
    entry, source = chosen
    found.found("entrypoint", entry, source)
    port = re.search(
        r"process\.env\.PORT\s*(?:\|\||\?\?)\s*['\"]?(\d{2,5})", _source_of(root, entry)
    )
    if port:
        found.found("port", int(port.group(1)), entry)


def _source_of(root: Path, entry: str) -> str:
    """The entry point's text; for a file the build writes, its TypeScript source, if found."""
    text = text_of(root / entry)
    if text:
        return text
    stem = Path(entry).with_suffix("")
    for candidate in (Path("src", *stem.parts[1:]), stem):
        for suffix in (".ts", ".mts", ".js"):
            text = text_of(root / candidate.with_suffix(suffix))
            if text:
                return text
    return ""
