"""Staff accounts: one role (a Django group) and the provinces they work in."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser, Group
from django.db import DEFAULT_DB_ALIAS, connections, models
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
        connection = connections[self._state.db or DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            cursor.execute(_access_sql(connection), [self.pk, self.pk])
            rows = cursor.fetchall()
        self.__dict__["role"] = _role_among(name for kind, name in rows if kind == "group")
        self.__dict__["province_codes"] = frozenset(code for kind, code in rows if kind == "province")


_ACCESS_SQL: dict[str, str] = {}  # by database vendor (PostgreSQL, SQLite): its quoting


def _access_sql(connection) -> str:
    if connection.vendor not in _ACCESS_SQL:
        _ACCESS_SQL[connection.vendor] = _write_access_sql(connection.ops.quote_name)
    return _ACCESS_SQL[connection.vendor]


def _write_access_sql(quote) -> str:
    """The SQL of `read_access`: the names of the user's groups and the codes of their provinces (a
    province's code is its key, so the link table holds it). Written out rather than built with the
    ORM because it runs on every API request, and building and compiling the ORM's UNION cost about
    1.5 ms of CPU a request, ten times the query (issue 18); the names come from the models."""
    groups, provinces, group = User.groups.through._meta, User.provinces.through._meta, Group._meta
    # Quoted names of the models' own tables and columns; the user's id is a bound parameter.
    name, group_table, group_key = quote(group.get_field("name").column), quote(group.db_table), quote(group.pk.column)
    user_groups, user_groups_user = quote(groups.db_table), quote(groups.get_field("user").column)
    user_groups_group = quote(groups.get_field("group").column)
    user_provinces, user_provinces_user = quote(provinces.db_table), quote(provinces.get_field("user").column)
    user_provinces_province = quote(provinces.get_field("province").column)
    return (
        f"SELECT 'group', g.{name} FROM {user_groups} ug JOIN {group_table} g "  # noqa: S608
        f"ON g.{group_key} = ug.{user_groups_group} WHERE ug.{user_groups_user} = %s "
        f"UNION ALL SELECT 'province', up.{user_provinces_province} "
        f"FROM {user_provinces} up WHERE up.{user_provinces_user} = %s"
    )


def _role_among(group_names) -> str | None:
    names = set(group_names)
    return next((r for r in Role.values if r in names), None)
