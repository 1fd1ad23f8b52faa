"""The Khmer catalogue follows its glossary (locale/glossary.csv): one concept, one word.

Each glossary row names a domain term in English and Khmer. `avoid` is a regular expression of
renderings not to use (applied to every translation, or, when the row has a `context`, to the
entries of that msgctxt); `msgid_pattern` and `required` say that an English text mentioning the
term must be translated with it. Digits: Arabic only (the glossary's `digits` row). Punctuation:
Khmer sentences end with ។ and introduce with ៖, never with an ASCII full stop, colon or semicolon.
docs/developing/languages.md explains how to add a term."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "locale" / "glossary.csv"
CATALOGUE = ROOT / "locale" / "km" / "LC_MESSAGES" / "django.po"
COLUMNS = ["term_en", "context", "term_km", "avoid", "msgid_pattern", "required", "note", "source"]
# Placeholders, markup and code a translation keeps as they are: %(name)s, {name}, `code`, <tags>.
KEPT = re.compile(r"%\(\w+\)[sdrf]|%[sd]|\{[\w:]*\}|`[^`]*`|<[^>]+>")


def glossary() -> list[dict]:
    with GLOSSARY.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def entries() -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(CATALOGUE)) if not e.obsolete and e.translated()]


def translations(entry: polib.POEntry) -> list[str]:
    texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
    return [KEPT.sub(" ", t) for t in texts]


def test_the_glossary_is_well_formed():
    rows = glossary()
    assert rows and list(rows[0]) == COLUMNS
    assert len(rows) >= 40
    for row in rows:
        assert row["term_en"] and row["term_km"], row
        for key in ("avoid", "msgid_pattern"):
            if row[key]:
                re.compile(row[key])
        assert bool(row["msgid_pattern"]) == bool(row["required"]), row["term_en"]
        if row["avoid"]:  # the word chosen is not itself a word to avoid
            assert not re.search(row["avoid"], row["required"] or row["term_km"]), row["term_en"]
    terms = [(r["term_en"], r["context"]) for r in rows]
    assert len(terms) == len(set(terms))
    for needed in (
        "foster family",
        "kinship care",
        "residential care institution",
        "placement",
        "follow-up visit",
        "supervisor",
        "social worker",
        "placement officer",
        "registrar",
        "national administrator",
        "overdue",
        "due today",
        "notes",
        "filter",
        "spreadsheet",
        "header row",
        "row",
        "reference (number)",
        "reference (character check)",
        "passed (check result)",
        "approval",
        "safeguarding concern",
        "sibling group",
        "placement breakdown",
        "reunified",
    ):
        assert needed in {t for t, _ in terms}, needed


def _applies(row: dict, entry: polib.POEntry) -> bool:
    return not row["context"] or entry.msgctxt == row["context"]


def test_no_translation_uses_a_rendering_the_glossary_rules_out():
    found = []
    for row in glossary():
        if not row["avoid"]:
            continue
        avoid = re.compile(row["avoid"])
        for entry in entries():
            if _applies(row, entry) and any(avoid.search(t) for t in translations(entry)):
                found.append(f"{row['term_en']}: {entry.msgid!r}")
    assert found == []


def test_an_english_text_naming_a_term_is_translated_with_the_glossary_word():
    found = []
    for row in glossary():
        if not row["msgid_pattern"]:
            continue
        pattern = re.compile(row["msgid_pattern"], re.IGNORECASE)
        for entry in entries():
            english = " ".join(filter(None, [entry.msgid, entry.msgid_plural]))
            named = _applies(row, entry) and pattern.search(KEPT.sub(" ", english))
            if named and not all(row["required"] in t for t in translations(entry)):
                found.append(f"{row['term_en']} ({row['required']}): {entry.msgid!r}")
    assert found == []


# A semicolon ending a clause ("…; …"), not one shown as a character to type (" ; ", "km;en").
CLAUSE_SEMICOLON = re.compile(r"(?<=[^\s`;]);(?=\s)")
# An ASCII full stop or colon right after Khmer text: Khmer has ។ and ៖ (ឧ. is the abbreviation of
# ឧទាហរណ៍, for example, and keeps its dot).
ASCII_STOP = re.compile(r"(?<!ឧ)(?<=[\u1780-\u17dd])[.:](?!\w)")


@pytest.mark.parametrize("rule", [CLAUSE_SEMICOLON, ASCII_STOP], ids=["semicolon", "full-stop-or-colon"])
def test_khmer_punctuation(rule):
    found = [e.msgid for e in entries() if any(rule.search(t) for t in translations(e))]
    assert found == []


def test_the_glossary_catches_what_it_is_meant_to():
    """The rules can fail: the renderings issue 20 found are caught."""
    rows = {r["term_en"]: r for r in glossary()}
    assert re.search(rows["foster family"]["avoid"], "មិនត្រូវបានអនុម័តជាគ្រួសារចិញ្ចឹមទេ")
    assert re.search(rows["spreadsheet"]["avoid"], "ពីសៀវភៅបញ្ជី (spreadsheet)")
    assert re.search(rows["digits"]["avoid"], "ពី ១ ឡើងទៅ")
    assert re.search(rows["row"]["avoid"], "មួយគ្រួសារក្នុងមួយជួរ។")
    assert not re.search(rows["row"]["avoid"], "ជួរដេក ជួរឈរ ជួរក្បាលតារាង ជួររង់ចាំ")
    assert re.search(rows["administrator"]["avoid"], "សូមសួរអ្នកគ្រប់គ្រង។")
    assert not re.search(rows["administrator"]["avoid"], "អ្នកគ្រប់គ្រងប្រព័ន្ធ អ្នកគ្រប់គ្រងថ្នាក់ជាតិ")
    assert CLAUSE_SEMICOLON.search("ទទេ; ពាក្យ") and not CLAUSE_SEMICOLON.search("បំបែកដោយ ; ឬ ,")
    assert ASCII_STOP.search("ពាក្យ.") and not ASCII_STOP.search("ឧ. 020101")
