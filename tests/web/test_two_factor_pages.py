"""The two-factor pages: a required role is sent to set it up before anything else; a user with an
authenticator types a code after the password; nothing (pages, admin, API by session) is reachable
in between."""

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from register.models import AuditEntry
from register.roles import Role
from tests.factories import make_user
from tests.two_factor_support import code_for, with_authenticator

SETUP = "/account/two-factor/"
VERIFY = "/login/code/"
PASSWORD = "a-Long-pass-phrase-42"


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["supervisor", "national_admin"]


def logged_in(role, *, device=False):
    user = make_user(role)
    user.set_password(PASSWORD)
    user.save()
    authenticator = with_authenticator(user) if device else None
    client = Client()
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    client.user = user
    client.device = authenticator
    return client


@pytest.mark.parametrize("path", ["/", "/carers/", "/admin/", "/api/v1/carers/"])
def test_a_required_role_reaches_nothing_before_setting_it_up(db, required, path):
    client = logged_in(Role.SUPERVISOR)
    response = client.get(path)
    if path.startswith("/api/"):
        assert response.status_code == 403
        assert response.json()["code"] == "two_factor_required"
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(f"{SETUP}?next=")


def test_setting_it_up_shows_a_qr_code_and_a_key_then_lets_the_user_in(db, required):
    client = logged_in(Role.SUPERVISOR)
    page = client.get(SETUP, {"next": "/carers/"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'data-testid="two-factor-secret"' in html
    assert 'data-testid="two-factor-required"' in html
    pending = TOTPDevice.objects.get(user=client.user, confirmed=False)

    wrong = client.post(SETUP, {"code": "12", "next": "/carers/"})
    assert wrong.status_code == 200
    assert 'id="id_code_error"' in wrong.content.decode()
    assert client.get("/carers/")["Location"].startswith(SETUP)  # still owed

    pending.throttle_reset()
    done = client.post(SETUP, {"code": code_for(pending, steps_ahead=1), "next": "/carers/"})
    assert done.status_code == 302
    assert done["Location"] == "/carers/"
    assert client.get("/carers/").status_code == 200
    assert TOTPDevice.objects.get(user=client.user).confirmed


def test_a_user_with_an_authenticator_types_a_code_after_the_password(db):
    client = logged_in(Role.REGISTRAR, device=True)
    first = client.get("/carers/")
    assert first.status_code == 302
    assert first["Location"].startswith(f"{VERIFY}?next=")

    wrong = client.post(VERIFY, {"code": "000000" if code_for(client.device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert 'id="id_code_error"' in wrong.content.decode()
    assert AuditEntry.objects.filter(actor=client.user, action=AuditEntry.Action.LOGIN_FAILED).exists()

    client.device.throttle_reset()
    ok = client.post(VERIFY, {"code": code_for(client.device, steps_ahead=1), "next": "/carers/"})
    assert ok.status_code == 302
    assert ok["Location"] == "/carers/"
    assert client.get("/carers/").status_code == 200
    assert AuditEntry.objects.filter(
        actor=client.user, action=AuditEntry.Action.LOGIN, changes={"second_factor": "verified"}
    ).exists()


def test_repeated_wrong_codes_are_told_to_wait(db):
    client = logged_in(Role.REGISTRAR, device=True)
    client.post(VERIFY, {"code": "999999" if code_for(client.device) != "999999" else "888888"})
    again = client.post(VERIFY, {"code": code_for(client.device)})
    assert again.status_code == 200
    assert "Wait" in again.content.decode()


def test_the_code_step_never_redirects_to_another_site(db):
    client = logged_in(Role.REGISTRAR, device=True)
    response = client.post(VERIFY, {"code": code_for(client.device), "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_role_that_does_not_require_it_goes_straight_in(db, required):
    client = logged_in(Role.REGISTRAR)
    assert client.get("/carers/").status_code == 200


def test_anyone_may_turn_it_on_from_the_account_menu(db):
    client = logged_in(Role.REGISTRAR)
    assert 'data-testid="two-factor-link"' in client.get("/", follow=True).content.decode()
    client.get(SETUP)
    pending = TOTPDevice.objects.get(user=client.user, confirmed=False)
    assert client.post(SETUP, {"code": code_for(pending)}).status_code == 302
    # The next login asks for the code.
    again = Client()
    again.post("/login/", {"username": client.user.username, "password": PASSWORD})
    assert again.get("/carers/")["Location"].startswith(VERIFY)


def test_logging_out_is_possible_while_a_code_is_owed(db, required):
    client = logged_in(Role.SUPERVISOR)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert "/login/" in client.get("/carers/")["Location"]
    assert "_auth_user_id" not in client.session


def test_a_session_from_before_the_rule_is_checked_at_its_next_request(db, required):
    client = logged_in(Role.SUPERVISOR)
    session = client.session
    del session["two_factor_owed"]
    session.save()
    assert client.get("/carers/")["Location"].startswith(SETUP)
