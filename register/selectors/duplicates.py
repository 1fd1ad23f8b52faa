"""Reading possible duplicates: the records a new family or child may repeat (the duplicate check's
lookup, one indexed query), and the pairs found in the register (scoped lists).

The rule of which records are possible duplicates is register.rules.duplicates; this module only
fetches the few records that could be (the same phone, national ID or date of birth; the same
partner id, or date of birth and home commune) and asks the rule about each. Every province is
searched: the caller splits what the user may see from what is only said to exist elsewhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.http import Http404

from register.models import Carer, Child, DuplicatePair
from register.rules.duplicates import (
    PersonFacts,
    carer_duplicate_reasons,
    child_duplicate_reasons,
    external_id_key,
    national_id_key,
)
from register.scoping import user_may_act_in

# Records fetched at most per check: a phone shared by more families than this (a placeholder
# number typed for everyone) still refuses, naming the first of them.
CANDIDATE_LIMIT = 50
EXTERNAL_ID_KEYS = ("primero", "oscar")


def _latin_fields(model) -> tuple[str, ...]:
    # The romanised names, when the model has them (added by the names work of issue 14).
    names = {f.name for f in model._meta.concrete_fields}
    return tuple(f for f in ("given_name_latin", "family_name_latin") if f in names)


def _names(values: Mapping[str, Any]) -> tuple[str, str, str, str]:
    return (
        values.get("given_name") or "",
        values.get("family_name") or "",
        values.get("given_name_latin") or "",
        values.get("family_name_latin") or "",
    )


def carer_facts(values: Mapping[str, Any]) -> PersonFacts:
    """A family's facts for the rule, from its values (a service's data or a row's `values()`)."""
    return PersonFacts(
        names=_names(values),
        date_of_birth=values.get("date_of_birth"),
        phone=values.get("phone") or "",
        national_id=values.get("national_id") or "",
    )


def child_facts(values: Mapping[str, Any]) -> PersonFacts:
    commune = values.get("home_commune", values.get("home_commune_id"))
    return PersonFacts(
        names=_names(values),
        date_of_birth=values.get("date_of_birth"),
        external_ids={k: v for k, v in (values.get("external_ids") or {}).items() if isinstance(v, str)},
        home_commune=getattr(commune, "pk", commune) or "",
    )


@dataclass(frozen=True)
class Candidate:
    id: uuid.UUID
    reference: str
    province: str
    reasons: list[str]


@dataclass(frozen=True)
class DuplicateCheck:
    """What the check found for one new record, as the user may know it: `candidates` in the user's
    provinces, and whether a record outside them matched (`elsewhere`, never which). `outside` keeps
    those for the services (the notice to national administrators, the pairs recorded); it is never
    shown to the user."""

    candidates: list[Candidate]
    outside: list[Candidate]

    @property
    def elsewhere(self) -> bool:
        return bool(self.outside)

    @property
    def found(self) -> bool:
        return bool(self.candidates or self.outside)

    @property
    def all(self) -> list[Candidate]:
        return [*self.candidates, *self.outside]


def _carer_rows(facts: PersonFacts, exclude) -> QuerySet:
    q = Q()
    if facts.phone:
        q |= Q(phone=facts.phone)
    if facts.national_id:
        nid = facts.national_id.strip()
        q |= Q(national_id__in={nid, national_id_key(nid)})
    if facts.date_of_birth:
        q |= Q(date_of_birth=facts.date_of_birth)
    if not q:
        return Carer.objects.none()
    rows = Carer.objects.filter(q, merged_into__isnull=True)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.order_by("reference").values(
        "id",
        "reference",
        "province_id",
        "given_name",
        "family_name",
        *_latin_fields(Carer),
        "date_of_birth",
        "phone",
        "national_id",
    )


def _child_rows(facts: PersonFacts, exclude) -> QuerySet:
    q = Q()
    keys = {}
    for key in EXTERNAL_ID_KEYS:
        value = external_id_key(facts.external_ids.get(key))
        if value:
            # As text on both databases (the cast is a no-op on PostgreSQL, whose index holds ->>).
            keys[f"ext_{key}"] = Cast(KeyTextTransform(key, "external_ids"), TextField())
            q |= Q(**{f"ext_{key}": value})
    if facts.date_of_birth and facts.home_commune:
        q |= Q(date_of_birth=facts.date_of_birth, home_commune_id=facts.home_commune)
    if not q:
        return Child.objects.none()
    # The partner ids compared as text, the expression the indexes child_primero_id/child_oscar_id hold.
    rows = Child.objects.alias(**keys).filter(q, merged_into__isnull=True)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.order_by("reference").values(
        "id",
        "reference",
        "province_id",
        "given_name",
        "family_name",
        *_latin_fields(Child),
        "date_of_birth",
        "home_commune_id",
        "external_ids",
    )


def duplicate_candidates(*, kind: str, facts: PersonFacts, user, exclude=None) -> DuplicateCheck:
    """The records of the register (any province, any status; not those merged away) that a new
    family or child with `facts` may repeat, with the reasons of each. `exclude`: the record's own id."""
    if kind == "carer":
        rows, rule, to_facts = _carer_rows(facts, exclude), carer_duplicate_reasons, carer_facts
    else:
        rows, rule, to_facts = _child_rows(facts, exclude), child_duplicate_reasons, child_facts
    inside, outside = [], []
    for row in rows[:CANDIDATE_LIMIT]:
        reasons = rule(facts, to_facts(row))
        if not reasons:
            continue
        candidate = Candidate(row["id"], row["reference"], row["province_id"], reasons)
        (inside if user_may_act_in(user, row["province_id"]) else outside).append(candidate)
    return DuplicateCheck(candidates=inside, outside=outside)


def carer_candidates_many(*, facts: list[PersonFacts], user, chunk: int = 500) -> list[DuplicateCheck]:
    """`duplicate_candidates` of many new families at once (an import's rows): one query per `chunk`
    of them, not one per family. The checks come back in the order of `facts`."""
    checks = []
    for start in range(0, len(facts), chunk):
        part = facts[start : start + chunk]
        phones = {f.phone for f in part if f.phone}
        ids = {n for f in part if f.national_id for n in (f.national_id.strip(), national_id_key(f.national_id))}
        births = {f.date_of_birth for f in part if f.date_of_birth}
        q = Q(phone__in=phones) | Q(national_id__in=ids) | Q(date_of_birth__in=births)
        rows = list(
            Carer.objects.filter(q, merged_into__isnull=True)
            .order_by("reference")
            .values(
                "id",
                "reference",
                "province_id",
                "given_name",
                "family_name",
                *_latin_fields(Carer),
                "date_of_birth",
                "phone",
                "national_id",
            )
        )
        by_value: dict[tuple, list] = {}
        for row in rows:
            for key in (
                ("phone", row["phone"]),
                ("nid", national_id_key(row["national_id"])),
                ("dob", row["date_of_birth"]),
            ):
                if key[1]:
                    by_value.setdefault(key, []).append(row)
        for new in part:
            keys = [("phone", new.phone), ("nid", national_id_key(new.national_id)), ("dob", new.date_of_birth)]
            near = {row["id"]: row for key in keys if key[1] for row in by_value.get(key, [])}
            inside, outside = [], []
            for row in sorted(near.values(), key=lambda r: r["reference"])[:CANDIDATE_LIMIT]:
                reasons = carer_duplicate_reasons(new, carer_facts(row))
                if reasons:
                    candidate = Candidate(row["id"], row["reference"], row["province_id"], reasons)
                    (inside if user_may_act_in(user, row["province_id"]) else outside).append(candidate)
            checks.append(DuplicateCheck(candidates=inside, outside=outside))
    return checks


def carer_facts_rows(queryset: QuerySet[Carer]) -> QuerySet:
    """Every family's facts for the finder (one query; values, not instances)."""
    return queryset.filter(merged_into__isnull=True).values(
        "id", "reference", "province_id", "given_name", "family_name", *_latin_fields(Carer),
        "date_of_birth", "phone", "national_id",
    )  # fmt: skip


def child_facts_rows(queryset: QuerySet[Child]) -> QuerySet:
    return queryset.filter(merged_into__isnull=True).values(
        "id", "reference", "province_id", "given_name", "family_name", *_latin_fields(Child),
        "date_of_birth", "home_commune_id", "external_ids",
    )  # fmt: skip


# --- Pairs found ----------------------------------------------------------------------------------


def duplicate_pair_list(*, user, status: str | None = None, kind: str | None = None) -> QuerySet[DuplicatePair]:
    """The pairs the user may review: a national administrator every pair; a supervisor the pairs both
    of whose records lie in their provinces (a pair across provinces is a national matter). Pairs of
    records since merged away stay listed with their status."""
    queryset = DuplicatePair.objects.select_related("carer_a", "carer_b", "child_a", "child_b", "resolved_by")
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if not user.is_national:
        codes = user.province_codes
        if not codes:
            return queryset.none()
        queryset = queryset.filter(
            Q(kind=DuplicatePair.Kind.CARER, carer_a__province__in=codes, carer_b__province__in=codes)
            | Q(kind=DuplicatePair.Kind.CHILD, child_a__province__in=codes, child_b__province__in=codes)
        )
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-found_at", "id")


def duplicate_pair_get(*, user, id) -> DuplicatePair:
    try:
        pk = uuid.UUID(str(id))
    except ValueError:
        raise Http404 from None
    try:
        return duplicate_pair_list(user=user).get(pk=pk)
    except DuplicatePair.DoesNotExist:
        raise Http404 from None
