"""WSGI application, served by gunicorn."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """Answer the health check and a JSON greeting."""
    if environ.get("PATH_INFO") == "/healthz":
        body, content_type = b"ok\n", "text/plain"
    else:
        body = json.dumps({"service": "pipeline-ghcr", "message": "hello"}).encode() + b"\n"
        content_type = "application/json"
    start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]
