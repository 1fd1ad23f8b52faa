"""Writing the audit trail. Services call these in the same transaction as the change they record,
so a change and its audit entry are committed together or not at all."""

from __future__ import annotations

import datetime
import decimal
import hashlib
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from typing import Any

from django.db import models

from register.models import AuditEntry

# Never copied into the trail: a password hash (a change still shows, as a changed fingerprint).
SECRET_FIELDS = frozenset({"password"})


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The concrete field values of a row, as JSON-safe values, for diffing before and after."""
    data = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        data[field.attname] = _redacted(value) if field.attname in SECRET_FIELDS else _jsonable(value)
    return data


def _redacted(value: Any) -> str:
    if not value:
        return ""
    return "redacted:" + hashlib.sha256(str(value).encode()).hexdigest()[:8]


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field that changed (old is None on creation)."""
    before = before or {}
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def audit_write(
    *,
    actor,
    action: str,
    instance: models.Model,
    changes: dict[str, Any] | None = None,
    province: str = "",
) -> AuditEntry:
    return audit_event(
        actor=actor,
        action=action,
        model=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=_repr(instance),
        province=province or _province_of(instance),
        changes=changes,
    )


def audit_event(
    *,
    actor,
    action: str,
    model: str,
    object_id: str = "",
    object_repr: str = "",
    province: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """An entry about what is not one row of ours (an import as a whole, a duplicate check, another
    library's token): who and when as for every entry, the rest as the caller names it."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=getattr(actor, "username", "") or "system",
        action=action,
        model=model,
        object_id=object_id,
        object_repr=object_repr,
        province=province,
        changes=changes or {},
    )


# Bookkeeping columns, left out of a change where a record's own fields are what an auditor reads.
TIMESTAMPS = ("created_at", "updated_at")

State = Callable[[models.Model], dict[str, Any]]


class AuditedChange(dict):
    """What an audited block changes: its items are changes that are not fields of the row (a list
    of related records), which the block adds; `so_far()` is the whole change up to now, for a block
    that saves only when something changed."""

    def __init__(self, instance: models.Model, state: State, ignore: Iterable[str]):
        super().__init__()
        self._instance, self._state, self._ignore = instance, state, frozenset(ignore)
        self._before = state(instance)

    def so_far(self) -> dict[str, Any]:
        changes = diff(self._before, self._state(self._instance))
        return {**{k: v for k, v in changes.items() if k not in self._ignore}, **self}


@contextmanager
def audited_update(
    *,
    actor,
    instance: models.Model,
    province: str = "",
    when_changed: bool = False,
    state: State = snapshot,
    ignore: Iterable[str] = (),
):
    """Record what the block changes on `instance` (and saves) as one UPDATE entry, its fields before
    and after, in the caller's transaction. The block may add changes that are not fields of the row
    to the AuditedChange it is given. `when_changed`: write nothing when nothing changed (an edit
    that repeats the record). `state`: what is compared (snapshot, or a model's own view with its
    relations); `ignore`: fields left out of the entry (TIMESTAMPS)."""
    change = AuditedChange(instance, state, ignore)
    yield change
    changes = change.so_far()
    if changes or not when_changed:
        audit_write(actor=actor, action=AuditEntry.Action.UPDATE, instance=instance, changes=changes, province=province)


def audit_created(
    *,
    actor,
    instance: models.Model,
    extra: dict[str, Any] | None = None,
    province: str = "",
    state: State = snapshot,
    ignore: Iterable[str] = (),
) -> AuditEntry:
    """Record a new row: every field it was created with (but `ignore`), and `extra` changes that are
    not fields."""
    changes = {k: v for k, v in diff(None, state(instance)).items() if k not in ignore}
    return audit_write(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=instance,
        changes={**changes, **(extra or {})},
        province=province,
    )


def audit_deleted(*, actor, instance: models.Model, province: str = "", state: State = snapshot) -> AuditEntry:
    """Record a row about to be deleted, with the values it had (call it before the delete: the row
    still has its primary key)."""
    return audit_write(
        actor=actor, action=AuditEntry.Action.DELETE, instance=instance, changes=state(instance), province=province
    )


def audit_read(*, actor, instance: models.Model, province: str = "") -> AuditEntry:
    """Log that `actor` read `instance` (a child's record): who, which, when."""
    return audit_write(actor=actor, action=AuditEntry.Action.READ, instance=instance, province=province)


def audit_reads(*, actor, instances) -> None:
    """Log the reads of several records at once (a list page of children)."""
    entries = [
        AuditEntry(
            actor=actor if getattr(actor, "pk", None) else None,
            actor_username=getattr(actor, "username", "") or "system",
            action=AuditEntry.Action.READ,
            model=i._meta.label,
            object_id=str(i.pk),
            object_repr=_repr(i),
            province=_province_of(i),
        )
        for i in instances
    ]
    AuditEntry.objects.bulk_create(entries)


def _repr(instance: models.Model) -> str:
    # A reference number, never a name: the trail must not spread personal data.
    return str(getattr(instance, "reference", "") or instance.pk)[:200]


def _province_of(instance: models.Model) -> str:
    code = getattr(instance, "province_id", None)
    return code if isinstance(code, str) else ""


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    return value
