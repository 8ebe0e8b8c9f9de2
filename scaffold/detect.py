"""What an existing project is, read from its manifests, lockfiles and version files.

Every finding is an answer to one of copier.yml's questions, offered as the prompt's default
(marked "(detected: VALUE)") and used as is with `--defaults`; `scaffold init` shows them with
where each was read. Nothing here writes or runs anything.
A project scaffold cannot read with confidence (several services, a workspace) is refused with
a message that says what to do instead.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold.errors import ScaffoldError

#: Manifests that name a service's language, in the order they are looked for.
MANIFESTS = {
    "package.json": "node",
    "pyproject.toml": "python",
    "requirements.txt": "python",
    "go.mod": "go",
    "Cargo.toml": "rust",
    "pom.xml": "java",
    "build.gradle": "java",
    "build.gradle.kts": "java",
    "composer.json": "php",
    "Gemfile": "ruby",
}
_NODE_LOCKS = {
    "package-lock.json": "npm",
    "pnpm-lock.yaml": "pnpm",
    "yarn.lock": "yarn",
    "bun.lockb": "bun",
    "bun.lock": "bun",
}
#: Folders never searched: dependencies, build output, version control.
_SKIP = {
    "node_modules",
    ".git",
    ".venv",
    "venv",
    "vendor",
    "target",
    "build",
    "dist",
    "bin",
    "obj",
    "__pycache__",
    ".next",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
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
_PYTHON_VERSIONS = ["3.14", "3.13", "3.12", "3.11", "3.10", "3.9"]


@dataclass
class Detection:
    """Answers read from a project, where each came from, and what the user should know."""

    answers: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def found(self, key: str, value: Any, source: str) -> None:
        """Record VALUE for question KEY unless an earlier, stronger source set it."""
        if value is not None and value != "" and key not in self.answers:
            self.answers[key] = value
            self.sources[key] = source


def detect(root: Path, given: Mapping[str, Any]) -> Detection:
    """Read ROOT; GIVEN (answers from --data) settles what detection would otherwise refuse."""
    found = Detection()
    name = _kebab(root.name)
    languages = _languages(root)
    language = given.get("language")
    if language is None:
        if not languages:
            _no_manifest(root)
        if len(set(languages.values())) > 1:
            listed = ", ".join(sorted(languages))
            raise ScaffoldError(
                f"{root} has manifests of several languages ({listed}): run scaffold init in "
                "the service's own folder, or pass --data language=LANGUAGE"
            )
        language = next(iter(languages.values()))
    reader = _READERS.get("node" if language == "static" else str(language))
    if reader is not None:
        try:
            reader(root, found)
        except (AttributeError, TypeError, ValueError) as error:  # a manifest of another shape
            manifests = ", ".join(sorted(languages)) or "its manifest"
            raise ScaffoldError(
                f"cannot read {manifests} ({type(error).__name__}: {error}): pass the answers "
                "with --data KEY=VALUE"
            ) from None
    if "language" not in found.answers and languages:
        found.found("language", language, next(iter(languages)))
    found.found("project_name", name or "service", f"folder {root.name}")
    return found


def _languages(root: Path) -> dict[str, str]:
    try:
        present = {entry.name for entry in root.iterdir()}
    except OSError as error:
        reason = error.strerror or str(error)
        raise ScaffoldError(f"cannot read {root}: {reason}; check its permissions") from None
    languages = {name: lang for name, lang in MANIFESTS.items() if name in present}
    projects = sorted(n for n in present if n.endswith(".csproj") or n.endswith(".sln"))
    csproj = _csproj_files(root)
    if csproj or projects:
        languages[(projects or [str(csproj[0])])[0]] = "dotnet"
    return languages


def _no_manifest(root: Path) -> None:
    services = sorted(
        {
            str(path.parent.relative_to(root))
            for path in _walk(root, depth=2)
            if path.name in MANIFESTS and path.parent != root
        }
    )
    if services:
        shown = ", ".join(f"{s}/" for s in services[:5])
        raise ScaffoldError(
            f"{root} has no manifest of its own but services in {shown}: "
            f"run scaffold init {root.name}/{services[0]} (one service per image)"
        )
    raise ScaffoldError(
        f"cannot tell what {root} is built with (no package.json, pyproject.toml, go.mod, "
        "Cargo.toml, pom.xml, *.csproj, composer.json or Gemfile): pass --data language=LANGUAGE"
    )


def _walk(root: Path, depth: int) -> Iterator[Path]:
    """Files under ROOT to DEPTH folders down.

    Dependency folders, symlinked folders and folders it may not read are skipped, so a symlink
    loop or a locked folder cannot stop detection.
    """
    try:
        entries = sorted(root.iterdir())
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_symlink() and entry.is_dir():
                continue
            if entry.is_dir():
                if depth > 0 and entry.name not in _SKIP and not entry.name.startswith("."):
                    yield from _walk(entry, depth - 1)
            elif entry.is_file():
                yield entry
        except OSError:
            continue


def _read(path: Path) -> str:
    """PATH's text, or "" when it is missing, unreadable or not text."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _json(root: Path, name: str) -> dict[str, Any]:
    """A JSON manifest as a mapping ({} when absent); refused when it cannot be read."""
    try:
        text = (root / name).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError:
        raise ScaffoldError(f"{name} is not UTF-8 text: save it as UTF-8 first") from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise ScaffoldError(f"cannot read {name}: {reason}; check its permissions") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScaffoldError(f"{name} is not valid JSON ({error}): fix it first") from None
    if not isinstance(data, dict):
        raise ScaffoldError(f"{name} is not a JSON object: fix it first")
    return data


def _toml(root: Path, name: str, found: Detection) -> dict[str, Any]:
    text = _read(root / name)
    if not text:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found.warnings.append(f"{name} is not valid TOML ({error}); its settings were not read")
        return {}


def _kebab(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", text).lower())
    return "-".join(words).lstrip("0123456789-")[:63].strip("-")


def _version(text: str, parts: int = 2) -> str | None:
    """The first version number in TEXT, cut to PARTS components ("v20.11.1" -> "20.11")."""
    match = re.search(r"(\d+(?:\.\d+)*)", text)
    if not match:
        return None
    return ".".join(match.group(1).split(".")[:parts])


# --- Node.js and static sites ------------------------------------------------------------------


def _node(root: Path, found: Detection) -> None:
    package = _json(root, "package.json")
    if package.get("workspaces") or (root / "pnpm-workspace.yaml").is_file():
        raise ScaffoldError(
            f"{root} is a workspace of several packages: run scaffold init in the folder of the "
            "package that is the service"
        )
    found.found("project_name", _kebab(str(package.get("name", "")).split("/")[-1]), "package.json")
    deps = {**package.get("devDependencies", {}), **package.get("dependencies", {})}
    scripts = package.get("scripts", {}) if isinstance(package.get("scripts"), dict) else {}
    _node_package_manager(root, package, found)
    for name in (".nvmrc", ".node-version"):
        version = _version(_read(root / name), 1)
        found.found("language_version", version, name)
    engines = package.get("engines", {})
    node = engines.get("node") if isinstance(engines, dict) else None
    if isinstance(node, str) and not node.lstrip().startswith(">"):  # a floor: the default fits
        found.found("language_version", _version(node, 1), "package.json: engines.node")
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
    if start and entry == start.group(1).removeprefix("./"):
        source = "package.json: scripts.start"
    elif entry == str(package.get("main", "")).removeprefix("./"):
        source = "package.json: main"
    else:
        source = f"{entry} exists"
    found.found("entrypoint", entry, source)
    port = re.search(r"process\.env\.PORT\s*(?:\|\||\?\?)\s*(\d{2,5})", _read(root / entry))
    if port:
        found.found("port", int(port.group(1)), entry)


# --- Python ------------------------------------------------------------------------------------


def _python(root: Path, found: Detection) -> None:
    pyproject = _toml(root, "pyproject.toml", found)
    project = pyproject.get("project", {})
    poetry = pyproject.get("tool", {}).get("poetry", {})
    found.found(
        "project_name",
        _kebab(str(project.get("name") or poetry.get("name") or "")),
        "pyproject.toml",
    )
    if (root / "uv.lock").is_file():
        found.found("package_manager", "uv", "uv.lock")
    elif (root / "poetry.lock").is_file() or poetry:
        found.found(
            "package_manager",
            "poetry",
            "poetry.lock" if (root / "poetry.lock").is_file() else "[tool.poetry]",
        )
    elif (root / "requirements.txt").is_file():
        found.found("package_manager", "pip", "requirements.txt")
    elif pyproject:
        found.found("package_manager", "uv", "PEP 621 pyproject.toml")
    manager = found.answers.get("package_manager", "pip")
    lock = {"uv": "uv.lock", "poetry": "poetry.lock", "pip": "requirements.txt"}[manager]
    if not (root / lock).is_file():
        found.warnings.append(
            f"no {lock}: the image installs exactly what it pins; create it "
            f"(`{'uv lock' if manager == 'uv' else 'poetry lock'}`) and commit it before building"
        )
    version = _version(_read(root / ".python-version"))
    found.found("language_version", version, ".python-version")
    requires = project.get("requires-python") or poetry.get("dependencies", {}).get("python")
    if isinstance(requires, str):
        found.found("language_version", _python_for(requires), "requires-python")
    runtime = _python_requirements(root, project, poetry, dev=False)
    dev = _python_requirements(root, project, poetry, dev=True)
    for group in pyproject.get("dependency-groups", {}).values():
        dev |= _requirement_names([g for g in group if isinstance(g, str)])
    if "gunicorn" in runtime or ({"flask", "django"} & runtime and not {"uvicorn"} & runtime):
        found.found("serving", "gunicorn", "gunicorn" if "gunicorn" in runtime else "flask/django")
    elif {"uvicorn", "fastapi", "starlette"} & runtime:
        found.found("serving", "uvicorn", "uvicorn/fastapi")
    else:
        found.found("serving", "python", "no web server in the dependencies")
    _python_entrypoint(root, project, found)
    tests = "pytest" in dev or "pytest" in runtime
    if manager == "pip":
        tests = tests and (root / "requirements-dev.txt").is_file()
    found.found("dev_test_prod", tests, "pytest in the dev dependencies")


def _python_for(spec: str) -> str | None:
    """The newest Python release REQUIRES (a requires-python specifier) admits."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    caret = re.fullmatch(r"\s*([\^~])\s*(\d+)\.(\d+)\S*\s*", spec)  # Poetry's ^3.11, ~3.11
    if caret:
        mark, major, minor = caret.groups()
        upper = f"{int(major) + 1}" if mark == "^" else f"{major}.{int(minor) + 1}"
        spec = f">={major}.{minor},<{upper}"
    try:
        specifiers = SpecifierSet(spec)
    except InvalidSpecifier:
        return None
    return next((v for v in _PYTHON_VERSIONS if specifiers.contains(v + ".0")), None)


def _requirement_names(lines: Iterator[str] | list[str]) -> set[str]:
    names = set()
    for line in lines:
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", str(line))
        if match and not str(line).lstrip().startswith(("-", "#")):
            names.add(match.group(1).lower().replace("_", "-"))
    return names


def _python_requirements(
    root: Path, project: Mapping[str, Any], poetry: Mapping[str, Any], *, dev: bool
) -> set[str]:
    if dev:
        groups = [*project.get("optional-dependencies", {}).values()]
        groups += [g.get("dependencies", {}) for g in poetry.get("group", {}).values()]
        files = ["requirements-dev.txt", "requirements-test.txt"]
    else:
        groups = [project.get("dependencies", []), poetry.get("dependencies", {})]
        files = ["requirements.txt"]
    names = set()
    for group in groups:
        names |= _requirement_names(list(group))
    for name in files:
        names |= _requirement_names(_read(root / name).splitlines())
    return names


_APP_OBJECT = re.compile(
    r"^(\w+)\s*(?::\s*\w+\s*)?=\s*(?:flask\.)?(Flask|FastAPI|Starlette|Quart)\(", re.MULTILINE
)


def _python_entrypoint(root: Path, project: Mapping[str, Any], found: Detection) -> None:
    serving = found.answers.get("serving")
    modules = [p for p in _walk(root, depth=3) if p.suffix == ".py" and "test" not in p.name]
    if serving == "python":
        scripts = project.get("scripts", {})
        if scripts:
            target = str(next(iter(scripts.values()))).split(":")[0]
            found.found("entrypoint", target, "[project.scripts]")
        main = next((p for p in modules if p.name == "__main__.py"), None)
        if main is not None:
            found.found("entrypoint", _module(root, main.parent), main.name)
        return
    for path in modules:
        if path.name == "wsgi.py" and "application" in _read(path) and serving == "gunicorn":
            found.found("entrypoint", f"{_module(root, path)}:application", "Django's wsgi.py")
            return
    for path in modules:
        match = _APP_OBJECT.search(_read(path))
        if match and (serving == "gunicorn") == (match.group(2) in {"Flask"}):
            found.found(
                "entrypoint", f"{_module(root, path)}:{match.group(1)}", str(path.relative_to(root))
            )
            return


def _module(root: Path, path: Path) -> str:
    relative = path.relative_to(root).with_suffix("")
    # Relative to the project root, where the image runs it (a src/ layout keeps its src.).
    return ".".join(p for p in relative.parts if p != "__init__")


# --- Go, Rust, Java, .NET, PHP, Ruby -----------------------------------------------------------


def _go(root: Path, found: Detection) -> None:
    if (root / "go.work").is_file():
        raise ScaffoldError(
            f"{root} is a Go workspace (go.work): run scaffold init in one module's folder"
        )
    mod = _read(root / "go.mod")
    module = re.search(r"^module\s+(\S+)", mod, re.MULTILINE)
    if module:
        found.found("project_name", _kebab(module.group(1).rstrip("/").split("/")[-1]), "go.mod")
    directive = re.search(r"^go\s+(\d+\.\d+)", mod, re.MULTILINE)
    found.found("language_version", directive.group(1) if directive else None, "go directive")
    if not (root / "go.sum").is_file():
        found.warnings.append("no go.sum: run `go mod tidy` and commit go.sum before building")
    mains = sorted(
        {
            p.parent
            for p in _walk(root, depth=3)
            if p.suffix == ".go"
            and not p.name.endswith("_test.go")
            and re.search(r"^package\s+main\b", _read(p), re.MULTILINE)
        }
    )
    if mains:
        chosen = root if root in mains else mains[0]
        relative = chosen.relative_to(root).as_posix()
        found.found("entrypoint", "." if relative == "." else f"./{relative}", "package main")
        if len(mains) > 1:
            shown = ", ".join(f"./{m.relative_to(root).as_posix()}" for m in mains)
            found.warnings.append(f"several main packages ({shown}): building {relative}")
    cgo = any('import "C"' in _read(p) for p in _walk(root, depth=3) if p.suffix == ".go")
    found.found("serving", "debian" if cgo else None, 'import "C" (cgo)')


def _rust(root: Path, found: Detection) -> None:
    cargo = _toml(root, "Cargo.toml", found)
    if "workspace" in cargo and "package" not in cargo:
        raise ScaffoldError(
            f"{root} is a Cargo workspace: run scaffold init in the folder of the service's crate"
        )
    package = cargo.get("package", {})
    bins = cargo.get("bin", [])
    name = (bins[0].get("name") if bins else None) or package.get("name")
    found.found("project_name", _kebab(str(package.get("name", ""))), "Cargo.toml")
    found.found("entrypoint", name, "Cargo.toml")
    toolchain = _toml(root, "rust-toolchain.toml", found).get("toolchain", {})
    channel = str(toolchain.get("channel", ""))
    found.found(
        "language_version",
        _version(channel) if channel[:1].isdigit() else None,
        "rust-toolchain.toml",
    )
    found.found(
        "language_version",
        package.get("rust-version") and _version(str(package["rust-version"])),
        "rust-version",
    )
    if not (root / "Cargo.lock").is_file():
        found.warnings.append("no Cargo.lock: run `cargo generate-lockfile` and commit it")


def _java(root: Path, found: Detection) -> None:
    pom = _read(root / "pom.xml")
    gradle = _read(root / "build.gradle") or _read(root / "build.gradle.kts")
    manifest = "pom.xml" if pom else "build.gradle"
    found.found("package_manager", "maven" if pom else "gradle", manifest)
    if pom:
        artifact = re.search(
            r"</parent>.*?<artifactId>([^<]+)</artifactId>|^\s*<artifactId>"
            r"([^<]+)</artifactId>",
            pom,
            re.DOTALL | re.MULTILINE,
        )
        if artifact:
            found.found("project_name", _kebab(artifact.group(1) or artifact.group(2)), "pom.xml")
        release = re.search(
            r"<(?:maven\.compiler\.release|java\.version|release|"
            r"maven\.compiler\.target)>(\d+)<",
            pom,
        )
        found.found("language_version", release and release.group(1), "pom.xml")
        if "spring-boot" in pom:
            found.warnings.append(
                "Spring Boot: its repackaged jar starts through its launcher; answer entrypoint "
                "org.springframework.boot.loader.launch.JarLauncher"
            )
    else:
        settings = _read(root / "settings.gradle") or _read(root / "settings.gradle.kts")
        named = re.search(r"rootProject\.name\s*=\s*['\"]([^'\"]+)", settings)
        found.found("project_name", named and _kebab(named.group(1)), "settings.gradle")
        release = re.search(
            r"(?:languageVersion\.set\(JavaLanguageVersion\.of\(|JavaLanguage"
            r"Version\.of\(|VERSION_|sourceCompatibility\s*=\s*['\"]?)(\d+)",
            gradle,
        )
        found.found("language_version", release and release.group(1), "build.gradle")
        if "application" not in gradle:
            found.warnings.append(
                "build.gradle has no `application` plugin: the image is built with "
                "`gradle installDist`, which needs it"
            )
    for path in _walk(root / "src" / "main", depth=8):
        text = _read(path) if path.suffix in {".java", ".kt"} else ""
        if re.search(r"static\s+void\s+main\s*\(|^fun\s+main\s*\(", text, re.MULTILINE):
            package = re.search(r"^package\s+([\w.]+)", text, re.MULTILINE)
            suffix = "Kt" if path.suffix == ".kt" else ""
            name = path.stem + suffix
            found.found(
                "entrypoint",
                f"{package.group(1)}.{name}" if package else name,
                str(path.relative_to(root)),
            )
            break


def _csproj_files(root: Path) -> list[Path]:
    return sorted(
        (p.relative_to(root) for p in _walk(root, depth=3) if p.suffix == ".csproj"),
        key=lambda p: (".Test" in p.name or "Tests" in p.name, len(p.parts), str(p)),
    )


def _dotnet(root: Path, found: Detection) -> None:
    projects = _csproj_files(root)
    web = [p for p in projects if "Microsoft.NET.Sdk.Web" in _read(root / p)]
    if not projects:
        return
    chosen = (web or projects)[0]
    found.found("project_name", _kebab(chosen.stem), chosen.name)
    found.found("entrypoint", chosen.as_posix(), "Sdk=Microsoft.NET.Sdk.Web" if web else "csproj")
    framework = re.search(r"<TargetFramework>net(\d+\.\d+)<", _read(root / chosen))
    found.found("language_version", framework and framework.group(1), "TargetFramework")


def _php(root: Path, found: Detection) -> None:
    composer = _json(root, "composer.json")
    name = str(composer.get("name", "")).split("/")[-1]
    found.found("project_name", _kebab(name) if name else None, "composer.json")
    php = composer.get("require", {}).get("php")
    found.found("language_version", isinstance(php, str) and _version(php), "require.php")
    if not (root / "composer.lock").is_file():
        found.warnings.append("no composer.lock: run `composer update --lock` and commit it")
    dev = composer.get("require-dev", {})
    found.found("dev_test_prod", "phpunit/phpunit" in dev, "phpunit in require-dev")


def _ruby(root: Path, found: Detection) -> None:
    version = _version(_read(root / ".ruby-version"))
    found.found("language_version", version, ".ruby-version")
    gemfile = _read(root / "Gemfile")
    declared = re.search(r"^\s*ruby\s+['\"]([\d.]+)", gemfile, re.MULTILINE)
    found.found("language_version", declared and _version(declared.group(1)), "Gemfile")
    if "rails" in gemfile:
        found.found("port", 3000, "Rails")
    if not (root / "Gemfile.lock").is_file():
        found.warnings.append("no Gemfile.lock: run `bundle lock` and commit it")
    if not (root / "config.ru").is_file():
        found.warnings.append("no config.ru: Puma starts the Rack app config.ru describes")
    found.found(
        "dev_test_prod",
        (root / "Rakefile").is_file() and (root / "test").is_dir(),
        "Rakefile and test/",
    )


_READERS = {
    "node": _node,
    "python": _python,
    "go": _go,
    "rust": _rust,
    "java": _java,
    "dotnet": _dotnet,
    "php": _php,
    "ruby": _ruby,
}
