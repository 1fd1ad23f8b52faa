"""What the forms of every area share: the date input, the province choices and who may follow a
placement."""

from __future__ import annotations

from django import forms

from register.models import User
from register.selectors.provinces import province_list
from register.services.placements import SOCIAL_WORKER_ROLES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def provinces_of(user):
    """The provinces the user works in (national administrators: all), for the province selects."""
    return province_list(user=user)


def staff_who_follow_up(*, province_codes=None) -> list[User]:
    """Active social workers and supervisors (the roles the placement service accepts), of these
    provinces (None: of every province). The service checks the one chosen again."""
    queryset = User.objects.filter(is_active=True, groups__name__in=SOCIAL_WORKER_ROLES)
    if province_codes is not None:
        queryset = queryset.filter(provinces__code__in=list(province_codes))
    return list(queryset.distinct().order_by("username"))
