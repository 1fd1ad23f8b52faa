"""Query helpers that must work the same on SQLite (make run) and PostgreSQL (production)."""

from django.db import connection
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.db.models.lookups import Contains


def json_list_contains(field: str, value: str) -> Q:
    """Rows whose JSON list `field` contains the string `value`. PostgreSQL answers with jsonb
    containment (indexable); SQLite has no JSON containment, so match the quoted value in the JSON
    text, which is exact for lists of enumeration codes (they contain no quotes)."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__contains": [value]})
    return Q(Contains(Cast(field, output_field=TextField()), f'"{value}"'))
