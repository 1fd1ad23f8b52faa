import pytest
from django.core.management import CommandError, call_command

from register.models import AuditEntry, User

pytestmark = pytest.mark.django_db
GOOD = "a long enough pass phrase"


def test_creates_a_user_with_role_and_provinces(monkeypatch):
    monkeypatch.setenv("STAFF_USER_PASSWORD", GOOD)
    call_command(
        "create_staff_user",
        "sokha",
        "--role",
        "registrar",
        "--province",
        "02",
        "--province",
        "17",
        "--email",
        "sokha@example.org",
    )
    user = User.objects.get(username="sokha")
    assert user.role == "registrar"
    assert user.province_codes == {"02", "17"}
    assert user.email == "sokha@example.org"
    assert user.check_password(GOOD)
    assert AuditEntry.objects.filter(model="register.User", object_id=str(user.pk), action="create").exists()


def test_national_admin_needs_no_province(monkeypatch):
    monkeypatch.setenv("STAFF_USER_PASSWORD", GOOD)
    call_command("create_staff_user", "dara", "--role", "national_admin")
    user = User.objects.get(username="dara")
    assert user.is_national and user.role == "national_admin"


def test_rerun_updates_instead_of_failing(monkeypatch):
    monkeypatch.setenv("STAFF_USER_PASSWORD", GOOD)
    call_command("create_staff_user", "vanna", "--role", "registrar", "--province", "02")
    call_command("create_staff_user", "vanna", "--role", "supervisor", "--province", "12")
    user = User.objects.get(username="vanna")
    assert (user.role, user.province_codes) == ("supervisor", {"12"})


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "registrar"], "--province is required"),
        (["--role", "registrar", "--province", "99"], "Unknown province code"),
        (["--role", "registrar", "--province", "02", "--email", "nope"], "--email"),
    ],
)
def test_bad_arguments_are_explained(monkeypatch, args, message):
    monkeypatch.setenv("STAFF_USER_PASSWORD", GOOD)
    with pytest.raises(CommandError, match=message):
        call_command("create_staff_user", "x", *args)
    assert not User.objects.filter(username="x").exists()


def test_weak_password_is_refused(monkeypatch):
    monkeypatch.setenv("STAFF_USER_PASSWORD", "123")
    with pytest.raises(CommandError, match="Password"):
        call_command("create_staff_user", "x", "--role", "national_admin")


def test_unknown_role_is_refused(monkeypatch):
    monkeypatch.setenv("STAFF_USER_PASSWORD", GOOD)
    with pytest.raises(CommandError):
        call_command("create_staff_user", "x", "--role", "king")
