"""My notifications: the caller's own inbox, unread first, marked as read with htmx or a plain POST
(the same service as the API), and never another person's."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from register.roles import Role
from register.services.placements import placement_create
from tests.factories import CarerFactory, ChildFactory, make_user
from tests.notifications.test_reminder_sweep import sweep_and_deliver

pytestmark = pytest.mark.django_db

INBOX = reverse("web:notifications")


@pytest.fixture
def people(settings):
    settings.REMINDER_WORKING_HOURS = "00:00-24:00"
    return {
        "officer": make_user(Role.PLACEMENT_OFFICER),
        "worker": make_user(Role.SOCIAL_WORKER, preferred_language="en"),
        "supervisor": make_user(Role.SUPERVISOR, preferred_language="en"),
    }


@pytest.fixture
def overdue(people):
    """overdue(n) -> n placements whose first visit is 10 days overdue, and the sweep run: the
    worker gets `visit_overdue` for each, the supervisor `visit_escalated`."""

    def make(n: int = 1):
        placements = [
            placement_create(
                actor=people["officer"],
                carer=CarerFactory(),
                children=[ChildFactory()],
                start_date=timezone.localdate() - datetime.timedelta(days=17),
                care_type="long_term",
                social_worker=people["worker"],
            )
            for _ in range(n)
        ]
        sweep_and_deliver()
        return placements

    return make


def read_url(note) -> str:
    return reverse("web:notification_read", kwargs={"id": note.pk})


def rows(html: str) -> list[str]:
    return re.findall(r'data-testid="notification-row" data-read="(\w+)"', html)


def unread_count(html: str) -> int:
    return int(re.search(r'data-testid="unread-count" data-count="(\d+)"', html).group(1))


def test_the_inbox_lists_the_callers_own_with_links_to_the_visit(client, people, overdue):
    (placement,) = overdue()
    client.force_login(people["worker"])
    response = client.get(INBOX)
    assert response.status_code == 200
    html = response.content.decode()
    assert rows(html) == ["false"] and unread_count(html) == 1
    assert f"Follow-up visit to family {placement.carer.reference} is overdue" in html
    visit = placement.visits.order_by("due_date").first()
    assert reverse("web:visit_record", kwargs={"id": visit.pk}) in html
    assert reverse("web:placement_detail", kwargs={"id": placement.pk}) in html

    client.force_login(people["supervisor"])
    html = client.get(INBOX).content.decode()
    assert rows(html) == ["false"] and "Escalated" in html


def test_marking_read_with_htmx_swaps_the_row_and_the_count(client, people, overdue):
    overdue(2)
    note = Notification.objects.filter(recipient=people["worker"]).first()
    client.force_login(people["worker"])
    response = client.post(read_url(note), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert rows(html) == ["true"] and 'data-testid="notification-read"' not in html
    assert 'hx-swap-oob="true"' in html and unread_count(html) == 1
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_plain_post_marks_read_and_comes_back_and_unread_stay_first(client, people, overdue):
    overdue(3)
    notes = list(Notification.objects.filter(recipient=people["worker"]).order_by("-created_at"))
    client.force_login(people["worker"])
    response = client.post(read_url(notes[0]), {"next": INBOX + "?page=1"})
    assert response.status_code == 302 and response["Location"] == INBOX + "?page=1"
    html = client.get(INBOX).content.decode()
    assert rows(html) == ["false", "false", "true"] and unread_count(html) == 2
    assert rows(client.get(INBOX, {"unread": "1"}).content.decode()) == ["false", "false"]
    # A `next` that leaves the site is not followed.
    response = client.post(read_url(notes[1]), {"next": "https://elsewhere.example/"})
    assert response["Location"] == INBOX


def test_another_persons_notification_is_not_found(client, people, overdue):
    overdue()
    note = Notification.objects.get(recipient=people["worker"])
    client.force_login(people["supervisor"])
    assert client.post(read_url(note)).status_code == 404
    assert client.get(read_url(note)).status_code == 405
    note.refresh_from_db()
    assert note.read_at is None
    client.logout()
    assert client.post(read_url(note)).status_code == 302  # to the login page


def test_an_empty_inbox_says_so(client, people):
    client.force_login(make_user(Role.REGISTRAR))
    html = client.get(INBOX).content.decode()
    assert 'data-testid="notifications-empty"' in html and unread_count(html) == 0


def test_the_inbox_is_paginated_in_a_fixed_number_of_queries(client, people, overdue, django_assert_max_num_queries):
    overdue(4)
    client.force_login(people["worker"])
    client.get(INBOX)
    with django_assert_max_num_queries(15) as captured:
        assert len(rows(client.get(INBOX).content.decode())) == 4
    overdue(3)
    with django_assert_max_num_queries(15) as more:
        assert len(rows(client.get(INBOX).content.decode())) == 7
    assert len(captured.captured_queries) == len(more.captured_queries)


def test_the_inbox_pages_on(client, people, overdue, monkeypatch):
    monkeypatch.setattr("web.views.notifications.PAGE_SIZE", 2)
    overdue(3)
    client.force_login(people["worker"])
    html = client.get(INBOX).content.decode()
    assert len(rows(html)) == 2 and 'data-testid="page-next"' in html
    html = client.get(INBOX, {"page": 2}).content.decode()
    assert len(rows(html)) == 1 and 'data-testid="page-previous"' in html
