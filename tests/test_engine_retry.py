"""The engine harness runs a build again only when the machine's resolver did not answer."""

from __future__ import annotations

import subprocess

from engine import _resolver_failed


def _failed(output: str) -> subprocess.CompletedProcess[str]:
    return subprocess.CompletedProcess(["docker"], 1, stdout="", stderr=output)


def test_a_build_that_never_resolved_the_archive_is_retried() -> None:
    apt = "48.76   Temporary failure resolving 'deb.debian.org'"
    assert _resolver_failed(("build", "--tag", "x", "."), _failed(apt))
    assert _resolver_failed(("compose", "up", "--build", "-d"), _failed("EAI_AGAIN registry"))


def test_other_failures_and_other_commands_are_reported_as_they_are() -> None:
    assert not _resolver_failed(("build", "."), _failed("E: Unable to locate package tini"))
    assert not _resolver_failed(("run", "img"), _failed("Temporary failure resolving 'x'"))
