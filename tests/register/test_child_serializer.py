"""register/api/children.py's ChildSerializer: the written-out rendering (child_row) gives exactly
what DRF's generic rendering of the declared fields gives, with and without kin, exclusions, partner
ids, an institution, a school or a sibling group."""

import json
from types import SimpleNamespace

import pytest
from rest_framework import serializers

from register.api.children import ChildSerializer
from register.models import CarerExclusion, KinLink
from register.roles import Role
from register.selectors.children import child_list
from tests.factories import CarerFactory, ChildFactory, commune, make_user
from tests.register.placements_factories import siblings

pytestmark = pytest.mark.django_db


def test_the_written_out_row_equals_the_generic_rendering_field_for_field_and_in_order():
    carer, other = CarerFactory(), CarerFactory()
    with_everything = ChildFactory(
        external_ids={"primero": "P-1", "oscar": "O-2"},
        needs=["hiv_care", "infant_care"],
        languages=["km", "cjm"],
        school_commune=commune("020102"),
    )
    KinLink.objects.create(child=with_everything, carer=carer, relationship="grandparent")
    KinLink.objects.create(child=with_everything, carer=other, relationship="aunt_uncle")
    CarerExclusion.objects.create(child=with_everything, carer=other, reason="Safeguarding history.")
    ChildFactory(institution=None, external_ids={"oscar": "O-9"})
    ChildFactory(external_ids={})
    siblings(2)
    reader = make_user(Role.SUPERVISOR)
    context = {"request": SimpleNamespace(user=reader)}  # rendering a child logs its read by the request's user
    children = list(child_list(user=reader).order_by("reference"))
    assert len(children) == 5
    for child in children:
        fast = ChildSerializer(child, context=context).data
        slow = serializers.Serializer.to_representation(ChildSerializer(), child)
        assert json.dumps(fast) == json.dumps(slow)
    rendered = [ChildSerializer(c, context=context).data for c in children]
    assert list(rendered[0]) == list(ChildSerializer().fields)
    assert any(r["kin"] and r["excluded_carers"] for r in rendered)
    assert any(r["sibling_group"] for r in rendered) and any(r["institution"] is None for r in rendered)
    assert {json.dumps(r["external_ids"]) for r in rendered} >= {'{"primero": "P-1", "oscar": "O-2"}', "{}"}
