"""All human output: status words in a column, colour only on a terminal.

Output that cannot be delivered because the reader went away (`scaffold new x | head -1`)
is dropped silently: what scaffold wrote on disk is done, and saying otherwise would be wrong.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import TextIO

_COLOURS = {"create": "32", "update": "33", "conflict": "31", "identical": "2", "skip": "2"}


def _print(text: str = "", *, stream: TextIO | None = None) -> None:
    """Write one line; a closed pipe on stdout sends the rest of the output nowhere."""
    stream = stream or sys.stdout
    try:
        print(text, file=stream, flush=stream is sys.stdout and not stream.isatty())
    except BrokenPipeError:
        if stream is not sys.stdout:
            raise
        drop_stdout()


def drop_stdout() -> None:
    """Point stdout at /dev/null, so neither later lines nor the exit flush fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def write(text: str) -> None:
    """Write TEXT (a diff, several lines) as it is."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        drop_stdout()


def _paint(text: str, code: str, stream: object) -> str:
    tty = getattr(stream, "isatty", lambda: False)()
    if not tty or os.environ.get("NO_COLOR"):
        return text
    return f"\033[{code}m{text}\033[0m"


def status(word: str, path: str) -> None:
    """Print one `  create  path` line."""
    _print(f"{_paint(f'{word:>10}', _COLOURS.get(word, '0'), sys.stdout)}  {path}")


def info(text: str = "") -> None:
    """Print a line of normal output."""
    _print(text)


def summary(title: str, rows: Iterable[tuple[str, ...]], warnings: Iterable[str] = ()) -> None:
    """Print a titled table (answers, values and maybe where each came from), then warnings."""
    table = [tuple(str(cell) for cell in row) for row in rows]
    widths = [max((len(row[i]) for row in table if i < len(row)), default=0) for i in range(3)]
    _print(title)
    for row in table:
        cells = [f"{cell:<{widths[i]}}" for i, cell in enumerate(row)]
        _print(("  " + "  ".join(cells)).rstrip())
    for line in warnings:
        _print(f"{_paint('warning:', '33', sys.stdout)} {line}")


def next_steps(lines: Iterable[str]) -> None:
    """Print the closing "next steps" block."""
    _print()
    _print("Next steps:")
    for line in lines:
        _print(f"  {line}")


def hint(message: str) -> None:
    """Print why an answer was refused, right under its prompt."""
    _print(f"  {_paint(message, '31', sys.stdout)}")


def warning(message: str) -> None:
    """Print a one-line warning to stderr; the command goes on."""
    _print(f"{_paint('warning:', '33', sys.stderr)} {message}", stream=sys.stderr)


def error(message: str) -> None:
    """Print a one-line error to stderr."""
    _print(f"{_paint('error:', '31', sys.stderr)} {message}", stream=sys.stderr)
