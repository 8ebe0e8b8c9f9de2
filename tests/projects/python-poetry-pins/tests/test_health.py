from reports.app import app


def test_health():
    assert app.test_client().get("/health").data == b"ok\n"
