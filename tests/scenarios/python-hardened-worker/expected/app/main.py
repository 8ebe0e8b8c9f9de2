"""A long-running worker: does its work in a loop until the container stops it."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

# The container's HEALTHCHECK reads this file's age.
HEARTBEAT = Path("/tmp/heartbeat")


def process(item: int) -> int:
    """Do one unit of work. Replace with the service's real job."""
    return item * item


def main() -> None:
    """Run until SIGTERM or SIGINT, touching the heartbeat after each unit of work."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    item = 0
    while not stopping.is_set():
        print(f"python-hardened-worker: processed {item} -> {process(item)}", flush=True)
        HEARTBEAT.touch()
        item += 1
        stopping.wait(1)


if __name__ == "__main__":
    main()
