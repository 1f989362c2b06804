"""POST /api/auth/token/ exchanges a password for a token, with a rate limit; tokens authenticate."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

PASSWORD = "correct horse battery staple"


def test_it_gives_a_token_for_form_credentials(alice):
    response = APIClient().post("/api/auth/token/", {"username": "alice", "password": PASSWORD})

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=alice).key}


def test_it_gives_the_same_token_for_json_credentials(alice):
    client = APIClient()
    first = client.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json").json()
    second = client.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json").json()

    assert first == second


def test_it_refuses_a_wrong_password(alice):
    response = APIClient().post("/api/auth/token/", {"username": "alice", "password": "wrong"})

    assert response.status_code == 400
    assert "token" not in response.json()


def test_it_limits_the_rate_of_attempts(alice, settings):
    settings.FER_TOKEN_RATE = "3/min"
    client = APIClient()
    codes = [client.post("/api/auth/token/", {"username": "alice", "password": "wrong"}).status_code for _ in range(4)]

    assert codes == [400, 400, 400, 429]


def test_a_token_authenticates_api_requests(alice):
    token = Token.objects.create(user=alice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert client.get("/api/media/").status_code == 200


def test_a_deleted_token_stops_working_at_once(alice):
    token = Token.objects.create(user=alice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    token.delete()

    assert client.get("/api/media/").status_code == 401
