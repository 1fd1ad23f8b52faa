"""The provinces a user works in, for the province choices of forms and filters: the same rule as
every other record (register.scoping), national administrators seeing all 25."""

from __future__ import annotations

from django.db.models import QuerySet

from register.models import Province
from register.scoping import scope_to_user


def province_list(*, user) -> QuerySet[Province]:
    return scope_to_user(Province.objects.order_by("code"), user, province_field="code")
