"""Rows written in bulk: the demo builds plain dicts in memory and writes them a batch at a time."""

from __future__ import annotations

import json

from django.db import connection, models
from django.utils import timezone

BATCH = 2000


def row(**values):
    """One row to write: field attnames (`carer_id`, not `carer`) to values."""
    return values


class Writer:
    """Writes rows of a model in bulk: COPY on PostgreSQL (several times faster than INSERT, which
    matters for 100,000 carers), bulk_create of model instances elsewhere (SQLite for `make run`).
    Fields left out get their defaults; auto_now fields get the time the seed started."""

    def __init__(self):
        self.copy = connection.vendor == "postgresql"
        self.now = timezone.now()
        self._plans: dict[type, tuple[str, list]] = {}

    def write(self, model, rows: list[dict]) -> None:
        if not rows:
            return
        if not self.copy:
            model.objects.bulk_create([model(**r) for r in rows], batch_size=BATCH)
            return
        sql, plan = self._plan(model)
        missing = object()
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for r in rows:
                values = []
                for attname, default, is_json in plan:
                    v = r.get(attname, missing)
                    if v is missing:
                        v = default() if callable(default) else default
                    values.append(json.dumps(v) if is_json else v)
                copy.write_row(values)

    def _plan(self, model) -> tuple[str, list]:
        if model not in self._plans:
            plan, columns = [], []
            for f in model._meta.concrete_fields:
                if f.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField"):
                    continue  # numbered by the database
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                    default = self.now
                else:
                    default = f.default if f.has_default() and callable(f.default) else f.get_default()
                plan.append((f.attname, default, isinstance(f, models.JSONField)))
                columns.append(connection.ops.quote_name(f.column))
            table = connection.ops.quote_name(model._meta.db_table)
            self._plans[model] = (f"COPY {table} ({', '.join(columns)}) FROM STDIN", plan)
        return self._plans[model]
