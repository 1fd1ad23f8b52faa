"""Placements and visits in the admin: shown, never made or changed there but through the services."""

import pytest
from django.test import Client

from register.models import AuditEntry, Placement
from register.roles import Role
from tests.factories import make_user
from tests.register.placements_factories import days, place, today

pytestmark = pytest.mark.django_db


def change_form(social_worker) -> dict:
    # What the browser posts: the one editable field, and the (read-only) inlines' management forms.
    data = {"social_worker": social_worker.pk}
    for prefix in ("memberships", "visits"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


@pytest.fixture
def admin_client():
    client = Client()
    client.user = make_user(Role.NATIONAL_ADMIN, is_staff=True, is_superuser=True)
    client.force_login(client.user)
    return client


def test_placements_are_listed_and_shown_with_their_children_and_visits(admin_client):
    placement = place(start_date=today() - days(10))
    assert admin_client.get("/admin/register/placement/").status_code == 200
    page = admin_client.get(f"/admin/register/placement/{placement.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert placement.memberships.get().child.reference in html
    assert "overdue" in html and "scheduled" in html
    assert 'name="_save"' in html  # the social worker can be changed here


def test_placements_cannot_be_added_or_deleted_in_the_admin(admin_client):
    placement = place()
    assert admin_client.get("/admin/register/placement/add/").status_code == 403
    admin_client.post(f"/admin/register/placement/{placement.pk}/delete/", {"post": "yes"})
    assert Placement.objects.filter(pk=placement.pk).exists()


def test_the_social_worker_can_be_reassigned_through_the_service(admin_client):
    placement = place()
    worker = make_user(Role.SOCIAL_WORKER, ("02",))
    response = admin_client.post(f"/admin/register/placement/{placement.pk}/change/", change_form(worker))
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.social_worker == worker
    entry = AuditEntry.objects.get(model="register.Placement", object_id=str(placement.pk), action="update")
    assert entry.changes["social_worker_id"] == [None, worker.pk]


def test_a_social_worker_of_another_province_is_refused(admin_client):
    placement = place()
    worker = make_user(Role.SOCIAL_WORKER, ("12",))
    response = admin_client.post(f"/admin/register/placement/{placement.pk}/change/", change_form(worker))
    assert response.status_code == 200
    placement.refresh_from_db()
    assert placement.social_worker is None


def test_visits_are_listed_with_their_derived_status_and_read_only(admin_client):
    placement = place(start_date=today() - days(10))
    response = admin_client.get("/admin/register/visit/")
    assert response.status_code == 200
    assert "overdue" in response.content.decode()
    assert admin_client.get("/admin/register/visit/?o=4").status_code == 200  # ordering by status
    visit = placement.visits.first()
    page = admin_client.get(f"/admin/register/visit/{visit.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()


def test_another_provinces_placement_cannot_be_reassigned_even_with_every_admin_permission():
    from django.contrib.auth.models import Permission

    from register.models import Carer, Commune
    from tests.factories import CarerFactory

    far = Commune.objects.filter(province_id="12").order_by("code").first()
    placement = place(carer=CarerFactory(commune=far, district_id=far.district_id, province_id="12"))
    assert placement.province_id == "12" and Carer.objects.filter(province_id="12").exists()
    worker = make_user(Role.SOCIAL_WORKER, ("12",))
    officer = make_user(Role.PLACEMENT_OFFICER, ("02",), is_staff=True)
    officer.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(officer)
    response = client.post(f"/admin/register/placement/{placement.pk}/change/", change_form(worker))
    assert response.status_code in (302, 404)  # as for a placement that does not exist
    placement.refresh_from_db()
    assert placement.social_worker is None
    assert not AuditEntry.objects.filter(model="register.Placement", action="update").exists()
