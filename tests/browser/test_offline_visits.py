"""Social workers with no connection, in a real browser (issue 16), and what a phone downloads.

This module runs its own live server: static files collected under hashed names and served by
whitenoise as in a deployment (the suite's shared live server serves the source files), behind a
WSGI wrapper that counts the bytes sent, so the page budgets are measured on what went over the
wire. Its own Chromium too, with Playwright's service-worker network events on, so that
`context.set_offline` reaches the service worker's requests as it would on a phone."""

from __future__ import annotations

import os
import re
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from django.test.testcases import LiveServerThread

from register.models import AuditEntry, Visit
from register.roles import Role
from register.services.visits import visit_complete
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import PASSWORD, make_user
from tests.register.placements_factories import days, place, today
from tests.support import restore_reference_data

# The slow profile of the issue: 400 kbit/s each way, 400 ms round trips.
SLOW = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
FIRST_LOAD_BUDGET = 200_000  # bytes, a social worker's page with nothing cached
REPEAT_BUDGET = 30_000  # bytes, the same page again
HEADER_SHARE = 0.2  # of a 360 x 740 screen's height
MEASURED: dict[str, tuple[int, float]] = {}


class Counting:
    """Wraps the server's WSGI application: the bytes of every response, headers included."""

    def __init__(self, application):
        self.application = application
        self.lock = threading.Lock()
        self.sent = 0
        self.paths: list[str] = []

    def reset(self) -> None:
        with self.lock:
            self.sent, self.paths = 0, []

    def __call__(self, environ, start_response):
        def counting_start(status, headers, exc_info=None):
            with self.lock:
                self.sent += len(status) + sum(len(k) + len(v) + 4 for k, v in headers) + 12
                self.paths.append(environ.get("PATH_INFO", ""))
            return start_response(status, headers, exc_info)

        for chunk in self.application(environ, counting_start):
            with self.lock:
                self.sent += len(chunk)
            yield chunk


@pytest.fixture(scope="module")
def hashed_static(tmp_path_factory):
    """The pages' static files collected under hashed names with gzip copies, as `make setup` does
    (the admin's and the API documentation's files left out: no social worker page uses them)."""
    root = tmp_path_factory.mktemp("static")
    settings = override_settings(
        STATIC_ROOT=root,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "config.static_storage.HashedStaticFilesStorage"},
        },
    )
    settings.enable()
    ignore = ["admin", "rest_framework", "drf_spectacular_sidecar", "django_otp", "otp_totp", "ext", "htmax*"]
    call_command("collectstatic", "--noinput", "--verbosity", "0", *[f"--ignore={p}" for p in ignore])
    yield root
    settings.disable()


@pytest.fixture(scope="module")
def server(hashed_static, django_db_blocker):
    counting: list[Counting] = []

    def handler(application):
        counting.append(Counting(application))
        return counting[0]

    overrides = {c.alias: c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()}
    thread = LiveServerThread("localhost", handler, connections_override=overrides)
    thread.daemon = True
    with django_db_blocker.unblock():
        for conn in overrides.values():
            conn.inc_thread_sharing()
        thread.start()
        thread.is_ready.wait()
    if thread.error:
        raise thread.error
    thread.url = f"http://localhost:{thread.port}"
    thread.counter = counting[0]
    with override_settings(ALLOWED_HOSTS=["localhost"]):
        yield thread
    thread.terminate()
    for conn in overrides.values():
        conn.dec_thread_sharing()


@pytest.fixture(scope="module")
def phone_browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip("needs Chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    saved = {
        k: os.environ.get(k) for k in ("DJANGO_ALLOW_ASYNC_UNSAFE", "PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS")
    }
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Offline emulation and network events reach the service worker's own requests only with this.
    os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def phone(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="en-GB"
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    return context, page


def log_in(page, site, user):
    page.goto(site + "/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(re.compile(r".*/(\?.*)?$"))


def kept_pages(page) -> int:
    return page.evaluate(
        "caches.has('fosterreg-pages').then(h => h ? caches.open('fosterreg-pages').then(c => c.keys())"
        ".then(k => k.length) : 0)"
    )


def wait_until(check, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


def record_offline(page, site, visit, outcome, notes):
    page.goto(f"{site}/visits/{visit.pk}/record/")
    page.get_by_test_id(f"outcome-{outcome}").check()
    page.fill("textarea[name=notes]", notes)
    page.get_by_test_id("visit-save").click()
    page.wait_for_url(re.compile(r".*/visits/$"))


def test_visits_recorded_offline_are_sent_once_and_a_conflict_is_kept(
    phone_browser, server, transactional_db, django_db_blocker
):
    restore_reference_data()
    site = server.url
    worker = make_user(Role.SOCIAL_WORKER, first_name="Sokha", last_name="Chan")
    supervisor = make_user(Role.SUPERVISOR)
    visits = [place(social_worker=worker, start_date=today() - days(10)).visits.get(sequence=1) for _ in range(3)]
    context, page = phone(phone_browser)

    log_in(page, site, worker)
    page.goto(site + "/visits/")
    now = page.locator("[data-testid=my-visit][data-status=overdue]")
    assert now.count() == 3  # and the three placements' next visits, coming
    assert now.first.get_by_test_id("visit-children").is_visible()  # given names and ages
    assert now.first.locator("a[href^='tel:']").count() == 1
    header = page.evaluate(
        "Math.max(...['header.topbar', 'nav.menu'].map(s => document.querySelector(s))"
        ".filter(Boolean).map(e => e.getBoundingClientRect().bottom))"
    )
    assert header <= HEADER_SHARE * 740, f"header and menu take {header}px of 740"
    # The list and the forms of its six open visits are kept on the phone.
    wait_until(lambda: kept_pages(page) == 7)

    # Meanwhile a supervisor records the second visit.
    visit_complete(actor=supervisor, visit=visits[1], visited_on=today(), outcome="settled", notes="Seen at school.")

    context.set_offline(True)
    page.goto(site + "/visits/")
    box = page.get_by_test_id("offline-box")
    box.wait_for(state="visible", timeout=15_000)  # shown by the page's script once it has run
    assert "offline" in box.inner_text()
    for n, visit in enumerate(visits):
        record_offline(page, site, visit, "concerns", f"Offline note {n}.")
    page.reload()  # the records survive a reload with no connection
    # Counted by the page's script once it has read the outbox: waited for, not read at once.
    wait_until(lambda: page.get_by_test_id("offline-box").get_attribute("data-waiting") == "3")
    assert "3 visit records wait to be sent" in page.get_by_test_id("offline-waiting").inner_text()
    assert Visit.objects.filter(pk=visits[0].pk, state="open").exists()

    context.set_offline(False)
    page.reload()
    wait_until(lambda: page.get_by_test_id("offline-box").get_attribute("data-waiting") == "0")
    conflict = page.get_by_test_id("offline-conflict")
    conflict.wait_for()
    assert conflict.get_attribute("data-code") == "visit_already_completed"
    assert "already been recorded" in conflict.inner_text()

    for n in (0, 2):
        visit = Visit.objects.get(pk=visits[n].pk)
        assert (visit.state, visit.notes) == ("completed", f"Offline note {n}.") and visit.client_id
        assert AuditEntry.objects.filter(object_id=str(visit.pk), action="update").count() == 1
    second = Visit.objects.get(pk=visits[1].pk)
    assert second.notes == "Seen at school."  # the supervisor's record stands
    assert [(r.notes, r.recorded_by_id) for r in second.late_records.all()] == [("Offline note 1.", worker.pk)]

    # Cleared only once read, and not by a reload.
    page.reload()
    page.get_by_test_id("offline-conflict").wait_for()
    page.get_by_test_id("offline-conflict-read").click()
    wait_until(lambda: page.get_by_test_id("offline-conflict").count() == 0)

    # Logging out erases what the phone kept.
    page.locator("details.account summary").click()
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r".*/login/.*"))
    wait_until(lambda: kept_pages(page) == 0)
    assert page.errors == []
    context.close()


def _load(page, cdp, url) -> float:
    started = time.monotonic()
    page.goto(url, wait_until="load")
    return time.monotonic() - started


def test_social_worker_pages_are_light_on_a_slow_network(phone_browser, server, transactional_db):
    restore_reference_data()
    site = server.url
    worker = make_user(Role.SOCIAL_WORKER)
    visit = place(social_worker=worker, start_date=today() - days(10)).visits.get(sequence=1)
    place(social_worker=worker, start_date=today() - days(3))
    # A session made by logging in, handed to fresh browsers with nothing cached.
    context, page = phone(phone_browser)
    log_in(page, site, worker)
    cookies = context.cookies()
    context.close()

    for name, path in (("my visits", "/visits/"), ("record a visit", f"/visits/{visit.pk}/record/")):
        context, page = phone(phone_browser)
        context.add_cookies(cookies)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW)
        server.counter.reset()
        seconds = _load(page, cdp, site + path)
        first = server.counter.sent
        MEASURED[f"{name}, first load"] = (first, seconds)
        assert first <= FIRST_LOAD_BUDGET, f"{name}: {first} bytes on first load ({server.counter.paths})"
        # Let the service worker settle and the page keep what it keeps, then come again.
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_timeout(1500)
        server.counter.reset()
        seconds = _load(page, cdp, site + path)
        again = server.counter.sent
        MEASURED[f"{name}, repeat visit"] = (again, seconds)
        assert again <= REPEAT_BUDGET, f"{name}: {again} bytes on a repeat visit ({server.counter.paths})"
        context.close()

    # Static files: hashed names, compressed, cached for good.
    import urllib.request

    html = urllib.request.urlopen(site + "/login/").read().decode()  # noqa: S310 - the test server
    css = re.search(r'href="(/static/web/app\.[0-9a-f]{12}\.css)"', html)
    assert css, "app.css is not served under a hashed name"
    request = urllib.request.Request(site + css.group(1), headers={"Accept-Encoding": "gzip"})  # noqa: S310
    with urllib.request.urlopen(request) as response:  # noqa: S310
        assert (
            "immutable" in response.headers["Cache-Control"]
            and "max-age=315360000" in response.headers["Cache-Control"]
        )
        assert response.headers.get("Content-Encoding") == "gzip"
    for line, (size, seconds) in MEASURED.items():
        print(f"{line}: {size / 1000:.1f} kB, {seconds:.2f} s at 400 kbit/s and 400 ms")
