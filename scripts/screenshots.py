"""`make screenshots`: a PNG of every page, for each role, in English and Khmer, at a phone and a
desktop width, on the demo register, so that anyone can look at the pages without a browser.

It makes a fresh demo database (var/screenshots.sqlite3), serves it with `manage.py runserver` on a
free port (batch plans run in the request: CELERY_EAGER=1), and drives Debian's Chromium with
Playwright. Output: screenshots/<language>-<width>/<role>-<nn>-<page>.png, plus screenshots/index.html.
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
    os.environ.update({k: v for k, v in ENV.items() if k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CELERY_EAGER")})
    os.environ["REDIS_URL"] = ""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from scripts.screenshot_pages import prepare, shots

    prepare()
    port = free_port()
    server = serve(port)
    site = f"http://127.0.0.1:{port}"
    try:
        taken = take(site, shots())
    finally:
        server.terminate()
        server.wait(10)
    write_index(taken)
    print(f"{len(taken)} screenshots in {OUT.relative_to(ROOT)}/ (open screenshots/index.html)")


def take(site: str, plan: list[Shot]) -> list[Path]:
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
