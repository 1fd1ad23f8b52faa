"""The visit policy in the admin: versioned, never edited in place."""

import pytest
from django.test import Client

from register.models import AuditEntry, VisitPolicy
from register.roles import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(make_user(Role.NATIONAL_ADMIN, is_staff=True, is_superuser=True))
    return client


def form(offsets="[7, 30, 60, 90]", every=60, horizon=365):
    return {"offsets_days": offsets, "repeat_every_days": every, "horizon_days": horizon}


def test_editing_the_policy_adds_a_new_version_and_keeps_the_old(admin_client):
    old = VisitPolicy.current()
    response = admin_client.post(f"/admin/register/visitpolicy/{old.pk}/change/", form("[14, 7, 30]"))
    assert response.status_code == 302
    new = VisitPolicy.current()
    assert new.pk != old.pk
    assert (new.offsets_days, new.repeat_every_days, new.horizon_days) == ([7, 14, 30], 60, 365)
    old.refresh_from_db()
    assert (old.offsets_days, old.repeat_every_days, old.horizon_days) == ([7, 30, 60, 90], 90, 730)
    entry = AuditEntry.objects.get(model="register.VisitPolicy", object_id=str(new.pk))
    assert entry.action == "create" and entry.changes["replaces"] == [old.pk, new.pk]


def test_adding_a_policy_puts_it_in_force(admin_client):
    assert admin_client.post("/admin/register/visitpolicy/add/", form()).status_code == 302
    assert VisitPolicy.current().repeat_every_days == 60
    assert VisitPolicy.current().created_by.is_superuser


@pytest.mark.parametrize("offsets", ['"weekly"', "[7, -1]", "[7, 2.5]", "nonsense"])
def test_bad_offsets_are_refused(admin_client, offsets):
    before = VisitPolicy.objects.count()
    response = admin_client.post("/admin/register/visitpolicy/add/", form(offsets))
    assert response.status_code == 200  # the form again, with its error
    assert VisitPolicy.objects.count() == before


def test_the_list_shows_which_version_is_in_force(admin_client):
    VisitPolicy.objects.create(offsets_days=[7], repeat_every_days=30, horizon_days=365)
    response = admin_client.get("/admin/register/visitpolicy/")
    assert response.status_code == 200
    assert response.content.decode().count("icon-yes") == 1


def test_a_policy_cannot_be_deleted(admin_client):
    policy = VisitPolicy.current()
    admin_client.post(f"/admin/register/visitpolicy/{policy.pk}/delete/", {"post": "yes"})
    assert VisitPolicy.objects.filter(pk=policy.pk).exists()
