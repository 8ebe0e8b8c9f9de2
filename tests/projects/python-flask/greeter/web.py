"""A team's Flask service, laid out its own way (not scaffold's skeleton)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello from greeter\n"


@app.get("/health")
def health() -> str:
    return "ok\n"
