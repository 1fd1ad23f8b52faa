"""Two-factor authentication in a real browser: a supervisor, whose role requires it, sets it up at
the first login (QR code, then a code) and types a code at the next login."""

import re

from django_otp.plugins.otp_totp.models import TOTPDevice

from register.roles import Role
from tests.factories import PASSWORD, make_user
from tests.two_factor_support import code_for


def test_a_supervisor_sets_up_two_factor_then_uses_it(chromium, site, variant, transactional_db, settings):
    from tests.browser.conftest import Browser

    settings.TWO_FACTOR_REQUIRED_ROLES = ["supervisor", "national_admin"]
    user = make_user(Role.SUPERVISOR)
    browser = Browser(chromium, site, variant)

    def password_step():
        page = browser.go("/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.get_by_test_id("login-submit").click()
        return page

    page = password_step()
    page.wait_for_url(re.compile(r".*/account/two-factor/.*"))
    assert page.get_by_test_id("two-factor-required").is_visible()
    assert page.locator("[data-testid=two-factor-qr] svg").is_visible()
    browser.assert_language()
    browser.assert_fits_the_screen()
    # Trying to go round it leads back to the same page.
    browser.go("/follow-up/")
    page.wait_for_url(re.compile(r".*/account/two-factor/\?next=.*follow-up.*"))

    pending = TOTPDevice.objects.get(user=user, confirmed=False)
    page.fill("input[name=code]", code_for(pending))
    page.get_by_test_id("code-submit").click()
    page.wait_for_url(re.compile(r".*/follow-up/.*"))

    page.locator(".account summary").click()
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r".*/login/.*"))

    page = password_step()
    page.wait_for_url(re.compile(r".*/login/code/.*"))
    browser.assert_fits_the_screen()
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    page.fill("input[name=code]", code_for(device, steps_ahead=1))
    page.get_by_test_id("code-submit").click()
    page.wait_for_url(re.compile(rf"{re.escape(site)}/reform/(\?.*)?$"))  # "/" leads a supervisor there
    assert page.get_by_test_id("today").is_visible()
    browser.close()
