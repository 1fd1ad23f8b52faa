"""Finding people by name as people type (issue 14): each typed word looked up in the stored search
keys (register.models.names) by prefix, or by the phonetic key of a romanised word, so that a search
is a few index lookups, never a scan of the register. What is stored and what is looked up are
register.rules.names' `*_search_keys` and `search_lookups`, side by side."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.db.models.lookups import In

from register.models import CarerSearchKey, ChildSearchKey
from register.rules.names import search_lookups

# A word found in at most this many records is handed to the list as those records' ids. PostgreSQL
# cannot tell from a prefix how few records it finds (a phone number finds one): given a semi-join it
# may walk the whole list in its order looking for them; given the ids it fetches just those. A word
# found in many (the first letters of a common name) is a semi-join: walking the list in its order
# finds a page of them at once.
FEW = 5000


class _AnyOf(In):
    """`pk IN (ids)`, sent to PostgreSQL as one array (`= ANY(%s)`): thousands of ids as separate
    parameters cost more to build and parse than the query takes to run."""

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(v, connection, prepared=False) for v in self.rhs]
        return f"{lhs} = ANY(%s)", (*lhs_params, values)


def _matching(queryset: QuerySet, text: str, key_model, fk: str) -> QuerySet:
    """Every typed word must find one of the record's keys."""
    words = []
    for prefixes, exact in search_lookups(text):
        q = Q(key__in=exact) if exact else Q()
        for prefix in prefixes:
            q |= Q(key__startswith=prefix)
        words.append(key_model.objects.filter(q).order_by().values_list(fk, flat=True))
    ids = None  # the records every word so far finds, once one word finds few
    many = []  # the words that find many, while no word finds few
    for found in words:
        if ids is not None:
            ids = list(found.filter(_AnyOf(F(fk), ids)).distinct())
            continue
        # Key rows, not records (a record has a few keys a word may find): stops reading at once
        # for a broad word, where sorting out distinct records first would read them all.
        rows = list(found[: FEW + 1])
        if len(rows) > FEW:
            many.append(found)
            continue
        ids = list(dict.fromkeys(rows))
        for other in many:  # the words before it that found many: kept only where they meet it
            ids = list(other.filter(_AnyOf(F(fk), ids)).distinct())
    if ids is not None:
        return queryset.filter(_AnyOf(F("pk"), ids))
    for found in many:
        queryset = queryset.filter(pk__in=found)
    return queryset


def carers_named(queryset: QuerySet, text: str) -> QuerySet:
    """Carers found by `text`: each word a prefix of one of the primary carer's names (either
    script), of the household name or the reference, or a close romanised name; or the phone's digits."""
    return _matching(queryset, text, CarerSearchKey, "carer_id")


def children_named(queryset: QuerySet, text: str) -> QuerySet:
    """Children found by `text`: names in either script, the reference, a partner system's id."""
    return _matching(queryset, text, ChildSearchKey, "child_id")
