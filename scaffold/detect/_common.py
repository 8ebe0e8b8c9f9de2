"""What every language's detection shares: the result, and careful reading of project files."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold.errors import ScaffoldError

#: Folders never searched: dependencies, build output, version control.
SKIP = {
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


def walk(root: Path, depth: int) -> Iterator[Path]:
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
                if depth > 0 and entry.name not in SKIP and not entry.name.startswith("."):
                    yield from walk(entry, depth - 1)
            elif entry.is_file():
                yield entry
        except OSError:
            continue


def repository_folders(root: Path) -> list[Path]:
    """ROOT and the folders above it up to its git repository's root (ROOT alone outside one)."""
    folders = [root]
    while not (folders[-1] / ".git").exists():
        if folders[-1].parent == folders[-1]:
            return folders[:1]
        folders.append(folders[-1].parent)
    return folders


def up_to(root: Path, folder: Path) -> str:
    """FOLDER (resolved, above ROOT) as a path relative to ROOT: "..", "../.."."""
    return "/".join([".."] * (len(root.resolve().parts) - len(folder.parts)))


def text_of(path: Path) -> str:
    """PATH's text, or "" when it is missing, unreadable or not text."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def json_object(root: Path, name: str) -> dict[str, Any]:
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


def toml_table(root: Path, name: str, found: Detection) -> dict[str, Any]:
    text = text_of(root / name)
    if not text:
        return {}
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found.warnings.append(f"{name} is not valid TOML ({error}); its settings were not read")
        return {}


def kebab(text: str) -> str:
    """TEXT as a service name: lowercase words joined by single dashes, at most 63 characters.

    Leading digits stay ("101-app"): image, compose service and package names may start with
    one. Where a name may not (a Rust crate), the template's own check says so.
    """
    words = re.findall(r"[a-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", text).lower())
    return "-".join(words)[:63].strip("-")


def version_in(text: str, parts: int = 2) -> str | None:
    """The first version number in TEXT, cut to PARTS components ("v20.11.1" -> "20.11")."""
    match = re.search(r"(\d+(?:\.\d+)*)", text)
    if not match:
        return None
    return ".".join(match.group(1).split(".")[:parts])


#: A database file named in the code: '/var/lib/todos/todo.db', "./data/app.sqlite3", or an
#: SQLAlchemy-style URL's path (sqlite:///data/app.db is relative, sqlite:////srv/app.db absolute).
_DATABASE_FILE = re.compile(
    r"""["'`](?:sqlite:///)?((?:/|\./)?[\w.-]+(?:/[\w.-]+)*)/[\w.-]+\.(?:db|db3|sqlite|sqlite3)["'`]"""
)
#: writable_paths' grammar (the question's validator): a folder in the project, or an absolute one.
_FOLDER = re.compile(r"/?[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*\Z")
#: Folders of the image's own system that writable_paths may not hand to the service's uid.
_ROOTS = "app bin boot dev etc home lib lib64 opt proc root run sbin srv sys tmp usr var"
SYSTEM_FOLDERS = {
    *(f"/{name}" for name in _ROOTS.split()),
    *(f"/usr/{name}" for name in ("bin", "lib", "local", "sbin", "share")),
    *(f"/var/{name}" for name in ("cache", "lib", "log", "run", "spool")),
}
#: Test code writes its databases wherever the tests say; the service never does.
_TEST_PARTS = {"test", "tests", "spec", "specs", "__tests__", "e2e"}


def database_folders(root: Path, suffixes: tuple[str, ...]) -> list[str]:
    """Folders that the service's own code (files ending in SUFFIXES) names a database file in.

    Relative folders are the project's (the service starts in it); absolute ones are kept as
    written. Folders that are writable anyway (/tmp) and test code are left out.
    """
    folders: list[str] = []
    for path in walk(root, 4):
        relative = path.relative_to(root)
        if not path.name.endswith(suffixes) or _TEST_PARTS & set(relative.parts[:-1]):
            continue
        if re.search(r"[.-](test|spec)\.\w+$", path.name):
            continue
        for match in _DATABASE_FILE.finditer(text_of(path)):
            folder = match.group(1).removeprefix("./")
            if (
                folder == "/tmp"
                or folder.startswith("/tmp/")
                or not _FOLDER.match(folder)
                or ".." in folder
            ):
                continue
            if folder in SYSTEM_FOLDERS:  # not the service's to own
                continue
            if folder not in folders:
                folders.append(folder)
    return folders
