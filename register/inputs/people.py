"""People: dates of birth and the adult age."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from register.inputs.dates import ADULT_AGE, PlausibleDate
from register.rules.ages import age_on

FUTURE_DATE_MESSAGE = _("This date is in the future.")
CARER_TOO_YOUNG_MESSAGE = _("The primary carer must be at least 18 years old.")


def validate_not_in_future(value: datetime.date) -> None:
    """A date that has happened (a birth, a check, a training...): not after today."""
    if value > timezone.localdate():
        raise ValidationError(FUTURE_DATE_MESSAGE, code="future", params={"value": value})


def validate_adult_birth_date(value: datetime.date) -> None:
    """The date of birth of a primary carer: not in the future, 18 or older today, and not before
    the oldest plausible birth (register/inputs/dates.py)."""
    validate_not_in_future(value)
    if age_on(value, timezone.localdate()) < ADULT_AGE:
        raise ValidationError(CARER_TOO_YOUNG_MESSAGE, code="too_young", params={"value": value})
    PlausibleDate("adult_birth")(value)


def validate_person_birth_date(value: datetime.date) -> None:
    """The date of birth of anyone in a household: not in the future, not over 110 years ago."""
    validate_not_in_future(value)
    PlausibleDate("person_birth")(value)


def validate_event_date(value: datetime.date) -> None:
    """A date something happened on the register (a check, a training, a concern): not in the
    future, not before the register's earliest plausible event."""
    validate_not_in_future(value)
    PlausibleDate("past_event")(value)


def validate_child_birth_date(value: datetime.date) -> None:
    """A child's date of birth as typed: not in the future, and not so long ago that no child has it
    (the 18-year rule itself is the children service's, with its own message)."""
    validate_not_in_future(value)
    PlausibleDate("child_birth")(value)
