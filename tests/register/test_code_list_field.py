"""CodeListField (register/models/fields.py) reads a list of codes as Django's JSONField reads it,
only faster (issue 18)."""

import json

import pytest
from django.db import connection, models
from django.db.models.fields.json import KeyTransform
from hypothesis import given
from hypothesis import strategies as st

from register.models import Carer, Child
from register.models.fields import CodeListField
from tests.factories import CarerFactory

json_texts = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=12,
).map(json.dumps)  # fmt: skip


@given(json_texts)
def test_any_json_text_reads_as_jsonfield_reads_it(text):
    assert CodeListField().from_db_value(text, None, connection) == models.JSONField().from_db_value(
        text, None, connection
    )


@pytest.mark.parametrize(
    "text", ["NaN", "[Infinity]", '"\\ud800"', "not json", "", None, '["km", "en"]', "[]", ' [ "km" ] ']
)
def test_what_orjson_refuses_is_read_as_django_reads_it(text):
    ours = CodeListField().from_db_value(text, None, connection)
    django = models.JSONField().from_db_value(text, None, connection)
    assert repr(ours) == repr(django)  # repr: nan is not equal to itself


def test_a_key_looked_up_reads_as_before():
    # On SQLite a key's value comes back as its own text (`km`, not JSON): Django's own reading.
    field = CodeListField()
    assert field.from_db_value("km", KeyTransform("0", "languages"), connection) == "km"
    assert field.from_db_value(3, KeyTransform("0", "languages"), connection) == 3


def test_the_register_uses_it_for_its_lists_of_codes():
    fields = {
        (Carer, "languages"), (Carer, "sexes_accepted"), (Carer, "care_types"), (Carer, "needs_supported"),
        (Child, "languages"), (Child, "needs"),
    }  # fmt: skip
    assert all(isinstance(model._meta.get_field(name), CodeListField) for model, name in fields)


@pytest.mark.django_db
def test_lists_round_trip_through_the_database():
    carer = CarerFactory(languages=["km", "en"], needs_supported=[])
    row = Carer.objects.filter(pk=carer.pk).values("languages", "needs_supported", "care_types").get()
    assert row["languages"] == ["km", "en"] and row["needs_supported"] == []
    assert Carer.objects.get(pk=carer.pk).care_types == carer.care_types
    assert Carer.objects.filter(pk=carer.pk).values_list("languages__0", flat=True).get() == "km"
