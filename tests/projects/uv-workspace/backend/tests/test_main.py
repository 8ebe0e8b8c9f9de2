from fastapi.testclient import TestClient

from app.main import app


def test_health() -> None:
    assert TestClient(app).get("/api/health").text == "ok"


def test_items() -> None:
    assert TestClient(app).get("/api/items").json()[0]["sku"] == "A-1"
