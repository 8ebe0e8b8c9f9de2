"""Tests for the ASGI application."""

from __future__ import annotations

import asyncio
from typing import Any

from app.main import app


def call(path: str) -> tuple[int, bytes]:
    """Call the ASGI app for PATH and return its status and body."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app({"type": "http", "path": path, "method": "GET"}, receive, send))
    return sent[0]["status"], sent[1]["body"]


def test_health_answers_ok() -> None:
    assert call("/healthz") == (200, b"ok\n")


def test_root_names_the_service() -> None:
    status, body = call("/")
    assert status == 200
    assert b'"service": "python-uv-uvicorn"' in body
