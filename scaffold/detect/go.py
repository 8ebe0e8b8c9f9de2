"""Go services: go.mod, go.sum and the main packages."""

from __future__ import annotations

import re
from pathlib import Path

from scaffold.detect._common import Detection, kebab, text_of, walk
from scaffold.errors import ScaffoldError


def read(root: Path, found: Detection) -> None:
    """Record a Go module's answers: name, Go version, main package, cgo."""
    if (root / "go.work").is_file():
        raise ScaffoldError(
            f"{root} is a Go workspace (go.work): run scaffold init in one module's folder"
        )
    mod = text_of(root / "go.mod")
    module = re.search(r"^module\s+(\S+)", mod, re.MULTILINE)
    if module:
        found.found("project_name", kebab(module.group(1).rstrip("/").split("/")[-1]), "go.mod")
    directive = re.search(r"^go\s+(\d+\.\d+)", mod, re.MULTILINE)
    found.found("language_version", directive.group(1) if directive else None, "go directive")
    if not (root / "go.sum").is_file():
        found.warnings.append("no go.sum: run `go mod tidy` and commit go.sum before building")
    mains = sorted(
        {
            p.parent
            for p in walk(root, depth=3)
            if p.suffix == ".go"
            and not p.name.endswith("_test.go")
            and re.search(r"^package\s+main\b", text_of(p), re.MULTILINE)
        }
    )
    if mains:
        chosen = root if root in mains else mains[0]
        relative = chosen.relative_to(root).as_posix()
        found.found("entrypoint", "." if relative == "." else f"./{relative}", "package main")
        if len(mains) > 1:
            shown = ", ".join(f"./{m.relative_to(root).as_posix()}" for m in mains)
            found.warnings.append(f"several main packages ({shown}): building {relative}")
    cgo = any('import "C"' in text_of(p) for p in walk(root, depth=3) if p.suffix == ".go")
    found.found("serving", "debian" if cgo else None, 'import "C" (cgo)')
