"""The placement officer's main journey in a real browser: from a waiting child to the families
ranked for it, why one was left out, two compared side by side, and the placement made with one
confirmation; then a plan for a closing institution, its proposals confirmed one by one."""

import re

from register.models import Carer, Institution, Placement
from register.roles import Role
from tests.factories import CarerFactory, ChildFactory, InstitutionFactory


def test_rank_explain_compare_and_place(browser_as, variant):
    child = ChildFactory(given_name="Dara", family_name="Sok")
    near, other = CarerFactory(household_name="Chan household"), CarerFactory(household_name="Keo household")
    CarerFactory(household_name="Girls household", sexes_accepted=["female"])  # left out: the child is a boy
    browser = browser_as(Role.PLACEMENT_OFFICER)
    page = browser.page

    browser.go("/children/")
    browser.assert_language()
    browser.assert_fits_the_screen()
    page.get_by_test_id("child-link").filter(has_text=child.reference).click()
    browser.assert_language()
    page.get_by_test_id("find-families").click()  # ranks the families at once
    page.wait_for_url(re.compile(r".*/match/[0-9a-f-]{36}/$"))
    browser.assert_language()
    browser.assert_fits_the_screen()

    rows = page.get_by_test_id("candidate-row")
    assert rows.count() == 2
    # Score bars carry a number the browser can read in either language (no "0,83" in Khmer).
    assert re.fullmatch(r"\d+", rows.first.locator("meter").first.get_attribute("value"))
    assert {rows.nth(i).get_attribute("data-carer") for i in range(2)} == {str(near.pk), str(other.pk)}
    assert page.locator("[data-testid=exclusion-reason][data-code=sex_not_accepted]").count() == 1

    # Why was that family left out? Asked for one family, answered in place (htmx).
    page.get_by_test_id("explain-search").fill("Girls household")
    page.get_by_test_id("explain-submit").click()
    page.get_by_test_id("explain-excluded").first.wait_for()

    # Two families side by side.
    page.get_by_test_id("compare-pick").nth(0).check()
    page.get_by_test_id("compare-pick").nth(1).check()
    page.get_by_test_id("compare-submit").click()
    assert page.get_by_test_id("compare-column").count() == 2
    browser.assert_language()
    page.go_back()

    first = rows.first.get_attribute("data-carer")
    rows.first.get_by_test_id("place-button").click()
    page.get_by_test_id("place-confirm").click()
    page.wait_for_url(re.compile(r".*/placements/[0-9a-f-]{36}/$"))
    browser.assert_language()
    placement = Placement.objects.get()
    assert str(placement.carer_id) == first
    assert list(placement.children.all()) == [child]


def test_plan_a_closing_institution_and_confirm_a_proposal(browser_as, variant):
    home = InstitutionFactory(name="Hope Centre", status=Institution.Status.CLOSING)
    ChildFactory.create_batch(2, institution=home)
    CarerFactory.create_batch(2, status=Carer.Status.APPROVED)
    browser = browser_as(Role.PLACEMENT_OFFICER)
    page = browser.page

    browser.go("/batch-plans/")
    browser.assert_language()
    page.get_by_test_id("batch-institution").select_option(str(home.pk))
    page.get_by_test_id("batch-create").click()
    page.wait_for_url(re.compile(r".*/batch-plans/[0-9a-f-]{36}/$"))
    # Tests run Celery in-process, so the plan is done by the time the page shows.
    assert page.get_by_test_id("plan-body").get_attribute("data-status") == "done"
    browser.assert_language()
    browser.assert_fits_the_screen()
    proposals = page.get_by_test_id("proposal-row")
    assert proposals.count() >= 1
    proposals.first.get_by_test_id("proposal-confirm").click()
    page.get_by_test_id("proposal-confirmed").first.wait_for()
    assert Placement.objects.count() == 1
