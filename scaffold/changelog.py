"""The template's changelog (templates/CHANGELOG.md): one `## X.Y.Z` section per release."""

from __future__ import annotations

import re

_HEADING = re.compile(r"^##\s+(\S+)\s*$")


def entries(text: str) -> dict[str, list[str]]:
    """Each release's lines (blank lines dropped), by version, in the file's order."""
    found: dict[str, list[str]] = {}
    lines: list[str] | None = None
    for raw in text.splitlines():
        heading = _HEADING.match(raw)
        if heading:
            lines = found.setdefault(heading.group(1), [])
        elif lines is not None and raw.strip():
            lines.append(raw.rstrip())
    return found


def crossed(text: str, current: str, release: str) -> list[tuple[str, list[str]]]:
    """The entries of the releases after CURRENT up to and including RELEASE, oldest first."""
    from packaging.version import InvalidVersion, Version

    def version(tag: str) -> Version | None:
        try:
            return Version(tag)
        except InvalidVersion:
            return None

    low, high = version(current), version(release)
    picked = []
    for tag, lines in entries(text).items():
        v = version(tag)
        if v is not None and high is not None and (low is None or v > low) and v <= high:
            picked.append((v, tag, lines))
    return [(tag, lines) for _, tag, lines in sorted(picked)]
