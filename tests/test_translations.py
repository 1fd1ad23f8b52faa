"""Every word a user reads exists in Khmer: the catalogue has no untranslated or fuzzy entry."""

from pathlib import Path

import polib
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
    assert {e.msgid: e.msgstr for e in po.translated_entries()} == {e.msgid: e.msgstr for e in mo if e.msgid}, (
        "run `make messages` to recompile django.mo"
    )


def test_khmer_is_served_when_asked_for(client, db):
    with translation.override("km"):
        assert translation.gettext("Registrar") == "អ្នកចុះបញ្ជី"
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="km")
    assert response["Content-Language"] == "km"
