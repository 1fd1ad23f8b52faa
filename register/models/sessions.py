"""Where each account is signed in: its browser sessions and its API tokens, so that a user can see
and revoke them (register/services/sessions.py).

A browser session is named by a random id kept inside the session's own (server-side) data, not by
its key: the key changes at every login step (`cycle_key`) and is a credential, never stored twice.
A session whose id has no row here is refused by register.middleware: deleting the row revokes it,
whatever the session engine (a signed-cookie session cannot be deleted from any store)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserSession(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions", verbose_name=_("user")
    )
    user_agent = models.CharField(_("device"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    created_at = models.DateTimeField(_("signed in"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("browser session")
        verbose_name_plural = _("browser sessions")
        indexes = [models.Index(fields=["user", "last_seen_at"], name="usersession_user_seen")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class ApiTokenUse(models.Model):
    """Where an API token (django-rest-knox's, which records only its creation and expiry) was
    asked for and last used. Named by the token's digest (knox's primary key, a hash, not the
    token), not a foreign key: knox's model is swappable and the project names no KNOX_TOKEN_MODEL.
    A token's row goes with it (a post_delete receiver, register/services/sessions.py)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    token_digest = models.CharField(max_length=128, unique=True)
    user_agent = models.CharField(_("device"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token use")
        verbose_name_plural = _("API token uses")

    def __str__(self) -> str:
        return str(self.id)
