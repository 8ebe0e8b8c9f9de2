"""A service in a folder of a larger git repository, and the repository-wide files it shares.

GitHub reads workflows and `dependabot.yml` only at the repository's root, so `scaffold init` of
`services/api` writes them there: the workflow named after the service (one per service), and
`dependabot.yml` merged into the one the repository may already have, keeping its entries.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

WORKFLOW = ".github/workflows/docker-publish.yml"
DEPENDABOT = ".github/dependabot.yml"


def folder_in_repository(target: Path) -> str | None:
    """TARGET's path inside its git repository ("services/api"), or None at the root or outside."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--show-prefix"],
            cwd=target,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    prefix = result.stdout.strip().rstrip("/")
    return prefix if result.returncode == 0 and prefix else None


def destination(name: str, answers: Mapping[str, Any]) -> str:
    """Where rendered file NAME goes, relative to the service's folder."""
    folder = str(answers.get("service_dir") or ".")
    if folder == "." or not name.startswith(".github/"):
        return name
    up = "/".join([".."] * len(Path(folder).parts))
    if name == WORKFLOW:
        name = f".github/workflows/{answers['project_name']}.yml"
    return f"{up}/{name}"


def _folders(entry: Mapping[str, Any]) -> set[str]:
    listed = entry.get("directories") or [entry.get("directory", "/")]
    return {"/" + str(d).strip("/") for d in listed if isinstance(d, str)}


def merge_dependabot(old: bytes, new: bytes) -> bytes | None:
    """OLD (the repository's dependabot.yml) with the entries of NEW it lacks appended.

    None when OLD cannot be read as a Dependabot config. An entry is there already when OLD
    updates the same ecosystem in one of the same folders (Dependabot refuses such duplicates).
    """
    try:
        theirs, ours = yaml.safe_load(old), yaml.safe_load(new)
    except yaml.YAMLError:
        return None
    if not isinstance(theirs, dict) or not isinstance(theirs.get("updates"), list):
        return None
    taken = [
        (e.get("package-ecosystem"), _folders(e)) for e in theirs["updates"] if isinstance(e, dict)
    ]
    wanted = [
        index
        for index, entry in enumerate(ours["updates"])
        if not any(
            eco == entry["package-ecosystem"] and folders & _folders(entry)
            for eco, folders in taken
        )
    ]
    if not wanted:
        return old
    blocks = re.split(r"(?m)^(?=  - package-ecosystem:)", new.decode("utf-8"))[1:]
    text = old.decode("utf-8")
    indent = re.search(r"(?m)^updates:\s*\n(?:\s*#.*\n)*(\s*)- ", text)
    last_key = [m.group(1) for m in re.finditer(r"(?m)^([A-Za-z][\w-]*):", text)][-1:]
    if indent and last_key == ["updates"]:
        added = "".join(_reindent(blocks[i], indent.group(1)) for i in wanted)
        merged = text.rstrip("\n") + "\n" + added.rstrip("\n") + "\n"
        check = yaml.safe_load(merged)
        if isinstance(check, dict) and len(check.get("updates", [])) == len(taken) + len(wanted):
            return merged.encode("utf-8")
    theirs["updates"] += [ours["updates"][i] for i in wanted]
    return yaml.safe_dump(theirs, sort_keys=False).encode("utf-8")


def _reindent(block: str, indent: str) -> str:
    """BLOCK's lines, written at two spaces' list indentation, moved to INDENT."""
    return "".join(
        indent + line[2:] if line.startswith("  ") else line
        for line in block.splitlines(keepends=True)
    )
