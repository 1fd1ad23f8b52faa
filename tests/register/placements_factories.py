"""Helpers to set up placements and visits in tests. Placements are made through the service, so a
test's scene obeys the same rules as the register."""

import datetime

import factory
from django.utils import timezone

from register import models as m
from register.roles import Role
from register.services.placements import placement_create
from tests.factories import CarerFactory, ChildFactory, make_user


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


class SiblingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.SiblingGroup

    keep_together = True


def siblings(n: int = 2, *, keep_together: bool = True, **child_kwargs) -> list[m.Child]:
    """n children in one sibling group, from the same institution."""
    group = SiblingGroupFactory(keep_together=keep_together)
    first = ChildFactory(sibling_group=group, **child_kwargs)
    rest = [ChildFactory(sibling_group=group, institution=first.institution, **child_kwargs) for _ in range(n - 1)]
    return [first, *rest]


def kin(child: m.Child, carer: m.Carer, relationship: str = "grandparent") -> m.KinLink:
    return m.KinLink.objects.create(child=child, carer=carer, relationship=relationship)


def place(children=None, *, carer=None, start_date=None, care_type="long_term", social_worker=None, actor=None, **kw):
    """A placement made through the service (defaults: one new child, a new approved family in 02)."""
    carer = carer or CarerFactory()
    children = children if children is not None else [ChildFactory()]
    return placement_create(
        actor=actor or make_user(Role.PLACEMENT_OFFICER, ("02",)),
        carer=carer,
        children=children,
        start_date=start_date or today(),
        care_type=care_type,
        social_worker=social_worker,
        **kw,
    )
