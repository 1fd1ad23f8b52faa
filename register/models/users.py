"""Staff accounts: one role (a Django group) and the provinces they work in."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from register.roles import Role


class User(AbstractUser):
    class Channel(models.TextChoices):
        INBOX = "inbox", _("In-app inbox only")
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")
        TELEGRAM = "telegram", _("Telegram")

    provinces = models.ManyToManyField(
        "register.Province", blank=True, related_name="staff", verbose_name=_("provinces")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=[("en", "English"), ("km", "ខ្មែរ")], default="km"
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=Channel.choices, default=Channel.INBOX
    )
    telegram_chat_id = models.CharField(_("Telegram chat id"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")

    @cached_property
    def role(self) -> str | None:
        """The user's role: the first of their groups that names a role."""
        names = {g.name for g in self.groups.all()}
        return next((r for r in Role.values if r in names), None)

    @property
    def is_national(self) -> bool:
        return self.is_superuser or self.role == Role.NATIONAL_ADMIN

    @cached_property
    def province_codes(self) -> frozenset[str]:
        return frozenset(self.provinces.values_list("code", flat=True))
