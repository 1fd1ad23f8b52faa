"""The content security policy holds in a real browser: the pages, the admin and the API
documentation load and work with scripts, styles and fonts from the site only. A blocked inline
script or style shows as a console error, which fails the test (tests/browser/conftest.py)."""

import pytest
from playwright.sync_api import expect

from register.roles import Role
from tests.factories import CarerFactory, ChildFactory, make_user


@pytest.fixture(params=["desktop-en"])
def variant(request):
    from tests.browser.conftest import VARIANTS

    return next(v for v in VARIANTS if v.id == request.param)


def test_pages_admin_and_api_docs_run_under_the_policy(browser_as, variant):
    carer, child = CarerFactory(), ChildFactory()
    admin = make_user(Role.NATIONAL_ADMIN, is_staff=True, is_superuser=True)
    browser = browser_as(user=admin)
    page = browser.page
    header = page.request.get(browser.site + "/").headers["content-security-policy"]
    assert "script-src 'self'" in header and "unsafe-inline" not in header.split("style-src")[0]
    for path in [
        "/",
        f"/carers/{carer.pk}/",
        f"/children/{child.pk}/",
        "/admin/",
        "/admin/register/carer/",
        f"/admin/register/carer/{carer.pk}/change/",
        "/api/v1/docs/",
    ]:
        browser.go(path)
        page.wait_for_load_state("networkidle")
    # Swagger UI drew the operations with its script, served apart from the page.
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 10
    # htmx runs: a filter change on the carers list swaps the results without a page load.
    browser.go("/carers/")
    page.fill("input[name=search]", carer.reference)
    page.get_by_test_id("filter-submit").click()
    expect(page.get_by_test_id("carer-row")).to_have_count(1)
