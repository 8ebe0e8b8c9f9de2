"""FastAPI application, served by uvicorn."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

app = FastAPI(title="python-uv-uvicorn")


@app.get("/healthz", response_class=PlainTextResponse)
def health() -> str:
    """Answer the container's health check."""
    return "ok\n"


@app.get("/")
def root() -> dict[str, str]:
    """Greet with the service's name."""
    return {"service": "python-uv-uvicorn", "message": "hello"}
