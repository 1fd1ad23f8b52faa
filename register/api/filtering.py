"""Filters that say when a value is wrong instead of ignoring it.

django-filter's boolean filters read anything but true/false (and 1/0) as "no filter", so
`?has_vacancy=yes` quietly listed every family. The schema says these parameters are booleans; the
API now answers 400 naming the parameter, like every other filter with a bad value.
"""

from django.utils.translation import gettext_lazy as _
from django_filters import BooleanFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

BOOLEAN_VALUES = frozenset({"true", "false", "1", "0"})
BOOLEAN_MESSAGE = _("Use true or false.")


def check_boolean_filters(filterset) -> None:
    """Raise a 400 for any boolean filter of `filterset` given a value it would ignore."""
    errors = {
        name: [str(BOOLEAN_MESSAGE)]
        for name, field in filterset.filters.items()
        if isinstance(field, BooleanFilter)
        and filterset.data.get(name)  # empty: no filter, as for every other filter
        and str(filterset.data.get(name)).lower() not in BOOLEAN_VALUES
    }
    if errors:
        raise ValidationError(errors)


class StrictFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            check_boolean_filters(filterset)
        return filterset
