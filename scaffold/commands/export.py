"""`scaffold template export DIR`: scaffold's template as a git repository, to fork."""

from __future__ import annotations

from pathlib import Path

from scaffold import console, template


def run(directory: Path) -> int:
    """Write the template with its release tags into DIRECTORY; returns the exit code."""
    target = directory.expanduser().absolute()
    releases = template.export(target)
    console.status("create", f"{target} (releases {', '.join(releases)})")
    console.next_steps(
        [
            f"cd {directory}  # edit templates, commit, then tag a newer release",
            f"scaffold new SERVICE --template {target}",
        ]
    )
    return 0
