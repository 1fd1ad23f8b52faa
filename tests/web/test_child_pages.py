"""The children pages: the list (filters, pages, htmx results, bounded queries) and one child's
record, scoped to the user's provinces, every child shown logged as read."""

import pytest
from django.urls import reverse

from register.models import AuditEntry, CarerExclusion, Child
from register.roles import Role
from tests.factories import CarerFactory, ChildFactory, InstitutionFactory, commune
from tests.register.placements_factories import kin, place, siblings

pytestmark = pytest.mark.django_db


def rows(response) -> int:
    return response.content.decode().count('data-testid="child-row"')


def reads_of(user) -> set[str]:
    return set(
        AuditEntry.objects.filter(actor=user, action=AuditEntry.Action.READ, model="register.Child").values_list(
            "object_id", flat=True
        )
    )


def test_the_list_shows_the_children_of_the_users_provinces_only(page_for):
    officer = page_for()
    mine = ChildFactory(given_name="Sreypov")
    ChildFactory(given_name="Visal", institution=InstitutionFactory(commune=commune("120101")))
    response = officer.get(reverse("web:child_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sreypov" in body and "Visal" not in body
    assert rows(response) == 1
    assert reads_of(officer.user) == {str(mine.pk)}


def test_each_child_on_a_list_page_is_logged_as_read(page_for):
    officer = page_for()
    children = ChildFactory.create_batch(3)
    officer.get(reverse("web:child_list"))
    entries = AuditEntry.objects.filter(actor=officer.user, action=AuditEntry.Action.READ)
    assert sorted(e.object_repr for e in entries) == sorted(c.reference for c in children)


def test_the_list_filters_by_status_institution_sibling_group_and_search(page_for):
    officer = page_for()
    home = InstitutionFactory(name="Sunrise Centre")
    waiting = ChildFactory(given_name="Bopha", institution=home, external_ids={"primero": "PR-778"})
    ChildFactory(given_name="Kosal", status=Child.Status.IN_RESIDENTIAL_CARE)
    group = siblings(2, given_name="Sibling")
    url = reverse("web:child_list")

    assert rows(officer.get(url, {"status": "in_residential_care"})) == 1
    assert rows(officer.get(url, {"institution": str(home.pk)})) == 1
    assert rows(officer.get(url, {"sibling_group": str(group[0].sibling_group_id)})) == 2
    assert rows(officer.get(url, {"search": "bopha"})) == 1
    assert rows(officer.get(url, {"search": "PR-778"})) == 1
    assert rows(officer.get(url, {"search": waiting.reference})) == 1
    assert rows(officer.get(url, {"province": "02"})) == 4
    assert rows(officer.get(url, {"search": "nobody"})) == 0


def test_a_province_outside_the_users_is_not_offered_and_is_refused(page_for):
    officer = page_for()
    ChildFactory()
    response = officer.get(reverse("web:child_list"), {"province": "12"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert 'value="12"' not in response.content.decode()


def test_the_list_pages_by_25_and_htmx_gets_the_results_only(page_for):
    officer = page_for()
    ChildFactory.create_batch(30)
    url = reverse("web:child_list")
    first = officer.get(url)
    assert rows(first) == 25 and 'data-testid="page-next"' in first.content.decode()
    second = officer.get(url, {"page": 2})
    assert rows(second) == 5
    partial = officer.get(url, {"page": 2}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert rows(partial) == 5 and "<html" not in body and 'id="child-results"' in body
    assert rows(officer.get(url, {"page_size": 50})) == 30


@pytest.mark.parametrize("count", [5, 40])
def test_the_list_costs_the_same_few_queries_at_any_size(page_for, django_assert_max_num_queries, count):
    officer = page_for()
    institution = InstitutionFactory()
    for child in ChildFactory.create_batch(count, institution=institution):
        kin(child, CarerFactory())
    # 16: one of them checks that the browser session has not been signed out (/account/sessions/).
    with django_assert_max_num_queries(16):
        response = officer.get(reverse("web:child_list"), {"page_size": 50})
    assert rows(response) == count


def test_the_child_page_shows_the_record_and_logs_the_read(page_for):
    officer = page_for()
    first, second = siblings(2)
    aunt = CarerFactory(household_name="Aunt Sopheap home")
    kin(first, aunt, "aunt_uncle")
    avoided = CarerFactory(household_name="Avoided home")
    CarerExclusion.objects.create(child=first, carer=avoided, reason="Known to the family, not safe")
    response = officer.get(reverse("web:child_detail", args=[first.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert first.reference in body and second.reference in body
    assert "Aunt Sopheap home" in body and "aunt or uncle" in body
    assert "Avoided home" in body and "Known to the family, not safe" in body
    assert "kept together" in body
    assert 'data-testid="find-families"' in body
    assert reads_of(officer.user) == {str(first.pk), str(second.pk)}


def test_the_child_page_lists_placements_and_offers_no_match_once_placed(page_for):
    officer = page_for()
    child = ChildFactory()
    placement = place([child], carer=CarerFactory(household_name="Keo family"))
    body = officer.get(reverse("web:child_detail", args=[child.pk])).content.decode()
    assert "Keo family" in body and f"/placements/{placement.pk}/" in body
    assert 'data-testid="find-families"' not in body


def test_a_child_of_another_province_answers_404(page_for):
    officer = page_for(provinces=("12",))
    child = ChildFactory()
    assert officer.get(reverse("web:child_detail", args=[child.pk])).status_code == 404
    assert not reads_of(officer.user)


def test_a_registrar_may_not_open_the_children_pages(page_for):
    registrar = page_for(Role.REGISTRAR)
    child = ChildFactory()
    assert registrar.get(reverse("web:child_list")).status_code == 403
    assert registrar.get(reverse("web:child_detail", args=[child.pk])).status_code == 403


def test_a_social_worker_sees_only_the_children_they_follow(page_for):
    worker = page_for(Role.SOCIAL_WORKER)
    followed = ChildFactory(given_name="Followed")
    ChildFactory(given_name="Other")
    place([followed], social_worker=worker.user)
    response = worker.get(reverse("web:child_list"))
    assert rows(response) == 1 and "Followed" in response.content.decode()
    body = worker.get(reverse("web:child_detail", args=[followed.pk])).content.decode()
    assert 'data-testid="find-families"' not in body


def test_the_pages_ask_for_a_login(client):
    response = client.get(reverse("web:child_list"))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_the_list_speaks_khmer(page_for):
    officer = page_for()
    ChildFactory()
    body = officer.get(reverse("web:child_list"), HTTP_ACCEPT_LANGUAGE="km").content.decode()
    assert 'data-testid="child-row"' in body


def test_a_wrong_filter_value_leaves_the_other_filters_working(page_for):
    # The API's ChildFilter filters the page: a malformed institution is ignored, not every filter.
    officer = page_for()
    waiting = ChildFactory(given_name="Sreypov", status=Child.Status.AWAITING_PLACEMENT)
    ChildFactory(given_name="Visal", status=Child.Status.IN_RESIDENTIAL_CARE)
    response = officer.get(reverse("web:child_list"), {"status": "awaiting_placement", "institution": "not-a-uuid"})
    assert response.status_code == 200
    body = response.content.decode()
    assert waiting.given_name in body and "Visal" not in body


def test_a_bad_page_or_page_size_gives_a_page_not_a_500(page_for):
    officer = page_for()
    ChildFactory()
    for query in ({"page": "abc"}, {"page": "-4"}, {"page_size": "lots"}, {"page_size": "0"}):
        response = officer.get(reverse("web:child_list"), query)
        assert response.status_code == 200 and rows(response) == 1, query


def test_going_back_to_a_filtered_list_gets_the_whole_page(page_for):
    officer = page_for()
    response = officer.get(
        reverse("web:child_list"), {"page": 1}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert response.status_code == 200 and "<html" in response.content.decode()
