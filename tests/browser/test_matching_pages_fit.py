"""The officer's matching pages in a real browser, at a phone's 360 px and on a desktop: three
families compared (every one reachable), the worklist's outcome buttons answered in place, and a
plan's count of confirmations updated after each one without a reload."""

import re

from matching.services import match_run_create
from register.models import Carer, Institution
from register.roles import Role
from tests.factories import CarerFactory, ChildFactory, InstitutionFactory


def test_three_families_compared_and_called_from_the_worklist(browser_as, variant):
    child = ChildFactory(given_name="Dara", family_name="Sok")
    families = [CarerFactory(household_name=f"Household number {i} with a long name") for i in range(3)]
    browser = browser_as(Role.PLACEMENT_OFFICER)
    page = browser.page
    if variant.width == "phone":
        page.set_viewport_size({"width": 360, "height": 740})
    run = match_run_create(actor=browser.user, child=child)

    browser.go(f"/match/{run.pk}/")
    browser.assert_fits_the_screen()
    rows = page.get_by_test_id("candidate-row")
    assert rows.count() == 3
    # Bars per factor, coloured by their effect, with a sentence each.
    assert rows.first.locator("[data-testid=contribution]").count() >= 7
    # The worklist: a call recorded in place (htmx), the family's outcome shown at once.
    first = rows.first
    assert first.get_by_test_id("call-link").get_attribute("href").startswith("tel:+855")
    first.get_by_test_id("outreach-note").fill("Asked to call back on Monday")
    first.get_by_test_id("outreach-contacted").click()
    page.locator(f"#outreach-{first.get_attribute('data-carer')}[data-outcome=contacted]").wait_for()
    assert "Asked to call back on Monday" in first.get_by_test_id("outreach-history").inner_text()
    assert run.outreach.count() == 1

    query = "&".join(f"carer={f.pk}" for f in families)
    browser.go(f"/match/{run.pk}/compare/?{query}")
    browser.assert_language()
    browser.assert_fits_the_screen()
    columns = page.get_by_test_id("compare-column")
    assert columns.count() == 3
    width = page.viewport_size["width"]
    tops = []
    for i in range(3):
        column = columns.nth(i)
        column.scroll_into_view_if_needed()
        box = column.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, f"family {i} is cut off at {width}px"
        assert column.get_by_test_id("place-button").is_visible()
        tops.append(round(column.evaluate("e => e.getBoundingClientRect().top + window.scrollY")))
    if variant.width == "phone":
        assert tops == sorted(tops) and len(set(tops)) == 3  # one under the other
    else:
        assert len(set(tops)) == 1  # side by side


def test_a_plans_counts_follow_each_confirmation(browser_as, variant):
    home = InstitutionFactory(name="Hope Centre", status=Institution.Status.CLOSING)
    ChildFactory.create_batch(2, institution=home)
    CarerFactory.create_batch(2, status=Carer.Status.APPROVED, max_children=1)
    browser = browser_as(Role.PLACEMENT_OFFICER)
    page = browser.page
    browser.go("/batch-plans/")
    page.get_by_test_id("batch-institution").select_option(str(home.pk))
    page.get_by_test_id("batch-create").click()
    page.wait_for_url(re.compile(r".*/batch-plans/[0-9a-f-]{36}/$"))
    browser.assert_fits_the_screen()
    proposals = page.get_by_test_id("proposal-row")
    assert proposals.count() == 2
    assert page.get_by_test_id("plan-confirmed").inner_text().strip() == "0 / 2"
    proposals.nth(0).get_by_test_id("proposal-confirm").click()
    page.locator("#proposal-0 [data-testid=proposal-confirmed]").wait_for()
    assert page.get_by_test_id("plan-confirmed").inner_text().strip() == "1 / 2"
    proposals.nth(1).get_by_test_id("proposal-confirm").click()
    page.locator("#proposal-1 [data-testid=proposal-confirmed]").wait_for()
    assert page.get_by_test_id("plan-confirmed").inner_text().strip() == "2 / 2"
