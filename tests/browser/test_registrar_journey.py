"""The registrar's main journey in a real browser: find a family, register a new one through the
step-by-step form (a wrong value is shown beside its field), see what approval still needs, and
import families from a spreadsheet: dry run first, then the import with its progress bar."""

import re

from playwright.sync_api import expect

from register.models import Carer
from register.roles import Role
from tests.factories import CarerFactory
from tests.register.imports_factories import csv_bytes, import_row


def choose_first(page, name: str) -> None:
    """Pick the first real option of a select that htmx fills when the level above changes."""
    select = page.locator(f"select[name={name}]")
    select.locator("option").nth(1).wait_for(state="attached")
    value = select.locator("option").nth(1).get_attribute("value")
    select.select_option(value)
    page.wait_for_load_state("networkidle")  # the level below is replaced when the answer comes


def test_find_register_and_see_what_approval_needs(browser_as, variant):
    known = CarerFactory(household_name="Sok household")
    CarerFactory.create_batch(3)
    browser = browser_as(Role.REGISTRAR)
    page = browser.page

    browser.go("/carers/")
    browser.assert_language()
    browser.assert_fits_the_screen()
    assert page.get_by_test_id("carer-row").count() == 4
    page.fill("input[name=search]", known.reference)
    page.get_by_test_id("filter-submit").click()
    expect(page.get_by_test_id("carer-row")).to_have_count(1)

    page.get_by_test_id("carer-add").click()
    # Step 1: a phone that is not Cambodian stays on the step, with the message beside the field.
    page.fill("input[name=household_name]", "Meas household")
    page.fill("input[name=given_name]", "Srey")
    page.fill("input[name=family_name]", "Meas")
    page.check("input[name=sex][value=female]")
    page.fill("input[name=date_of_birth]", "1985-03-04")
    page.fill("input[name=phone]", "12")
    page.get_by_test_id("step-next").click()
    page.locator(".field.has-error input[name=phone]").wait_for()
    assert page.get_by_test_id("carer-form").get_attribute("data-step") == "person"
    browser.assert_language()
    page.fill("input[name=phone]", "012 345 678")
    page.get_by_test_id("step-next").click()
    # Step 2: where they live; each list fills when the level above is chosen.
    page.locator("[data-testid=carer-form][data-step=place]").wait_for()
    page.locator("select[name=province]").select_option("02")
    page.wait_for_load_state("networkidle")
    choose_first(page, "district")
    choose_first(page, "commune")
    page.get_by_test_id("step-next").click()
    # Step 3: the household (nobody else here).
    page.locator("[data-testid=carer-form][data-step=household]").wait_for()
    page.get_by_test_id("step-next").click()
    # Step 4: what they can offer.
    page.locator("[data-testid=carer-form][data-step=offer]").wait_for()
    browser.assert_fits_the_screen()
    page.fill("input[name=max_children]", "2")
    page.fill("input[name=age_min]", "3")
    page.fill("input[name=age_max]", "12")
    page.fill("input[name=max_sibling_group]", "2")
    page.check("input[name=sexes_accepted][value=female]")
    page.check("input[name=sexes_accepted][value=male]")
    page.check("input[name=care_types][value=long_term]")
    page.check("input[name=languages][value=km]")
    page.locator("select[name=religion]").select_option("buddhism")
    page.locator("select[name=ethnicity]").select_option("khmer")
    page.get_by_test_id("carer-save").click()
    page.wait_for_url(re.compile(r".*/carers/[0-9a-f-]{36}/$"))
    browser.assert_language()
    carer = Carer.objects.get(household_name="Meas household")
    assert carer.phone == "+85512345678" and carer.status == Carer.Status.ENQUIRY

    # Approval is refused with the list of what is missing.
    page.locator("[data-testid=status-form] select[name=status]").select_option("assessment")
    page.get_by_test_id("status-submit").click()
    page.get_by_test_id("action-message").first.wait_for()
    carer.refresh_from_db()
    assert carer.status == Carer.Status.ASSESSMENT
    assert page.locator("[data-testid=approval-checklist] [data-code=police_clearance]").count() == 1


def test_import_families_with_a_dry_run_then_a_progress_bar(browser_as, variant):
    browser = browser_as(Role.REGISTRAR)
    page = browser.page
    browser.go("/carers/import/")
    browser.assert_language()
    browser.assert_fits_the_screen()

    bad = csv_bytes([import_row(), import_row(phone="not a phone")])
    page.set_input_files("input[name=file]", {"name": "families.csv", "mimeType": "text/csv", "buffer": bad})
    page.get_by_test_id("import-dry-run").click()
    page.get_by_test_id("import-error-row").first.wait_for()
    assert page.get_by_test_id("import-error-row").count() == 1
    assert page.get_by_test_id("import-run").count() == 0  # nothing can be imported from a file with errors

    browser.go("/carers/import/")
    good = csv_bytes([import_row(), import_row()])
    page.set_input_files("input[name=file]", {"name": "families.csv", "mimeType": "text/csv", "buffer": good})
    page.get_by_test_id("import-dry-run").click()
    page.get_by_test_id("import-run").click()
    page.get_by_test_id("import-done").wait_for()
    assert page.get_by_test_id("import-progress").get_attribute("value") == "100"
    assert Carer.objects.count() == 2
