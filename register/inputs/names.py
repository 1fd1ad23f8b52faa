"""Names (of a child, a carer, a household member, a household, an institution): no Unicode
bidirectional controls. They reorder the text around them when shown (a name that displays as
another, a reference or a date turned round), and no one types them in a name; names are shown on
pages, in exports and in the admin, so they are refused at the door rather than isolated everywhere
they are shown.

A person's name (issue 14) is also checked for its script: the name as written (`given_name`,
`family_name`: Khmer usually, or the script of the person's language) holds letters and the marks
that go with them, spaces, hyphens, apostrophes and full stops, and may hold the zero-width
characters Khmer keyboards type; its romanised form (`*_latin`) holds Latin letters only. No control
character (a tab, a line break, a NUL) in any name."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069), the marks LRM, RLM (U+200E,
# U+200F) and the Arabic letter mark (U+061C).
BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)] + ["\u200e", "\u200f", "\u061c"]
)
BIDI_MESSAGE = _(
    "Remove the invisible text-direction characters (U+202A to U+202E, U+2066 to U+2069, U+200E, "
    "U+200F, U+061C) from this name."
)


CONTROL_MESSAGE = _("Remove the control characters (tabs, line breaks) from this name.")
SCRIPT_MESSAGE = _("A name holds letters, spaces, hyphens, apostrophes and full stops only.")
LATIN_MESSAGE = _("Write the romanised name in Latin letters (A to Z, accents allowed).")
PERSON_NAME_MAX = 100
# Zero-width space, non-joiner, joiner, word joiner, BOM: typed by Khmer keyboards, dropped by search.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_PUNCTUATION = frozenset(" -'.\u2019")


def has_bidi_controls(value: str) -> bool:
    return any(ch in BIDI_CONTROLS for ch in value)


def has_control_characters(value: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in value)


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM"


def _is_latin_letter(ch: str) -> bool:
    o = ord(ch)
    return _is_letter(ch) and (o < 0x250 or 0x1E00 <= o <= 0x1EFF or unicodedata.category(ch) == "Mn")


def person_name_errors(value: str, *, latin: bool = False) -> list[str]:
    """The messages for one person's name (the name as written, or with `latin` its romanised form)."""
    if not isinstance(value, str) or not value:
        return []
    if has_bidi_controls(value):
        return [str(BIDI_MESSAGE)]
    if has_control_characters(value):
        return [str(CONTROL_MESSAGE)]
    if latin:
        if not all(_is_latin_letter(ch) or ch in _PUNCTUATION for ch in value):
            return [str(LATIN_MESSAGE)]
    elif not all(_is_letter(ch) or ch in _PUNCTUATION or ch in ZERO_WIDTH for ch in value):
        return [str(SCRIPT_MESSAGE)]
    return []


@deconstructible
class PersonName:
    """A validator: a person's name as written (usually Khmer), or with `latin=True` its romanised form."""

    def __init__(self, latin: bool = False):
        self.latin = latin

    def __call__(self, value) -> None:
        messages = person_name_errors(value, latin=self.latin)
        if messages:
            raise ValidationError(messages[0], code="invalid_name")

    def __eq__(self, other) -> bool:
        return isinstance(other, PersonName) and other.latin == self.latin


validate_person_name = PersonName()
validate_latin_name = PersonName(latin=True)


@deconstructible
class NoBidiControls:
    """A validator: the text holds no bidirectional control character."""

    def __call__(self, value) -> None:
        if isinstance(value, str) and has_bidi_controls(value):
            raise ValidationError(BIDI_MESSAGE, code="bidi_control")

    def __eq__(self, other) -> bool:
        return isinstance(other, NoBidiControls)


validate_name = NoBidiControls()


def name_errors(values: Mapping[str, Any], fields: Iterable[str]) -> dict[str, list[str]]:
    """{field: [message]} for each name of `values` (among `fields`) holding a bidirectional control;
    a person's name (given_name, family_name and their *_latin forms) is also checked for its script."""
    errors = {}
    for f in fields:
        value = values.get(f)
        if not isinstance(value, str):
            continue
        if f in PERSON_NAME_FIELDS:
            messages = person_name_errors(value, latin=f.endswith("_latin"))
        else:
            messages = [str(BIDI_MESSAGE)] if has_bidi_controls(value) else []
        if messages:
            errors[f] = messages
    return errors


LATIN_NAME_FIELDS = ("given_name_latin", "family_name_latin")
PERSON_NAME_FIELDS = frozenset({"given_name", "family_name", *LATIN_NAME_FIELDS})
