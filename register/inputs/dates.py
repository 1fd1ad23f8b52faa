"""Dates a person types: each kind bounded to a plausible range, so that a slip of the keyboard
(year 1, 1890, 2200) is refused with the range allowed, by every way in. The models carry these
validators on their date fields (so the API, the pages, the admin and the import, which all save
through full_clean, share them); forms and serializers may add them to answer earlier.

The bounds are looked up by name when a date is checked, so that "today" is today and a migration
names the kind, not the dates."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

ADULT_AGE = 18
# A person on the register is not older than this (a carer, a member of a household).
OLDEST_PERSON_AGE = 110
# A child's record may be kept a little past 18 (aged out, a late correction): a date of birth is
# refused only when it is far outside what a child's can be.
CHILD_AGE_MARGIN = 2
# No check, training, concern, placement or visit on the register happened before this.
EARLIEST_EVENT = datetime.date(2000, 1, 1)
# How far ahead an expiry date may be (a police clearance, a health check).
LONGEST_VALIDITY_YEARS = 30

RANGE_MESSAGE = _("Enter a date from %(earliest)s to %(latest)s.")


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` earlier (28 February for a 29 February that year lacks)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _bounds(kind: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    if kind == "child_birth":
        return years_before(today, ADULT_AGE + CHILD_AGE_MARGIN), today
    if kind == "adult_birth":
        return years_before(today, OLDEST_PERSON_AGE), years_before(today, ADULT_AGE)
    if kind == "person_birth":
        return years_before(today, OLDEST_PERSON_AGE), today
    if kind == "past_event":
        return EARLIEST_EVENT, today
    if kind == "expiry":
        return EARLIEST_EVENT, years_before(today, -LONGEST_VALIDITY_YEARS)
    raise ValueError(f"unknown kind of date: {kind}")


def date_bounds(kind: str) -> tuple[datetime.date, datetime.date]:
    """(earliest, latest) allowed today for a kind of date: child_birth, adult_birth,
    person_birth, past_event, expiry."""
    return _bounds(kind, timezone.localdate())


def date_range_message(kind: str) -> str:
    earliest, latest = date_bounds(kind)
    return str(RANGE_MESSAGE) % {"earliest": earliest.isoformat(), "latest": latest.isoformat()}


@deconstructible
class PlausibleDate:
    """A validator: the date lies in the range of its kind (see date_bounds)."""

    def __init__(self, kind: str):
        _bounds(kind, datetime.date(2000, 1, 1))  # an unknown kind fails where it is declared
        self.kind = kind

    def __call__(self, value) -> None:
        if not isinstance(value, datetime.date):
            return  # not a date: the field's own parsing says so
        if isinstance(value, datetime.datetime):
            value = value.date()
        earliest, latest = date_bounds(self.kind)
        if not earliest <= value <= latest:
            raise ValidationError(
                RANGE_MESSAGE,
                code="date_out_of_range",
                params={"earliest": earliest.isoformat(), "latest": latest.isoformat(), "value": value},
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, PlausibleDate) and other.kind == self.kind


child_birth_date = PlausibleDate("child_birth")
adult_birth_date = PlausibleDate("adult_birth")
person_birth_date = PlausibleDate("person_birth")
past_event_date = PlausibleDate("past_event")
expiry_date = PlausibleDate("expiry")


def date_errors(values: Mapping[str, Any], kinds: Mapping[str, str]) -> dict[str, list[str]]:
    """{field: [message]} for each date of `values` outside the range of its kind ({field: kind})."""
    errors: dict[str, list[str]] = {}
    for field, kind in kinds.items():
        try:
            PlausibleDate(kind)(values.get(field))
        except ValidationError as error:
            errors[field] = list(error.messages)
    return errors
