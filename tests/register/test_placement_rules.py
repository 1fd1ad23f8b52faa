"""The eligibility rules on the placement door (API.md, Placements): the rules that protect a child are
never overridden; the fit rules are, with a reason the placement keeps; a match run must be real."""

import datetime

import pytest

from register.models import AuditEntry, CarerExclusion, Placement, SafeguardingConcern
from register.roles import Role
from tests.factories import CarerFactory, ChildFactory, first_commune_in, make_user
from tests.register.placements_factories import kin, today

pytestmark = pytest.mark.django_db

URL = "/api/v1/placements/"


@pytest.fixture
def officer(client_for):
    return client_for(Role.PLACEMENT_OFFICER)


def body(carer, children, **extra):
    return {
        "carer": str(carer.pk),
        "children": [str(c.pk) for c in children],
        "start_date": today().isoformat(),
        "care_type": "long_term",
        **extra,
    }


def years_old(n: int) -> datetime.date:
    return today() - datetime.timedelta(days=int(365.25 * n) + 10)


# --- Never overridable -----------------------------------------------------------------------------


def test_a_family_recorded_as_excluded_for_the_child_is_refused_even_with_a_reason(officer):
    carer, child = CarerFactory(), ChildFactory()
    CarerExclusion.objects.create(carer=carer, child=child, reason="Known risk to the child")
    for extra in ({}, {"override_reason": "The officer insists"}):
        response = officer.post(URL, body(carer, [child], **extra), format="json")
        assert response.status_code == 400, response.json()
        assert response.json()["code"] == "excluded_for_child"
        assert "overridable" not in response.json()
    assert not Placement.objects.exists()


def test_an_open_safeguarding_concern_is_never_overridden(officer):
    carer, child = CarerFactory(), ChildFactory()
    SafeguardingConcern.objects.create(carer=carer, summary="Reported by a neighbour", raised_on=today())
    response = officer.post(URL, body(carer, [child], override_reason="urgent"), format="json")
    assert response.status_code == 400 and response.json()["code"] == "safeguarding_concern"
    assert not Placement.objects.exists()


def test_a_full_family_is_a_conflict_whatever_the_reason(officer):
    carer = CarerFactory(max_children=1)
    assert officer.post(URL, body(carer, [ChildFactory()]), format="json").status_code == 201
    response = officer.post(URL, body(carer, [ChildFactory()], override_reason="please"), format="json")
    assert response.status_code == 409 and response.json()["code"] == "carer_full"


def test_a_family_approved_without_a_review_date_is_refused_as_overdue(officer):
    carer = CarerFactory(review_due=None)
    response = officer.post(URL, body(carer, [ChildFactory()]), format="json")
    assert response.status_code == 400 and response.json()["code"] == "approval_review_overdue"


# --- Fit rules: refused unless a reason is given ---------------------------------------------------

FIT_CASES = {
    "age_out_of_range": ({"age_min": 0, "age_max": 5}, {"date_of_birth": years_old(9)}),
    "sex_not_accepted": ({"sexes_accepted": ["female"]}, {"sex": "male"}),
    "need_not_supported": ({"needs_supported": []}, {"needs": ["hiv_care"]}),
    "care_type_not_offered": ({"care_types": ["emergency"]}, {}),
}


@pytest.mark.parametrize("code", sorted(FIT_CASES))
def test_a_fit_rule_refuses_with_its_code_and_says_it_may_be_overridden(officer, code):
    carer_terms, child_terms = FIT_CASES[code]
    carer, child = CarerFactory(**carer_terms), ChildFactory(**child_terms)
    response = officer.post(URL, body(carer, [child]), format="json")
    assert response.status_code == 400, response.json()
    data = response.json()
    assert data["code"] == code and data["overridable"] is True and data["codes"] == [code]
    assert data["detail"]
    assert not Placement.objects.exists()


@pytest.mark.parametrize("code", sorted(FIT_CASES))
def test_a_fit_rule_gives_way_to_a_reason_which_the_placement_keeps_and_the_audit_records(officer, code):
    carer_terms, child_terms = FIT_CASES[code]
    carer, child = CarerFactory(**carer_terms), ChildFactory(**child_terms)
    reason = "The only family in the child's village; the grandmother lives next door."
    response = officer.post(URL, body(carer, [child], override_reason=f"  {reason} "), format="json")
    assert response.status_code == 201, response.json()
    overrides = response.json()["overrides"]
    assert [(o["code"], o["reason"], o["by"]) for o in overrides] == [(code, reason, officer.user.username)]
    assert datetime.datetime.fromisoformat(overrides[0]["at"])
    placement_id = response.json()["id"]
    assert officer.get(f"{URL}{placement_id}/").json()["overrides"] == overrides
    entry = AuditEntry.objects.get(model="register.Placement", object_id=placement_id, action="create")
    assert entry.changes["overrides"] == [None, overrides]


def test_a_sibling_group_larger_than_the_family_takes_is_a_fit_rule(officer):
    carer = CarerFactory(max_children=3, max_sibling_group=1)
    children = [ChildFactory(), ChildFactory()]
    response = officer.post(URL, body(carer, children), format="json")
    assert response.status_code == 400 and response.json()["code"] == "sibling_group_too_large"
    response = officer.post(URL, body(carer, children, override_reason="Twins, never apart"), format="json")
    assert response.status_code == 201 and response.json()["overrides"][0]["code"] == "sibling_group_too_large"


def test_every_failing_rule_is_listed_and_all_are_overridden_by_one_reason(officer):
    carer = CarerFactory(age_min=0, age_max=5, sexes_accepted=["female"])
    child = ChildFactory(sex="male", date_of_birth=years_old(9))
    response = officer.post(URL, body(carer, [child]), format="json")
    assert response.json()["codes"] == ["age_out_of_range", "sex_not_accepted"]
    response = officer.post(URL, body(carer, [child], override_reason="Kin in all but name"), format="json")
    assert [o["code"] for o in response.json()["overrides"]] == ["age_out_of_range", "sex_not_accepted"]


def test_a_blank_reason_overrides_nothing(officer):
    carer, child = CarerFactory(sexes_accepted=["female"]), ChildFactory(sex="male")
    response = officer.post(URL, body(carer, [child], override_reason="   "), format="json")
    assert response.status_code == 400 and response.json()["code"] == "sex_not_accepted"


def test_a_placement_that_breaks_no_rule_records_no_override_even_with_a_reason(officer):
    response = officer.post(URL, body(CarerFactory(), [ChildFactory()], override_reason="no need"), format="json")
    assert response.status_code == 201 and response.json()["overrides"] == []


def test_kin_of_the_child_may_give_kinship_care_without_offering_it(officer):
    carer, child = CarerFactory(care_types=["long_term"]), ChildFactory()
    kin(child, carer)
    response = officer.post(URL, body(carer, [child], care_type="kinship"), format="json")
    assert response.status_code == 201 and response.json()["overrides"] == []


def test_the_childs_age_is_taken_on_the_start_date(officer):
    # Six on the start date two weeks ago, seven today: a family taking children up to six may have them.
    born = today() - datetime.timedelta(days=7) - datetime.timedelta(days=int(365.25 * 7))
    carer, child = CarerFactory(age_min=0, age_max=6), ChildFactory(date_of_birth=born)
    started = (today() - datetime.timedelta(days=14)).isoformat()
    response = officer.post(URL, body(carer, [child], start_date=started), format="json")
    assert response.status_code == 201, response.json()


# --- The match run -----------------------------------------------------------------------------------


def _match(client, child) -> dict:
    response = client.post("/api/v1/matches/", {"child": str(child.pk), "limit": 10}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_placement_from_a_match_run_keeps_the_run_and_the_familys_rank(officer):
    child = ChildFactory()
    CarerFactory()
    second = CarerFactory(commune=first_commune_in("02"), lat=13.4, lon=102.6)
    run = _match(officer, child)
    rank = next(c["rank"] for c in run["candidates"] if c["carer"] == str(second.pk))
    response = officer.post(URL, body(second, [child], match=run["id"]), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["match"] == run["id"] and response.json()["match_rank"] == rank


def test_a_family_the_run_did_not_rank_gets_no_rank(officer):
    child = ChildFactory()
    run = _match(officer, child)
    outside = CarerFactory(sexes_accepted=["female"])  # left out of the run: it does not take boys
    response = officer.post(URL, body(outside, [child], match=run["id"], override_reason="kin"), format="json")
    assert response.status_code == 201 and response.json()["match_rank"] is None


def test_a_match_run_that_does_not_exist_is_refused_on_match(officer):
    response = officer.post(
        URL, body(CarerFactory(), [ChildFactory()], match="00000000-0000-4000-8000-000000000000"), format="json"
    )
    assert response.status_code == 400 and list(response.json()) == ["match"]


def test_a_match_run_made_for_other_children_is_refused_on_match(officer):
    run = _match(officer, ChildFactory())
    response = officer.post(URL, body(CarerFactory(), [ChildFactory()], match=run["id"]), format="json")
    assert response.status_code == 400 and list(response.json()) == ["match"]
    assert not Placement.objects.exists()


def test_a_match_run_of_another_province_answers_as_one_that_does_not_exist(client_for):
    other = client_for(Role.PLACEMENT_OFFICER, provinces=("12",))
    child12 = ChildFactory(home_commune=first_commune_in("12"), institution=None)
    CarerFactory(commune=first_commune_in("12"))
    run = _match(other, child12)
    both = client_for(Role.PLACEMENT_OFFICER, provinces=("02",))
    both.force_authenticate(make_user(Role.PLACEMENT_OFFICER, ("02",)))
    response = both.post(URL, body(CarerFactory(), [ChildFactory()], match=run["id"]), format="json")
    assert response.status_code == 400 and list(response.json()) == ["match"]
