"""Issue 13, finding 6: a password change (or reset, or disabling) signs the account out everywhere,
whichever way it is made: every API token and every browser session of the account ends, except the
session of the person who changed their own password from it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from register.models import AuditEntry, UserSession
from register.roles import Role
from register.services.users import user_set_password, user_update
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new long passphrase 7"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def token_for(user) -> str:
    _instance, token = AuthToken.objects.create(user)
    return token


def token_works(token: str) -> bool:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api.get("/api/v1/me/").status_code == 200


def session_works(client: Client) -> bool:
    # The home answers, or sends the user on to the reform page (their home), not to the login.
    response = client.get(reverse("web:dashboard"))
    return response.status_code == 200 or (
        response.status_code == 302 and response["Location"] == reverse("web:reform")
    )


def password_url(user) -> str:
    # Django's UserAdmin names the route after auth.User whatever the user model.
    return reverse("admin:auth_user_password_change", args=[user.pk]).replace("auth/user", "register/user")


@pytest.fixture
def national():
    return make_user(Role.NATIONAL_ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def staff():
    return make_user(Role.SOCIAL_WORKER)


def test_the_account_service_ends_every_token_and_session(national, staff):
    tokens = [token_for(staff), token_for(staff)]
    browsers = [signed_in(staff), signed_in(staff)]
    assert all(map(token_works, tokens)) and all(map(session_works, browsers))

    user_set_password(actor=national, user=staff, password=NEW_PASSWORD)

    assert not any(map(token_works, tokens))
    assert not any(map(session_works, browsers))
    assert not AuthToken.objects.filter(user=staff).exists()
    assert not UserSession.objects.filter(user=staff).exists()
    entry = AuditEntry.objects.filter(action="logout", object_id=str(staff.pk)).latest("at")
    assert entry.actor_id == national.pk
    assert entry.changes["api_tokens"] == [2, 0] and entry.changes["signed_in_sessions"] == [2, 0]
    assert entry.changes["reason"] == [None, "password changed"]


def test_disabling_the_password_ends_them_too(national, staff):
    token = token_for(staff)
    user_set_password(actor=national, user=staff, password=None)
    assert not token_works(token)


def test_a_save_that_keeps_the_password_ends_nothing(national, staff):
    token = token_for(staff)
    browser = signed_in(staff)
    user_update(actor=national, user=staff, data={"first_name": "Sokha", "phone": "012345678"})
    staff.refresh_from_db()
    staff.save()  # every field, the same hash
    assert token_works(token) and session_works(browser)


def test_the_admins_password_form_for_another_account(national, staff):
    token = token_for(staff)
    browser = signed_in(staff)
    admin_page = signed_in(national)
    url = password_url(staff)
    response = admin_page.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content
    assert not token_works(token) and not session_works(browser)
    # The administrator's own session is not the changed account's: it goes on.
    assert admin_page.get("/admin/").status_code == 200


def test_the_admins_password_form_for_ones_own_account_keeps_the_current_session(national):
    token = token_for(national)
    other_browser = signed_in(national)
    admin_page = signed_in(national)
    url = password_url(national)
    response = admin_page.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302, response.content
    assert admin_page.get("/admin/").status_code == 200
    assert not session_works(other_browser) and not token_works(token)
    assert UserSession.objects.filter(user=national).count() == 1


def test_the_admin_sites_own_password_change_page(national):
    token = token_for(national)
    other_browser = signed_in(national)
    admin_page = signed_in(national)
    response = admin_page.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.content
    assert admin_page.get("/admin/").status_code == 200
    assert not session_works(other_browser) and not token_works(token)


def test_manage_py_changepassword(staff, monkeypatch):
    token = token_for(staff)
    browser = signed_in(staff)
    monkeypatch.setattr(
        "django.contrib.auth.management.commands.changepassword.getpass.getpass", lambda *a, **k: NEW_PASSWORD
    )
    call_command("changepassword", staff.username, stdout=open("/dev/null", "w"))  # noqa: SIM115
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)
    assert not token_works(token) and not session_works(browser)
    entry = AuditEntry.objects.filter(action="logout", object_id=str(staff.pk)).latest("at")
    assert entry.actor_id is None and entry.actor_username == "system"


def test_a_script_setting_the_password_directly(staff):
    token = token_for(staff)
    staff.set_password(NEW_PASSWORD)
    staff.save(update_fields=["password"])
    assert not token_works(token)
