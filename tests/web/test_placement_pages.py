"""The placement list and a placement's page: scoping, filters, the children's reads logged, ending
a placement and giving it to another social worker through the register's services."""

import datetime
import re

import pytest
from django.urls import reverse

from register.models import AuditEntry, Placement, Visit
from register.roles import Role
from register.services.placements import placement_create, placement_end
from tests.factories import CarerFactory, ChildFactory, first_commune_in, make_user
from tests.register.placements_factories import today

pytestmark = pytest.mark.django_db

LIST = reverse("web:placement_list")


@pytest.fixture
def place(people):
    def make(days_ago: int = 30, *, worker="default", province="02"):
        carer = CarerFactory(commune=first_commune_in(province)) if province != "02" else CarerFactory()
        child = ChildFactory(home_commune=carer.commune, institution=None) if province != "02" else ChildFactory()
        return placement_create(
            actor=people["officer"] if province == "02" else make_user(Role.NATIONAL_ADMIN),
            carer=carer,
            children=[child],
            start_date=today() - datetime.timedelta(days=days_ago),
            care_type="long_term",
            social_worker=people["worker"] if worker == "default" else worker,
        )

    return make


def detail(placement):
    return reverse("web:placement_detail", kwargs={"id": placement.pk})


def get_as(client, user, url, data=None):
    client.force_login(user)
    return client.get(url, data or {})


def post_as(client, user, url, data):
    client.force_login(user)
    return client.post(url, data)


def rows(html: str) -> int:
    return html.count('data-testid="placement-row"')


def test_the_list_is_scoped_to_the_users_provinces_and_own_placements(client, people, place):
    mine = place()
    others = place(worker=make_user(Role.SOCIAL_WORKER))
    far = place(province="12", worker=None)
    html = get_as(client, people["supervisor"], LIST).content.decode()
    assert mine.carer.reference in html and others.carer.reference in html and far.carer.reference not in html
    html = get_as(client, people["worker"], LIST).content.decode()
    assert mine.carer.reference in html and others.carer.reference not in html
    assert get_as(client, make_user(Role.REGISTRAR), LIST).status_code == 403


def test_the_list_filters_by_status_and_social_worker(client, people, place):
    active = place()
    ended = place()
    placement_end(actor=people["officer"], placement=ended, end_date=today(), reason="reunified")
    supervisor = people["supervisor"]
    html = get_as(client, supervisor, LIST, {"status": "ended"}).content.decode()
    assert rows(html) == 1 and ended.carer.reference in html and active.carer.reference not in html
    html = get_as(client, supervisor, LIST, {"social_worker": people["worker"].username}).content.decode()
    assert rows(html) == 2
    html = get_as(client, supervisor, LIST, {"social_worker": "someone-else"}).content.decode()
    assert rows(html) == 0
    response = client.get(LIST, {"status": "ended"}, HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode() and rows(response.content.decode()) == 1


def test_the_list_answers_in_a_fixed_number_of_queries(client, people, place, django_assert_max_num_queries):
    for _ in range(5):
        place()
    get_as(client, people["supervisor"], LIST)
    with django_assert_max_num_queries(20) as small:
        assert rows(client.get(LIST, {"page_size": 2}).content.decode()) == 2
    with django_assert_max_num_queries(20) as large:
        assert rows(client.get(LIST, {"page_size": 50}).content.decode()) == 5
    assert len(small.captured_queries) == len(large.captured_queries)


def test_the_placement_page_shows_family_children_and_visits_and_logs_the_read(client, people, place):
    placement = place(days_ago=40)
    child = placement.children.get()
    response = get_as(client, people["supervisor"], detail(placement))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/carers/{placement.carer_id}/"' in html and f'href="/children/{child.pk}/"' in html
    assert child.reference in html and child.given_name in html
    assert html.count('data-testid="visit-row"') == placement.visits.count()
    assert 'data-status="overdue"' in html and 'data-status="scheduled"' in html
    assert 'data-testid="end-placement"' in html and 'data-testid="record-visit"' in html
    read = AuditEntry.objects.get(action=AuditEntry.Action.READ, model="register.Child", object_id=str(child.pk))
    assert read.actor == people["supervisor"]


def test_a_social_worker_reads_their_placement_but_cannot_end_it(client, people, place):
    placement = place()
    html = get_as(client, people["worker"], detail(placement)).content.decode()
    assert 'data-testid="record-visit"' in html and 'data-testid="end-placement"' not in html
    end = reverse("web:placement_end", kwargs={"id": placement.pk})
    assert post_as(client, people["worker"], end, {"end_date": today(), "reason": "moved"}).status_code == 403


def test_someone_elses_or_another_provinces_placement_is_not_found(client, people, place):
    others = place(worker=make_user(Role.SOCIAL_WORKER))
    assert get_as(client, people["worker"], detail(others)).status_code == 404
    far = place(province="12", worker=None)
    assert get_as(client, people["supervisor"], detail(far)).status_code == 404
    end = reverse("web:placement_end", kwargs={"id": far.pk})
    assert post_as(client, people["supervisor"], end, {"end_date": today(), "reason": "moved"}).status_code == 404


def test_ending_a_placement_cancels_its_future_visits(client, people, place):
    placement = place(days_ago=10)
    end = reverse("web:placement_end", kwargs={"id": placement.pk})
    response = post_as(client, people["officer"], end, {"end_date": today().isoformat(), "reason": "reunified"})
    assert response.status_code == 302 and response["Location"] == detail(placement)
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ENDED and placement.end_reason == "reunified"
    assert not placement.visits.filter(state=Visit.State.OPEN).exists()
    html = client.get(detail(placement)).content.decode()
    assert 'data-testid="end-placement"' not in html and "The placement has ended" in html


def test_ending_with_a_bad_date_says_so_beside_the_field(client, people, place):
    placement = place(days_ago=10)
    end = reverse("web:placement_end", kwargs={"id": placement.pk})
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    response = post_as(client, people["supervisor"], end, {"end_date": tomorrow, "reason": "moved"})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'id="id_end_date_error">The end date cannot be in the future', html)
    before = (placement.start_date - datetime.timedelta(days=1)).isoformat()
    html = client.post(end, {"end_date": before, "reason": "moved"}).content.decode()
    assert 'id="id_end_date_error">The end date cannot be before the start date' in html
    html = client.post(end, {"end_date": today().isoformat(), "reason": "bored"}).content.decode()
    assert 'id="id_reason_error"' in html
    placement.refresh_from_db()
    assert placement.status == Placement.Status.ACTIVE


def test_ending_an_ended_placement_is_refused_with_a_message(client, people, place):
    placement = place(days_ago=10)
    placement_end(actor=people["officer"], placement=placement, end_date=today(), reason="moved")
    end = reverse("web:placement_end", kwargs={"id": placement.pk})
    response = post_as(client, people["supervisor"], end, {"end_date": today().isoformat(), "reason": "moved"})
    assert response.status_code == 400 and "This placement has ended already." in response.content.decode()


def test_a_placement_is_given_to_another_social_worker(client, people, place):
    placement = place()
    newcomer = make_user(Role.SOCIAL_WORKER)
    outsider = make_user(Role.SOCIAL_WORKER, provinces=("12",))
    assign = reverse("web:placement_assign", kwargs={"id": placement.pk})
    html = get_as(client, people["supervisor"], detail(placement)).content.decode()
    assert f'value="{newcomer.username}"' in html and f'value="{outsider.username}"' not in html
    response = post_as(client, people["supervisor"], assign, {"social_worker": newcomer.username})
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.social_worker == newcomer
    response = client.post(assign, {"social_worker": outsider.username})
    assert response.status_code == 400 and 'id="id_social_worker_error"' in response.content.decode()
    client.post(assign, {"social_worker": ""})
    placement.refresh_from_db()
    assert placement.social_worker is None


def test_going_back_to_a_filtered_list_gets_the_whole_page(client, people, place):
    place()
    client.force_login(people["supervisor"])
    response = client.get(LIST, {"status": "active"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert response.status_code == 200 and "<html" in response.content.decode()
    assert rows(response.content.decode()) == 1


def test_the_list_pages_keep_the_filters_in_their_links(client, people, place):
    for _ in range(3):
        place()
    html = get_as(client, people["supervisor"], LIST, {"status": "active", "page_size": 2}).content.decode()
    assert rows(html) == 2
    assert 'href="?status=active&amp;page_size=2&amp;page=2"' in html
