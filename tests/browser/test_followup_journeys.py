"""The follow-up journeys in a real browser. The social worker, phone first: my visits, record one
in a few taps, my notifications. The supervisor: the queue with its counts, a filter, the CSV
export, a placement with its visits, and ending it."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from notifications.models import Notification
from register.models import Placement, Visit
from register.roles import Role
from tests.factories import make_user
from tests.register.placements_factories import days, place, today


@pytest.fixture(autouse=True)
def reminders_at_any_hour(settings):
    settings.REMINDER_WORKING_HOURS = "00:00-24:00"


def test_social_worker_records_an_urgent_visit_and_reads_notifications(browser_as, variant):
    worker = make_user(Role.SOCIAL_WORKER)
    supervisor = make_user(Role.SUPERVISOR)
    placement = place(social_worker=worker, start_date=today() - days(10))  # the day-7 visit is overdue
    call_command("run_reminder_sweep")  # the worker is told of the overdue visit
    browser = browser_as(user=worker)
    page = browser.page

    browser.go("/visits/")
    browser.assert_language()
    browser.assert_fits_the_screen()
    assert page.locator("[data-testid=my-visit][data-status=overdue]").count() == 1
    page.locator("[data-testid=my-visit][data-status=overdue]").get_by_test_id("record-visit").click()
    browser.assert_language()
    browser.assert_fits_the_screen()
    page.get_by_test_id("outcome-urgent").check()
    page.fill("textarea[name=notes]", "The child has a burn on the arm.")
    page.get_by_test_id("visit-save").click()
    page.wait_for_url(re.compile(r".*/visits/(\?.*)?$"))
    visit = Visit.objects.get(placement=placement, sequence=1)
    assert visit.state == Visit.State.COMPLETED and visit.outcome == Visit.Outcome.URGENT
    # The supervisors are told at once.
    assert Notification.objects.filter(recipient=supervisor, kind="visit_urgent").exists()

    browser.go("/notifications/")
    browser.assert_language()
    unread = page.locator("[data-testid=notification-row][data-read=false]")
    assert unread.count() == 1
    unread.first.get_by_test_id("notification-read").click()
    page.locator("[data-testid=notification-row][data-read=true]").first.wait_for()
    assert page.get_by_test_id("unread-count").get_attribute("data-count") == "0"


def test_supervisor_works_the_queue_exports_it_and_ends_a_placement(browser_as, variant):
    overdue = place(start_date=today() - days(40))  # visits at day 7 and 30 overdue
    place(start_date=today() - days(3))  # its first visit is due this week
    browser = browser_as(Role.SUPERVISOR)
    page = browser.page

    browser.go("/follow-up/")
    browser.assert_language()
    browser.assert_fits_the_screen()
    assert page.get_by_test_id("queue-count-overdue").locator(".num").inner_text() == "2"
    assert page.get_by_test_id("queue-row").count() == 3

    page.get_by_test_id("queue-count-overdue").click()
    expect(page.get_by_test_id("queue-row")).to_have_count(2)

    with page.expect_download() as download:
        page.get_by_test_id("queue-export").click()
    lines = open(download.value.path(), encoding="utf-8-sig").read().splitlines()  # noqa: SIM115
    assert len(lines) == 3  # the header and the two overdue visits

    browser.go(f"/placements/{overdue.pk}/")
    browser.assert_language()
    browser.assert_fits_the_screen()
    assert page.get_by_test_id("visit-row").count() >= 4
    page.get_by_test_id("end-placement-form").locator("xpath=ancestor::details/summary").click()
    page.fill("input[name=end_date]", today().isoformat())
    page.locator("select[name=reason]").select_option("reunified")
    page.get_by_test_id("end-placement").click()
    page.wait_for_load_state()
    overdue.refresh_from_db()
    assert overdue.status == Placement.Status.ENDED
