"""Tests for the WSGI application."""

from __future__ import annotations

from typing import Any

from app.main import app


def call(path: str) -> tuple[str, bytes]:
    """Call the WSGI app for PATH and return its status and body."""
    status: list[str] = []

    def start_response(line: str, headers: list[tuple[str, str]]) -> None:
        status.append(line)

    environ: dict[str, Any] = {"PATH_INFO": path, "REQUEST_METHOD": "GET"}
    body = b"".join(app(environ, start_response))
    return status[0], body


def test_health_answers_ok() -> None:
    assert call("/healthz") == ("200 OK", b"ok\n")


def test_root_names_the_service() -> None:
    status, body = call("/")
    assert status == "200 OK"
    assert b'"service": "pipeline-ghcr"' in body
