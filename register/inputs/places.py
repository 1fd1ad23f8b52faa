"""Places: gazetteer codes (NCDD) for communes and villages, and GPS points inside Cambodia."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from register.models import Commune, Village

COMMUNE_CODE_LENGTH = 6
VILLAGE_CODE_LENGTH = 8
# {value} is filled in once translated (the messages name the code that was given).
UNKNOWN_COMMUNE = _("{value} is not a commune code of the gazetteer (six digits, e.g. 020101).")
INVALID_COMMUNE = _("Expected a commune code (six digits).")
UNKNOWN_VILLAGE = _("{value} is not a village code of the gazetteer (eight digits, e.g. 02010101).")
INVALID_VILLAGE = _("Expected a village code (eight digits).")

LATITUDE_RANGE = (9.5, 15.0)
LONGITUDE_RANGE = (102.0, 108.0)
LATITUDE_MESSAGE = _("This latitude is outside Cambodia (9.5 to 15.0).")
LONGITUDE_MESSAGE = _("This longitude is outside Cambodia (102.0 to 108.0).")
LAT_LON_PAIR_MESSAGE = _("Give both lat and lon, or leave both empty.")


def _by_code(queryset, value, *, unknown, invalid, memo: dict | None):
    # A code is text; a number is read as its digits (as a lookup by code always did). Anything else
    # (a list, an object) is no code at all.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValidationError(invalid, code="invalid")
    code = str(value)
    if memo is not None and code in memo:
        return memo[code]
    try:
        found = queryset.get(code=code)
    except queryset.model.DoesNotExist:
        raise ValidationError(str(unknown).format(value=code), code="does_not_exist") from None
    if memo is not None:
        memo[code] = found
    return found


def commune_by_code(value, *, memo: dict | None = None) -> Commune:
    """The commune of a six-digit code, with its district and province. `memo`, a dict kept by the
    caller, saves the look-up of a code already found (an import reads the same codes many times)."""
    return _by_code(
        Commune.objects.select_related("district", "province"),
        value,
        unknown=UNKNOWN_COMMUNE,
        invalid=INVALID_COMMUNE,
        memo=memo,
    )


def village_by_code(value, *, memo: dict | None = None) -> Village:
    """The village of an eight-digit code."""
    return _by_code(Village.objects.all(), value, unknown=UNKNOWN_VILLAGE, invalid=INVALID_VILLAGE, memo=memo)


def village_in_commune_errors(commune: Commune | None, village: Village | None) -> list[str]:
    """A village must lie in the family's commune. No village (None, or a form's empty choice) is fine."""
    if commune and village and village.commune_id != commune.code:
        return [
            str(_("Village %(village)s is not in commune %(commune)s."))
            % {"village": village.code, "commune": commune.code}
        ]
    return []


latitude_validators = [
    MinValueValidator(LATITUDE_RANGE[0], message=LATITUDE_MESSAGE),
    MaxValueValidator(LATITUDE_RANGE[1], message=LATITUDE_MESSAGE),
]
longitude_validators = [
    MinValueValidator(LONGITUDE_RANGE[0], message=LONGITUDE_MESSAGE),
    MaxValueValidator(LONGITUDE_RANGE[1], message=LONGITUDE_MESSAGE),
]


class _CodeField(forms.CharField):
    lookup = staticmethod(commune_by_code)

    def __init__(self, *, memo: dict | None = None, **kwargs):
        self.memo = memo
        super().__init__(**kwargs)

    def clean(self, value):
        code = super().clean(value)
        return self.lookup(code, memo=self.memo) if code else None


class CommuneCodeField(_CodeField):
    """A form field whose cleaned value is the Commune of the code typed or chosen."""

    lookup = staticmethod(commune_by_code)


class VillageCodeField(_CodeField):
    """A form field whose cleaned value is the Village of the code typed or chosen (or None)."""

    lookup = staticmethod(village_by_code)
