from django.contrib import admin

from notifications.models import Notification, Reminder, ReminderPolicy
from register.admin.base import ReadOnlyAdmin, VersionedPolicyAdmin
from register.scoping import scope_to_user


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
class ReminderAdmin(ReadOnlyAdmin):
    """What the sweep did: read-only (the database is the source of truth; the sweep writes it)."""

    list_display = ["due_at", "kind", "status", "attempts", "province", "sent_at", "last_error"]
    list_filter = ["status", "kind", "province"]
    date_hierarchy = "due_at"

    def get_queryset(self, request):
        return scope_to_user(super().get_queryset(request), request.user)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "recipient", "channel", "status", "sent_at", "read_at"]
    list_filter = ["status", "kind", "channel"]
    list_select_related = ["recipient"]

    def get_queryset(self, request):
        return scope_to_user(super().get_queryset(request), request.user, province_field="reminder__province")
