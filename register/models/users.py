"""Staff accounts: one role (a Django group) and the provinces they work in."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser, Group
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

    def keep_access(self, rows) -> None:
        """Keep the role and provinces given as (kind, value) rows of `access_rows_sql` (an API
        request reads them with its token: register/selectors/access.py). Kept on this object only,
        which lives for one request, so a change to either is seen by the next request."""
        self.__dict__["role"] = _role_among(value for kind, value in rows if kind == "group")
        self.__dict__["province_codes"] = frozenset(value for kind, value in rows if kind == "province")


def access_rows_sql(quote) -> str:
    """SQL of every user's access as rows (user_id, kind, value): ('group', the group's name) for
    each of their groups and ('province', its code) for each of their provinces (a province's code
    is its key, so the link table holds it), with the models' own names quoted by `quote`. Written
    out rather than built with the ORM because an API request reads it every time
    (register/selectors/access.py), and building and compiling the ORM's UNION cost about 1.5 ms of
    CPU, ten times the query (issue 18)."""
    groups, provinces, group = User.groups.through._meta, User.provinces.through._meta, Group._meta
    return (
        f"SELECT ug.{quote(groups.get_field('user').column)} AS user_id, 'group' AS kind, "  # noqa: S608
        f"g.{quote(group.get_field('name').column)} AS value "
        f"FROM {quote(groups.db_table)} ug JOIN {quote(group.db_table)} g "
        f"ON g.{quote(group.pk.column)} = ug.{quote(groups.get_field('group').column)} "
        f"UNION ALL SELECT up.{quote(provinces.get_field('user').column)}, 'province', "
        f"up.{quote(provinces.get_field('province').column)} FROM {quote(provinces.db_table)} up"
    )


def _role_among(group_names) -> str | None:
    names = set(group_names)
    return next((r for r in Role.values if r in names), None)
