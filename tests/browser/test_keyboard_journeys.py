"""Three journeys with the keyboard only (Tab, Shift+Tab, Enter, Space), asserting where the focus is after
each step, and that every control the focus stops on shows a ring at 3:1 or more (tests/browser/a11y.py):
logging in (a wrong password first), recording a visit (sent once without an outcome), and placing a child
from a match. Desktop width, in English (the keys and the focus do not change with the language; the
accessibility scans run in both)."""

import re

import pytest
from django.core.management import call_command

from matching.services import match_run_create
from notifications.models import Notification
from register.models import Placement, Visit
from register.roles import Role
from tests.browser.a11y import WithoutServiceWorkers, assert_focus_ring, focused, tab_to
from tests.browser.conftest import VARIANTS, Browser
from tests.factories import PASSWORD, CarerFactory, ChildFactory, make_user
from tests.register.placements_factories import days, place, today


@pytest.fixture(params=["desktop-en"])
def variant(request):
    return next(v for v in VARIANTS if v.id == request.param)


@pytest.fixture(autouse=True)
def reminders_at_any_hour(settings):
    settings.REMINDER_WORKING_HOURS = "00:00-24:00"


@pytest.fixture
def anonymous(chromium, site, variant, transactional_db):
    browsers: list[Browser] = []

    def open_one() -> Browser:
        browsers.append(Browser(WithoutServiceWorkers(chromium), site, variant))
        return browsers[-1]

    yield open_one
    for browser in browsers:
        browser.close()


def test_log_in_with_the_keyboard(anonymous):
    user = make_user(Role.REGISTRAR)
    browser = anonymous()
    page = browser.go("/login/")

    # The page opens on the user name (autofocus); back from there, the first stop is the skip link, and
    # Enter on it takes the next Tab into the page's content.
    page.wait_for_function("() => document.activeElement.matches('input[name=username]')")
    tab_to(page, "a.skip", back=True, limit=6)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focused(page, "input[name=username]")
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    assert focused(page, "input[name=password]")
    page.keyboard.type("not the password")
    page.keyboard.press("Enter")

    # Refused: the page comes back with the focus on what went wrong, read out at once.
    page.wait_for_load_state()
    page.locator("[data-error-summary]").wait_for()
    page.wait_for_function("() => document.activeElement.matches('[data-error-summary]')")
    assert page.locator("[data-error-summary]").get_attribute("role") == "alert"
    page.keyboard.press("Tab")
    assert focused(page, "input[name=username]")
    assert page.locator("input[name=username]").input_value() == user.username
    page.keyboard.press("Tab")
    assert focused(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.locator("[data-testid=logout]").wait_for(state="attached")
    assert not page.url.endswith("/login/")

    # The account menu opens from the keyboard, and "Log out" can be seen on the top bar.
    tab_to(page, "details.account > summary")
    page.keyboard.press("Enter")
    summary = page.locator("details.account > summary")
    assert summary.evaluate("s => getComputedStyle(s).color") == "rgb(255, 255, 255)"  # not the top bar's blue
    tab_to(page, "[data-testid=two-factor-link]")
    tab_to(page, "[data-testid=logout]")
    assert page.locator("[data-testid=logout]").is_visible()


def test_record_a_visit_with_the_keyboard(anonymous):
    worker = make_user(Role.SOCIAL_WORKER)
    placement = place(social_worker=worker, start_date=today() - days(10))  # the day-7 visit is overdue
    call_command("run_reminder_sweep")  # the worker is told of it
    browser = anonymous()
    browser.log_in(worker)
    page = browser.go("/visits/")

    tab_to(page, "[data-testid=my-visit][data-status=overdue] [data-testid=record-visit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/visits/[0-9a-f-]{36}/record/$"))

    # Sent without an outcome: the page comes back (a full load) with the focus on the error summary,
    # whose link takes the focus to the field.
    tab_to(page, "[data-testid=visit-save]")
    page.keyboard.press("Enter")
    page.locator("[data-error-summary]").wait_for()
    browser.console_errors[:] = [e for e in browser.console_errors if "status of 400" not in e]  # the form's 400
    page.wait_for_function("() => document.activeElement.matches('[data-error-summary]')")
    page.keyboard.press("Tab")
    assert focused(page, "[data-error-summary] a[href='#id_outcome_0']")
    assert_focus_ring(page)
    page.keyboard.press("Enter")
    assert focused(page, "#id_outcome_0")
    # The radios are one group named by its legend, its error tied to it.
    group = page.locator("fieldset:has(#id_outcome_0)")
    assert "id_outcome_error" in group.get_attribute("aria-describedby")
    page.keyboard.press("Space")
    assert page.locator("#id_outcome_0").is_checked()
    tab_to(page, "textarea[name=notes]")
    page.keyboard.type("All well; the children are at school.")
    tab_to(page, "[data-testid=visit-save]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/visits/(\?.*)?$"))
    visit = Visit.objects.get(placement=placement, sequence=1)
    assert visit.state == Visit.State.COMPLETED and visit.outcome == Visit.Outcome.SETTLED

    # "Mark as read" is swapped away by htmx: the focus stays in the notification, on its new state.
    page = browser.go("/notifications/")
    assert Notification.objects.filter(recipient=worker, read_at__isnull=True).exists()
    row = page.locator("[data-testid=notification-row][data-read=false]").first
    row_id = row.get_attribute("id")
    tab_to(page, f"#{row_id} [data-testid=notification-read]")
    page.keyboard.press("Enter")
    page.locator(f"#{row_id}[data-read=true]").wait_for()
    page.wait_for_function(f"() => document.activeElement.closest('#{row_id}') !== null")
    assert focused(page, f"#{row_id} [data-testid=notification-is-read]")


def test_place_from_a_match_with_the_keyboard(anonymous):
    officer = make_user(Role.PLACEMENT_OFFICER)
    child = ChildFactory(given_name="Dara", family_name="Sok")
    CarerFactory(household_name="Chan household")
    CarerFactory(household_name="Keo household")
    run = match_run_create(actor=officer, child=child)
    first = run.candidates[0]
    browser = anonymous()
    browser.log_in(officer)
    page = browser.go(f"/match/{run.pk}/")

    # Every box and link of a family says which family it is.
    name = page.locator(f"[data-carer='{first['carer']}'] .who strong").inner_text()
    place_link = (
        page.get_by_role("link", name=re.compile(rf"Place with this family\W+{re.escape(name)}"))
        if browser.variant.language == "en"
        else page.locator(f"[data-carer='{first['carer']}'] [data-testid=place-button]")
    )
    assert name in place_link.inner_text()
    assert page.get_by_role("checkbox", name=re.compile(re.escape(name))).count() == 1

    # Tick two families to compare with Space, then go on to the first family's "Place" link.
    tab_to(page, "[data-testid=compare-pick]")
    page.keyboard.press("Space")
    assert page.get_by_test_id("compare-pick").first.is_checked()
    tab_to(page, f"[data-carer='{first['carer']}'] [data-testid=place-button]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/place/[0-9a-f-]{36}/$"))
    tab_to(page, "[data-testid=place-confirm]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/placements/[0-9a-f-]{36}/$"))
    placement = Placement.objects.get()
    assert str(placement.carer_id) == str(first["carer"]) and list(placement.children.all()) == [child]
