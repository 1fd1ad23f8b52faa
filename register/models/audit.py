"""The audit trail: append-only records of every write and of every read of a child's record."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    """Entries can be added (create, bulk_create) and read, never changed or removed in bulk either."""

    def update(self, **kwargs):
        raise PermissionError("Audit entries cannot be changed.")

    def _update(self, values):
        raise PermissionError("Audit entries cannot be changed.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionError("Audit entries cannot be changed.")

    def delete(self):
        raise PermissionError("Audit entries cannot be deleted.")

    delete.queryset_only = True

    def _raw_delete(self, using):
        raise PermissionError("Audit entries cannot be deleted.")


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        READ = "read", _("read")
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login_failed", _("failed to log in")
        LOGOUT = "logout", _("logged out")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # PROTECT, not SET_NULL or CASCADE: removing an account must not rewrite or drop its trail (on
    # PostgreSQL the trigger would refuse the UPDATE anyway). Accounts that acted are deactivated.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Kept as text too, so the trail still says who acted if the account is ever removed.
    actor_username = models.CharField(_("who"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    model = models.CharField(_("record type"), max_length=100)
    object_id = models.CharField(_("record"), max_length=64, blank=True)
    object_repr = models.CharField(_("description"), max_length=200, blank=True)
    province = models.CharField(_("province"), max_length=2, blank=True)
    changes = models.JSONField(_("what changed"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at"]
        indexes = [models.Index(fields=["model", "object_id"])]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.model} {self.object_id}"

    def save(self, *args, **kwargs):
        # Append-only: an entry is written once and never changed.
        if not self._state.adding:
            raise PermissionError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries cannot be deleted.")
