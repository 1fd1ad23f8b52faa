from datetime import timedelta

import pytest
from django.utils import timezone
from knox.models import AuthToken

from register.models import AuditEntry
from register.roles import Role
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def login(api, username, password=PASSWORD):
    return api.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


def test_token_login_returns_an_expiring_token(api):
    user = make_user(Role.REGISTRAR)
    response = login(api, user.username)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    expires = timezone.datetime.fromisoformat(body["expires_at"])
    assert timezone.now() + timedelta(hours=11) < expires <= timezone.now() + timedelta(hours=12, minutes=1)
    assert AuditEntry.objects.filter(actor=user, action="login").exists()


def test_token_authenticates_me(api):
    user = make_user(Role.SUPERVISOR, provinces=("12", "02"))
    token = login(api, user.username).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").json() == {
        "username": user.username,
        "role": "supervisor",
        "provinces": ["02", "12"],
        "national": False,
    }


def test_national_admin_me_lists_every_province(api):
    user = make_user(Role.NATIONAL_ADMIN)
    api.force_authenticate(user)
    body = api.get("/api/v1/me/").json()
    assert body["national"] is True and body["role"] == "national_admin" and len(body["provinces"]) == 25


def test_wrong_password_is_refused_with_a_code(api):
    user = make_user()
    response = login(api, user.username, "wrong password")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_missing_fields_name_the_field(api):
    response = api.post("/api/v1/auth/token/", {"username": "x"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_repeated_failures_lock_the_account_even_with_the_right_password(api, settings):
    user = make_user()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(api, user.username, "wrong password").status_code == 401
    # The failure that reaches the limit locks the account and says so.
    assert login(api, user.username, "wrong password").json()["code"] == "account_locked"
    response = login(api, user.username)
    assert response.status_code == 403
    assert response.json()["code"] == "account_locked"


def test_expired_token_is_refused(api):
    user = make_user()
    token = login(api, user.username).json()["token"]
    AuthToken.objects.filter(user=user).update(expiry=timezone.now() - timedelta(seconds=1))
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").status_code == 401


def test_logout_revokes_the_token(api):
    user = make_user()
    token = login(api, user.username).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.post("/api/v1/auth/logout/").status_code == 204
    assert api.get("/api/v1/me/").status_code == 401


def test_deactivated_user_token_stops_working_at_once(api):
    user = make_user()
    token = login(api, user.username).json()["token"]
    user.is_active = False
    user.save()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").status_code == 401


def test_me_requires_authentication(api):
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_api_responses_are_not_cached(api):
    user = make_user()
    api.force_authenticate(user)
    assert "no-store" in api.get("/api/v1/me/")["Cache-Control"]


def test_a_request_does_not_sweep_the_users_other_tokens_and_beat_purges_expired_ones(api):
    from register.tasks import purge_expired_tokens

    user = make_user()
    old = login(api, user.username).json()["token"]
    token = login(api, user.username).json()["token"]
    AuthToken.objects.filter(token_key=old[:15]).update(expiry=timezone.now() - timedelta(seconds=1))
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").status_code == 200
    assert AuthToken.objects.filter(user=user).count() == 2  # the expired one waits for the purge
    assert purge_expired_tokens() == 1
    assert list(AuthToken.objects.filter(user=user).values_list("token_key", flat=True)) == [token[:15]]
    assert api.get("/api/v1/me/").status_code == 200
