"""The facts the eligibility rules (register/rules/eligibility.py) read, loaded from the register.

Enumeration values are encoded as bit masks over fixed vocabularies, the same for every door:
matching's adapter encodes 100,000 families with them, the placement service one family.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import numpy as np

from register.choices import CareType, Ethnicity, Language, Need, Religion, Sex
from register.models import Carer, CarerExclusion, Child, KinLink, SafeguardingConcern
from register.rules import eligibility
from register.rules.ages import age_on
from register.rules.vacancies import carer_free_places

VOCAB: dict[str, tuple[str, ...]] = {
    "sex": tuple(Sex.values),
    "care_type": tuple(CareType.values),
    "need": tuple(Need.values),
    "language": tuple(Language.values),
    "religion": tuple(Religion.values),
    "ethnicity": tuple(Ethnicity.values),
}
_INDEX = {name: {value: i for i, value in enumerate(values)} for name, values in VOCAB.items()}


def mask(kind: str, values) -> int:
    """Bit mask of enumeration values; unknown values (data older than an enumeration) are ignored."""
    index = _INDEX[kind]
    out = 0
    for v in values or ():
        if v in index:
            out |= 1 << index[v]
    return out


def index_of(kind: str, value: str) -> int:
    """The value's position in its vocabulary; one past the end for a value it does not know."""
    return _INDEX[kind].get(value, len(VOCAB[kind]))


def family_facts(*, carer: Carer, today: datetime.date) -> eligibility.FamilyFacts:
    """One family as the rules read it (callers lock the carer row first when they will write)."""
    open_concern = SafeguardingConcern.objects.filter(carer=carer, status=SafeguardingConcern.Status.OPEN).exists()
    return family_facts_of(
        status=carer.status,
        review_due=carer.review_due,
        free_places=carer_free_places(carer=carer),
        age_min=carer.age_min,
        age_max=carer.age_max,
        sexes_accepted=carer.sexes_accepted,
        max_sibling_group=carer.max_sibling_group,
        care_types=carer.care_types,
        needs_supported=carer.needs_supported,
        open_concern=open_concern,
        today=today,
    )


def family_facts_of(
    *,
    status: str,
    review_due: datetime.date | None,
    free_places: int,
    age_min: int,
    age_max: int,
    sexes_accepted,
    max_sibling_group: int,
    care_types,
    needs_supported,
    open_concern: bool,
    today: datetime.date,
) -> eligibility.FamilyFacts:
    """One family's values, encoded as the rules read them (the demo, which has no rows yet, too)."""

    def one(value, dtype):
        return np.array([value], dtype=dtype)

    return eligibility.FamilyFacts(
        approved=one(status == Carer.Status.APPROVED, bool),
        review_ok=one(eligibility.review_in_date(review_due, today), bool),
        vacancies=one(free_places, np.int64),
        age_min=one(age_min, np.int64),
        age_max=one(age_max, np.int64),
        sexes=one(mask("sex", sexes_accepted), np.int64),
        max_sibling_group=one(max_sibling_group, np.int64),
        care_types=one(mask("care_type", care_types), np.int64),
        needs_supported=one(mask("need", needs_supported), np.int64),
        open_concern=one(open_concern, bool),
    )


def children_facts(*, children: Iterable[Child], care_type: str, on: datetime.date) -> eligibility.Children:
    """The children to place together, as the rules read them: their ages on `on`, sexes and needs,
    and the care type asked for."""
    children = list(children)
    return children_facts_of(
        born=[c.date_of_birth for c in children],
        sexes=[c.sex for c in children],
        needs=[c.needs for c in children],
        care_type=care_type,
        on=on,
    )


def children_facts_of(*, born, sexes, needs, care_type: str, on: datetime.date) -> eligibility.Children:
    """Children's values (birth dates, sexes, lists of needs, one per child), encoded as the rules
    read them."""
    needs_mask = 0
    for child_needs in needs:
        needs_mask |= mask("need", child_needs)
    return eligibility.Children(
        ages=tuple(age_on(day, on) for day in born),
        sexes=mask("sex", sexes),
        needs=needs_mask,
        care_type=index_of("care_type", care_type),
        kinship=care_type == CareType.KINSHIP,
    )


def relations(*, carer_ids: Iterable, child_ids: Iterable) -> eligibility.Relations:
    """Which of these families are recorded as kin of every one of the children, and which as
    excluded for any of them (arrays in the order of `carer_ids`)."""
    carers = [str(c) for c in carer_ids]
    children = {str(c) for c in child_ids}
    kin_of: dict[str, set[str]] = {}
    for carer_id, child_id in KinLink.objects.filter(carer_id__in=carers, child_id__in=children).values_list(
        "carer_id", "child_id"
    ):
        kin_of.setdefault(str(carer_id), set()).add(str(child_id))
    excluded = {
        str(c)
        for c in CarerExclusion.objects.filter(carer_id__in=carers, child_id__in=children).values_list(
            "carer_id", flat=True
        )
    }
    return eligibility.Relations(
        kin=np.array([kin_of.get(c, set()) == children for c in carers], dtype=bool),
        excluded=np.array([c in excluded for c in carers], dtype=bool),
    )
