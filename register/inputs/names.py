"""Names (of a child, a carer, a household member, a household, an institution): no Unicode
bidirectional controls. They reorder the text around them when shown (a name that displays as
another, a reference or a date turned round), and no one types them in a name; names are shown on
pages, in exports and in the admin, so they are refused at the door rather than isolated everywhere
they are shown."""

from __future__ import annotations

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


def has_bidi_controls(value: str) -> bool:
    return any(ch in BIDI_CONTROLS for ch in value)


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
    """{field: [message]} for each name of `values` (among `fields`) holding a bidirectional control."""
    return {f: [str(BIDI_MESSAGE)] for f in fields if isinstance(values.get(f), str) and has_bidi_controls(values[f])}
