"""Duplicates (issue 14): caught on the way in (409 possible_duplicate, duplicate_reviewed), found
afterwards (find_duplicates), listed and resolved (/api/v1/duplicates/), and merged."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Kind, Reminder
from notifications.services import message
from register import models as m
from register.roles import Role
from register.rules.duplicates import PersonFacts, carer_duplicate_reasons, child_duplicate_reasons
from register.services.duplicates import duplicates_find
from tests.factories import CarerFactory, ChildFactory, InstitutionFactory, commune, make_user
from tests.register.carers_factories import (
    CarerCheckFactory,
    CarerTrainingFactory,
    ConcernFactory,
    carer_payload,
)
from tests.register.carers_factories import place as place_with
from tests.register.children_factories import child_payload
from tests.register.imports_factories import csv_bytes, import_row, upload

pytestmark = pytest.mark.django_db
CARERS, CHILDREN, PAIRS = "/api/v1/carers/", "/api/v1/children/", "/api/v1/duplicates/"
IMPORT = "/api/v1/carers/import/"


def elsewhere(**kwargs) -> m.Carer:
    """A family of Phnom Penh (province 12)."""
    return CarerFactory(commune_id="120101", district_id="1201", province_id="12", **kwargs)


# --- The rule -----------------------------------------------------------------------------------


def facts(**kwargs) -> PersonFacts:
    names = kwargs.pop("names", ("សុផា", "ចាន់", "Sophea", "Chan"))
    return PersonFacts(names=names, date_of_birth=kwargs.pop("dob", datetime.date(1980, 5, 1)), **kwargs)


def test_the_carer_rule_names_each_reason():
    new = facts(phone="+85512345678", national_id="0102 0304")
    assert carer_duplicate_reasons(new, facts(phone="+85512345678", national_id="01020304")) == [
        "same_phone",
        "same_national_id",
        "similar_name_same_birth_date",
    ]
    # A romanisation spelt another way is close; another birth date is not the same person.
    assert carer_duplicate_reasons(new, facts(names=("", "", "Sopheap", "Chann"))) == []
    assert carer_duplicate_reasons(new, facts(names=("", "", "Sophear", "Chan"))) == ["similar_name_same_birth_date"]
    assert carer_duplicate_reasons(new, facts(dob=datetime.date(1980, 5, 2))) == []
    assert carer_duplicate_reasons(facts(names=("", "", "Dara", "Sok")), facts()) == []


def test_the_child_rule_needs_the_same_partner_system_or_name_birth_date_and_commune():
    new = facts(external_ids={"primero": "PR-1"}, home_commune="020101")
    assert child_duplicate_reasons(new, facts(external_ids={"primero": "PR-1"}, home_commune="020102")) == [
        "same_external_id"
    ]
    assert child_duplicate_reasons(new, facts(external_ids={"oscar": "PR-1"}, home_commune="020102")) == []
    assert child_duplicate_reasons(new, facts(home_commune="020101")) == ["similar_name_same_birth_date_and_commune"]
    assert child_duplicate_reasons(new, facts(home_commune="020102")) == []


# --- On the way in: the API ---------------------------------------------------------------------


def test_the_same_phone_is_refused_with_the_candidate_then_created_with_a_reason(client_for):
    existing = CarerFactory(phone="+85512345678", reference="FC-02-000077")
    api = client_for(Role.REGISTRAR)
    body = carer_payload(primary_carer={**carer_payload()["primary_carer"], "national_id": ""})
    refused = api.post(CARERS, body, format="json")
    assert refused.status_code == 409
    answer = refused.json()
    assert answer["code"] == "possible_duplicate" and answer["elsewhere"] is False and answer["detail"]
    assert answer["candidates"] == [{"id": str(existing.pk), "reference": "FC-02-000077", "reasons": ["same_phone"]}]
    assert m.Carer.objects.count() == 1 and not m.AuditEntry.objects.filter(action="create").exists()

    created = api.post(CARERS, {**body, "duplicate_reviewed": "The wife's family; he lives elsewhere."}, format="json")
    assert created.status_code == 201, created.json()
    entry = m.AuditEntry.objects.get(action="create", model="register.Carer")
    assert entry.changes["duplicate_reviewed"] == [None, "The wife's family; he lives elsewhere."]
    assert entry.changes["duplicate_candidates"] == [None, ["FC-02-000077"]]
    pair = m.DuplicatePair.objects.get()
    assert (pair.status, pair.source, pair.reasons) == ("open", "creation", ["same_phone"])
    assert {str(pair.carer_a_id), str(pair.carer_b_id)} == {str(existing.pk), created.json()["id"]}


def test_a_close_name_and_the_same_birth_date_is_a_possible_duplicate(client_for):
    CarerFactory(given_name="ស៊ុន", family_name="ចាន់", date_of_birth=datetime.date(1980, 5, 1))
    body = carer_payload(
        phone="012 999 111",
        primary_carer={"given_name": "ស៊ុន", "family_name": "ចាន់", "sex": "female", "date_of_birth": "1980-05-01"},
    )
    response = client_for(Role.REGISTRAR).post(CARERS, body, format="json")
    assert response.status_code == 409
    assert response.json()["candidates"][0]["reasons"] == ["similar_name_same_birth_date"]


def test_a_match_in_another_province_is_only_said_to_exist_and_national_admins_are_told(client_for):
    admin = make_user(Role.NATIONAL_ADMIN, ())
    other = elsewhere(phone="+85512999881", reference="FC-12-000321")
    response = client_for(Role.REGISTRAR).post(CARERS, carer_payload(phone="012999881"), format="json")
    assert response.status_code == 409
    assert response.json()["candidates"] == [] and response.json()["elsewhere"] is True
    assert "FC-12" not in response.content.decode() and str(other.pk) not in response.content.decode()
    reminder = Reminder.objects.get(kind=Kind.POSSIBLE_DUPLICATE)
    assert reminder.carer == other and reminder.province_id == "12"
    text = message(reminder, "en")
    assert "FC-12-000321" in text and "Sophea" not in text and "Chan" not in text  # no personal data
    from notifications.services import recipients

    assert recipients(reminder) == [admin]
    # Trying again the same day: one notice per record a day.
    client_for(Role.REGISTRAR).post(CARERS, carer_payload(phone="012999881"), format="json")
    assert Reminder.objects.filter(kind=Kind.POSSIBLE_DUPLICATE).count() == 1


def test_a_child_with_the_same_primero_id_or_name_birth_date_and_commune(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER)
    first = officer.post(CHILDREN, child_payload(external_ids={"primero": "PR-9"}), format="json")
    assert first.status_code == 201, first.json()
    again = officer.post(CHILDREN, child_payload(given_name="Vanna", external_ids={"primero": "PR-9"}), format="json")
    assert again.status_code == 409
    assert again.json()["candidates"] == [
        {"id": first.json()["id"], "reference": first.json()["reference"], "reasons": ["same_external_id"]}
    ]
    twin = officer.post(CHILDREN, child_payload(given_name="Darah"), format="json")
    assert twin.status_code == 409
    assert twin.json()["candidates"][0]["reasons"] == ["similar_name_same_birth_date_and_commune"]
    # Another commune of origin: another child.
    assert (
        officer.post(CHILDREN, child_payload(given_name="Darah", home_commune="020102"), format="json").status_code
        == 201
    )
    confirmed = officer.post(
        CHILDREN, {**child_payload(given_name="Darah"), "duplicate_reviewed": "Twins."}, format="json"
    )
    assert confirmed.status_code == 201


def test_an_edit_is_not_refused_as_a_duplicate(client_for):
    CarerFactory(phone="+85512345678")
    mine = CarerFactory(phone="+85512000001")
    response = client_for(Role.REGISTRAR).patch(f"{CARERS}{mine.pk}/", {"phone": "012345678"}, format="json")
    assert response.status_code == 200


def test_the_import_reports_a_close_name_per_row_and_takes_a_reviewed_row(client_for):
    CarerFactory(
        given_name="Sophea", family_name="Chan", date_of_birth=datetime.date(1979, 1, 2), reference="FC-02-000050"
    )
    api = client_for(Role.REGISTRAR)
    row = import_row(date_of_birth="1979-01-02")
    body = api.post(IMPORT, {"file": upload(csv_bytes([row])), "dry_run": "false"}, format="multipart").json()
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(2, "given_name")]
    assert "FC-02-000050" in body["errors"][0]["message"]
    row["duplicate_reviewed"] = "Another Sophea Chan, born the same day (checked the ID card)."
    body = api.post(IMPORT, {"file": upload(csv_bytes([row])), "dry_run": "false"}, format="multipart").json()
    assert body["created"] == 1 and body["errors"] == []
    assert m.DuplicatePair.objects.get().registration_note.startswith("Another Sophea")


# --- Found afterwards ---------------------------------------------------------------------------


def test_find_duplicates_is_idempotent_and_does_not_reopen_a_pair_judged_not_the_same():
    a = CarerFactory(phone="+85512000111")
    CarerFactory(phone="+85512000111")
    CarerFactory()  # another family
    kid = ChildFactory(external_ids={"oscar": "OS-1"})
    ChildFactory(external_ids={"oscar": "OS-1"}, date_of_birth=datetime.date(2015, 1, 1))
    first = duplicates_find()
    assert (first.created, first.carers, first.children) == (2, 1, 1)
    assert duplicates_find().created == 0 and m.DuplicatePair.objects.count() == 2
    pair = m.DuplicatePair.objects.get(kind="carer")
    assert pair.reasons == ["same_phone"] and a.pk in pair.record_ids
    pair.status = "not_duplicate"
    pair.save()
    call_command("find_duplicates")
    assert m.DuplicatePair.objects.get(kind="carer").status == "not_duplicate"
    assert kid.pk in m.DuplicatePair.objects.get(kind="child").record_ids


# --- Listed and resolved ------------------------------------------------------------------------


def carer_pair(a, b, **kwargs) -> m.DuplicatePair:
    a, b = sorted((a.pk, b.pk), key=str)
    return m.DuplicatePair.objects.create(kind="carer", carer_a_id=a, carer_b_id=b, reasons=["same_phone"], **kwargs)


def test_who_sees_which_pairs(client_for):
    inside = carer_pair(CarerFactory(), CarerFactory())
    across = carer_pair(CarerFactory(), elsewhere())
    supervisor = client_for(Role.SUPERVISOR).get(PAIRS).json()
    assert [p["id"] for p in supervisor["results"]] == [str(inside.pk)]
    assert supervisor["results"][0]["kind"] == "carer" and supervisor["results"][0]["status"] == "open"
    assert client_for(Role.SUPERVISOR).get(f"{PAIRS}{across.pk}/").status_code == 404
    national = client_for(Role.NATIONAL_ADMIN, ()).get(PAIRS, {"status": "open"}).json()
    assert {p["id"] for p in national["results"]} == {str(inside.pk), str(across.pk)}
    for role in (Role.REGISTRAR, Role.PLACEMENT_OFFICER, Role.SOCIAL_WORKER):
        assert client_for(role).get(PAIRS).status_code == 403


@pytest.mark.parametrize("size", [5, 50])
def test_the_list_costs_the_same_queries_whatever_its_size(client_for, size):
    for _ in range(size):
        carer_pair(CarerFactory(), CarerFactory())
    api = client_for(Role.NATIONAL_ADMIN, ())
    with CaptureQueriesContext(connection) as queries:
        assert len(api.get(PAIRS, {"page_size": size}).json()["results"]) == size
    assert len(queries) <= 4, [q["sql"] for q in queries]


def test_not_duplicate_closes_the_pair_with_the_reason(client_for):
    pair = carer_pair(CarerFactory(), CarerFactory())
    api = client_for(Role.SUPERVISOR)
    assert api.post(f"{PAIRS}{pair.pk}/resolve/", {"decision": "not_duplicate"}, format="json").json().keys() == {
        "reason"
    }
    body = api.post(f"{PAIRS}{pair.pk}/resolve/", {"decision": "not_duplicate", "reason": "Cousins."}, format="json")
    assert body.status_code == 200 and body.json()["status"] == "not_duplicate" and body.json()["reason"] == "Cousins."
    again = api.post(f"{PAIRS}{pair.pk}/resolve/", {"decision": "not_duplicate", "reason": "x"}, format="json")
    assert again.status_code == 409


def test_a_merge_moves_every_link_and_the_other_answers_merged_into(client_for):
    kept, other = CarerFactory(reference="FC-02-000001"), CarerFactory(reference="FC-02-000002")
    CarerTrainingFactory(carer=kept, module_id="core", completed_on=datetime.date(2024, 1, 1))
    CarerTrainingFactory(carer=other, module_id="core", completed_on=datetime.date(2025, 1, 1))
    CarerTrainingFactory(carer=other, module_id="infant_care")
    CarerCheckFactory(carer=other)
    ConcernFactory(carer=other)
    placement = place_with(other)
    child, excluded_child = ChildFactory(), ChildFactory(date_of_birth=datetime.date(2016, 2, 2))
    m.KinLink.objects.create(child=child, carer=other, relationship="aunt_uncle")
    m.CarerExclusion.objects.create(child=excluded_child, carer=other, reason="Risk.")
    m.KinLink.objects.create(child=excluded_child, carer=kept, relationship="aunt_uncle")
    pair = carer_pair(kept, other)
    api = client_for(Role.SUPERVISOR)
    assert (
        api.post(f"{PAIRS}{pair.pk}/resolve/", {"decision": "merge", "reason": "x"}, format="json").status_code == 400
    )
    response = api.post(
        f"{PAIRS}{pair.pk}/resolve/",
        {"decision": "merge", "keep": str(kept.pk), "reason": "Same ID card."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "merged" and response.json()["kept"] == str(kept.pk)
    assert sorted(kept.trainings.values_list("module_id", "completed_on")) == [
        ("core", datetime.date(2025, 1, 1)),
        ("infant_care", m.CarerTraining.objects.get(module_id="infant_care").completed_on),
    ]
    assert kept.checks.count() == 1 and kept.concerns.count() == 1
    placement.refresh_from_db()
    assert placement.carer == kept and kept.placements.count() == 1
    assert list(m.KinLink.objects.values_list("child", "carer")) == [(child.pk, kept.pk)]  # exclusion wins
    assert list(m.CarerExclusion.objects.values_list("child", "carer")) == [(excluded_child.pk, kept.pk)]
    other.refresh_from_db()
    assert other.merged_into == kept and other.status == "deregistered"
    # The dated history counts the other family out from today, so the indicators count it once.
    event = m.StatusEvent.objects.filter(kind="carer", subject_id=other.pk).latest("recorded_at")
    assert (event.from_status, event.to_status) == ("approved", "deregistered")
    detail = api.get(f"{CARERS}{other.pk}/")
    assert detail.status_code == 200 and detail.json()["merged_into"] == str(kept.pk)
    assert api.get(f"{CARERS}{kept.pk}/").json()["merged_into"] is None
    listed = [c["id"] for c in api.get(CARERS).json()["results"]]
    assert str(kept.pk) in listed and str(other.pk) not in listed
    assert api.patch(f"{CARERS}{other.pk}/", {"household_name": "x"}, format="json").status_code == 404
    audit = m.AuditEntry.objects.filter(object_id=str(other.pk), action="update").latest("id")
    assert audit.changes["moved_to"] == [None, "FC-02-000001"] and audit.changes["reason"] == [None, "Same ID card."]


def test_a_child_merge_moves_the_placement_and_sibling_group(client_for):
    from tests.register.children_factories import place, sibling_group_of

    kept = ChildFactory(external_ids={"primero": "PR-1"})
    other = ChildFactory(external_ids={"primero": "PR-1", "oscar": "OS-2"}, date_of_birth=datetime.date(2016, 3, 3))
    brother = ChildFactory(date_of_birth=datetime.date(2017, 3, 3))
    group = sibling_group_of(other, brother)
    placement = place(other)
    pair = m.DuplicatePair.objects.create(
        kind="child", **dict(zip(("child_a_id", "child_b_id"), sorted((kept.pk, other.pk), key=str), strict=True)),
        reasons=["same_external_id"],
    )  # fmt: skip
    api = client_for(Role.SUPERVISOR)
    response = api.post(
        f"{PAIRS}{pair.pk}/resolve/",
        {"decision": "merge", "keep": str(kept.pk), "reason": "Same child."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    kept.refresh_from_db()
    assert kept.sibling_group == group and kept.status == "placed"
    assert kept.external_ids == {"primero": "PR-1", "oscar": "OS-2"}
    assert list(placement.memberships.values_list("child", flat=True)) == [kept.pk]
    assert api.get(f"{CHILDREN}{other.pk}/").json()["merged_into"] == str(kept.pk)
    assert str(other.pk) not in api.get(CHILDREN).content.decode()
    # One child, counted once: the kept record moves to placed and the other leaves, in the dated history.
    other.refresh_from_db()
    assert other.status == "exited"
    events = {e.subject_id: (e.from_status, e.to_status) for e in m.StatusEvent.objects.filter(kind="child")}
    assert events[kept.pk][1] == "placed" and events[other.pk] == ("placed", "exited")


def test_merging_two_children_both_placed_is_refused(client_for):
    from tests.register.children_factories import place

    kept, other = ChildFactory(), ChildFactory(date_of_birth=datetime.date(2016, 3, 3))
    place(kept), place(other)
    a, b = sorted((kept.pk, other.pk), key=str)
    pair = m.DuplicatePair.objects.create(kind="child", child_a_id=a, child_b_id=b, reasons=["same_external_id"])
    response = client_for(Role.SUPERVISOR).post(
        f"{PAIRS}{pair.pk}/resolve/", {"decision": "merge", "keep": str(kept.pk), "reason": "x"}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "child_already_placed"
    assert m.DuplicatePair.objects.get().status == "open" and not m.Child.objects.filter(merged_into__isnull=False)


def admin_child_form(institution_id, primero: str) -> dict:
    return {
        "given_name": "Bopha",
        "family_name": "Chea",
        "sex": "female",
        "date_of_birth": "2019-02-02",
        "institution": str(institution_id),
        "home_commune": "020101",
        "languages": '["km"]',
        "religion": "buddhism",
        "ethnicity": "khmer",
        "needs": "[]",
        "care_type_needed": "long_term",
        "external_ids": f'{{"primero": "{primero}"}}',
        "kin-TOTAL_FORMS": "0",
        "kin-INITIAL_FORMS": "0",
        "excluded_carers-TOTAL_FORMS": "0",
        "excluded_carers-INITIAL_FORMS": "0",
    }


def test_the_admin_refuses_a_possible_duplicate_child_and_takes_a_reason(client):
    existing = ChildFactory(external_ids={"primero": "PR-77"}, reference="CH-02-000077")
    client.force_login(make_user(Role.PLACEMENT_OFFICER, ("02",), is_staff=True))
    form = admin_child_form(existing.institution_id, "PR-77")
    refused = client.post("/admin/register/child/add/", form)
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert "CH-02-000077" in errors["duplicate_reviewed"][0] and "Primero" in errors["duplicate_reviewed"][0]
    assert m.Child.objects.count() == 1
    saved = client.post("/admin/register/child/add/", {**form, "duplicate_reviewed": "Primero id typed wrongly."})
    assert saved.status_code == 302
    assert (
        m.Child.objects.count() == 2 and m.DuplicatePair.objects.get().registration_note == "Primero id typed wrongly."
    )


def test_the_admin_refusing_a_match_elsewhere_still_tells_national_administrators(client):
    # The page rolls its whole save back; the notice, written by a task run in-process, must outlive it.
    make_user(Role.NATIONAL_ADMIN, ())
    other = ChildFactory(institution__commune=commune("120101"), external_ids={"primero": "PR-88"})
    assert other.province_id == "12"
    client.force_login(make_user(Role.PLACEMENT_OFFICER, ("02",), is_staff=True))
    refused = client.post("/admin/register/child/add/", admin_child_form(InstitutionFactory().pk, "PR-88"))
    assert refused.status_code == 200 and refused.context["adminform"].form.errors["duplicate_reviewed"]
    assert other.reference not in str(refused.content)  # only said to exist elsewhere
    assert Reminder.objects.filter(kind=Kind.POSSIBLE_DUPLICATE, child=other).count() == 1
