from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

app = FastAPI(title="catalog")


@app.get("/api/health", response_class=PlainTextResponse)
def health() -> str:
    return "ok"


@app.get("/api/items")
def items() -> list[dict[str, str]]:
    return [{"sku": "A-1", "name": "lamp"}]
