"""The search keys of carers and children (register.models.names), rewritten by the services in the
same transaction as every change to what they are found by. The keys themselves are
register.rules.names' (`carer_search_keys`, `child_search_keys`)."""

from __future__ import annotations

from collections.abc import Iterable

from register.models import Carer, CarerSearchKey, Child, ChildSearchKey
from register.rules.names import carer_search_keys, child_search_keys


def carer_search_keys_write(*, carers: Iterable[Carer]) -> None:
    """Store each family's keys as they are now (only the keys that changed are written)."""
    _write(CarerSearchKey, "carer_id", {c.pk: carer_search_keys(c) for c in carers})


def child_search_keys_write(*, children: Iterable[Child]) -> None:
    _write(ChildSearchKey, "child_id", {c.pk: child_search_keys(c) for c in children})


def _write(model, fk: str, wanted: dict) -> None:
    if not wanted:
        return
    stored: dict = {pk: set() for pk in wanted}
    for pk, key in model.objects.filter(**{f"{fk}__in": list(wanted)}).values_list(fk, "key"):
        stored[pk].add(key)
    gone = [(pk, key) for pk, keys in stored.items() for key in keys - wanted[pk]]
    for pk in {pk for pk, _ in gone}:
        model.objects.filter(**{fk: pk, "key__in": [k for p, k in gone if p == pk]}).delete()
    model.objects.bulk_create(
        [model(**{fk: pk}, key=key) for pk, keys in wanted.items() for key in sorted(keys - stored[pk])]
    )
