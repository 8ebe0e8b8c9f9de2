from greeter.web import app


def test_hello() -> None:
    assert app.test_client().get("/").data == b"hello from greeter\n"
