"""Staff accounts, role groups and national policies in the admin: national administrators only,
written through the account and policy services (validated and audited)."""

import pytest
from django.contrib.auth.models import Permission

from register.models import AuditEntry, VisitPolicy
from register.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def with_every_permission(user):
    user.user_permissions.set(Permission.objects.all())
    return user


def account_form(user, **overrides) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "groups": [str(g.pk) for g in user.groups.all()],
        "provinces": list(user.province_codes),
        "phone": user.phone,
        "preferred_language": user.preferred_language,
        "preferred_channel": user.preferred_channel,
        "telegram_chat_id": "",
    }
    return {**data, **overrides}


def test_a_provincial_account_cannot_give_itself_another_province(client):
    # Even with every model permission of the admin: accounts are national administrators' work.
    registrar = with_every_permission(make_user(Role.REGISTRAR, ("02",), is_staff=True))
    client.force_login(registrar)
    response = client.post(
        f"/admin/register/user/{registrar.pk}/change/", account_form(registrar, provinces=["02", "12"])
    )
    assert response.status_code == 403
    registrar.refresh_from_db()
    assert set(registrar.provinces.values_list("code", flat=True)) == {"02"}
    assert client.post("/admin/auth/group/add/", {"name": "national_admin2"}).status_code == 403


def test_a_national_administrator_changes_provinces_through_the_service_and_it_is_audited(client):
    admin_user = make_user(Role.NATIONAL_ADMIN, is_staff=True, is_superuser=True)
    worker = make_user(Role.SOCIAL_WORKER, ("02",), is_staff=True)
    client.force_login(admin_user)
    response = client.post(f"/admin/register/user/{worker.pk}/change/", account_form(worker, provinces=["02", "12"]))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert set(worker.provinces.values_list("code", flat=True)) == {"02", "12"}
    entry = AuditEntry.objects.get(model="register.User", object_id=str(worker.pk), action="update")
    assert entry.actor == admin_user and entry.changes["provinces"] == [["02"], ["02", "12"]]


def test_a_provincial_account_cannot_add_a_visit_policy(client):
    supervisor = with_every_permission(make_user(Role.SUPERVISOR, ("02",), is_staff=True))
    client.force_login(supervisor)
    before = VisitPolicy.objects.count()
    body = {"offsets_days": "[1]", "repeat_every_days": 1, "horizon_days": 10}
    assert client.post("/admin/register/visitpolicy/add/", body).status_code == 403
    assert VisitPolicy.objects.count() == before
