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
        return _role_among(self.groups.values_list("name", flat=True))

    @property
    def is_national(self) -> bool:
        return self.is_superuser or self.role == Role.NATIONAL_ADMIN

    @cached_property
    def province_codes(self) -> frozenset[str]:
        return frozenset(self.provinces.values_list("code", flat=True))

    def read_access(self) -> None:
        """Read `role` and `province_codes` together, in one query instead of two (an API request's
        authentication calls this). Kept on this object only, which lives for one request, so a
        change to either is seen by the next request."""
        groups = self.groups.order_by().annotate(kind=models.Value("group")).values_list("kind", "name")
        provinces = self.provinces.order_by().annotate(kind=models.Value("province")).values_list("kind", "code")
        rows = list(groups.union(provinces, all=True))
        self.__dict__["role"] = _role_among(name for kind, name in rows if kind == "group")
        self.__dict__["province_codes"] = frozenset(code for kind, code in rows if kind == "province")


def _role_among(group_names) -> str | None:
    names = set(group_names)
    return next((r for r in Role.values if r in names), None)
