"""GET /api/v1/capacity-gaps/: for the children waiting, how many have an eligible family of their
province, and for the others their profiles and the rules that keep the nearest families out."""

import datetime

import pytest

from register.models import CarerExclusion, KinLink
from register.roles import Role
from tests.factories import CarerFactory, ChildFactory, commune
from tests.register.placements_factories import siblings

pytestmark = pytest.mark.django_db
URL = "/api/v1/capacity-gaps/"


def aged(years):
    return datetime.date.today() - datetime.timedelta(days=365 * years + 100)


@pytest.fixture
def world():
    # Province 02's one approved family: two places, ages 0-17, both sexes, groups of up to 3,
    # short and long-term care, no special needs.
    family = CarerFactory()
    CarerFactory(commune=commune("120101"))  # province 12's family: never offered to 02's children
    waiting = {
        "eligible": ChildFactory(date_of_birth=aged(8)),
        "hiv": ChildFactory(date_of_birth=aged(5), sex="female", needs=["hiv_care"]),
        "kinship": ChildFactory(date_of_birth=aged(10), sex="female", care_type_needed="kinship"),
        "excluded": ChildFactory(date_of_birth=aged(8)),
    }
    aunt = CarerFactory(status="training", approved_on=None, review_due=None)
    KinLink.objects.create(child=waiting["kinship"], carer=aunt, relationship="aunt_uncle")
    CarerExclusion.objects.create(child=waiting["excluded"], carer=family, reason="A known risk.")
    four = siblings(4, date_of_birth=aged(8))
    ChildFactory(status="placed")  # not waiting
    ChildFactory(institution__commune=commune("120101"), date_of_birth=aged(1))  # waiting in province 12
    return waiting, four


def test_children_waiting_with_and_without_a_family_and_the_gaps_largest_first(client_for, world):
    response = client_for(Role.PLACEMENT_OFFICER).get(URL)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["children_waiting"], body["with_an_eligible_family"], body["without"]) == (8, 1, 7)
    gaps = [(g["profile"], g["children"], g["exclusion_reasons"]) for g in body["gaps"]]
    assert gaps[0] == (
        {"age_band": "6-11", "sex": "male", "needs": [], "sibling_group_size": 4},
        4,
        {"no_vacancy": 4, "sibling_group_too_large": 4},  # two places, groups of three at most
    )
    assert sorted(gaps[1:], key=lambda g: g[0]["age_band"]) == [
        ({"age_band": "3-5", "sex": "female", "needs": ["hiv_care"], "sibling_group_size": 1}, 1,
         {"need_not_supported": 1}),
        # The family does not offer kinship care; the aunt does (kin may) but is not approved yet.
        ({"age_band": "6-11", "sex": "female", "needs": [], "sibling_group_size": 1}, 1,
         {"care_type_not_offered": 1, "not_approved": 1}),
        # The one approved family is excluded for him; the aunt in training would do once approved.
        ({"age_band": "6-11", "sex": "male", "needs": [], "sibling_group_size": 1}, 1,
         {"excluded_for_child": 1, "not_approved": 1}),
    ]  # fmt: skip
    assert body["gaps"][0]["provinces"] == {"02": 4}


def test_a_national_administrator_sees_every_province_each_against_its_own_families(client_for, world):
    body = client_for(Role.NATIONAL_ADMIN).get(URL).json()
    assert (body["children_waiting"], body["with_an_eligible_family"]) == (9, 2)  # the baby of 12 has a family
    only_12 = client_for(Role.NATIONAL_ADMIN).get(URL, {"province": "12"}).json()
    assert (only_12["children_waiting"], only_12["without"], only_12["gaps"]) == (1, 0, [])


def test_a_family_recorded_as_kin_may_give_kinship_care(client_for, world):
    waiting, _ = world
    aunt = KinLink.objects.get(child=waiting["kinship"]).carer
    aunt.status, aunt.approved_on, aunt.review_due = "approved", datetime.date.today(), aged(-1)
    aunt.save()
    body = client_for(Role.SUPERVISOR).get(URL).json()
    # She offers no kinship care in her terms, but kin may always give it; she also takes the boy
    # the other family is excluded for.
    assert body["with_an_eligible_family"] == 3
    assert [g["profile"]["sex"] for g in body["gaps"]] == ["male", "female"]  # the group of four, the HIV care


def test_another_province_answers_as_one_that_does_not_exist(client_for, world):
    client = client_for(Role.SUPERVISOR)
    other, unknown = client.get(URL, {"province": "12"}), client.get(URL, {"province": "99"})
    assert other.status_code == unknown.status_code == 400
    assert other.json() == unknown.json() and "province" in other.json()


@pytest.mark.parametrize("role", [Role.REGISTRAR, Role.SOCIAL_WORKER])
def test_only_officers_supervisors_and_national_administrators_may_ask(client_for, role):
    assert client_for(role).get(URL).status_code == 403
