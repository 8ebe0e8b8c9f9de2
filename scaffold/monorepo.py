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

from scaffold.errors import ScaffoldError

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


#: Copier's labels for an inline conflict, so every conflict of an update reads the same.
LABELS = ("before updating", "last update", "after updating")
_MOST_CONFLICTS = 127  # git merge-file counts conflicts up to this; above it is an error


def merge_text(current: bytes, base: bytes, new: bytes) -> tuple[bytes, int]:
    """Three-way merge: the changes from BASE to NEW applied to CURRENT, as Copier merges a file.

    Returns the merged bytes (conflicts as inline <<<<<<< markers) and the number of conflicts.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="scaffold-merge-") as scratch:
        paths = []
        for name, data in (("current", current), ("base", base), ("new", new)):
            path = Path(scratch) / name
            path.write_bytes(data)
            paths.append(str(path))
        labels = [arg for label in LABELS for arg in ("-L", label)]
        merged = subprocess.run(
            ["git", "merge-file", "-p", *labels, *paths], capture_output=True, check=False
        )
    if not 0 <= merged.returncode <= _MOST_CONFLICTS:  # git's exit code for an error
        reason = merged.stderr.decode("utf-8", "replace").strip() or f"exit {merged.returncode}"
        raise ScaffoldError(
            f"git merge-file could not merge the CI files ({reason}): nothing was written"
        )
    return merged.stdout, merged.returncode


def _blocks(text: str) -> tuple[str, list[str], str] | None:
    """TEXT split around its `updates:` list: (head, one text block per entry, tail)."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(r"updates:\s*(#.*)?$", line)), None)
    if start is None:
        return None
    head, blocks, tail = "".join(lines[: start + 1]), [], ""
    indent = None
    for index in range(start + 1, len(lines)):
        line = lines[index]
        item = re.match(r"(\s*)- ", line)
        if indent is None and item:
            indent = item.group(1)
        if indent is not None and line.startswith(indent + "- "):
            blocks.append(line)
        elif re.match(r"[A-Za-z_]", line):
            tail = "".join(lines[index:])
            break
        elif blocks:
            blocks[-1] += line
        else:
            head += line
    return head, blocks, tail


def _entry(block: str) -> dict[str, Any]:
    import textwrap

    loaded = yaml.safe_load(textwrap.dedent(block))
    return loaded[0] if isinstance(loaded, list) and isinstance(loaded[0], dict) else {}


def _owned(entry: Mapping[str, Any], folder: str) -> bool:
    """Whether ENTRY updates only FOLDER (or folders below it): the service's own entry."""
    top = "/" + folder.strip("/")
    folders = _folders(entry)
    return bool(folders) and all(f == top or f.startswith(top + "/") for f in folders)


def update_dependabot(
    current: bytes, base: bytes | None, new: bytes, folder: str
) -> tuple[bytes, int] | None:
    """The repository's dependabot.yml with the service's own entries updated from BASE to NEW.

    The entries of FOLDER's service are merged three-way, each where it stands (the team's edits
    kept, the template's changes applied, a clash marked inline); the other services' and the
    repository's entries stay as they are, and a shared entry the new release adds
    (github-actions at /) is added when missing. None when CURRENT is no Dependabot config.
    """
    try:
        theirs = yaml.safe_load(current)
    except yaml.YAMLError:
        return None
    split = _blocks(current.decode("utf-8"))
    ours = _blocks(new.decode("utf-8"))
    if not isinstance(theirs, dict) or split is None or ours is None:
        return None
    head, blocks, tail = split
    found = re.match(r"\s*", blocks[0]) if blocks else None
    indent = found.group(0) if found else "  "
    before = _blocks(base.decode("utf-8")) if base is not None else None

    def own(parts: list[str]) -> dict[str, str]:
        entries = ((_entry(b), b) for b in parts)
        return {
            str(e.get("package-ecosystem")): _reindent(b, indent)
            for e, b in entries
            if _owned(e, folder)
        }

    was, will = own(before[1] if before else []), own(ours[1])
    keys = [
        str(_entry(b).get("package-ecosystem")) if _owned(_entry(b), folder) else "" for b in blocks
    ]
    last = max((i for i, key in enumerate(keys) if key), default=len(blocks) - 1)
    gone = [key for key in was if key not in keys]  # entries the team deleted
    added = [key for key in will if key not in keys and key not in was]
    sides = []
    for side in (was, will):
        text = head
        for index, (block, key) in enumerate(zip(blocks, keys, strict=True)):
            text += side.get(key, "") if key else block
            if index == last:
                text += "".join(side.get(k, "") for k in gone + added)
        if not blocks:
            text += "".join(side.get(k, "") for k in gone + added)
        sides.append(text + tail)
    merged, conflicts = merge_text(current, sides[0].encode("utf-8"), sides[1].encode("utf-8"))
    text = merged.decode("utf-8")
    split = _blocks(text) if not conflicts else None
    shared = [
        _reindent(b, indent)
        for b in ours[1]
        if not _owned(_entry(b), folder)
        and not any(
            _entry(b).get("package-ecosystem") == _entry(t).get("package-ecosystem")
            and _folders(_entry(b)) & _folders(_entry(t))
            for t in blocks
        )
    ]
    if shared and split is not None:
        body = "".join(split[1])
        body += "" if body.endswith("\n") else "\n"
        text = split[0] + body + "".join(shared) + split[2]
    return text.encode("utf-8"), conflicts
