"""The admin pages of institutions, children and sibling groups: scoped, role-checked, audited, and
every view of a child's record logged as a read."""

import json

import pytest

from register.models import AuditEntry, Child, Institution
from register.roles import Role
from tests.factories import make_user
from tests.register.children_factories import (
    CarerFactory,
    ChildFactory,
    InstitutionFactory,
    commune,
    first_commune_in,
    sibling_group_of,
    years_ago,
)

pytestmark = pytest.mark.django_db


def staff(client, role, provinces=("02",)):
    user = make_user(role, provinces, is_staff=True)
    client.force_login(user)
    return user


def far_child():
    return ChildFactory(institution=InstitutionFactory(commune=commune(first_commune_in("17").code)))


def test_opening_a_childs_page_is_logged_as_a_read(client):
    child = ChildFactory()
    officer = staff(client, Role.PLACEMENT_OFFICER)
    response = client.get(f"/admin/register/child/{child.pk}/change/")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(model="register.Child", action="read")
    assert entry.object_id == str(child.pk) and entry.actor == officer


def test_the_children_list_logs_a_read_per_child_shown_and_hides_other_provinces(client):
    mine = [ChildFactory() for _ in range(3)]
    far = far_child()
    staff(client, Role.SUPERVISOR)
    response = client.get("/admin/register/child/")
    assert response.status_code == 200
    assert far.reference not in response.content.decode()
    logged = set(AuditEntry.objects.filter(model="register.Child", action="read").values_list("object_id", flat=True))
    assert logged == {str(c.pk) for c in mine}


def test_another_provinces_child_cannot_be_opened(client):
    far = far_child()
    staff(client, Role.PLACEMENT_OFFICER)
    response = client.get(f"/admin/register/child/{far.pk}/change/")
    assert response.status_code in (302, 404)
    assert not AuditEntry.objects.filter(action="read").exists()


def test_registrar_has_no_access_to_children(client):
    staff(client, Role.REGISTRAR)
    assert client.get("/admin/register/child/").status_code == 403


def test_social_worker_may_view_but_not_change_their_own_childrens_records(client):
    from tests.register.children_factories import place

    worker = staff(client, Role.SOCIAL_WORKER)
    mine, other = ChildFactory(), ChildFactory()
    place(mine, social_worker=worker)
    page = client.get("/admin/register/child/").content.decode()
    assert mine.reference in page and other.reference not in page
    response = client.post(f"/admin/register/child/{mine.pk}/change/", {"given_name": "X"})
    assert response.status_code == 403


def test_adding_a_child_in_the_admin_sets_reference_status_province_and_audits(client):
    officer = staff(client, Role.PLACEMENT_OFFICER)
    institution = InstitutionFactory()
    kin = CarerFactory()
    form = {
        "given_name": "Bopha",
        "family_name": "Chea",
        "sex": "female",
        "date_of_birth": years_ago(6).isoformat(),
        "institution": str(institution.pk),
        "home_commune": "020101",
        "languages": '["km"]',
        "religion": "buddhism",
        "ethnicity": "khmer",
        "needs": "[]",
        "care_type_needed": "long_term",
        "external_ids": "{}",
        "kin-TOTAL_FORMS": "1",
        "kin-INITIAL_FORMS": "0",
        "kin-0-carer": str(kin.pk),
        "kin-0-relationship": "grandparent",
        "excluded_carers-TOTAL_FORMS": "0",
        "excluded_carers-INITIAL_FORMS": "0",
    }
    response = client.post("/admin/register/child/add/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    child = Child.objects.get(given_name="Bopha")
    assert child.reference.startswith("CH-02-") and child.status == "in_residential_care"
    assert child.province_id == "02" and child.created_by == officer
    assert child.kin.get().carer == kin
    # One entry, as child_create writes it for the API: the record with its kin.
    created = AuditEntry.objects.get(model="register.Child", object_id=str(child.pk), action="create")
    assert created.actor == officer and created.changes["kin"][1] == [
        {"carer": str(kin.pk), "relationship": "grandparent"}
    ]


def test_adding_an_institution_in_the_admin_derives_its_province_and_audits(client):
    staff(client, Role.PLACEMENT_OFFICER)
    form = {"name": "Hope House", "kind": "group_home", "commune": "020101", "status": "open", "inspection_score": ""}
    response = client.post("/admin/register/institution/add/", form)
    assert response.status_code == 302
    institution = Institution.objects.get(name="Hope House")
    assert institution.province_id == "02"
    assert AuditEntry.objects.filter(
        model="register.Institution", action="create", object_id=str(institution.pk)
    ).exists()


def test_institutions_of_other_provinces_are_hidden(client):
    InstitutionFactory(name="Near")
    InstitutionFactory(name="Faraway", commune=commune(first_commune_in("17").code))
    staff(client, Role.REGISTRAR)
    page = client.get("/admin/register/institution/").content.decode()
    assert "Near" in page and "Faraway" not in page


def test_sibling_groups_are_scoped_through_their_children(client):
    mine = sibling_group_of(ChildFactory(), ChildFactory())
    far = sibling_group_of(far_child(), far_child())
    staff(client, Role.PLACEMENT_OFFICER)
    page = client.get("/admin/register/siblinggroup/").content.decode()
    assert str(mine.pk) in page and str(far.pk) not in page


def test_kin_of_another_province_cannot_be_chosen_in_the_admin(client):
    staff(client, Role.PLACEMENT_OFFICER)
    child = ChildFactory()
    far = CarerFactory(commune=commune(first_commune_in("17").code))
    form = {
        "given_name": child.given_name,
        "family_name": child.family_name,
        "sex": child.sex,
        "date_of_birth": child.date_of_birth.isoformat(),
        "institution": str(child.institution_id),
        "home_commune": child.home_commune_id,
        "languages": '["km"]',
        "religion": child.religion,
        "ethnicity": child.ethnicity,
        "needs": "[]",
        "care_type_needed": child.care_type_needed,
        "external_ids": "{}",
        "kin-TOTAL_FORMS": "1",
        "kin-INITIAL_FORMS": "0",
        "kin-0-carer": str(far.pk),
        "kin-0-relationship": "grandparent",
        "excluded_carers-TOTAL_FORMS": "0",
        "excluded_carers-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/register/child/{child.pk}/change/", form)
    assert response.status_code == 200  # the form again, with the error
    assert not child.kin.exists()
    assert not AuditEntry.objects.filter(model="register.Child", action="update").exists()


# --- Writes through the services: scoped and audited as in the API ------------------------------------


def institution_form(institution, **overrides) -> dict:
    return {
        "name": institution.name,
        "kind": institution.kind,
        "commune": institution.commune_id,
        "status": institution.status,
        "inspection_score": "" if institution.inspection_score is None else institution.inspection_score,
        **overrides,
    }


def test_an_institution_cannot_be_moved_to_another_province_in_the_admin(client):
    # The case: an officer moved an institution of their province into another one.
    institution = InstitutionFactory()
    staff(client, Role.PLACEMENT_OFFICER)
    far = first_commune_in("12").code
    response = client.post(
        f"/admin/register/institution/{institution.pk}/change/", institution_form(institution, commune=far)
    )
    assert response.status_code == 200
    assert "commune" in response.context["adminform"].form.errors
    institution.refresh_from_db()
    assert (institution.commune_id, institution.province_id) == ("020101", "02")
    assert not AuditEntry.objects.filter(model="register.Institution").exists()


def test_an_institution_cannot_be_added_in_another_province_in_the_admin(client):
    staff(client, Role.PLACEMENT_OFFICER)
    form = {"name": "Far House", "kind": "group_home", "commune": first_commune_in("12").code, "status": "open"}
    response = client.post("/admin/register/institution/add/", form)
    assert response.status_code == 200 and "commune" in response.context["adminform"].form.errors
    assert not Institution.objects.filter(name="Far House").exists()


def test_a_child_cannot_be_added_in_another_province_in_the_admin(client):
    staff(client, Role.PLACEMENT_OFFICER)
    form = child_form(home_commune=first_commune_in("12").code, institution="")
    response = client.post("/admin/register/child/add/", form)
    assert response.status_code == 200
    assert "home_commune" in response.context["adminform"].form.errors
    assert not Child.objects.filter(given_name="Bopha").exists()
    assert not AuditEntry.objects.filter(model="register.Child").exists()


def test_the_services_rules_show_as_form_errors_naming_the_field(client):
    # An adult is not a child of the register: child_update says so, on the field, as the API does.
    child = ChildFactory()
    staff(client, Role.PLACEMENT_OFFICER)
    form = child_form(child, date_of_birth=years_ago(20).isoformat())
    response = client.post(f"/admin/register/child/{child.pk}/change/", form)
    assert response.status_code == 200
    assert "date_of_birth" in response.context["adminform"].form.errors
    child.refresh_from_db()
    assert child.date_of_birth != years_ago(20)
    assert not AuditEntry.objects.filter(model="register.Child", action="update").exists()


def test_a_change_in_the_admin_is_one_audited_write_with_its_kin(client):
    child = ChildFactory()
    kin = CarerFactory()
    officer = staff(client, Role.PLACEMENT_OFFICER)
    form = child_form(child, given_name="Vanna", **{"kin-TOTAL_FORMS": "1", "kin-0-carer": str(kin.pk)})
    form["kin-0-relationship"] = "grandparent"
    response = client.post(f"/admin/register/child/{child.pk}/change/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    entry = AuditEntry.objects.get(model="register.Child", object_id=str(child.pk), action="update")
    assert entry.actor == officer and entry.changes["given_name"][1] == "Vanna"
    assert entry.changes["kin"][1] == [{"carer": str(kin.pk), "relationship": "grandparent"}]


def test_the_institution_communes_offered_are_the_users_provinces(client):
    staff(client, Role.PLACEMENT_OFFICER)
    query = {"app_label": "register", "model_name": "institution", "field_name": "commune", "term": ""}
    codes = [r["id"] for r in client.get("/admin/autocomplete/", query).json()["results"]]
    assert codes and all(code.startswith("02") for code in codes)


def child_form(child=None, **overrides) -> dict:
    """A child's add or change form as the admin posts it (with empty inlines)."""
    if child is None:
        data = {
            "given_name": "Bopha",
            "family_name": "Chea",
            "sex": "female",
            "date_of_birth": years_ago(6).isoformat(),
            "home_commune": "020101",
            "languages": '["km"]',
            "religion": "buddhism",
            "ethnicity": "khmer",
            "needs": "[]",
            "care_type_needed": "long_term",
            "external_ids": "{}",
        }
    else:
        data = {
            "given_name": child.given_name,
            "family_name": child.family_name,
            "sex": child.sex,
            "date_of_birth": child.date_of_birth.isoformat(),
            "institution": str(child.institution_id),
            "home_commune": child.home_commune_id,
            "languages": json.dumps(child.languages),
            "religion": child.religion,
            "ethnicity": child.ethnicity,
            "needs": json.dumps(child.needs),
            "care_type_needed": child.care_type_needed,
            "external_ids": json.dumps(child.external_ids),
        }
    data |= {"kin-TOTAL_FORMS": "0", "kin-INITIAL_FORMS": "0"}
    data |= {"excluded_carers-TOTAL_FORMS": "0", "excluded_carers-INITIAL_FORMS": "0"}
    return {**data, **overrides}
