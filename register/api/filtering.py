"""Filters that say when a value is wrong instead of ignoring it.

The rule is the FilterSets' own (register.selectors.filters.StrictFilterSet: a boolean parameter
given anything but true/false or 1/0 is an error, code `invalid_boolean`), so that pages and API
read a filter alike. This module only turns it into the API's 400 naming the parameter.
"""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from register.selectors.filters import INVALID_BOOLEAN


def check_boolean_filters(filterset) -> None:
    """Raise a 400 for any boolean filter of `filterset` given a value it would ignore (for views
    that filter with `.qs` rather than through the filter backend)."""
    errors = {
        name: [str(error.message) for error in field_errors if error.code == INVALID_BOOLEAN]
        for name, field_errors in filterset.errors.as_data().items()
    }
    errors = {name: messages for name, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend: a FilterSet whose values are invalid (a boolean filter's included)
    answers 400 naming the parameter."""
