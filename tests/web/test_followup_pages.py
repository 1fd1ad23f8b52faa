"""The supervisor's follow-up queue page: who may open it, the order and counts, the filters (the
API's QueueFilter), its spreadsheet export (the API's CSV) and a bounded number of queries."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Kind, Reminder
from register.roles import Role
from register.services.placements import placement_create
from register.services.visits import visit_complete
from tests.factories import CarerFactory, ChildFactory, first_commune_in, make_user

pytestmark = pytest.mark.django_db

QUEUE = reverse("web:followup_queue")
EXPORT = reverse("web:followup_export")
HEADER = (
    "priority,due_date,days_overdue,status,province,district,carer,placement,social_worker,delivery_failed,id,"
    "priority_label,status_label,family_reference,household,primary_carer,phone,district_name,children,"
    "social_worker_name"
)


@pytest.fixture
def place(people):
    """place(days_ago) -> a placement in 02 started that many days ago, followed by the worker."""

    def make(days_ago: int = 0, *, worker=None, carer=None):
        return placement_create(
            actor=people["officer"],
            carer=carer or CarerFactory(),
            children=[ChildFactory()],
            start_date=timezone.localdate() - datetime.timedelta(days=days_ago),
            care_type="long_term",
            social_worker=worker or people["worker"],
        )

    return make


def page_as(client, user, url=QUEUE, data=None, **extra):
    client.force_login(user)
    return client.get(url, data or {}, **extra)


def count_tile(html: str, name: str) -> int:
    match = re.search(rf'data-testid="queue-count-{name}"><span class="num">(\d+)</span>', html)
    assert match, name
    return int(match.group(1))


def priorities(html: str) -> list[str]:
    return re.findall(r'data-testid="queue-row" data-priority="(\w+)"', html)


def test_a_registrar_or_an_officer_is_refused_and_a_stranger_sent_to_log_in(client, people):
    assert page_as(client, make_user(Role.REGISTRAR)).status_code == 403
    assert page_as(client, people["officer"]).status_code == 403
    assert page_as(client, people["officer"], EXPORT).status_code == 403
    client.logout()
    response = client.get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))


def test_the_queue_is_most_urgent_first_with_its_counts(client, people, place):
    escalated = place(days_ago=20)  # the day-7 visit is 13 days overdue
    place(days_ago=9)  # 2 days overdue
    place(days_ago=7)  # due today
    place(days_ago=3)  # due in 4 days
    urgent = place(days_ago=40)
    first = urgent.visits.order_by("due_date").first()
    visit_complete(actor=people["worker"], visit=first, visited_on=timezone.localdate(), outcome="urgent")

    response = page_as(client, people["supervisor"])
    assert response.status_code == 200
    html = response.content.decode()
    order = priorities(html)
    assert order[0] == "urgent" and order == sorted(
        order, key=["urgent", "escalated", "overdue", "due_today", "due_this_week"].index
    )
    assert {"escalated", "overdue", "due_today", "due_this_week"} <= set(order)
    assert count_tile(html, "urgent") == 1
    assert count_tile(html, "due-today") == 1
    assert count_tile(html, "escalated") == order.count("escalated")
    assert count_tile(html, "overdue") == order.count("escalated") + order.count("overdue")
    assert count_tile(html, "due-this-week") == order.count("due_this_week")
    assert escalated.carer.reference in html
    assert f"/carers/{escalated.carer_id}/" in html


def test_a_social_worker_sees_only_their_own_visits(client, people, place):
    mine = place(days_ago=9)
    other = place(days_ago=9, worker=make_user(Role.SOCIAL_WORKER))
    html = page_as(client, people["worker"]).content.decode()
    assert mine.carer.reference in html and other.carer.reference not in html


def test_a_supervisor_of_another_province_sees_nothing_of_this_one(client, place):
    placement = place(days_ago=9)
    html = page_as(client, make_user(Role.SUPERVISOR, provinces=("12",))).content.decode()
    assert placement.carer.reference not in html and priorities(html) == []


def test_filters_narrow_the_queue_and_keep_the_tiles(client, people, place):
    overdue = place(days_ago=9)
    soon = place(days_ago=3)
    supervisor = people["supervisor"]
    html = page_as(client, supervisor, data={"days_overdue_min": 2}).content.decode()
    assert overdue.carer.reference in html and soon.carer.reference not in html
    # The tiles count the queue without the priority filters, so each keeps its number.
    assert count_tile(html, "due-this-week") == 1

    html = page_as(client, supervisor, data={"priority": "due_this_week"}).content.decode()
    assert priorities(html) == ["due_this_week"] and soon.carer.reference in html

    html = page_as(client, supervisor, data={"social_worker": "nobody-by-that-name"}).content.decode()
    assert priorities(html) == [] and 'data-testid="queue-empty"' in html

    html = page_as(client, supervisor, data={"district": overdue.carer.district_id}).content.decode()
    assert overdue.carer.reference in html


def test_the_province_filter_for_someone_with_several_provinces(client, people, place):
    supervisor = make_user(Role.SUPERVISOR, provinces=("02", "12"))
    in_02 = place(days_ago=9)
    worker_12 = make_user(Role.SOCIAL_WORKER, provinces=("12",))
    in_12 = place(days_ago=9, worker=worker_12, carer=CarerFactory(commune=first_commune_in("12")))
    html = page_as(client, supervisor).content.decode()
    assert in_02.carer.reference in html and in_12.carer.reference in html
    assert 'name="province"' in html  # offered only to someone with more than one province
    html = page_as(client, supervisor, data={"province": "12"}).content.decode()
    assert in_12.carer.reference in html and in_02.carer.reference not in html
    assert 'name="province"' not in page_as(client, people["supervisor"]).content.decode()


def test_a_wrong_filter_value_is_shown_beside_its_control_not_a_500(client, people, place):
    place(days_ago=9)
    response = page_as(client, people["supervisor"], data={"priority": "whenever", "days_overdue_min": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_priority_error"' in html and 'id="id_days_overdue_min_error"' in html


def test_htmx_gets_only_the_results_to_swap_in(client, people, place):
    place(days_ago=9)
    response = page_as(client, people["supervisor"], data={"priority": "overdue"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'data-testid="queue-count-overdue"' in html and priorities(html) == ["overdue"]


def test_failed_deliveries_are_flagged_and_counted(client, people, place):
    placement = place(days_ago=9)
    visit = placement.visits.order_by("due_date").first()
    now = timezone.now()
    Reminder.objects.create(
        kind=Kind.VISIT_OVERDUE,
        visit=visit,
        province_id="02",
        due_at=now,
        next_attempt_at=now,
        status=Reminder.Status.FAILED,
        attempts=5,
    )
    place(days_ago=3)
    html = page_as(client, people["supervisor"]).content.decode()
    assert count_tile(html, "delivery-failed") == 1
    assert html.count('data-testid="queue-delivery-failed"') == 1
    html = page_as(client, people["supervisor"], data={"delivery_failed": "true"}).content.decode()
    assert priorities(html) == ["overdue"]


def test_the_export_is_the_apis_csv_of_the_filtered_queue(client, people, place):
    overdue = place(days_ago=9)
    place(days_ago=3)
    supervisor = people["supervisor"]
    page_html = page_as(client, supervisor, data={"days_overdue_min": 2}).content.decode()
    assert f'href="{EXPORT}?days_overdue_min=2"' in page_html

    response = page_as(client, supervisor, EXPORT, data={"days_overdue_min": 2})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="follow-up-queue.csv"'
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0] == HEADER
    assert len(lines) == 2 and str(overdue.pk) in lines[1] and lines[1].startswith("overdue,")

    api = page_as(client, supervisor, "/api/v1/follow-up-queue/", data={"days_overdue_min": 2, "format": "csv"})
    assert api.content == response.content  # one copy of the CSV logic

    everything = page_as(client, supervisor, EXPORT).content.decode("utf-8-sig").strip().splitlines()
    assert len(everything) == 3


def test_the_queue_answers_in_a_fixed_number_of_queries(client, people, place, django_assert_max_num_queries):
    for days_ago in (20, 9, 9, 7, 3, 3):
        place(days_ago=days_ago)
    supervisor = people["supervisor"]
    page_as(client, supervisor)  # the first request also reads the session and the user's groups
    with django_assert_max_num_queries(20) as small:
        assert len(priorities(client.get(QUEUE, {"page_size": 2}).content.decode())) == 2
    with django_assert_max_num_queries(20) as large:
        assert len(priorities(client.get(QUEUE, {"page_size": 50}).content.decode())) == 6
    assert len(small.captured_queries) == len(large.captured_queries)


def test_the_queue_is_paginated(client, people, place):
    for _ in range(3):
        place(days_ago=9)
    html = page_as(client, people["supervisor"], data={"page_size": 2}).content.decode()
    assert len(priorities(html)) == 2 and 'data-testid="page-next"' in html
    html = client.get(QUEUE, {"page_size": 2, "page": 2}).content.decode()
    assert len(priorities(html)) == 1 and 'data-testid="page-previous"' in html


def test_an_absurd_number_of_days_is_refused_not_a_500(client, people, place):
    place(days_ago=9)
    response = page_as(client, people["supervisor"], data={"days_overdue_min": "99999999999"})
    assert response.status_code == 200 and 'id="id_days_overdue_min_error"' in response.content.decode()
    assert page_as(client, people["supervisor"], EXPORT, data={"days_overdue_min": "99999999999"}).status_code == 200
    # The API ignores the value as the page does (it used to overflow the date arithmetic).
    assert client.get("/api/v1/follow-up-queue/", {"days_overdue_min": "99999999999"}).status_code == 200


def test_going_back_to_a_filtered_queue_gets_the_whole_page(client, people, place):
    # htmx sends HX-Request on a history restore too, and wants the whole page then.
    response = page_as(
        client,
        people["supervisor"],
        data={"priority": "overdue"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert response.status_code == 200 and "<html" in response.content.decode()


def test_a_bad_page_or_page_size_gives_a_page_not_a_500(client, people, place):
    for query in ({"page": "last"}, {"page_size": "all"}, {"page_size": "-3"}, {"page_size": "9" * 30}):
        response = page_as(client, people["supervisor"], data=query)
        assert response.status_code == 200, query
