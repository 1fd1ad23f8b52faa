"""Jurisdiction: the one function every queryset of province-bound records passes through.

A record outside the caller's provinces is simply not in the queryset, so views answer 404 for it
exactly as for a record that does not exist (API.md).
"""

from django.db.models import QuerySet

from register.roles import OWN_RECORDS_ONLY


def _mergeable(model) -> bool:
    return any(f.name == "merged_into" for f in model._meta.concrete_fields)


def scope_to_user(
    queryset: QuerySet, user, *, province_field: str = "province", include_merged: bool = False
) -> QuerySet:
    """Keep only the rows whose `province_field` (a lookup path to a province code) is one of the
    user's provinces. National administrators see every province; anyone else with no province, or
    an anonymous or inactive user, sees nothing. Records merged into another (issue 14) are in no
    list: their id answers only with the record kept (`include_merged` for that one look-up)."""
    if not include_merged and _mergeable(queryset.model):
        queryset = queryset.filter(merged_into__isnull=True)
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_national:
        return queryset
    codes = user.province_codes
    if not codes:
        return queryset.none()
    return queryset.filter(**{f"{province_field}__in": codes})


def scope_to_case_load(queryset: QuerySet, user, *, province_field: str, social_worker_field: str) -> QuerySet:
    """`scope_to_user`, and for a role that reads only its own cases (a social worker), only the rows
    whose `social_worker_field` (a lookup path to the case's social worker) is the user."""
    queryset = scope_to_user(queryset, user, province_field=province_field)
    if getattr(user, "role", None) in OWN_RECORDS_ONLY:
        queryset = queryset.filter(**{social_worker_field: user})
    return queryset


def user_may_act_in(user, province_code: str | None) -> bool:
    """Whether the user works in this province (for records being created or moved)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_national or (province_code is not None and province_code in user.province_codes)
