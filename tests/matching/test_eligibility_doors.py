"""Matching and the placement service hold families to the same eligibility rules.

Hypothesis draws a family and the children to place (terms, standing, places taken, kin, exclusions,
concerns); the test registers them, asks matching's door (the adapter loading the register into the
vectorised core) which exclusion codes the family gets, and the placement service which rules it
refuses under, and holds the two lists equal (through the rules' own code mapping,
register/rules/eligibility.py). Each example runs in a transaction that is rolled back.
"""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import adapter
from matching.core.evaluate import evaluate
from matching.core.types import Weights
from register.choices import CareType, Need, Sex
from register.errors import DomainError
from register.models import Carer, CarerExclusion, KinLink, Placement, PlacementChild, SafeguardingConcern
from register.roles import Role
from register.rules import eligibility
from register.services.placements import placement_create
from tests.factories import CarerFactory, ChildFactory, make_user

pytestmark = pytest.mark.django_db

NEEDS = [Need.HIV_CARE, Need.INFANT_CARE, Need.MENTAL_HEALTH]


class Rollback(Exception):
    pass


def subsets(values):
    return st.lists(st.sampled_from(list(values)), unique=True)


families = st.fixed_dictionaries(
    {
        "status": st.sampled_from([Carer.Status.APPROVED] * 4 + [Carer.Status.ON_HOLD, Carer.Status.TRAINING]),
        "review": st.sampled_from(["future", "future", "future", "past", "none"]),
        "max_children": st.integers(1, 4),
        "in_care": st.integers(0, 2),
        "age_min": st.integers(0, 12),
        "age_span": st.integers(0, 17),
        "sexes_accepted": subsets(Sex.values),
        "max_sibling_group": st.integers(1, 3),
        "care_types": subsets(CareType.values),
        "needs_supported": subsets(NEEDS),
        "concern": st.booleans(),
    }
)
children = st.lists(
    st.fixed_dictionaries({"age": st.integers(0, 17), "sex": st.sampled_from(Sex.values), "needs": subsets(NEEDS)}),
    min_size=1,
    max_size=3,
)
relation = st.fixed_dictionaries(
    {
        "care_type": st.sampled_from(CareType.values),
        "kin": st.sampled_from(["none", "all", "some"]),
        "excluded": st.booleans(),
    }
)


def register_world(family, kids, rel):
    today = datetime.date.today()
    review = {"future": today + datetime.timedelta(days=200), "past": today - datetime.timedelta(days=1)}
    carer = CarerFactory(
        status=family["status"],
        review_due=review.get(family["review"]),
        max_children=family["max_children"],
        age_min=family["age_min"],
        age_max=min(family["age_min"] + family["age_span"], 17),
        sexes_accepted=family["sexes_accepted"],
        max_sibling_group=family["max_sibling_group"],
        care_types=family["care_types"],
        needs_supported=family["needs_supported"],
    )
    for _ in range(family["in_care"]):
        taken = Placement.objects.create(carer=carer, start_date=today, care_type="long_term", province_id="02")
        PlacementChild.objects.create(placement=taken, child=ChildFactory(status="placed"))
    if family["concern"]:
        SafeguardingConcern.objects.create(carer=carer, summary="A report", raised_on=today)
    placed = [
        ChildFactory(
            date_of_birth=today - datetime.timedelta(days=int(365.25 * k["age"]) + 3),
            sex=k["sex"],
            needs=k["needs"],
            care_type_needed=rel["care_type"],
        )
        for k in kids
    ]
    kin_of = {"none": [], "all": placed, "some": placed[:1] if len(placed) > 1 else []}[rel["kin"]]
    for child in kin_of:
        KinLink.objects.create(child=child, carer=carer, relationship="grandparent")
    if rel["excluded"]:
        CarerExclusion.objects.create(carer=carer, child=placed[-1], reason="A known risk")
    return carer, placed


def matching_refusals(carer, placed, national) -> list[str]:
    adapter.forget_cache()
    arrays = adapter.carers_for(national)
    index = arrays.ids.tolist().index(str(carer.pk))
    reasons = evaluate(adapter.unit_for(placed), arrays, Weights()).reasons[index]
    return [rule.refusal for rule, fails in zip(eligibility.RULES, reasons, strict=True) if fails]


def service_refusals(carer, placed, national) -> list[str]:
    try:
        with transaction.atomic():
            placement_create(
                actor=national,
                carer=carer,
                children=placed,
                start_date=datetime.date.today(),
                care_type=placed[0].care_type_needed,
            )
            raise Rollback
    except Rollback:
        return []
    except DomainError as refusal:
        assert refusal.code in eligibility.BY_REFUSAL, refusal.code  # no other rule stood in the way
        return refusal.extra["codes"]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(family=families, kids=children, rel=relation)
def test_matching_excludes_a_family_exactly_when_the_placement_service_refuses_it(family, kids, rel):
    try:
        with transaction.atomic():
            national = make_user(Role.NATIONAL_ADMIN)
            carer, placed = register_world(family, kids, rel)
            assert matching_refusals(carer, placed, national) == service_refusals(carer, placed, national)
            raise Rollback
    except Rollback:
        pass


def test_each_rule_has_one_code_on_each_door_and_the_fit_rules_are_the_overridable_ones():
    assert len(set(eligibility.EXCLUSION_CODES)) == len(eligibility.RULES)
    assert {
        "age_out_of_range",
        "sex_not_accepted",
        "sibling_group_too_large",
        "need_not_supported",
        "care_type_not_offered",
    } == eligibility.OVERRIDABLE
    assert {r.refusal for r in eligibility.RULES if not r.overridable} == {
        "carer_not_approved",
        "approval_review_overdue",
        "carer_full",
        "safeguarding_concern",
        "excluded_for_child",
    }
