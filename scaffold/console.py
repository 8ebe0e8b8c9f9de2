"""All human output: status words in a column, colour only on a terminal."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

_COLOURS = {"create": "32", "update": "33", "conflict": "31", "identical": "2", "skip": "2"}


def _paint(text: str, code: str, stream: object) -> str:
    tty = getattr(stream, "isatty", lambda: False)()
    if not tty or os.environ.get("NO_COLOR"):
        return text
    return f"\033[{code}m{text}\033[0m"


def status(word: str, path: str) -> None:
    """Print one `  create  path` line."""
    print(f"{_paint(f'{word:>10}', _COLOURS.get(word, '0'), sys.stdout)}  {path}")


def info(text: str = "") -> None:
    """Print a line of normal output."""
    print(text)


def summary(title: str, rows: Iterable[tuple[str, object]]) -> None:
    """Print a titled two-column table of answers."""
    pairs = list(rows)
    width = max((len(k) for k, _ in pairs), default=0)
    print(title)
    for key, value in pairs:
        print(f"  {key:<{width}}  {value}")


def next_steps(lines: Iterable[str]) -> None:
    """Print the closing "next steps" block."""
    print()
    print("Next steps:")
    for line in lines:
        print(f"  {line}")


def error(message: str) -> None:
    """Print a one-line error to stderr."""
    print(f"{_paint('error:', '31', sys.stderr)} {message}", file=sys.stderr)
