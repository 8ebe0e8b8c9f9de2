"""Ctrl-C that cannot be lost.

Python ignores an exception raised inside a finalizer (`__del__`), printing "Exception ignored in".
A Ctrl-C that lands while a library's finalizer runs (Copier's git wrapper has one) would vanish
and the command would carry on writing. The handler installed here remembers every interrupt, so
a command checks `raise_if_seen()` before it writes anything for good.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

_seen = False


def _on_interrupt(signum: int, frame: FrameType | None) -> None:
    global _seen  # noqa: PLW0603 - one flag per process, set from a signal handler
    _seen = True
    raise KeyboardInterrupt


def _quiet_about_interrupts(unraisable: sys.UnraisableHookArgs) -> None:
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        return  # remembered by the handler; raise_if_seen() reports it
    sys.__unraisablehook__(unraisable)


@contextlib.contextmanager
def watched() -> Iterator[None]:
    """Remember every SIGINT while the block runs (main thread, Python's own handler only)."""
    global _seen  # noqa: PLW0603
    _seen = False
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    hook = sys.unraisablehook
    signal.signal(signal.SIGINT, _on_interrupt)
    sys.unraisablehook = _quiet_about_interrupts
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.unraisablehook = hook


def raise_if_seen() -> None:
    """Raise KeyboardInterrupt when an interrupt arrived, even one a finalizer swallowed."""
    if _seen:
        raise KeyboardInterrupt


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Ignore SIGINT while the block runs, in this process and the commands it starts.

    Ctrl-C reaches the whole foreground process group, and a rollback half done is worse than none.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
