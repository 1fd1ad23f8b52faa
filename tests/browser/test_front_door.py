"""Logging in, the home (the reform page with "Today", or a social worker's "Today") and the language
switch, in a real browser."""

import re

from register.roles import Role
from tests.factories import CarerFactory, make_user


def test_login_home_and_logout(browser_as, variant):
    CarerFactory.create_batch(2)
    browser = browser_as(Role.SUPERVISOR)
    page = browser.page
    assert re.search(r"/reform/(\?.*)?$", page.url)  # "/" sent the supervisor to the reform page
    browser.assert_language()
    browser.assert_fits_the_screen()
    today = page.get_by_test_id("today")
    assert today.is_visible()
    # The number of families with free places opens the list it counts.
    figure = page.get_by_test_id("today-families_with_places").get_by_test_id("today-link")
    assert figure.inner_text() == "2"
    figure.click()
    page.wait_for_url(re.compile(r".*/carers/\?status=approved.*"))
    assert page.locator("#carer-results tbody tr").count() == 2
    page.locator(".account summary").click()
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r".*/login/.*"))


def test_a_social_workers_home_is_today(browser_as, variant):
    browser = browser_as(Role.SOCIAL_WORKER)
    page = browser.page
    browser.assert_language()
    browser.assert_fits_the_screen()
    assert page.get_by_test_id("today").is_visible()
    assert page.get_by_test_id("today-link").count() == 5


def test_the_language_switch_changes_every_page(browser_as, variant):
    browser = browser_as(Role.REGISTRAR)
    page = browser.page
    other = "en" if variant.language == "km" else "km"
    page.get_by_test_id(f"lang-{other}").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == other
    page.reload()
    assert page.locator("html").get_attribute("lang") == other


def test_a_locked_account_is_told_so(chromium, site, variant, transactional_db, settings):
    from tests.browser.conftest import Browser

    user = make_user(Role.REGISTRAR)
    browser = Browser(chromium, site, variant)
    page = browser.go("/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", "wrong password")
        page.get_by_test_id("login-submit").click()
        page.wait_for_load_state()
    assert page.locator(".form-errors").is_visible()
    assert str(settings.AXES_FAILURE_LIMIT) in page.locator(".form-errors").inner_text()
    browser.close()
