"""WCAG 2.1 A and AA held by axe-core in Chromium: every page of every role, in English and Khmer, at
a phone and a desktop width, and the states after an error, a submit and an htmx swap.

axe-core comes from the pinned test dependency axe-playwright-python (its axe.min.js) and is given to
the test browser only, through Playwright's page.evaluate, which the pages' content security policy
does not govern: the app never serves it and its policy stays as strict. Any violation of the rules
tagged wcag2a, wcag2aa, wcag21a or wcag21aa fails the test, with each rule, page and element named.

To scan a new page, add a Scan to PAGES (the role's demo user, a name, the path, and what to do on
the page first, if anything). AXE_REPORT=<file> writes every violation found as JSON lines;
AXE_VARIANTS=phone-km,desktop-en scans only the pairings named (all four by default).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.core.management import call_command

from matching.services import batch_plan_create, match_run_create
from register.models import Carer, DuplicatePair, Institution, Visit
from register.roles import Role
from tests.browser.a11y import WithoutServiceWorkers, page_problems
from tests.browser.conftest import VARIANTS, Browser
from tests.factories import PASSWORD, CarerFactory, ChildFactory, InstitutionFactory, make_user
from tests.register.imports_factories import csv_bytes, import_row
from tests.register.placements_factories import days, place, today

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_RUN = "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"


STILL = """() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')
  && document.getAnimations().every(a => a.playState !== 'running')"""


def axe_violations(page) -> list[dict]:
    """axe-core's violations of WCAG 2.1 A/AA on the page once it is still (no htmx request or swap under
    way, no transition running: a fading indicator is measured at its end). axe is injected once per document."""
    page.wait_for_function(STILL)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    return page.evaluate(AXE_RUN, AXE_TAGS)["violations"]


# Every page in both languages at both widths; AXE_VARIANTS (ids separated by commas) narrows it for a
# quicker run while working on one page.
SCANNED = [v.id for v in VARIANTS if v.id in os.environ.get("AXE_VARIANTS", v.id).split(",")]


@pytest.fixture(params=SCANNED)
def variant(request):
    return next(v for v in VARIANTS if v.id == request.param)


@pytest.fixture(autouse=True)
def reminders_at_any_hour(settings):
    settings.REMINDER_WORKING_HOURS = "00:00-24:00"


# --- What the pages show: one register with a record of every kind --------------------------------


def make_scene() -> dict:
    users = {
        "registrar": make_user(Role.REGISTRAR, first_name="Sophal", last_name="Keo"),
        "officer": make_user(Role.PLACEMENT_OFFICER, first_name="Vanna", last_name="Chea"),
        "worker": make_user(Role.SOCIAL_WORKER, first_name="Sokha", last_name="Lim"),
        "supervisor": make_user(Role.SUPERVISOR, first_name="Bopha", last_name="Mao"),
        "admin": make_user(Role.NATIONAL_ADMIN, first_name="Dara", last_name="Ouk"),
    }
    training = CarerFactory(household_name="Meas household", status=Carer.Status.TRAINING, approved_on=None)
    approved = CarerFactory(household_name="Chan household")
    CarerFactory.create_batch(4)
    CarerFactory(household_name="Girls household", sexes_accepted=["female"])  # left out of the boy's match
    child = ChildFactory(given_name="Dara", family_name="Sok")
    run = match_run_create(actor=users["officer"], child=child)
    home = InstitutionFactory(name="Hope Centre", status=Institution.Status.CLOSING)
    plan = batch_plan_create(
        actor=users["officer"], children=ChildFactory.create_batch(2, institution=home), institution=home
    )
    # The worker's placement: the day-7 visit is overdue and reminded; the supervisor's is later.
    followed = place(social_worker=users["worker"], start_date=today() - days(40))
    place(start_date=today() - days(3))
    call_command("run_reminder_sweep")
    visits = list(Visit.objects.filter(placement=followed, state=Visit.State.OPEN).order_by("due_date"))
    twin = CarerFactory(household_name="Chan household", phone=approved.phone)
    a, b = sorted((approved.pk, twin.pk), key=str)
    pair = DuplicatePair.objects.create(kind="carer", carer_a_id=a, carer_b_id=b, reasons=["same_phone"])
    return {
        "users": users,
        "training": training,
        "approved": approved,
        "child": child,
        "run": run,
        "candidates": [c["carer"] for c in run.candidates],
        "plan": plan,
        "placement": followed,
        "visits": visits,
        "pair": pair,
        "home": home,
    }


# --- The states reached on a page before it is scanned (errors, submits, htmx swaps) -------------


def wrong_password(page, scene) -> None:
    page.fill("input[name=username]", scene["users"]["registrar"].username)
    page.fill("input[name=password]", "not the password")
    page.get_by_test_id("login-submit").click()
    page.locator("[data-error-summary]").wait_for()
    page.wait_for_function("() => document.activeElement.matches('[data-error-summary]')")


def filter_carers(page, scene) -> None:
    page.fill("input[name=search]", scene["approved"].reference)
    page.get_by_test_id("filter-submit").click()
    page.get_by_test_id("carer-row").first.wait_for()


def carer_step_error(page, scene) -> None:
    page.fill("input[name=phone]", "12")
    page.get_by_test_id("step-next").click()
    page.locator(".field.has-error").first.wait_for()
    # The step comes back by htmx: the focus is on its error summary, which links to the phone.
    page.wait_for_function("() => document.activeElement.matches('[data-error-summary]')")
    assert page.locator("[data-error-summary] a[href='#id_phone']").count() == 1


def stage_refused(page, scene) -> None:
    page.locator("[data-testid=status-form] select[name=status]").select_option("approved")
    page.get_by_test_id("status-submit").click()
    page.locator("#carer-status [role=alert]").first.wait_for()


def import_dry_run(page, scene) -> None:
    bad = csv_bytes([import_row(), import_row(phone="not a phone")])
    page.set_input_files("input[name=file]", {"name": "families.csv", "mimeType": "text/csv", "buffer": bad})
    page.get_by_test_id("import-dry-run").click()
    page.get_by_test_id("import-error-row").first.wait_for()


def explain(page, scene) -> None:
    page.get_by_test_id("explain-search").fill("Girls household")
    page.get_by_test_id("explain-submit").click()
    page.get_by_test_id("explain-excluded").first.wait_for()


def call_a_family(page, scene) -> None:
    page.get_by_test_id("outreach").first.get_by_test_id("outreach-contacted").click()
    page.get_by_test_id("outreach").first.get_by_test_id("outreach-history").wait_for()


def confirm_proposal(page, scene) -> None:
    page.get_by_test_id("proposal-row").first.get_by_test_id("proposal-confirm").click()
    page.get_by_test_id("proposal-confirmed").first.wait_for()


def visit_without_outcome(page, scene) -> None:
    page.get_by_test_id("visit-save").click()
    page.locator(".has-error").first.wait_for()
    page.wait_for_function("() => document.activeElement.matches('[data-error-summary]')")
    return "400"  # the form answers 400 Bad Request with its errors, which Chromium logs


def visit_recorded(page, scene) -> None:
    page.get_by_test_id("outcome-settled").check()
    page.get_by_test_id("visit-save").click()
    page.wait_for_url(re.compile(r".*/visits/(\?.*)?$"))


def mark_read(page, scene) -> None:
    page.locator("[data-testid=notification-row][data-read=false]").first.get_by_test_id("notification-read").click()
    page.locator("[data-testid=notification-row][data-read=true]").first.wait_for()
    page.wait_for_function("() => document.activeElement.matches('[data-testid=notification-is-read]')")


def queue_overdue(page, scene) -> None:
    page.get_by_test_id("queue-count-overdue").click()
    page.wait_for_url(re.compile(r".*days_overdue_min=1.*"))


def end_placement_error(page, scene) -> None:
    page.get_by_test_id("end-placement-form").locator("xpath=ancestor::details/summary").click()
    page.fill("input[name=end_date]", "2099-01-01")  # refused by the server: in the future
    page.locator("select[name=reason]").select_option("reunified")
    page.get_by_test_id("end-placement").click()
    page.locator(".has-error, .form-errors").first.wait_for()
    return "400"


@dataclass(frozen=True)
class Scan:
    role: str  # a key of scene["users"], or "anonymous"
    name: str
    path: str | Callable[[dict], str]
    act: Callable | None = None  # what to do on the page before the scan


def run_path(suffix: str = "") -> Callable[[dict], str]:
    return lambda s: f"/match/{s['run'].pk}/{suffix}"


PAGES = [
    Scan("anonymous", "login", "/login/"),
    Scan("anonymous", "login-error", "/login/", wrong_password),
    Scan("registrar", "home-reform", "/"),  # redirected: the reform page, "Today" on top
    Scan("registrar", "carers", "/carers/"),
    Scan("registrar", "carers-filtered", "/carers/", filter_carers),
    Scan("registrar", "carer", lambda s: f"/carers/{s['training'].pk}/"),
    Scan("registrar", "carer-approved", lambda s: f"/carers/{s['approved'].pk}/"),
    Scan("registrar", "carer-stage-refused", lambda s: f"/carers/{s['training'].pk}/", stage_refused),
    Scan("registrar", "carer-new", "/carers/new/"),
    Scan("registrar", "carer-new-error", "/carers/new/", carer_step_error),
    Scan("registrar", "carer-edit", lambda s: f"/carers/{s['approved'].pk}/edit/"),
    Scan("registrar", "import", "/carers/import/"),
    Scan("registrar", "import-dry-run", "/carers/import/", import_dry_run),
    Scan("registrar", "two-factor", "/account/two-factor/"),
    Scan("registrar", "sessions", "/account/sessions/"),
    Scan("officer", "children", "/children/"),
    Scan("officer", "child", lambda s: f"/children/{s['child'].pk}/"),
    Scan("officer", "match-workbench", "/match/"),
    Scan("officer", "match-ranked", run_path()),
    Scan("officer", "match-explain", run_path(), explain),
    Scan("officer", "match-outreach", run_path(), call_a_family),
    Scan("officer", "match-outcomes", "/match/outcomes/"),
    Scan(
        "officer",
        "match-compare",
        lambda s: run_path("compare/")(s) + "?" + "&".join(f"carer={c}" for c in s["candidates"][:3]),
    ),
    Scan("officer", "match-place", lambda s: run_path(f"place/{s['candidates'][0]}/")(s)),
    Scan("officer", "batch-plans", "/batch-plans/"),
    Scan("officer", "batch-plan", lambda s: f"/batch-plans/{s['plan'].pk}/"),
    Scan("officer", "batch-plan-confirmed", lambda s: f"/batch-plans/{s['plan'].pk}/", confirm_proposal),
    Scan("officer", "placements", "/placements/"),
    Scan("officer", "reform", "/reform/"),
    Scan("officer", "capacity-gaps", "/capacity-gaps/"),
    Scan("officer", "closure", lambda s: f"/institutions/{s['home'].pk}/closure/"),
    Scan("worker", "home-today", "/"),
    Scan("worker", "my-visits", "/visits/"),
    Scan("worker", "record-visit", lambda s: f"/visits/{s['visits'][0].pk}/record/"),
    Scan("worker", "record-visit-error", lambda s: f"/visits/{s['visits'][0].pk}/record/", visit_without_outcome),
    Scan("worker", "visit-recorded", lambda s: f"/visits/{s['visits'][0].pk}/record/", visit_recorded),
    Scan("worker", "notifications", "/notifications/"),
    Scan("worker", "notification-read", "/notifications/", mark_read),
    Scan("supervisor", "reform", "/reform/"),
    Scan("supervisor", "placements-broken-down", "/placements/?status=ended&end_reason=breakdown"),
    Scan("supervisor", "duplicates", "/duplicates/"),
    Scan("supervisor", "duplicate", lambda s: f"/duplicates/{s['pair'].pk}/"),
    Scan("supervisor", "follow-up-queue", "/follow-up/"),
    Scan("supervisor", "follow-up-overdue", "/follow-up/", queue_overdue),
    Scan("supervisor", "placements", "/placements/"),
    Scan("supervisor", "placement", lambda s: f"/placements/{s['placement'].pk}/"),
    Scan("supervisor", "placement-end-error", lambda s: f"/placements/{s['placement'].pk}/", end_placement_error),
    Scan("admin", "carers", "/carers/"),
    Scan("admin", "reform", "/reform/"),
]


def open_browser(chromium, site, variant, user=None) -> Browser:
    browser = Browser(WithoutServiceWorkers(chromium), site, variant)
    if user is not None:
        page = browser.go("/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.get_by_test_id("login-submit").click()
        page.wait_for_url(re.compile(r".*/(\?.*)?$"))
    return browser


def as_violation(problem: str) -> dict:
    """One of a11y.PAGE_CHECKS' findings in axe's shape, so that both are reported alike."""
    return {"id": "page-check", "impact": "serious", "help": problem, "nodes": []}


def describe(found: list[tuple[str, dict]]) -> str:
    lines = []
    for where, v in found:
        targets = "; ".join(
            " ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"]) for n in v["nodes"][:3]
        )
        lines.append(f"{where}: {v['id']} ({v['impact']}, {len(v['nodes'])} elements) {v['help']} — {targets}")
    return "\n".join(lines)


def test_every_page_of_every_role_meets_wcag_21_aa(chromium, site, variant, transactional_db):
    scene = make_scene()
    found: list[tuple[str, dict]] = []
    scanned = 0
    try:
        for role in dict.fromkeys(s.role for s in PAGES):
            browser = open_browser(chromium, site, variant, scene["users"].get(role))
            page = browser.page
            try:
                for scan in (s for s in PAGES if s.role == role):
                    browser.go(scan.path(scene) if callable(scan.path) else scan.path)
                    if scan.act and scan.act(page, scene) == "400":
                        # A form sent back with its errors answers 400, which Chromium logs as an error.
                        browser.console_errors[:] = [e for e in browser.console_errors if "status of 400" not in e]
                    where = f"{variant.id} {role} {scan.name}"
                    found += [(where, v) for v in axe_violations(page)]
                    found += [(where, as_violation(problem)) for problem in page_problems(page)]
                    scanned += 1
            finally:
                browser.close()
    finally:
        if os.environ.get("AXE_REPORT"):
            write_report(os.environ["AXE_REPORT"], variant, scanned, found)
    assert scanned == len(PAGES)
    assert not found, f"{len(found)} WCAG 2.1 A/AA violations on {scanned} pages:\n{describe(found)}"


def write_report(path: str, variant, scanned: int, found: list[tuple[str, dict]]) -> None:
    with open(path, "a", encoding="utf-8") as report:
        for where, v in found:
            nodes = [n["target"] for n in v["nodes"]]
            line = {"where": where, "rule": v["id"], "impact": v["impact"], "help": v["help"], "nodes": nodes}
            report.write(json.dumps(line) + "\n")
        report.write(json.dumps({"variant": variant.id, "scanned": scanned}) + "\n")
