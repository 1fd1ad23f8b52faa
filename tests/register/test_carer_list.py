"""GET /api/v1/carers/ and /api/v1/carers/{id}/: jurisdiction, filters, vacancies, bounded queries."""

import datetime

import pytest

from register.models import Carer, CarerStatusChange
from register.roles import Role
from register.selectors.carers import (
    CARER_LIST_VALUES,
    carer_filter,
    carer_list,
    carer_list_rows,
    carers_with_vacancies,
)
from tests.factories import CarerFactory, make_user
from tests.register.carers_factories import (
    CarerCheckFactory,
    CarerTrainingFactory,
    ConcernFactory,
    place,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/carers/"
TODAY = datetime.date.today


def references(response):
    assert response.status_code == 200, response.json()
    return [c["reference"] for c in response.json()["results"]]


def in_province(code: str, **kwargs) -> Carer:
    commune = {"02": "020101", "12": "120101", "17": "170101"}[code]
    return CarerFactory(commune_id=commune, district_id=commune[:4], province_id=code, **kwargs)


# --- Jurisdiction and roles ---------------------------------------------------------------------


def test_list_shows_only_the_callers_provinces_in_reference_order(client_for):
    b = in_province("02", reference="FC-02-000002")
    a = in_province("02", reference="FC-02-000001")
    in_province("12", reference="FC-12-000001")
    assert references(client_for(Role.REGISTRAR).get(URL)) == [a.reference, b.reference]


def test_national_admin_sees_every_province(client_for):
    in_province("02")
    in_province("12")
    in_province("17")
    assert len(references(client_for(Role.NATIONAL_ADMIN).get(URL))) == 3


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_carers_of_its_provinces(client_for, role):
    carer = in_province("02")
    api = client_for(role)
    assert references(api.get(URL)) == [carer.reference]
    assert api.get(f"{URL}{carer.pk}/").status_code == 200


def test_another_provinces_carer_is_404_on_retrieve_and_patch(client_for):
    carer = in_province("12")
    api = client_for(Role.SUPERVISOR, provinces=("02",))
    assert api.get(f"{URL}{carer.pk}/").status_code == 404
    assert api.patch(f"{URL}{carer.pk}/", {"household_name": "x"}, format="json").status_code == 404
    carer.refresh_from_db()
    assert carer.household_name != "x"


def test_404_for_an_id_that_is_not_a_uuid_or_does_not_exist(client_for):
    api = client_for(Role.NATIONAL_ADMIN)
    assert api.get(f"{URL}00000000-0000-0000-0000-000000000000/").status_code == 404
    response = api.get(f"{URL}not-a-uuid/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_user_without_provinces_sees_nothing(client_for):
    in_province("02")
    assert references(client_for(Role.REGISTRAR, provinces=()).get(URL)) == []


def test_anonymous_is_refused(api, db):
    assert api.get(URL).status_code in (401, 403)


# --- Vacancies ----------------------------------------------------------------------------------


def test_vacancies_count_children_in_active_placements_only(client_for):
    carer = in_province("02", max_children=3)
    place(carer, 2, active=True)
    place(carer, 2, active=False)
    api = client_for(Role.PLACEMENT_OFFICER)
    assert api.get(URL).json()["results"][0]["vacancies"] == 1
    assert api.get(f"{URL}{carer.pk}/").json()["vacancies"] == 1


def test_vacancies_never_go_below_zero():
    carer = in_province("02", max_children=1)
    place(carer, 3)
    annotated = carers_with_vacancies().filter(pk=carer.pk).get()
    assert (annotated.children_placed, annotated.vacancies) == (3, 0)


def test_another_carers_placements_do_not_count():
    carer, other = in_province("02", max_children=2), in_province("02", max_children=2)
    place(other, 2)
    vacancies = dict(carers_with_vacancies().values_list("pk", "vacancies"))
    assert (vacancies[carer.pk], vacancies[other.pk]) == (2, 0)


# --- Filters ------------------------------------------------------------------------------------


def test_filter_by_status(client_for):
    approved = in_province("02", status="approved")
    in_province("02", status="enquiry")
    assert references(client_for(Role.REGISTRAR).get(URL, {"status": "approved"})) == [approved.reference]


def test_unknown_status_filter_names_the_field(client_for):
    response = client_for(Role.REGISTRAR).get(URL, {"status": "retired"})
    assert response.status_code == 400 and "status" in response.json()


def test_filter_by_province_district_and_commune(client_for):
    here = in_province("02")
    there = CarerFactory(commune_id="020201", district_id="0202", province_id="02")
    far = in_province("12")
    api = client_for(Role.NATIONAL_ADMIN)
    assert references(api.get(URL, {"province": "12"})) == [far.reference]
    assert references(api.get(URL, {"district": "0202"})) == [there.reference]
    assert references(api.get(URL, {"commune": "020101"})) == [here.reference]


def test_filter_by_care_type(client_for):
    emergency = in_province("02", care_types=["emergency", "short_term"])
    in_province("02", care_types=["long_term"])
    assert references(client_for(Role.REGISTRAR).get(URL, {"care_type": "emergency"})) == [emergency.reference]
    assert client_for(Role.REGISTRAR).get(URL, {"care_type": "forever"}).status_code == 400


def test_filter_needs_supported_means_every_need_given(client_for):
    both = in_province("02", needs_supported=["hiv_care", "infant_care"])
    hiv = in_province("02", needs_supported=["hiv_care"])
    in_province("02", needs_supported=[])
    api = client_for(Role.REGISTRAR)
    assert references(api.get(URL, {"needs_supported": "hiv_care"})) == sorted([both.reference, hiv.reference])
    assert references(api.get(URL, {"needs_supported": ["hiv_care", "infant_care"]})) == [both.reference]
    assert references(api.get(URL, {"needs_supported": "hiv_care,infant_care"})) == [both.reference]
    response = api.get(URL, {"needs_supported": "hiv_care,flying"})
    assert response.status_code == 400 and "needs_supported" in response.json()


def test_filter_has_vacancy(client_for):
    free = in_province("02", max_children=2)
    full = in_province("02", max_children=1)
    place(free, 1)
    place(full, 1)
    api = client_for(Role.PLACEMENT_OFFICER)
    assert references(api.get(URL, {"has_vacancy": "true"})) == [free.reference]
    assert references(api.get(URL, {"has_vacancy": "false"})) == [full.reference]


def test_filter_review_overdue(client_for):
    overdue = in_province(
        "02",
        status="approved",
        approved_on=TODAY() - datetime.timedelta(days=400),
        review_due=TODAY() - datetime.timedelta(days=1),
    )
    in_province("02", status="approved", review_due=TODAY())  # due today: not yet overdue
    in_province("02", status="on_hold", review_due=TODAY() - datetime.timedelta(days=10))  # not approved
    assert references(client_for(Role.SUPERVISOR).get(URL, {"review_overdue": "true"})) == [overdue.reference]
    assert overdue.reference not in references(client_for(Role.SUPERVISOR).get(URL, {"review_overdue": "false"}))


@pytest.mark.parametrize(
    "query",
    [
        "Sokha",
        "sokha",
        "Keo",
        "Sokha Keo",
        "Riverside",
        "FC-02-000777",
        "000777",
        "012 888 777",
        "+855 12 888 777",
        "12888777",
    ],
)
def test_search_by_name_household_reference_or_phone(client_for, query):
    wanted = in_province(
        "02",
        reference="FC-02-000777",
        household_name="Riverside family",
        given_name="Sokha",
        family_name="Keo",
        phone="+85512888777",
    )
    in_province("02", reference="FC-02-000001", household_name="Other", given_name="Dara", family_name="Chan")
    assert references(client_for(Role.REGISTRAR).get(URL, {"search": query})) == [wanted.reference]


def test_filters_combine(client_for):
    wanted = in_province("02", status="approved", care_types=["kinship"], max_children=2)
    in_province("02", status="approved", care_types=["long_term"])
    in_province("02", status="enquiry", care_types=["kinship"])
    response = client_for(Role.REGISTRAR).get(
        URL, {"status": "approved", "care_type": "kinship", "has_vacancy": "true"}
    )
    assert references(response) == [wanted.reference]


def test_selector_takes_the_same_filters():
    user = make_user(Role.REGISTRAR)
    wanted = in_province("02", needs_supported=["hiv_care"], status="approved")
    in_province("02", needs_supported=[], status="approved")
    in_province("12", needs_supported=["hiv_care"], status="approved")
    found = carer_list(user=user, filters={"needs_supported": ["hiv_care"], "status": "approved", "has_vacancy": True})
    assert list(found) == [wanted]


# --- Shape and query bounds ---------------------------------------------------------------------


def test_list_is_lean_and_detail_is_full(client_for):
    carer = in_province("02")
    CarerCheckFactory(carer=carer)
    api = client_for(Role.REGISTRAR)
    listed = api.get(URL).json()["results"][0]
    assert "checks" not in listed and "household_members" not in listed
    for field in (
        "id",
        "reference",
        "status",
        "primary_carer",
        "phone",
        "commune",
        "province",
        "vacancies",
        "location",
    ):
        assert field in listed
    detail = api.get(f"{URL}{carer.pk}/").json()
    for field in ("household_members", "checks", "trainings", "concerns", "approval_missing", "status_history"):
        assert field in detail
    assert detail["checks"][0]["kind"] == "home_assessment"


@pytest.mark.parametrize("page_size", [5, 50])
def test_list_queries_are_bounded_whatever_the_page_size(client_for, django_assert_max_num_queries, page_size):
    api = client_for(Role.REGISTRAR)
    for _ in range(60):
        carer = in_province("02")
        place(carer, 1)
        CarerCheckFactory(carer=carer)
        ConcernFactory(carer=carer)
    api.get(URL)  # warm the user's cached role and provinces
    with django_assert_max_num_queries(3):
        response = api.get(URL, {"page_size": page_size, "has_vacancy": "true", "search": "Household"})
    assert len(response.json()["results"]) == page_size


def test_detail_queries_are_bounded(client_for, django_assert_max_num_queries):
    api = client_for(Role.REGISTRAR)
    carer = in_province("02")
    for _ in range(10):
        CarerCheckFactory(carer=carer)
        ConcernFactory(carer=carer)
    CarerTrainingFactory(carer=carer)
    for status in ("assessment", "training", "approved"):
        CarerStatusChange.objects.create(carer=carer, from_status="enquiry", to_status=status, changed_by=api.user)
    api.get(f"{URL}{carer.pk}/")
    with django_assert_max_num_queries(7):
        assert api.get(f"{URL}{carer.pk}/").status_code == 200


def test_page_size_is_capped_at_200(client_for):
    for _ in range(3):
        in_province("02")
    body = client_for(Role.REGISTRAR).get(URL, {"page_size": 500}).json()
    assert {"results", "next", "previous"} <= set(body)


def test_the_list_rows_are_the_families_list_as_values_read_afresh_each_time():
    # carer_list_rows copies one values query built per process (issue 18): the same families, scope,
    # order and filters as carer_list, and each call reads the register as it is now.
    supervisor = make_user(Role.SUPERVISOR, provinces=["02"])
    mine, theirs = in_province("02", max_children=2), in_province("12")
    place(mine, 1)
    rows = list(carer_list_rows(user=supervisor))
    assert rows == list(carer_list(user=supervisor).values(*CARER_LIST_VALUES))
    assert [r["id"] for r in rows] == [mine.pk] and rows[0]["vacancies"] == 1
    later = in_province("02", max_children=1)
    assert {r["id"] for r in carer_list_rows(user=supervisor)} == {mine.pk, later.pk}
    place(later, 1)  # full: no free place
    with_room = carer_filter(carer_list_rows(user=supervisor), has_vacancy=True, status=Carer.Status.APPROVED)
    assert list(with_room) == list(
        carer_list(user=supervisor, filters={"has_vacancy": True, "status": Carer.Status.APPROVED}).values(
            *CARER_LIST_VALUES
        )
    )
    assert [r["id"] for r in with_room] == [mine.pk]
    assert theirs.pk in {r["id"] for r in carer_list_rows(user=make_user(Role.NATIONAL_ADMIN))}
