from django.contrib import admin

from notifications.models import Notification, Reminder, ReminderPolicy
from register.admin.base import ReadOnlyAdmin, ScopedAdminMixin, VersionedPolicyAdmin


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(VersionedPolicyAdmin):
    list_display = [
        "__str__",
        "in_force",
        "due_soon_days_before",
        "overdue_days_after",
        "escalate_days_after",
        "review_due_days_before",
        "max_attempts",
        "created_at",
        "created_by",
    ]
    readonly_fields = ["created_at", "created_by"]


@admin.register(Reminder)
class ReminderAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    """What the sweep did: read-only (the database is the source of truth; the sweep writes it)."""

    list_display = ["due_at", "kind", "status", "attempts", "province", "sent_at", "last_error"]
    list_filter = ["status", "kind", "province"]
    date_hierarchy = "due_at"


@admin.register(Notification)
class NotificationAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    province_field = "reminder__province"
    list_display = ["created_at", "kind", "recipient", "channel", "status", "sent_at", "read_at"]
    list_filter = ["status", "kind", "channel"]
    list_select_related = ["recipient"]
