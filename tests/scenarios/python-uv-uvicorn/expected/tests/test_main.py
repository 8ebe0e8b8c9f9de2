"""Tests for the FastAPI application, through FastAPI's test client (httpx2 drives it)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.main import app

client = TestClient(app)


def test_health_answers_ok() -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.text) == (200, "ok\n")


def test_root_names_the_service() -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.json()["service"] == "python-uv-uvicorn"
