"""Finding people by name as people type (issue 14): each typed word looked up in the stored search
keys (register.models.names) by prefix, or by the phonetic key of a romanised word, so that a search
is a few index lookups, never a scan of the register. What is stored and what is looked up are
register.rules.names' `*_search_keys` and `search_lookups`, side by side."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from register.models import CarerSearchKey, ChildSearchKey
from register.rules.names import search_lookups


def _matching(queryset: QuerySet, text: str, key_model, fk: str) -> QuerySet:
    for prefixes, exact in search_lookups(text):
        q = Q(key__in=exact) if exact else Q()
        for prefix in prefixes:
            q |= Q(key__startswith=prefix)
        # One semi-join per typed word: every word must find one of the record's keys.
        queryset = queryset.filter(pk__in=key_model.objects.filter(q).values(fk))
    return queryset


def carers_named(queryset: QuerySet, text: str) -> QuerySet:
    """Carers found by `text`: each word a prefix of one of the primary carer's names (either
    script), of the household name or the reference, or a close romanised name; or the phone's digits."""
    return _matching(queryset, text, CarerSearchKey, "carer_id")


def children_named(queryset: QuerySet, text: str) -> QuerySet:
    """Children found by `text`: names in either script, the reference, a partner system's id."""
    return _matching(queryset, text, ChildSearchKey, "child_id")
