"""Change stamps: what a cache keeps its values under, so that they are computed again once the
register changes (matching's family arrays, monitoring's indicators)."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone


def change_stamp(*columns: tuple[type, str]) -> tuple:
    """The newest value of each (model, field) (each an indexed column, so one query of about a
    millisecond even on a national register), as text, and today's date (what depends on the day
    changes with it too)."""
    quote = connection.ops.quote_name
    # The models' own table and column names, quoted: nothing from outside goes into the SQL.
    newest = ", ".join(
        f"(SELECT MAX({quote(model._meta.get_field(name).column)}) FROM {quote(model._meta.db_table)})"  # noqa: S608
        for model, name in columns
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {newest}")
        row = cursor.fetchone()
    return (*[str(v) for v in row], timezone.localdate().isoformat())
