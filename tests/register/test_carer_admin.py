"""The admin pages of the register of foster families: jurisdiction and audit."""

import datetime
import json

import pytest
from django.contrib.auth.models import Permission

from register.models import AuditEntry, CarerCheck
from register.roles import Role
from tests.factories import CarerFactory, make_user
from tests.register.carers_factories import CarerCheckFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/register/carer/"


def staff(role=Role.REGISTRAR, provinces=("02",), perms=("view_carer", "change_carer", "add_carercheck")):
    user = make_user(role, provinces, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="register", codename__in=perms))
    return user


def change_form_data(carer, **overrides) -> dict:
    data = {
        "household_name": carer.household_name,
        "given_name": carer.given_name,
        "family_name": carer.family_name,
        "sex": carer.sex,
        "date_of_birth": carer.date_of_birth.isoformat(),
        "national_id": carer.national_id,
        "phone": carer.phone,
        "commune": carer.commune_id,
        "village": carer.village_id or "",
        "address": carer.address,
        "lat": "",
        "lon": "",
        "languages": json.dumps(carer.languages),
        "religion": carer.religion,
        "ethnicity": carer.ethnicity,
        "max_children": carer.max_children,
        "age_min": carer.age_min,
        "age_max": carer.age_max,
        "sexes_accepted": json.dumps(carer.sexes_accepted),
        "max_sibling_group": carer.max_sibling_group,
        "care_types": json.dumps(carer.care_types),
        "needs_supported": json.dumps(carer.needs_supported),
    }
    for prefix in ("household_members", "checks", "trainings", "concerns", "status_changes"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
    data.update(overrides)
    return data


def test_staff_see_only_their_provinces_families(client):
    here = CarerFactory(reference="FC-02-000001")
    there = CarerFactory(reference="FC-12-000001", commune_id="120101", district_id="1201", province_id="12")
    client.force_login(staff())
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert here.reference in page.content.decode() and there.reference not in page.content.decode()
    assert client.get(f"{CHANGELIST}{there.pk}/change/").status_code in (302, 404)
    assert client.get(f"{CHANGELIST}{here.pk}/change/").status_code == 200


def test_national_admin_sees_every_family(client):
    CarerFactory(reference="FC-02-000001")
    CarerFactory(reference="FC-12-000001", commune_id="120101", district_id="1201", province_id="12")
    client.force_login(staff(Role.NATIONAL_ADMIN))
    content = client.get(CHANGELIST).content.decode()
    assert "FC-02-000001" in content and "FC-12-000001" in content


def test_search_by_phone_and_name(client):
    CarerFactory(reference="FC-02-000001", phone="+85512999888", given_name="Bopha")
    CarerFactory(reference="FC-02-000002", phone="+85512111222", given_name="Dara")
    client.force_login(staff())
    content = client.get(CHANGELIST, {"q": "12999888"}).content.decode()
    assert "FC-02-000001" in content and "FC-02-000002" not in content
    content = client.get(CHANGELIST, {"q": "Dara"}).content.decode()
    assert "FC-02-000002" in content and "FC-02-000001" not in content


def test_a_change_in_the_admin_is_audited_and_moves_district_and_province(client):
    carer = CarerFactory(max_children=2)
    user = make_user(Role.NATIONAL_ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    response = client.post(f"{CHANGELIST}{carer.pk}/change/", change_form_data(carer, max_children=3, commune="020201"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    carer.refresh_from_db()
    assert (carer.max_children, carer.district_id) == (3, "0202")
    entry = AuditEntry.objects.get(model="register.Carer", object_id=str(carer.pk))
    assert entry.actor == user and entry.changes["max_children"] == [2, 3]
    assert entry.changes["commune_id"] == ["020101", "020201"]


def test_admin_refuses_a_commune_outside_the_staff_users_provinces(client):
    carer = CarerFactory()
    client.force_login(staff())
    response = client.post(f"{CHANGELIST}{carer.pk}/change/", change_form_data(carer, commune="120101"))
    assert response.status_code == 200  # the form again, with the error
    assert "commune" in response.context["adminform"].form.errors
    carer.refresh_from_db()
    assert carer.commune_id == "020101"
    assert not AuditEntry.objects.exclude(action="login").exists()  # force_login is a login


def test_admin_refuses_a_village_of_another_commune(client):
    carer = CarerFactory()
    client.force_login(make_user(Role.NATIONAL_ADMIN, is_staff=True, is_superuser=True))
    response = client.post(f"{CHANGELIST}{carer.pk}/change/", change_form_data(carer, village="02020101"))
    assert response.status_code == 200
    assert "village" in response.context["adminform"].form.errors


def test_inline_rows_are_audited_under_the_familys_province(client):
    carer = CarerFactory()
    check = CarerCheckFactory(carer=carer, kind="reference", notes="")
    user = make_user(Role.NATIONAL_ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    data = change_form_data(
        carer,
        **{
            "checks-TOTAL_FORMS": 2,
            "checks-INITIAL_FORMS": 1,
            "checks-0-id": str(check.pk),
            "checks-0-carer": str(carer.pk),
            "checks-0-kind": "reference",
            "checks-0-result": "passed",
            "checks-0-checked_on": check.checked_on.isoformat(),
            "checks-0-notes": "Called the village chief.",
            "checks-1-carer": str(carer.pk),
            "checks-1-kind": "health_check",
            "checks-1-result": "passed",
            "checks-1-checked_on": check.checked_on.isoformat(),
        },
    )
    response = client.post(f"{CHANGELIST}{carer.pk}/change/", data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][1].formset.errors
    new = CarerCheck.objects.get(carer=carer, kind="health_check")
    assert new.recorded_by == user
    created = AuditEntry.objects.get(model="register.CarerCheck", action="create")
    updated = AuditEntry.objects.get(model="register.CarerCheck", action="update")
    assert created.object_id == str(new.pk) and created.province == "02"
    assert updated.changes["notes"] == ["", "Called the village chief."]


def test_families_cannot_be_added_or_deleted_in_the_admin(client):
    carer = CarerFactory()
    client.force_login(make_user(Role.NATIONAL_ADMIN, is_staff=True, is_superuser=True))
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}{carer.pk}/delete/", {"post": "yes"}).status_code == 403


def test_checks_admin_is_scoped_to_the_staff_users_provinces(client):
    here = CarerCheckFactory(carer=CarerFactory(reference="FC-02-000001"))
    there = CarerCheckFactory(
        carer=CarerFactory(reference="FC-12-000001", commune_id="120101", district_id="1201", province_id="12")
    )
    client.force_login(staff(perms=("view_carercheck",)))
    page = client.get("/admin/register/carercheck/")
    assert page.status_code == 200
    assert "FC-02-000001" in page.content.decode() and "FC-12-000001" not in page.content.decode()
    assert client.get(f"/admin/register/carercheck/{there.pk}/change/").status_code in (302, 404)
    assert client.get(f"/admin/register/carercheck/{here.pk}/change/").status_code == 200


def test_training_modules_are_edited_by_national_admins_only(client):
    registrar = staff(perms=("view_trainingmodule", "change_trainingmodule"))
    client.force_login(registrar)
    response = client.post(
        "/admin/register/trainingmodule/core/change/",
        {"name_en": "Changed", "name_km": "x", "required_for_approval": "on", "supports_needs": "[]"},
    )
    assert response.status_code == 403
    admin_user = make_user(Role.NATIONAL_ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    response = client.post(
        "/admin/register/trainingmodule/core/change/",
        {"name_en": "Core training", "name_km": "x", "required_for_approval": "on", "supports_needs": "[]"},
    )
    assert response.status_code == 302
    assert AuditEntry.objects.get(model="register.TrainingModule").changes["name_en"][1] == "Core training"


# --- Writes through the services ------------------------------------------------------------------


def test_a_check_dated_in_the_future_is_refused_on_the_form_and_nothing_is_kept(client):
    carer = CarerFactory(max_children=2)
    client.force_login(staff())
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    data = change_form_data(
        carer,
        max_children=3,
        **{
            "checks-TOTAL_FORMS": 1,
            "checks-0-carer": str(carer.pk),
            "checks-0-kind": "health_check",
            "checks-0-result": "passed",
            "checks-0-checked_on": tomorrow,
        },
    )
    response = client.post(f"{CHANGELIST}{carer.pk}/change/", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert any("checked on: This date is in the future" in e for e in errors), errors  # naming the field
    carer.refresh_from_db()
    assert carer.max_children == 2  # the family's change went with the refused check: all or nothing
    assert not CarerCheck.objects.filter(carer=carer).exists()
    assert not AuditEntry.objects.exclude(action="login").exists()


def test_a_check_cannot_be_added_to_another_provinces_family(client):
    there = CarerFactory(reference="FC-12-000001", commune_id="120101", district_id="1201", province_id="12")
    client.force_login(staff(perms=("view_carercheck", "add_carercheck")))
    body = {"carer": str(there.pk), "kind": "health_check", "result": "passed", "checked_on": "2025-01-02"}
    response = client.post("/admin/register/carercheck/add/", body)
    assert response.status_code == 200 and "carer" in response.context["adminform"].form.errors
    assert "FC-12-000001" not in response.content.decode()  # the raw id box does not name it either
    assert not CarerCheck.objects.exists()


def test_model_permissions_do_not_give_a_role_more_than_its_capabilities(client):
    # A social worker may read families but not change them, whatever the admin's permissions say.
    carer = CarerFactory(max_children=2)
    client.force_login(staff(Role.SOCIAL_WORKER))
    response = client.post(f"{CHANGELIST}{carer.pk}/change/", change_form_data(carer, max_children=3))
    assert response.status_code == 403
    carer.refresh_from_db()
    assert carer.max_children == 2
