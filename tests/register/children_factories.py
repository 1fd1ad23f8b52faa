"""Helpers for the tests of institutions, children and sibling groups: request bodies, and rows
written directly (placements, sibling groups) to set up a scene."""

import datetime

from register import models as m
from tests.factories import CarerFactory, ChildFactory, InstitutionFactory, commune, first_commune_in

__all__ = [
    "CarerFactory",
    "ChildFactory",
    "InstitutionFactory",
    "child_payload",
    "commune",
    "first_commune_in",
    "institution_payload",
    "place",
    "sibling_group_of",
]


def years_ago(years: int, days: int = 0) -> datetime.date:
    today = datetime.date.today()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        day = today.replace(year=today.year - years, day=28)
    return day - datetime.timedelta(days=days)


def institution_payload(**overrides) -> dict:
    body = {
        "name": "Sunrise Children's Centre",
        "kind": "residential_care",
        "commune": "020101",
        "status": "open",
        "inspection_score": 72,
    }
    body.update(overrides)
    return body


def child_payload(**overrides) -> dict:
    """A valid body for POST /api/v1/children/ (no institution: the child is awaiting placement)."""
    body = {
        "given_name": "Dara",
        "family_name": "Sok",
        "sex": "male",
        "date_of_birth": years_ago(9).isoformat(),
        "home_commune": "020101",
        "languages": ["km"],
        "religion": "buddhism",
        "ethnicity": "khmer",
        "needs": [],
        "care_type_needed": "long_term",
    }
    body.update(overrides)
    return body


def place(child: m.Child, *, carer: m.Carer | None = None, social_worker=None, active: bool = True) -> m.Placement:
    """Write a placement of `child` directly (the placement service is another area's)."""
    carer = carer or CarerFactory()
    placement = m.Placement.objects.create(
        carer=carer,
        start_date=datetime.date.today() - datetime.timedelta(days=10),
        care_type=child.care_type_needed,
        status=m.Placement.Status.ACTIVE if active else m.Placement.Status.ENDED,
        social_worker=social_worker,
        province_id=carer.province_id,
    )
    m.PlacementChild.objects.create(placement=placement, child=child, active=active)
    if active:
        child.status = m.Child.Status.PLACED
        child.province_id = carer.province_id
        child.save(update_fields=["status", "province"])
    return placement


def sibling_group_of(*children: m.Child, keep_together: bool = True) -> m.SiblingGroup:
    group = m.SiblingGroup.objects.create(keep_together=keep_together)
    m.Child.objects.filter(pk__in=[c.pk for c in children]).update(sibling_group=group)
    for child in children:
        child.sibling_group = group
    return group
