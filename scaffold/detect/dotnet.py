""".NET services: the web project among the *.csproj files."""

from __future__ import annotations

import re
from pathlib import Path

from scaffold.detect._common import Detection, kebab, text_of, walk


def csproj_files(root: Path) -> list[Path]:
    """The project files under ROOT, application projects before test projects."""
    return sorted(
        (p.relative_to(root) for p in walk(root, depth=3) if p.suffix == ".csproj"),
        key=lambda p: (".Test" in p.name or "Tests" in p.name, len(p.parts), str(p)),
    )


def read(root: Path, found: Detection) -> None:
    """Record a .NET project's answers: the web project, its framework version."""
    projects = csproj_files(root)
    web = [p for p in projects if "Microsoft.NET.Sdk.Web" in text_of(root / p)]
    if not projects:
        return
    chosen = (web or projects)[0]
    found.found("project_name", kebab(chosen.stem), chosen.name)
    found.found("entrypoint", chosen.as_posix(), "Sdk=Microsoft.NET.Sdk.Web" if web else "csproj")
    framework = re.search(r"<TargetFramework>net(\d+\.\d+)<", text_of(root / chosen))
    found.found("language_version", framework and framework.group(1), "TargetFramework")
