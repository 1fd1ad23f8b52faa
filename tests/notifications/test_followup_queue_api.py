import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from notifications.models import Reminder
from register.roles import Role
from register.services.visits import visit_complete
from tests.factories import make_user
from tests.notifications.test_reminder_sweep import sweep_and_deliver

pytestmark = pytest.mark.django_db


def client(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_queue_orders_urgent_escalated_overdue_today_and_week(place, people, any_time):
    long_overdue = place(days_ago=20)  # day-7 visit 13 days overdue: escalated
    overdue = place(days_ago=9)  # 2 days overdue
    today = place(days_ago=7)  # due today
    week = place(days_ago=3)  # due in 4 days
    place(days_ago=0)  # due in 7 days: still this week
    urgent = place(days_ago=40)
    first = urgent.visits.order_by("due_date").first()
    visit_complete(actor=people["worker"], visit=first, visited_on=timezone.localdate(), outcome="urgent")
    supervisor = people["supervisors"][0]
    body = client(supervisor).get("/api/v1/follow-up-queue/", {"page_size": 50}).json()
    priorities = [row["priority"] for row in body["results"]]
    assert priorities == sorted(priorities, key=["urgent", "escalated", "overdue", "due_today", "due_this_week"].index)
    by_placement = {row["placement"]: row for row in body["results"]}
    assert by_placement[str(long_overdue.pk)]["priority"] == "escalated"
    assert by_placement[str(long_overdue.pk)]["days_overdue"] == 13
    assert by_placement[str(overdue.pk)]["priority"] == "overdue"
    assert by_placement[str(today.pk)]["priority"] == "due_today"
    assert by_placement[str(week.pk)]["priority"] == "due_this_week"
    assert body["counts"]["escalated"] >= 2 and body["counts"]["due_today"] == 1
    assert body["counts"]["urgent"] == 1
    assert body["counts"]["overdue"] == sum(1 for p in priorities if p in ("overdue", "escalated"))


def test_failed_deliveries_are_flagged_on_the_queue(place, people, gateway, any_time):
    gateway.always = 400
    worker = people["worker"]
    worker.preferred_channel, worker.phone = "sms", "+85512345678"
    worker.save()
    placement = place(days_ago=9)
    sweep_and_deliver()
    assert Reminder.objects.filter(status="failed").exists()
    body = client(people["supervisors"][0]).get("/api/v1/follow-up-queue/").json()
    row = next(r for r in body["results"] if r["placement"] == str(placement.pk))
    assert row["delivery_failed"] is True and body["counts"]["delivery_failed"] == 1


def test_social_workers_see_only_their_visits_and_others_are_refused(place, people):
    mine = place(days_ago=9)
    other_worker = make_user(Role.SOCIAL_WORKER)
    body = client(other_worker).get("/api/v1/follow-up-queue/").json()
    assert body["results"] == [] and body["counts"]["overdue"] == 0
    rows = client(people["worker"]).get("/api/v1/follow-up-queue/").json()["results"]
    assert {r["placement"] for r in rows} == {str(mine.pk)}
    assert client(people["officer"]).get("/api/v1/follow-up-queue/").status_code == 403
    assert client(make_user(Role.SUPERVISOR, provinces=("12",))).get("/api/v1/follow-up-queue/").json()["results"] == []


def test_queue_filters_and_csv_export(place, people):
    placement = place(days_ago=9)
    place(days_ago=3)
    supervisor = client(people["supervisors"][0])
    rows = supervisor.get("/api/v1/follow-up-queue/", {"days_overdue_min": 2}).json()["results"]
    assert {r["placement"] for r in rows} == {str(placement.pk)}
    rows = supervisor.get("/api/v1/follow-up-queue/", {"social_worker": "nobody"}).json()["results"]
    assert rows == []
    response = supervisor.get("/api/v1/follow-up-queue/", {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("priority,due_date,days_overdue") and len(lines) == 3


def test_notifications_list_is_the_callers_own_and_can_be_marked_read(place, people, any_time):
    place(days_ago=17)
    sweep_and_deliver()
    worker = client(people["worker"])
    rows = worker.get("/api/v1/notifications/").json()["results"]
    assert [r["kind"] for r in rows] == ["visit_overdue"]
    assert rows[0]["read_at"] is None and rows[0]["channel"] == "inbox" and rows[0]["status"] == "sent"
    assert rows[0]["message"].startswith("Follow-up visit")
    read = worker.post(f"/api/v1/notifications/{rows[0]['id']}/read/").json()
    assert read["read_at"] is not None
    assert worker.get("/api/v1/notifications/", {"unread": "true"}).json()["results"] == []
    other = client(people["supervisors"][0])
    assert other.post(f"/api/v1/notifications/{rows[0]['id']}/read/").status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/follow-up-queue/", "/api/v1/notifications/"])
def test_lists_answer_in_a_fixed_number_of_queries(place, people, any_time, django_assert_max_num_queries, path):
    for _ in range(6):
        place(days_ago=17)
    sweep_and_deliver()
    supervisor = client(people["supervisors"][0])
    supervisor.get(path)  # the first request also reads the user's role and provinces
    with django_assert_max_num_queries(12) as small:
        assert supervisor.get(path, {"page_size": 2}).status_code == 200
    with django_assert_max_num_queries(12) as large:
        assert len(supervisor.get(path, {"page_size": 50}).json()["results"]) >= 6
    assert len(small.captured_queries) == len(large.captured_queries)
