"""Real-browser tests: Playwright for Python driving Debian's Chromium against the live test server.

Every journey runs at a phone width and a desktop width, in English and in Khmer. Chromium is
started headless, without sandbox (CI runs as root) and with background networking off (the
machines have no internet); any request that leaves the test server is blocked and fails the test,
so a page that needs a CDN cannot pass. Without Chromium these tests skip and say why, unless
REQUIRE_BROWSER=1 (set by .ci/run), where a missing browser is an error.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest

from register.roles import Role
from tests.factories import PASSWORD, make_user
from tests.support import restore_reference_data

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
KHMER = re.compile(r"[\u1780-\u17ff]")


@dataclass(frozen=True)
class Variant:
    width: str  # "phone" or "desktop"
    language: str  # "en" or "km"

    @property
    def viewport(self) -> dict:
        return {"width": 375, "height": 740} if self.width == "phone" else {"width": 1280, "height": 860}

    @property
    def id(self) -> str:
        return f"{self.width}-{self.language}"


VARIANTS = [Variant(w, lang) for w in ("phone", "desktop") for lang in ("en", "km")]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def chromium():
    """One Chromium per test module. Not per session: Playwright's event loop must be gone before
    other modules' tests run, or Django would take their database calls for async code."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
        pytest.skip("needs Chromium: apt-get install chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while the tests' own
    # database work (factories, flushes) stays synchronous: Django's async-safety guard must stand
    # aside while this browser lives, and only then (never in other tests or a deployment).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(params=VARIANTS, ids=lambda v: v.id)
def variant(request) -> Variant:
    return request.param


@pytest.fixture
def site(live_server):
    """The live server with the reference data (gazetteer, policies) that transactional tests lose."""
    restore_reference_data()
    return live_server.url


class Browser:
    """One person's browser: a fresh context at the variant's width and language, logged in."""

    def __init__(self, chromium, site: str, variant: Variant):
        self.site = site
        self.variant = variant
        self.context = chromium.new_context(
            viewport=variant.viewport,
            locale="km-KH" if variant.language == "km" else "en-GB",
            is_mobile=variant.width == "phone",
            has_touch=variant.width == "phone",
        )
        self.context.set_default_timeout(15_000)
        self.outside_requests: list[str] = []
        self.failed: list[str] = []
        self.console_errors: list[str] = []
        host = urlparse(site).netloc
        self.context.route("**/*", self._only_the_site(host))
        self.page = self.context.new_page()
        self.page.on(
            "console", lambda m: m.type == "error" and self.console_errors.append(f"{self.page.url}: {m.text}")
        )
        self.page.on("response", lambda r: r.status >= 500 and self.failed.append(f"{r.status} {r.url}"))

    def _only_the_site(self, host: str):
        def handle(route):
            if urlparse(route.request.url).netloc == host:
                route.continue_()
            else:
                self.outside_requests.append(route.request.url)
                route.abort()

        return handle

    def go(self, path: str):
        self.page.goto(self.site + path)
        return self.page

    def log_in(self, user) -> None:
        page = self.go("/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.get_by_test_id("login-submit").click()
        page.wait_for_url(re.compile(r".*/(\?.*)?$"))

    def assert_language(self) -> None:
        """The page is in the variant's language: <html lang>, the menu, and the main text (record
        pages may be headed by a name, which is the same in both languages)."""
        page = self.page
        assert page.locator("html").get_attribute("lang") == self.variant.language
        menu = page.locator("nav.menu").inner_text()
        main = page.locator("main").inner_text()
        if self.variant.language == "km":
            assert KHMER.search(menu), f"menu not in Khmer: {menu!r}"
            assert KHMER.search(main), f"page not in Khmer: {main[:200]!r}"
        else:
            assert not KHMER.search(menu), f"menu not in English: {menu!r}"

    def assert_fits_the_screen(self) -> None:
        """Nothing but a table's own scroller is wider than the screen (no sideways page scroll)."""
        overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"page is {overflow}px wider than the {self.variant.width} screen"

    def close(self) -> None:
        self.context.close()
        assert self.outside_requests == [], f"requests left the site: {self.outside_requests}"
        assert self.failed == [], f"server errors: {self.failed}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"


@pytest.fixture
def browser_as(chromium, site, variant, transactional_db):
    """browser_as(role, provinces=("02",)) -> a logged-in Browser of a new user of that role."""
    opened: list[Browser] = []

    def open_as(role: str = Role.REGISTRAR, provinces=("02",), user=None) -> Browser:
        user = user or make_user(role, provinces)
        browser = Browser(chromium, site, variant)
        opened.append(browser)
        browser.log_in(user)
        browser.user = user
        return browser

    yield open_as
    for browser in opened:
        browser.close()
