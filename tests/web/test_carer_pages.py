"""The registrar's pages: the list of families (scoped, filtered, paginated, htmx partials), a
family's page and its actions, and the step-by-step form that adds or edits a family."""

import datetime

import pytest
from django.urls import reverse

from register.models import AuditEntry, Carer, CarerCheck, SafeguardingConcern
from register.roles import Role
from tests.factories import CarerFactory, first_commune_in, make_user
from tests.register.carers_factories import ConcernFactory, meet_requirements, unapproved_carer

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def other_province_carer():
    place = first_commune_in("12")
    return CarerFactory(commune=place, household_name="Phnom Penh household")


# --- The list -----------------------------------------------------------------------------------


def test_the_list_shows_only_the_users_provinces(client, registrar):
    mine = CarerFactory(household_name="Battambang household")
    other = other_province_carer()
    response = client.get(reverse("web:carer_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert mine.reference in body and other.reference not in body
    assert body.count('data-testid="carer-row"') == 1


def test_a_family_of_another_province_answers_404(client, registrar):
    other = other_province_carer()
    assert client.get(reverse("web:carer_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("web:carer_edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("web:carer_status", args=[other.pk]), {"status": "on_hold"}).status_code == 404


def test_filters_by_status_vacancy_and_needs(client, registrar):
    approved = CarerFactory(needs_supported=["infant_care"])
    enquiry = unapproved_carer(status=Carer.Status.ENQUIRY)
    body = client.get(reverse("web:carer_list"), {"status": "enquiry"}).content.decode()
    assert enquiry.reference in body and approved.reference not in body
    body = client.get(reverse("web:carer_list"), {"needs_supported": ["infant_care"]}).content.decode()
    assert approved.reference in body and enquiry.reference not in body
    body = client.get(reverse("web:carer_list"), {"has_vacancy": "true", "status": "approved"}).content.decode()
    assert approved.reference in body


def test_filters_review_overdue_and_flags_it(client, registrar):
    late = CarerFactory(approved_on=datetime.date.today() - datetime.timedelta(days=400))
    late.review_due = datetime.date.today() - datetime.timedelta(days=35)
    late.save()
    fine = CarerFactory()
    body = client.get(reverse("web:carer_list"), {"review_overdue": "true"}).content.decode()
    assert late.reference in body and fine.reference not in body
    assert 'class="overdue"' in body


def test_search_by_name_phone_and_reference(client, registrar):
    sok = CarerFactory(household_name="Sok Dara household", phone="+85512987654")
    other = CarerFactory(household_name="Keo household")
    for text in ("Sok Dara", "012 987 654", sok.reference):
        body = client.get(reverse("web:carer_list"), {"search": text}).content.decode()
        assert sok.reference in body and other.reference not in body, text


def test_a_district_of_another_province_is_ignored(client, registrar):
    carer = CarerFactory()
    response = client.get(reverse("web:carer_list"), {"province": "02", "district": "1201"})
    assert carer.reference in response.content.decode()


def test_an_htmx_filter_answers_with_the_results_only(client, registrar):
    carer = CarerFactory()
    response = client.get(
        reverse("web:carer_list"),
        {"search": carer.reference, "district_for": "02"},
        HTTP_HX_TARGET="carer-results",
        **HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'data-testid="carer-row"' in body
    assert "hx-swap-oob" not in body  # the province did not change: the district list stays
    response = client.get(
        reverse("web:carer_list"), {"province": "02", "district_for": ""}, HTTP_HX_TARGET="carer-results", **HTMX
    )
    assert 'id="filter-district" hx-swap-oob="true"' in response.content.decode()


def test_the_list_is_paginated_by_25(client, registrar):
    CarerFactory.create_batch(30)
    body = client.get(reverse("web:carer_list")).content.decode()
    assert body.count('data-testid="carer-row"') == 25
    assert 'data-testid="page-next"' in body
    body = client.get(reverse("web:carer_list"), {"page": 2}).content.decode()
    assert body.count('data-testid="carer-row"') == 5


@pytest.mark.parametrize("size", [5, 50])
def test_the_list_costs_the_same_queries_whatever_the_page_size(client, registrar, size, django_assert_max_num_queries):
    CarerFactory.create_batch(size)
    other_province_carer()  # never on the page, never counted
    # 13: one of them checks that the browser session has not been signed out (/account/sessions/).
    with django_assert_max_num_queries(13):
        response = client.get(reverse("web:carer_list"), {"page_size": size, "province": "02"})
    assert response.content.decode().count('data-testid="carer-row"') == size


def test_every_role_may_read_the_list_but_only_writers_see_add(client):
    client.force_login(make_user(Role.SOCIAL_WORKER))
    body = client.get(reverse("web:carer_list")).content.decode()
    assert 'data-testid="carer-add"' not in body


# --- A family's page ----------------------------------------------------------------------------


def test_the_page_shows_the_record_and_what_approval_needs(client, registrar):
    carer = unapproved_carer()
    meet_requirements(carer, skip=("police_clearance",))
    ConcernFactory(carer=carer)
    body = client.get(reverse("web:carer_detail", args=[carer.pk])).content.decode()
    assert carer.reference in body
    assert 'data-code="police_clearance"' in body and 'class="done" data-code="home_assessment"' in body
    assert 'data-testid="concern-alert"' in body
    assert 'data-testid="status-submit"' in body


def test_a_reader_sees_no_actions(client):
    client.force_login(make_user(Role.PLACEMENT_OFFICER))
    carer = CarerFactory()
    body = client.get(reverse("web:carer_detail", args=[carer.pk])).content.decode()
    assert 'data-testid="status-submit"' not in body and 'data-testid="check-form"' not in body
    assert client.post(reverse("web:carer_check", args=[carer.pk]), {}).status_code == 403


def test_approval_with_missing_requirements_shows_the_missing_list(client, registrar):
    carer = unapproved_carer()
    meet_requirements(carer, skip=("health_check", "core_training"))
    response = client.post(reverse("web:carer_status", args=[carer.pk]), {"status": "approved"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="approval-missing"' in body
    assert "health check" in body and "training: " in body
    carer.refresh_from_db()
    assert carer.status == Carer.Status.TRAINING


def test_an_invalid_move_shows_the_services_message(client, registrar):
    carer = unapproved_carer(status=Carer.Status.ENQUIRY)
    response = client.post(reverse("web:carer_status", args=[carer.pk]), {"status": "approved"})
    assert "cannot move from" in response.content.decode()
    carer.refresh_from_db()
    assert carer.status == Carer.Status.ENQUIRY


def test_approval_when_everything_is_met_redirects_and_is_audited(client, registrar):
    carer = meet_requirements(unapproved_carer())
    response = client.post(reverse("web:carer_status", args=[carer.pk]), {"status": "approved", "reason": "Panel"})
    assert response.status_code == 302
    carer.refresh_from_db()
    assert carer.status == Carer.Status.APPROVED and carer.review_due is not None
    assert AuditEntry.objects.filter(object_id=str(carer.pk), action="update", actor=registrar).exists()


def test_recording_a_check_with_htmx_replaces_the_section(client, registrar):
    carer = unapproved_carer()
    data = {"kind": "police_clearance", "result": "passed", "checked_on": datetime.date.today().isoformat()}
    response = client.post(reverse("web:carer_check", args=[carer.pk]), data, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'id="carer-checks"' in body and 'hx-swap-oob="true"' in body
    assert CarerCheck.objects.filter(carer=carer, kind="police_clearance").count() == 1


def test_a_check_in_the_future_is_refused_beside_the_field(client, registrar):
    carer = unapproved_carer()
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    data = {"kind": "police_clearance", "result": "passed", "checked_on": future}
    body = client.post(reverse("web:carer_check", args=[carer.pk]), data, **HTMX).content.decode()
    assert 'id="id_checked_on_error"' in body and "future" in body
    assert not CarerCheck.objects.filter(carer=carer).exists()


def test_recording_a_training_and_a_concern_then_closing_it(client, registrar):
    carer = unapproved_carer()
    today = datetime.date.today().isoformat()
    response = client.post(reverse("web:carer_training", args=[carer.pk]), {"module": "core", "completed_on": today})
    assert response.status_code == 302
    assert carer.trainings.filter(module_id="core").exists()
    client.post(reverse("web:carer_concern", args=[carer.pk]), {"raised_on": today, "summary": "Neighbour's report"})
    concern = SafeguardingConcern.objects.get(carer=carer)
    assert concern.status == "open"
    response = client.post(reverse("web:carer_concern_close", args=[carer.pk, concern.pk]), {}, **HTMX)
    assert response.status_code == 200
    concern.refresh_from_db()
    assert concern.status == "closed" and concern.closed_on is not None


def test_the_yearly_review_renews_the_approval(client, registrar):
    carer = meet_requirements(CarerFactory(approved_on=datetime.date.today() - datetime.timedelta(days=300)))
    response = client.post(reverse("web:carer_review", args=[carer.pk]), {"reason": "Visit done"}, **HTMX)
    assert response.status_code == 200
    carer.refresh_from_db()
    assert carer.approved_on == datetime.date.today()


def test_a_review_with_a_lapsed_requirement_is_refused(client, registrar):
    carer = CarerFactory()  # approved, but no checks at all
    body = client.post(reverse("web:carer_review", args=[carer.pk]), {}, **HTMX).content.decode()
    assert "cannot be approved yet" in body


# --- The step form ------------------------------------------------------------------------------


def step(client, url, data, action="next", **extra):
    return client.post(url, {**data, "action": action}, **extra)


PERSON = {
    "step": 0,
    "household_name": "Meas household",
    "given_name": "Chenda",
    "family_name": "Meas",
    "sex": "female",
    "date_of_birth": "1982-04-02",
    "national_id": "",
    "phone": "012 444 555",
}
PLACE = {"step": 1, "province": "02", "district": "0201", "commune": "020101", "village": "02010101", "address": ""}
HOUSEHOLD = {
    "step": 2,
    "members-TOTAL_FORMS": "1",
    "members-INITIAL_FORMS": "0",
    "members-0-given_name": "Vuthy",
    "members-0-family_name": "Meas",
    "members-0-sex": "male",
    "members-0-date_of_birth": "1980-01-01",
    "members-0-relationship": "spouse",
}
OFFER = {
    "step": 3,
    "max_children": "2",
    "age_min": "3",
    "age_max": "12",
    "sexes_accepted": ["female", "male"],
    "max_sibling_group": "2",
    "care_types": ["long_term"],
    "languages": ["km"],
    "religion": "buddhism",
    "ethnicity": "khmer",
}


def test_a_social_worker_may_not_open_the_add_form(client):
    client.force_login(make_user(Role.SOCIAL_WORKER))
    assert client.get(reverse("web:carer_create")).status_code == 403


def test_the_step_form_registers_a_family_only_at_the_end(client, registrar):
    url = reverse("web:carer_create")
    assert 'data-testid="step-next"' in client.get(url).content.decode()
    for data in (PERSON, PLACE, HOUSEHOLD):
        response = step(client, url, data)
        assert response.status_code == 200
        assert 'class="error"' not in response.content.decode()
        assert not Carer.objects.exists()  # nothing is written before the last step
    response = step(client, url, OFFER, action="save")
    assert response.status_code == 302
    carer = Carer.objects.get()
    assert response["Location"] == reverse("web:carer_detail", args=[carer.pk])
    assert carer.phone == "+85512444555" and carer.status == "enquiry"
    assert [m.given_name for m in carer.household_members.all()] == ["Vuthy"]
    assert AuditEntry.objects.filter(object_id=str(carer.pk), action="create", actor=registrar).exists()


def test_a_step_with_errors_cannot_be_left(client, registrar):
    url = reverse("web:carer_create")
    client.get(url)
    response = step(client, url, {**PERSON, "phone": "12", "date_of_birth": "2015-01-01"})
    body = response.content.decode()
    assert 'data-step="person"' in body
    assert 'id="id_phone_error"' in body and "Cambodian phone number" in body
    assert 'id="id_date_of_birth_error"' in body and "18" in body


def test_the_age_order_is_checked_on_its_step(client, registrar):
    url = reverse("web:carer_create")
    client.get(url)
    for data in (PERSON, PLACE, HOUSEHOLD):
        step(client, url, data)
    body = step(client, url, {**OFFER, "age_min": "12", "age_max": "3"}, action="save").content.decode()
    assert 'id="id_age_max_error"' in body
    assert not Carer.objects.exists()


def test_a_commune_outside_the_users_provinces_is_refused(client, registrar):
    url = reverse("web:carer_create")
    client.get(url)
    step(client, url, PERSON)
    body = step(client, url, {**PLACE, "province": "12", "district": "1201", "commune": "120101"}).content.decode()
    assert 'data-step="place"' in body and 'class="error"' in body


def test_the_htmx_step_answers_with_the_form_only_and_the_save_redirects(client, registrar):
    url = reverse("web:carer_create")
    client.get(url)
    response = step(client, url, PERSON, **HTMX)
    assert "<html" not in response.content.decode() and 'data-step="place"' in response.content.decode()
    for data in (PLACE, HOUSEHOLD):
        step(client, url, data, **HTMX)
    response = step(client, url, OFFER, action="save", **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"].startswith("/carers/")


def test_the_place_lists_follow_each_other(client, registrar):
    response = client.get(reverse("web:carer_places"), {"level": "district", "province": "02"})
    body = response.content.decode()
    assert 'value="0201"' in body and 'id="place-commune"' in body
    body = client.get(
        reverse("web:carer_places"), {"level": "village", "province": "02", "district": "0201", "commune": "020101"}
    ).content.decode()
    assert 'value="02010101"' in body
    # Another province's districts are never offered.
    assert (
        'value="1201"'
        not in client.get(reverse("web:carer_places"), {"level": "district", "province": "12"}).content.decode()
    )


def test_editing_a_family_saves_the_changes_through_the_service(client, registrar):
    carer = unapproved_carer()
    url = reverse("web:carer_edit", args=[carer.pk])
    body = client.get(url).content.decode()
    assert carer.household_name in body
    step(client, url, {**PERSON, "household_name": "Renamed household"})
    step(client, url, {**PLACE})
    step(client, url, {"step": 2, "members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0"})
    carer.refresh_from_db()
    assert carer.household_name != "Renamed household"
    response = step(client, url, OFFER, action="save")
    assert response.status_code == 302
    carer.refresh_from_db()
    assert carer.household_name == "Renamed household" and carer.age_min == 3
    assert AuditEntry.objects.filter(object_id=str(carer.pk), action="update").exists()


def test_the_family_page_costs_a_bounded_number_of_queries(client, registrar, django_assert_max_num_queries):
    carer = meet_requirements(unapproved_carer())
    ConcernFactory.create_batch(3, carer=carer)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("web:carer_detail", args=[carer.pk]))
    assert response.status_code == 200


def test_a_supervisor_sees_the_familys_placements_by_child_reference(client):
    from tests.register.carers_factories import place

    client.force_login(make_user(Role.SUPERVISOR, ("02",)))
    carer = CarerFactory()
    placement = place(carer, children=2)
    body = client.get(reverse("web:carer_detail", args=[carer.pk])).content.decode()
    assert body.count('data-testid="placement-row"') == 1
    for child in placement.children.all():
        assert child.reference in body and child.given_name not in body


@pytest.mark.parametrize("name", ["web:carer_list", "web:carer_create"])
def test_the_pages_render_in_khmer(client, registrar, name):
    CarerFactory()
    response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="km")
    assert response.status_code == 200 and response["Content-Language"] == "km"


def test_the_family_page_renders_in_khmer(client, registrar):
    carer = meet_requirements(unapproved_carer())
    response = client.get(reverse("web:carer_detail", args=[carer.pk]), HTTP_ACCEPT_LANGUAGE="km")
    assert response.status_code == 200 and 'lang="km"' in response.content.decode()


def test_a_tampered_member_count_starts_the_household_list_again_not_a_500(client, registrar):
    url = reverse("web:carer_create")
    client.get(url)
    for data in (PERSON, PLACE):
        step(client, url, data)
    response = step(client, url, {**HOUSEHOLD, "members-TOTAL_FORMS": "many"}, action="add_member")
    assert response.status_code == 200
    assert 'data-step="household"' in response.content.decode()


def test_going_back_to_a_filtered_list_gets_the_whole_page(client, registrar):
    # htmx asks for the whole page when its history cache has lost it, though it sends HX-Request.
    response = client.get(
        reverse("web:carer_list"),
        {"status": "approved"},
        HTTP_HX_TARGET="carer-results",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
        **HTMX,
    )
    assert response.status_code == 200 and "<html" in response.content.decode()


def test_a_family_may_be_registered_with_no_village_chosen(client, registrar):
    # The village list's empty choice is "no village", not a code to look up (it once raised a 500).
    url = reverse("web:carer_create")
    client.get(url)
    step(client, url, PERSON)
    response = step(client, url, {**PLACE, "village": ""})
    assert response.status_code == 200 and 'data-step="household"' in response.content.decode()
    step(client, url, HOUSEHOLD)
    step(client, url, OFFER, action="save")
    assert Carer.objects.get().village_id is None
