"""Every word a user reads exists in Khmer: the catalogue has no untranslated or fuzzy entry."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import translation

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "km" / "LC_MESSAGES" / "django.po"


def test_khmer_catalogue_is_complete():
    po = polib.pofile(str(CATALOGUE))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []
    assert len(po.translated_entries()) > 50


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(CATALOGUE))
    mo = polib.mofile(str(CATALOGUE.with_suffix(".mo")))
    # Keyed by context too: "reference" (a number) and "reference" in context "character reference" differ.
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in mo if e.msgid}
    assert {(e.msgctxt, e.msgid): e.msgstr for e in po.translated_entries()} == compiled, (
        "run `make messages` to recompile django.mo"
    )


def test_khmer_is_served_when_asked_for(client, db):
    with translation.override("km"):
        assert translation.gettext("Registrar") == "អ្នកចុះបញ្ជី"
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="km")
    assert response["Content-Language"] == "km"


def test_every_translatable_string_of_the_code_is_in_the_khmer_catalogue(tmp_path):
    """Extract the strings of every template and module anew (Django's makemessages, on a copy of
    the sources) and merge them into a copy of the catalogue: nothing may come out untranslated or
    fuzzy, so no page can show English to a Khmer reader."""
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        pytest.skip("needs GNU gettext (apt-get install gettext; .ci/run installs it)")
    root = CATALOGUE.parents[3]
    copy = tmp_path / "src"
    skip = shutil.ignore_patterns(".venv", "var", ".git", "staticfiles", "tests", "screenshots", "__pycache__", "*.mo")
    shutil.copytree(root, copy, ignore=skip)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "km", "--ignore", "bench/*", "--no-obsolete"],
        cwd=copy,
        env={**os.environ, "PYTHONPATH": str(copy), "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        check=True,
        capture_output=True,
    )
    po = polib.pofile(str(copy / "locale" / "km" / "LC_MESSAGES" / "django.po"))
    missing = [(e.msgid, e.occurrences[:1]) for e in po.untranslated_entries() + po.fuzzy_entries()]
    assert missing == [], "translate these in locale/km/LC_MESSAGES/django.po, then `make messages`"
