"""Two-factor authentication: who must use it, the API token endpoint with a code, the reset
command, and production settings requiring it of supervisors and national administrators."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from register import two_factor
from register.models import AuditEntry
from register.roles import Role
from tests.factories import make_user
from tests.two_factor_support import code_for, with_authenticator

ROOT = Path(__file__).resolve().parents[2]
URL = "/api/v1/auth/token/"
PASSWORD = "a-Long-pass-phrase-42"


@pytest.fixture
def user_with(db):
    def make(role=Role.SUPERVISOR, *, device=False):
        user = make_user(role)
        user.set_password(PASSWORD)
        user.save()
        user.device = with_authenticator(user) if device else None
        return user

    return make


def ask(api, user, **extra):
    return api.post(URL, {"username": user.username, "password": PASSWORD, **extra}, format="json")


@pytest.mark.parametrize(
    ("role", "superuser", "expected"),
    [
        (Role.SUPERVISOR, False, True),
        (Role.NATIONAL_ADMIN, False, True),
        (Role.REGISTRAR, False, False),
        (Role.SOCIAL_WORKER, False, False),
        (Role.REGISTRAR, True, True),  # a superuser can use the admin: an administrator
    ],
)
def test_the_roles_named_in_settings_require_two_factor(db, settings, role, superuser, expected):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["supervisor", "national_admin"]
    user = make_user(role, is_superuser=superuser)
    assert two_factor.required_for(user) is expected


def test_nothing_is_required_when_the_setting_is_empty(db, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = []
    assert two_factor.required_for(make_user(Role.SUPERVISOR, is_superuser=True)) is False


def test_a_required_role_without_an_authenticator_gets_no_token(api, user_with, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["supervisor"]
    user = user_with(Role.SUPERVISOR)
    response = ask(api, user)
    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_setup_required"
    assert not AuthToken.objects.filter(user=user).exists()


def test_a_user_with_an_authenticator_must_send_its_code(api, user_with):
    user = user_with(Role.REGISTRAR, device=True)
    response = ask(api, user)
    assert response.status_code == 401
    assert response.json()["code"] == "two_factor_required"
    assert not AuthToken.objects.filter(user=user).exists()


def test_the_current_code_gets_a_token_and_cannot_be_used_twice(api, user_with, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["supervisor"]
    user = user_with(Role.SUPERVISOR, device=True)
    code = code_for(user.device)
    first = ask(api, user, otp=f"{code[:3]} {code[3:]}")  # typed as the app shows it
    assert first.status_code == 200, first.content
    assert AuthToken.objects.filter(user=user).count() == 1
    replay = ask(api, user, otp=code)
    assert replay.status_code == 401
    assert replay.json()["code"] == "two_factor_invalid"
    assert AuthToken.objects.filter(user=user).count() == 1


def test_a_wrong_code_is_refused_audited_and_slows_the_next_try(api, user_with):
    user = user_with(Role.REGISTRAR, device=True)
    wrong = f"{(int(code_for(user.device)) + 1) % 10**6:06d}"
    response = ask(api, user, otp=wrong)
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "two_factor_invalid"
    assert body["retry_after_seconds"] >= 1
    assert AuditEntry.objects.filter(actor=user, action=AuditEntry.Action.LOGIN_FAILED).exists()
    # django-otp's back-off: even the right code waits until the delay has passed.
    assert ask(api, user, otp=code_for(user.device)).status_code == 401
    assert not AuthToken.objects.filter(user=user).exists()


@pytest.mark.parametrize("otp", ["", "12345", "abcdef", "1234567890"])
def test_a_code_of_the_wrong_shape_is_refused_without_a_server_error(api, user_with, otp):
    user = user_with(Role.REGISTRAR, device=True)
    response = ask(api, user, otp=otp)
    assert response.status_code == 401
    assert response.json()["code"] in {"two_factor_required", "two_factor_invalid"}


def test_a_wrong_password_says_nothing_about_two_factor(api, user_with):
    user = user_with(Role.REGISTRAR, device=True)
    response = api.post(URL, {"username": user.username, "password": "wrong", "otp": "123456"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_confirming_needs_a_code_from_the_pending_authenticator(db):
    user = make_user(Role.REGISTRAR)
    device = two_factor.pending_device(user)
    assert two_factor.pending_device(user) == device  # reloading the page keeps the same secret
    assert two_factor.confirm(user, "000000" if code_for(device) != "000000" else "111111") is None
    assert not two_factor.enabled_for(user)
    device.throttle_reset()
    assert two_factor.confirm(user, code_for(device, steps_ahead=1)) is not None
    assert two_factor.enabled_for(user)
    entry = AuditEntry.objects.get(object_id=str(user.pk), action=AuditEntry.Action.UPDATE)
    assert entry.changes == {"two_factor": [False, True]}


def test_a_new_phone_replaces_the_old_authenticator(db):
    user = make_user(Role.REGISTRAR)
    old = with_authenticator(user)
    new = two_factor.pending_device(user)
    assert two_factor.confirm(user, code_for(new)) is not None
    assert list(TOTPDevice.objects.filter(user=user)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


def test_the_reset_command_removes_the_authenticator_and_is_audited(db, capsys):
    user = make_user(Role.SUPERVISOR)
    with_authenticator(user)
    call_command("reset_two_factor", user.username)
    assert not TOTPDevice.objects.filter(user=user).exists()
    entry = AuditEntry.objects.get(object_id=str(user.pk), action=AuditEntry.Action.UPDATE)
    assert entry.changes == {"two_factor": [True, False]}
    assert entry.actor_username.startswith("manage.py")
    assert "reset" in capsys.readouterr().out


def test_the_reset_command_names_an_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="nobody"):
        call_command("reset_two_factor", "nobody")


def test_the_admin_shows_no_authenticator_secrets():
    from django.contrib import admin

    assert not admin.site.is_registered(TOTPDevice)


def test_production_requires_two_factor_of_supervisors_and_national_admins():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "s" * 60,
        "DJANGO_ALLOWED_HOSTS": "register.example.gov.kh",
    }
    env.pop("TWO_FACTOR_REQUIRED_ROLES", None)
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print(sorted(settings.TWO_FACTOR_REQUIRED_ROLES))"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )
    assert done.stdout.strip() == "['national_admin', 'supervisor']"
