from flaskr import create_app


def test_config():
    assert not create_app().testing
    assert create_app({"TESTING": True}).testing


def test_health():
    response = create_app({"TESTING": True}).test_client().get("/health")
    assert response.data == b"ok\n"
