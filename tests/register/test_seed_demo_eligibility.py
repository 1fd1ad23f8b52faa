"""The demo's placements are ones the placement service would have made: every active placement passes
every eligibility rule (register/rules/eligibility.py) as of its start date, with nothing to override."""

import dataclasses
import io

import pytest
from django.core.management import call_command

from register.models import Placement
from register.rules import eligibility
from register.selectors.eligibility import children_facts, family_facts, relations

pytestmark = pytest.mark.django_db


def test_every_active_demo_placement_passes_the_eligibility_rules_without_override():
    call_command("seed_demo", "--carers", "200", "--children", "150", stdout=io.StringIO())
    active = Placement.objects.filter(status=Placement.Status.ACTIVE).select_related("carer")
    assert active.exists()
    failed = {}
    for placement in active.prefetch_related("children"):
        children = list(placement.children.all())
        family = family_facts(carer=placement.carer, today=placement.start_date)
        # The places free before this placement took its children.
        family = dataclasses.replace(family, vacancies=family.vacancies + len(children))
        fails = eligibility.failing(
            family,
            children_facts(children=children, care_type=placement.care_type, on=placement.start_date),
            relations(carer_ids=[placement.carer_id], child_ids=[c.pk for c in children]),
        )[0]
        codes = [rule.refusal for rule, bad in zip(eligibility.RULES, fails, strict=True) if bad]
        if codes:
            failed[placement.pk] = codes
    assert failed == {}
