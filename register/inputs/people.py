"""People: dates of birth and the adult age."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from register.rules.ages import age_on

ADULT_AGE = 18
FUTURE_DATE_MESSAGE = _("This date is in the future.")
CARER_TOO_YOUNG_MESSAGE = _("The primary carer must be at least 18 years old.")


def validate_not_in_future(value: datetime.date) -> None:
    """A date that has happened (a birth, a check, a training...): not after today."""
    if value > timezone.localdate():
        raise ValidationError(FUTURE_DATE_MESSAGE, code="future", params={"value": value})


def validate_adult_birth_date(value: datetime.date) -> None:
    """The date of birth of a primary carer: not in the future, and 18 or older today."""
    validate_not_in_future(value)
    if age_on(value, timezone.localdate()) < ADULT_AGE:
        raise ValidationError(CARER_TOO_YOUNG_MESSAGE, code="too_young", params={"value": value})
