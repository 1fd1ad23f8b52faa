"""Names sorted in Khmer order (issue 14): the `khmer` collation, ICU's Khmer (km) rules, numbers by
value. PostgreSQL has it from a migration (register 0015, an ICU collation); SQLite, for development
and tests, gets the same rules from PyICU (the same ICU library) registered on every new connection.
`khmer_order("name")` sorts by a field in that order on either database."""

from __future__ import annotations

import functools

from django.db.models import F
from django.db.models.functions import Collate

KHMER_COLLATION = "khmer"
ICU_LOCALE = "km-u-kn-true"  # as the PostgreSQL collation of migration 0015


def khmer_order(field: str) -> Collate:
    return Collate(F(field), KHMER_COLLATION)


@functools.cache
def _collator():
    import icu  # PyICU: a development requirement (SQLite); production sorts in PostgreSQL

    collator = icu.Collator.createInstance(icu.Locale(ICU_LOCALE))
    return collator


def khmer_compare(a: str | None, b: str | None) -> int:
    """SQLite's collation function: negative, zero or positive, as ICU's Khmer rules order a and b."""
    return _collator().compare(a or "", b or "")


def register_sqlite_collation(sender, connection, **kwargs) -> None:
    """connection_created receiver: the `khmer` collation on each new SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(KHMER_COLLATION, khmer_compare)
