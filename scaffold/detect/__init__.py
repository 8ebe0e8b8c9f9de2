"""What an existing project is, read from its manifests, lockfiles and version files.

Every finding is an answer to one of copier.yml's questions, offered as the prompt's default
(marked "(detected: VALUE)") and used as is with `--defaults`; `scaffold init` shows them with
where each was read. Nothing here writes or runs anything.
A project scaffold cannot read with confidence (several services, a workspace) is refused with
a message that says what to do instead. Each language has its module here, with a `text_of(root,
found)` that reads that ecosystem's files the way its own tools do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from scaffold.detect import dotnet, go, java, node, php, python, ruby, rust, servers
from scaffold.detect._common import Detection, kebab, walk
from scaffold.errors import ScaffoldError

__all__ = ["MANIFESTS", "Detection", "detect"]

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


def detect(root: Path, given: Mapping[str, Any]) -> Detection:
    """Read ROOT; GIVEN (answers from --data) settles what detection would otherwise refuse."""
    found = Detection()
    name = kebab(root.name)
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
    if "dev_test_prod" not in given:
        servers.read(root, found)
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
    csproj = dotnet.csproj_files(root)
    if csproj or projects:
        languages[(projects or [str(csproj[0])])[0]] = "dotnet"
    return languages


def _no_manifest(root: Path) -> None:
    services = sorted(
        {
            str(path.parent.relative_to(root))
            for path in walk(root, depth=2)
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


_READERS: dict[str, Callable[[Path, Detection], None]] = {
    "node": node.read,
    "python": python.read,
    "go": go.read,
    "rust": rust.read,
    "java": java.read,
    "dotnet": dotnet.read,
    "php": php.read,
    "ruby": ruby.read,
}
