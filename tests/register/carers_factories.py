"""Factories and helpers for the carers' tests: API payloads, checks, trainings, concerns and
placements written directly to set a scene."""

import datetime

import factory

from register import models as m
from tests.factories import CarerFactory, ChildFactory

TODAY = datetime.date.today


def carer_payload(**overrides) -> dict:
    """A valid POST /api/v1/carers/ body for a family in Battambang (commune 020101)."""
    body = {
        "household_name": "Chan household",
        "primary_carer": {
            "given_name": "Sophea",
            "family_name": "Chan",
            "sex": "female",
            "date_of_birth": "1980-05-01",
            "national_id": "010203040",
        },
        "phone": "012 345 678",
        "commune": "020101",
        "village": "02010101",
        "address": "House 12, Street 3",
        "location": {"lat": 13.1, "lon": 103.2},
        "languages": ["km"],
        "religion": "buddhism",
        "ethnicity": "khmer",
        "max_children": 2,
        "age_min": 0,
        "age_max": 12,
        "sexes_accepted": ["female", "male"],
        "max_sibling_group": 2,
        "care_types": ["short_term", "long_term"],
        "needs_supported": ["infant_care"],
        "household_members": [
            {
                "given_name": "Dara",
                "family_name": "Chan",
                "sex": "male",
                "date_of_birth": "1978-02-10",
                "relationship": "spouse",
            }
        ],
    }
    body.update(overrides)
    return body


class CarerCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CarerCheck

    carer = factory.SubFactory(CarerFactory)
    kind = m.CarerCheck.Kind.HOME_ASSESSMENT
    result = m.CarerCheck.Result.PASSED
    checked_on = factory.LazyFunction(lambda: TODAY() - datetime.timedelta(days=10))
    expires_on = None


class CarerTrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CarerTraining

    carer = factory.SubFactory(CarerFactory)
    module_id = "core"
    completed_on = factory.LazyFunction(lambda: TODAY() - datetime.timedelta(days=5))


class ConcernFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.SafeguardingConcern

    carer = factory.SubFactory(CarerFactory)
    raised_on = factory.LazyFunction(lambda: TODAY() - datetime.timedelta(days=3))
    summary = "A neighbour reported shouting at night."
    status = m.SafeguardingConcern.Status.OPEN


def unapproved_carer(status: str = m.Carer.Status.TRAINING, **kwargs) -> m.Carer:
    return CarerFactory(status=status, approved_on=None, review_due=None, **kwargs)


def meet_requirements(carer: m.Carer, *, skip: tuple[str, ...] = ()) -> m.Carer:
    """Give the family every approval requirement except those named in `skip` (API.md codes)."""
    for kind in ("home_assessment", "police_clearance", "health_check"):
        if kind not in skip:
            CarerCheckFactory(carer=carer, kind=kind)
    if "reference" not in skip:
        CarerCheckFactory.create_batch(2, carer=carer, kind="reference")
    if "core_training" not in skip:
        CarerTrainingFactory(carer=carer, module_id="core")
    return carer


def place(carer: m.Carer, children: int = 1, *, active: bool = True) -> m.Placement:
    """A placement of `children` new children with the family, active or ended."""
    placement = m.Placement.objects.create(
        carer=carer,
        start_date=TODAY() - datetime.timedelta(days=60),
        end_date=None if active else TODAY() - datetime.timedelta(days=1),
        care_type="long_term",
        status=m.Placement.Status.ACTIVE if active else m.Placement.Status.ENDED,
        end_reason="" if active else m.Placement.EndReason.REUNIFIED,
        province=carer.province,
    )
    for _ in range(children):
        child = ChildFactory(institution=None, status=m.Child.Status.PLACED if active else m.Child.Status.REUNIFIED)
        m.PlacementChild.objects.create(placement=placement, child=child, active=active)
    return placement
