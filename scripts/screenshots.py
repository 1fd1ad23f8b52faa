"""`make screenshots`: a PNG of every page, for each role, in English and Khmer, at a phone and a
desktop width, on the demo register, so that anyone can look at the pages without a browser.

It makes a fresh demo database (var/screenshots.sqlite3), serves it with `manage.py runserver` on a
free port (batch plans run in the request: CELERY_EAGER=1), and drives Debian's Chromium with
Playwright. Output: screenshots/<language>-<width>/<role>-<nn>-<page>.png, plus screenshots/index.html,
and the guides' pictures (GUIDE: one per role, in English and Khmer) in docs/img/, which are checked in.
`python -m scripts.screenshots --guide` takes only those.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "screenshots"
GUIDE_OUT = ROOT / "docs" / "img"
DB = ROOT / "var" / "screenshots.sqlite3"
PASSWORD = "demo-password-2026"  # noqa: S105 - the demo accounts' published password
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
WIDTHS = {"phone": {"width": 375, "height": 740}, "desktop": {"width": 1280, "height": 860}}
LANGUAGES = ("en", "km")

ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "config.settings.local",
    "DATABASE_URL": f"sqlite:///{DB}",
    "CELERY_EAGER": "1",
    "REDIS_URL": "",
    "REMINDER_WORKING_HOURS": "00:00-24:00",
}


# The pictures of the README and of "Using the register": (width, role, page) → file name; each is taken
# in both languages (the Khmer one with "-km"), the visible part of the page only, so they stay small.
GUIDE = {
    ("desktop", "registrar", "carers"): "registrar-carers",
    ("desktop", "officer", "match-ranked"): "officer-match",
    ("phone", "worker", "my-visits"): "worker-visits",
    ("desktop", "supervisor", "follow-up-queue"): "supervisor-queue",
    ("desktop", "supervisor", "dashboard"): "supervisor-dashboard",
    ("desktop", "admin", "admin"): "admin-index",
}


@dataclass
class Shot:
    role: str  # the demo account's username
    name: str
    path: str | Callable[[], str]
    act: Callable | None = None  # what to do on the page before the picture (fill, click)


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def main() -> None:
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"needs Chromium at {CHROMIUM}: apt-get install chromium")
    DB.unlink(missing_ok=True)
    print("Making the demo register …")
    manage("migrate", "--noinput")
    manage("seed_demo")
    os.environ.update(ENV)
    import django

    django.setup()
    scene = prepare()
    port = free_port()
    server = serve(port)
    site = f"http://127.0.0.1:{port}"
    plan = shots(scene)
    guide_only = "--guide" in sys.argv[1:]
    if guide_only:
        plan = [s for s in plan if any(key[1:] == (s.role, s.name) for key in GUIDE)]
    try:
        taken = take(site, plan, guide_only=guide_only)
    finally:
        server.terminate()
        server.wait(10)
    if guide_only:
        print(f"{len(taken)} pictures of the guides in {GUIDE_OUT.relative_to(ROOT)}/")
        return
    write_index(taken)
    print(f"{len(taken)} screenshots in {OUT.relative_to(ROOT)}/ (open screenshots/index.html)")


def prepare() -> dict:
    """What some pages need beyond the demo register: a match run and a finished batch plan of the
    officer's, and the reminders of overdue visits delivered to the inboxes."""
    from django.core.management import call_command

    from matching.services import batch_plan_create, match_run_create
    from register.models import Carer, Child, Institution, Placement, User, Visit

    officer, worker = User.objects.get(username="officer"), User.objects.get(username="worker")
    waiting = Child.objects.filter(province_id="02", status__in=Child.PLACEABLE, sibling_group__isnull=True)
    run = match_run_create(actor=officer, child=waiting.order_by("reference").first())
    candidates = [c["carer"] for c in run.candidates]
    # The officer's closing institution with the fewest children waiting (a plan that fits on a page).
    closing = min(
        Institution.objects.filter(province_id__in=("02", "12"), status=Institution.Status.CLOSING),
        key=lambda i: i.children.filter(status__in=Child.PLACEABLE).count(),
    )
    children = list(Child.objects.filter(institution=closing, status__in=Child.PLACEABLE))
    plan = batch_plan_create(actor=officer, children=children, institution=closing)
    call_command("run_reminder_sweep", stdout=open(os.devnull, "w"))  # noqa: SIM115
    visit = (
        Visit.objects.filter(placement__social_worker=worker, state=Visit.State.OPEN).order_by("due_date").first()
    )
    return {
        "carer": Carer.objects.filter(province_id="02", status=Carer.Status.TRAINING).order_by("reference").first(),
        "child": waiting.order_by("reference").first(),
        "run": run,
        "candidates": candidates,
        "plan": plan,
        "placement": Placement.objects.filter(province_id="02", status="active").order_by("start_date").first(),
        "visit": visit,
    }


def shots(scene: dict) -> list[Shot]:
    run, carers = scene["run"], scene["candidates"]

    def import_preview(page) -> None:
        rows = "household_name,given_name,family_name,sex,date_of_birth,phone,commune\n"
        rows += "Chan household,Sophea,Chan,female,1980-05-01,012 345 678,020101\n"
        rows += "Keo household,Dara,Keo,male,1979-13-01,not a phone,999999\n"
        page.set_input_files("input[name=file]", {"name": "families.csv", "mimeType": "text/csv",
                                                   "buffer": rows.encode()})
        page.get_by_test_id("import-dry-run").click()

    def step_error(page) -> None:
        page.fill("input[name=phone]", "12")
        page.get_by_test_id("step-next").click()

    def explain(page) -> None:
        page.get_by_test_id("explain-search").fill(scene["carer"].reference)
        page.get_by_test_id("explain-submit").click()

    return [
        Shot("anonymous", "login", "/login/"),
        Shot("registrar", "dashboard", "/"),
        Shot("registrar", "carers", "/carers/"),
        Shot("registrar", "carers-filtered", "/carers/?status=approved&has_vacancy=on"),
        Shot("registrar", "carer", f"/carers/{scene['carer'].pk}/"),
        Shot("registrar", "carer-new", "/carers/new/"),
        Shot("registrar", "carer-new-error", "/carers/new/", step_error),
        Shot("registrar", "carer-edit", f"/carers/{scene['carer'].pk}/edit/"),
        Shot("registrar", "import", "/carers/import/"),
        Shot("registrar", "import-dry-run", "/carers/import/", import_preview),
        Shot("officer", "dashboard", "/"),
        Shot("officer", "children", "/children/"),
        Shot("officer", "child", f"/children/{scene['child'].pk}/"),
        Shot("officer", "match-workbench", "/match/"),
        Shot("officer", "match-ranked", f"/match/{run.pk}/"),
        Shot("officer", "match-explain", f"/match/{run.pk}/", explain),
        Shot("officer", "match-compare", f"/match/{run.pk}/compare/?" + "&".join(f"carer={c}" for c in carers[:3])),
        Shot("officer", "match-place", f"/match/{run.pk}/place/{carers[0]}/"),
        Shot("officer", "batch-plans", "/batch-plans/"),
        Shot("officer", "batch-plan", f"/batch-plans/{scene['plan'].pk}/"),
        Shot("supervisor", "dashboard", "/"),
        Shot("supervisor", "follow-up-queue", "/follow-up/"),
        Shot("supervisor", "placements", "/placements/"),
        Shot("supervisor", "placement", f"/placements/{scene['placement'].pk}/"),
        Shot("supervisor", "notifications", "/notifications/"),
        Shot("worker", "my-visits", "/visits/"),
        Shot("worker", "record-visit", f"/visits/{scene['visit'].pk}/record/"),
        Shot("worker", "notifications", "/notifications/"),
        Shot("admin", "dashboard", "/"),
        Shot("admin", "admin", "/admin/"),
    ]


def take(site: str, plan: list[Shot], guide_only: bool = False) -> list[Path]:
    from playwright.sync_api import sync_playwright

    taken: list[Path] = []
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        for language in LANGUAGES:
            for width, viewport in WIDTHS.items():
                folder = OUT / f"{language}-{width}"
                folder.mkdir(parents=True, exist_ok=True)
                roles = list(dict.fromkeys(s.role for s in plan))
                if guide_only and not any(key[0] == width for key in GUIDE):
                    continue
                for role in roles:
                    context = browser.new_context(viewport=viewport, locale="km-KH" if language == "km" else "en-GB",
                                                  is_mobile=width == "phone", has_touch=width == "phone")
                    page = context.new_page()
                    if role != "anonymous":
                        page.goto(f"{site}/login/")
                        page.fill("input[name=username]", role)
                        page.fill("input[name=password]", PASSWORD)
                        page.get_by_test_id("login-submit").click()
                        page.wait_for_load_state()
                    for n, shot in enumerate([s for s in plan if s.role == role], start=1):
                        path = shot.path() if callable(shot.path) else shot.path
                        page.goto(site + path)
                        page.wait_for_load_state("networkidle")
                        if shot.act:
                            shot.act(page)
                            page.wait_for_load_state("networkidle")
                        guide = GUIDE.get((width, role, shot.name))
                        if guide:
                            GUIDE_OUT.mkdir(parents=True, exist_ok=True)
                            picture = GUIDE_OUT / f"{guide}{'-km' if language == 'km' else ''}.png"
                            page.screenshot(path=str(picture))
                            if guide_only:
                                taken.append(picture)
                        if guide_only:
                            continue
                        target = folder / f"{role}-{n:02d}-{shot.name}.png"
                        page.screenshot(path=str(target), full_page=True)
                        taken.append(target)
                        print(f"  {target.relative_to(ROOT)}")
                    context.close()
        browser.close()
    return taken


def write_index(taken: list[Path]) -> None:
    rows = "\n".join(
        f'<figure><img src="{p.relative_to(OUT)}" loading="lazy" width="320"><figcaption>{p.relative_to(OUT)}'
        "</figcaption></figure>"
        for p in taken
    )
    (OUT / "index.html").write_text(
        "<!DOCTYPE html><meta charset=utf-8><title>Screenshots</title>"
        "<style>body{font-family:sans-serif;display:flex;flex-wrap:wrap;gap:1rem}figure{margin:0}</style>\n" + rows,
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
