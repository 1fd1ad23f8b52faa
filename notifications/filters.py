"""The FilterSets of notifications, beside its selectors: the inbox's and the follow-up queue's. The
API and the supervisor's pages filter with the same classes (plain django-filter, no API code)."""

from __future__ import annotations

import django_filters as filters

from notifications import selectors
from notifications.models import Notification
from register.rules.visits import overdue_by_at_least_q
from register.selectors.filters import BooleanFilter, StrictFilterSet


class NotificationFilter(StrictFilterSet):
    unread = BooleanFilter(field_name="read_at", lookup_expr="isnull", label="Only unread ones")

    class Meta:
        model = Notification
        fields = ["kind", "status", "unread"]


class QueueFilter(StrictFilterSet):
    province = filters.CharFilter(field_name="placement__province_id", label="Province code")
    district = filters.CharFilter(field_name="placement__carer__district_id")
    social_worker = filters.CharFilter(field_name="placement__social_worker__username")
    priority = filters.ChoiceFilter(choices=[(p, p) for p in selectors.PRIORITIES], method="filter_priority")
    # Bounded: a huge number would overflow the date arithmetic (a 500 instead of a 400).
    days_overdue_min = filters.NumberFilter(
        method="filter_days", label="At least this many days overdue", min_value=0, max_value=36500
    )
    delivery_failed = BooleanFilter(label="Only visits whose reminder could not be delivered")

    class Meta:
        model = selectors.Visit
        fields = ["province", "district", "social_worker", "priority", "days_overdue_min", "delivery_failed"]

    def filter_priority(self, queryset, name, value):
        return queryset.filter(priority=selectors.Priority.from_code(value))

    def filter_days(self, queryset, name, value):
        return queryset.filter(overdue_by_at_least_q(int(value)))
