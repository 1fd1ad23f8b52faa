"""The guides under docs/ and the README: they build, their links and pictures exist, what they show
of the API is true (every `curl` path is served, every Python example runs against a test server), and
every page of "Using the register" has its Khmer counterpart. See docs/developing/testing.md."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve

from tests.support import restore_reference_data

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
KHMER = re.compile(r"[\u1780-\u17ff]")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def guide_pages() -> list[Path]:
    """Every page of the guides (drafts waiting to be merged are not part of them)."""
    return sorted(p for p in DOCS.rglob("*.md") if "drafts" not in p.relative_to(DOCS).parts)


def slug(heading: str) -> str:
    """The anchor Python-Markdown's toc extension (MkDocs, and GitHub alike for these headings) gives."""
    text = re.sub(r"[`*_]", "", heading.strip()).lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[\s]+", "-", text).strip("-")


def anchors_of(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    return {slug(m.group(1)) for m in re.finditer(r"^#+\s+(.*)$", text, re.M)}


def test_the_site_builds_in_strict_mode(tmp_path):
    """MkDocs in strict mode fails on a link to a page, an anchor or a picture that does not exist, and
    on a page left out of the navigation."""
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True,
    )
    warnings = [line for line in result.stderr.splitlines() if not line.startswith("INFO")]
    assert result.returncode == 0, "\n".join(warnings)
    built = list((tmp_path / "site").rglob("*.html"))
    assert len(built) >= len(guide_pages())
    outside = set()
    for page in built:
        html = page.read_text(encoding="utf-8")
        outside |= set(re.findall(r'(?:src|href)="(https?://[^"]+)"[^>]*>', html)) - set(
            re.findall(r'<a [^>]*href="(https?://[^"]+)"', html)
        )
    assert not outside, f"the site loads from outside (it must work offline): {sorted(outside)}"


def test_the_readme_is_a_front_door_whose_links_work():
    text = README.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) <= 150, f"the README has {len(lines)} lines; keep it a front door (≤ 150)"
    commands = [line for line in lines if line.startswith("make ")]
    assert commands[:2] and commands[0].startswith("make run") and commands[1].startswith("make test")
    broken = []
    for target in LINK.findall(text):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = target.partition("#")
        file = ROOT / path
        if not file.exists() or (anchor and file.suffix == ".md" and anchor not in anchors_of(file)):
            broken.append(target)
    assert not broken, f"the README links to what does not exist: {broken}"
    for guide in ("using/en/index.md", "using/km/index.md", "running/index.md", "api/index.md",
                  "developing/architecture.md", "decisions/index.md"):
        assert f"docs/{guide}" in text, f"the README does not lead to docs/{guide}"


def test_every_page_of_using_the_register_has_its_khmer_counterpart():
    english = {p.name for p in (DOCS / "using" / "en").glob("*.md")}
    khmer = {p.name for p in (DOCS / "using" / "km").glob("*.md")}
    assert english, "no pages in docs/using/en"
    assert english == khmer, f"Khmer missing: {sorted(english - khmer)}; English missing: {sorted(khmer - english)}"
    for name in khmer:
        prose = FENCE.sub("", (DOCS / "using" / "km" / name).read_text(encoding="utf-8"))
        prose = re.sub(r"`[^`]*`|\([^)]*\)|\[[^\]]*\]\([^)]*\)", "", prose)
        letters = [c for c in prose if c.isalpha()]
        khmer_share = sum(1 for c in letters if KHMER.match(c)) / max(len(letters), 1)
        assert khmer_share > 0.8, f"docs/using/km/{name} is {khmer_share:.0%} Khmer"


def test_the_khmer_guides_use_the_glossarys_words():
    """The Khmer pages say each term as the catalogue does (locale/glossary.csv: its renderings to avoid
    that hold in every context, Arabic digits), so a trainer reads the pages' own words."""
    with (ROOT / "locale" / "glossary.csv").open(encoding="utf-8", newline="") as f:
        rules = [row for row in csv.DictReader(f) if row["avoid"] and not row["context"]]
    found = []
    for page in sorted((DOCS / "using" / "km").glob("*.md")):
        prose = re.sub(r"`[^`]*`|\]\([^)]*\)", " ", FENCE.sub("", page.read_text(encoding="utf-8")))
        for row in rules:
            found += [f"{page.name}: {m.group(0)!r} (use {row['term_km']})" for m in re.finditer(row["avoid"], prose)]
    assert not found, "\n".join(found)


def curl_paths() -> list[tuple[str, str]]:
    found = []
    for page in [README, *guide_pages()]:
        text = page.read_text(encoding="utf-8").replace("\\\n", " ")
        for line in text.splitlines():
            if not re.search(r"\bcurl\b", line):
                continue
            for url in re.findall(r"(?:https?://)?(?:localhost|127\.0\.0\.1)(?::\d+)?(/[^\s'\"]*)", line):
                found.append((str(page.relative_to(ROOT)), url))
    return found


def test_the_guides_show_curl():
    assert len(curl_paths()) >= 3


@pytest.mark.parametrize(("page", "url"), curl_paths())
def test_every_curl_example_names_a_path_the_register_serves(page, url):
    path = urlparse(url).path
    path = re.sub(r"<[^>]+>|\{[^}]+\}|\$\w+", str(uuid.uuid4()), path)
    try:
        match = resolve(path)
    except Resolver404:
        pytest.fail(f"{page}: `curl …{url}` names a path the register does not serve")
    assert match.url_name != "api-not-found", f"{page}: `curl …{url}` names no API endpoint"


def python_examples() -> list[tuple[str, str]]:
    pages = []
    for page in guide_pages():
        blocks = [body for lang, body in FENCE.findall(page.read_text(encoding="utf-8")) if lang == "python"]
        if blocks:
            pages.append((str(page.relative_to(ROOT)), "\n".join(blocks)))
    return pages


def test_the_api_guide_has_python_examples():
    assert any(page == "docs/api/index.md" for page, _ in python_examples())


@pytest.mark.parametrize(("page", "code"), python_examples())
def test_the_python_examples_run_against_a_test_server(page, code, live_server, transactional_db, tmp_path):
    """Each page's examples, in order, as one script, against a test server with the demo register
    (the accounts and password the examples use)."""
    restore_reference_data()
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", carers=60, children=40, institutions=4, stdout=quiet)
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300,
        env={"REGISTER_URL": live_server.url, "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, f"{page}: an example failed:\n{result.stderr[-3000:]}"
