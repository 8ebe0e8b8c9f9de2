"""Python services: pyproject.toml, requirements files, lockfiles and version files."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from scaffold.detect import python_web, python_wheels
from scaffold.detect._common import (
    Detection,
    kebab,
    text_of,
    toml_table,
    up_to,
    version_in,
    walk,
)

_PYTHON_VERSIONS = ["3.14", "3.13", "3.12", "3.11", "3.10", "3.9"]


def read(root: Path, found: Detection) -> None:
    """Record a Python project's answers: package manager, version, server, entry point."""
    pyproject = toml_table(root, "pyproject.toml", found)
    project = pyproject.get("project", {})
    poetry = pyproject.get("tool", {}).get("poetry", {})
    found.found(
        "project_name",
        kebab(str(project.get("name") or poetry.get("name") or "")),
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
    locked = _locked_in(root, manager, project, found)
    version = version_in(text_of(root / ".python-version"))
    found.found("language_version", version, ".python-version")
    if locked != root:  # uv reads the workspace root's .python-version too
        version = version_in(text_of(locked / ".python-version"))
        found.found("language_version", version, f"{up_to(root, locked)}/.python-version")
    heroku = re.match(r"\s*python-(\d+\.\d+)", text_of(root / "runtime.txt"))
    found.found("language_version", heroku and heroku.group(1), "runtime.txt")
    requires = project.get("requires-python") or poetry.get("dependencies", {}).get("python")
    admitted = _pythons_for(requires) if isinstance(requires, str) else list(_PYTHON_VERSIONS)
    _version_with_wheels(locked, admitted, found)
    if isinstance(requires, str):
        found.found("language_version", next(iter(admitted), None), "requires-python")
    runtime = _python_requirements(root, project, poetry, dev=False)
    dev = _python_requirements(root, project, poetry, dev=True)
    uv_dev = pyproject.get("tool", {}).get("uv", {}).get("dev-dependencies", [])
    for group in [*pyproject.get("dependency-groups", {}).values(), uv_dev]:
        dev |= _requirement_names([g for g in group if isinstance(g, str)])
    if "gunicorn" in runtime or ({"flask", "django"} & runtime and not {"uvicorn"} & runtime):
        found.found("serving", "gunicorn", "gunicorn" if "gunicorn" in runtime else "flask/django")
    elif {"uvicorn", "fastapi", "starlette"} & runtime:
        found.found("serving", "uvicorn", "uvicorn/fastapi")
    else:
        found.found("serving", "python", "no web server in the dependencies")
    _server_not_listed(runtime, found)
    _python_entrypoint(root, project, found)
    modules = [p for p in walk(root, depth=3) if p.suffix == ".py" and "test" not in p.name]
    python_web.read(root, runtime, modules, found)
    tests = "pytest" in dev or "pytest" in runtime
    if manager == "pip":
        tests = tests and (root / "requirements-dev.txt").is_file()
    found.found("dev_test_prod", tests, "pytest in the dev dependencies")


def _locked_in(root: Path, manager: str, project: Mapping[str, Any], found: Detection) -> Path:
    """The folder whose lockfile the image installs from: ROOT, or its uv workspace's root."""
    lock = {"uv": "uv.lock", "poetry": "poetry.lock", "pip": "requirements.txt"}[manager]
    if (root / lock).is_file():
        return root
    workspace = _uv_workspace(root) if manager == "uv" else None
    if workspace is not None:
        return _workspace_member(root, workspace, project, found)
    found.warnings.append(
        f"no {lock}: the image installs exactly what it pins; create it "
        f"(`{'uv lock' if manager == 'uv' else 'poetry lock'}`) and commit it before building"
    )
    return root


def _uv_workspace(root: Path) -> tuple[Path, str] | None:
    """The root of the uv workspace ROOT is a member of, and ROOT's folder inside it; or None.

    As uv finds it: the nearest folder above whose pyproject.toml has [tool.uv.workspace] with a
    `members` glob matching ROOT (and no `exclude` glob), not above the git repository's root.
    """
    for up in range(1, 5):
        parent = root.joinpath(*[".."] * up).resolve()
        table = toml_table(parent, "pyproject.toml", Detection())
        workspace = table.get("tool", {}).get("uv", {}).get("workspace")
        if isinstance(workspace, dict):
            inside = "/".join(root.resolve().parts[-up:])
            member = _globbed(workspace, "members", inside)
            return (
                (parent, inside) if member and not _globbed(workspace, "exclude", inside) else None
            )
        if (parent / ".git").exists():
            return None
    return None


def _globbed(workspace: Mapping[str, Any], key: str, folder: str) -> bool:
    """Whether one of the globs WORKSPACE lists under KEY matches FOLDER."""
    globs = workspace.get(key, [])
    return any(fnmatch.fnmatch(folder, str(g).strip("/")) for g in globs if isinstance(globs, list))


def _workspace_member(
    root: Path, workspace: tuple[Path, str], project: Mapping[str, Any], found: Detection
) -> Path:
    """Record a uv workspace member's answers; returns the folder holding its lockfile."""
    folder, member = workspace
    up = up_to(root, folder)
    if not (folder / "uv.lock").is_file():
        found.warnings.append(
            f"a member of the uv workspace at {up}, which has no uv.lock: run `uv lock` there "
            "and commit it before building"
        )
        return root
    name = re.sub(r"[-_.]+", "-", str(project.get("name") or "")).lower()
    if not name:
        found.warnings.append(
            f"a member of the uv workspace at {up} without a [project] name: the image cannot "
            "pick its dependencies out of the workspace's uv.lock; name the project"
        )
        return root
    where = f"{up}/pyproject.toml [tool.uv.workspace]: {up}/uv.lock, built from {up}"
    found.found("workspace_member", member, where)
    found.found("workspace_package", name, "[project] name")
    return folder


def _server_not_listed(runtime: set[str], found: Detection) -> None:
    """Flask or Django without gunicorn, FastAPI without uvicorn: the image installs it."""
    server = found.answers.get("serving")
    if server not in {"gunicorn", "uvicorn"}:
        return
    missing = server not in runtime
    found.found(
        "add_server",
        missing,
        f"{server} is not in the runtime dependencies" if missing else f"{server} is listed",
    )
    if missing:
        found.warnings.append(
            f"the project does not list {server}: the image installs the version scaffold pins; "
            f"add {server} to your dependencies to choose it yourself"
        )


def _version_with_wheels(root: Path, admitted: list[str], found: Detection) -> None:
    """A Python version the lockfile's binary pins have wheels for; else a warning naming them."""
    lockfile, pins = python_wheels.binary_pins(root)
    chosen = found.answers.get("language_version")
    if chosen is not None:  # the project names its version: say when a pin cannot install there
        lacking = [pin.shown() for pin in pins if not pin.supports(chosen)]
        if lacking:
            found.warnings.append(
                f"{lockfile} pins {', '.join(lacking)}: none for Python {chosen} "
                f"({found.sources['language_version']}); update those pins or the version"
            )
        return
    if pins:
        best = python_wheels.newest_supported(pins, admitted)
        newest = next(iter(admitted), "3.14")
        if best is None:
            shown = ", ".join(pin.shown() for pin in pins if not pin.supports(newest))
            found.warnings.append(
                f"{lockfile} pins {shown}: no Python version has wheels for all of them; "
                "update the pins, then pass --data language_version=3.X"
            )
        elif best != newest:
            limit = ", ".join(pin.shown() for pin in pins if not pin.supports(newest))
            found.found("language_version", best, f"{lockfile}: {limit}")
        return
    if found.answers.get("package_manager") == "pip":
        compiled = python_wheels.compiled_requirements(text_of(root / "requirements.txt"))
        if compiled:
            newest = next(iter(admitted), "3.14")
            found.warnings.append(
                f"requirements.txt pins {', '.join(compiled)}, compiled: check they have wheels "
                f"for Python {newest}, else name the version in .python-version "
                "(or --data language_version=3.X)"
            )


def _pythons_for(spec: str) -> list[str]:
    """The Python releases REQUIRES (a requires-python specifier) admits, newest first."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    caret = re.fullmatch(r"\s*([\^~])\s*(\d+)\.(\d+)\S*\s*", spec)  # Poetry's ^3.11, ~3.11
    if caret:
        mark, major, minor = caret.groups()
        upper = f"{int(major) + 1}" if mark == "^" else f"{major}.{int(minor) + 1}"
        spec = f">={major}.{minor},<{upper}"
    try:
        specifiers = SpecifierSet(spec)
    except InvalidSpecifier:
        return []
    return [v for v in _PYTHON_VERSIONS if specifiers.contains(v + ".0")]


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
        groups.append(poetry.get("dev-dependencies", {}))  # Poetry before 1.2
        files = ["requirements-dev.txt", "requirements-test.txt"]
    else:
        groups = [project.get("dependencies", []), poetry.get("dependencies", {})]
        files = ["requirements.txt"]
    names = set()
    for group in groups:
        names |= _requirement_names(list(group))
    for name in files:
        names |= _requirement_names(text_of(root / name).splitlines())
    return names


_APP_OBJECT = re.compile(
    r"^(\w+)\s*(?::\s*\w+\s*)?=\s*(?:flask\.)?(Flask|FastAPI|Starlette|Quart)\(", re.MULTILINE
)


def _python_entrypoint(root: Path, project: Mapping[str, Any], found: Detection) -> None:
    serving = found.answers.get("serving")
    modules = [p for p in walk(root, depth=3) if p.suffix == ".py" and "test" not in p.name]
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
        if path.name == "wsgi.py" and "application" in text_of(path) and serving == "gunicorn":
            found.found("entrypoint", f"{_module(root, path)}:application", "Django's wsgi.py")
            return
    for path in modules:
        match = _APP_OBJECT.search(text_of(path))
        if match and (serving == "gunicorn") == (match.group(2) in {"Flask"}):
            found.found(
                "entrypoint", f"{_module(root, path)}:{match.group(1)}", str(path.relative_to(root))
            )
            return
    if serving == "gunicorn":
        _flask_factory(root, modules, found)


_FACTORY = re.compile(r"^def\s+(create_app|make_app)\s*\(", re.MULTILINE)


def _flask_factory(root: Path, modules: list[Path], found: Detection) -> None:
    """A Flask application factory (the Flask tutorial's layout): gunicorn calls it."""
    for path in modules:
        text = text_of(path)
        match = _FACTORY.search(text)
        if match and "Flask(" in text:
            name = match.group(1)
            where = f"{path.relative_to(root)}: {name}() (Flask application factory)"
            found.found("entrypoint", f"{_module(root, path)}:{name}()", where)
            return


def _module(root: Path, path: Path) -> str:
    relative = path.relative_to(root).with_suffix("")
    # Relative to the project root, where the image runs it (a src/ layout keeps its src.).
    return ".".join(p for p in relative.parts if p != "__init__")
