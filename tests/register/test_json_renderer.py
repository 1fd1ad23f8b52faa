"""The API's JSON (register.api.renderers, issue 18) is written by orjson and must read exactly as
DRF's JSONRenderer wrote it: the same bytes for everything the API sends, floats aside (the same
number, sometimes spelt differently)."""

import datetime
import decimal
import uuid
import zoneinfo

import pytest
from django.utils.translation import gettext_lazy, override
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer
from rest_framework.test import APIClient

from register.api.renderers import JSONRenderer
from register.roles import Role
from tests.factories import CarerFactory, make_user

PHNOM_PENH = zoneinfo.ZoneInfo("Asia/Phnom_Penh")


def both(data, media_type=None):
    return JSONRenderer().render(data, media_type), DRFJSONRenderer().render(data, media_type)


@pytest.mark.parametrize(
    "data",
    [
        {"id": uuid.UUID("7d3c8d36-5b8e-4e8a-9d53-0b8f1c0c2a11"), "n": 3, "ok": True, "none": None},
        {"when": datetime.datetime(2026, 12, 7, 5, 30, 0, 123456, tzinfo=datetime.UTC)},  # DRF writes UTC as Z
        {"when": datetime.datetime(2026, 12, 7, 12, 30, tzinfo=PHNOM_PENH), "naive": datetime.datetime(2026, 1, 2)},
        {"day": datetime.date(2026, 12, 7), "at": datetime.time(9, 15), "for": datetime.timedelta(days=2)},
        {"money": decimal.Decimal("12.50"), "set": {3}, "tuple": (1, "two"), "gen": (i for i in range(2))},
        {"km": "គ្រួសារ សុខ", "lines": "a\u2028b\u2029c", "quote": 'say "hi"\n\t\\', "control": "\x01"},
        {1: "an int key", None: "a null key", 2.5: "a float key"},
        {"lazy": gettext_lazy("Invalid token."), "nested": [{"deep": [[[]]]}], "empty": {}},
        {"big": 2**70},  # wider than orjson takes: DRF's renderer writes it
        [1, -0, 2.5, 10**18],
    ],
    ids=lambda data: ",".join(map(str, data)) if isinstance(data, dict) else "list",
)
def test_the_same_bytes_as_drf(data):
    if isinstance(data, dict) and "gen" in data:  # a generator is read once: one for each renderer
        data_drf = {**data, "gen": (i for i in range(2))}
        assert JSONRenderer().render(data) == DRFJSONRenderer().render(data_drf)
        return
    ours, drf = both(data)
    assert ours == drf


def test_the_same_in_khmer():
    with override("km"):
        ours, drf = both({"detail": gettext_lazy("Invalid token.")})
    assert ours == drf and "Invalid token." not in ours.decode()


def test_pretty_printing_and_nothing_are_drfs():
    data = {"a": [1, {"b": None}]}
    ours, drf = both(data, "application/json; indent=4")
    assert ours == drf and b"\n    " in ours
    assert JSONRenderer().render(None) == b""


def test_what_neither_can_write_is_refused_as_before():
    with pytest.raises(TypeError):
        JSONRenderer().render({"x": object()})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**64 - 1) | st.text() | st.uuids()
    | st.dates() | st.datetimes(timezones=st.sampled_from([None, datetime.UTC, PHNOM_PENH]))
    | st.decimals(allow_nan=False, allow_infinity=False, places=2),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_random_values_read_the_same(value):
    ours, drf = both(value)
    assert ours == drf


@pytest.mark.django_db
def test_the_api_answers_with_it():
    client = APIClient()
    client.force_authenticate(make_user(Role.SUPERVISOR, provinces=("02",)))
    CarerFactory()
    response = client.get("/api/v1/carers/", {"cursor": ""})
    assert response.status_code == 200
    assert isinstance(response.accepted_renderer, JSONRenderer)
    assert len(response.data["results"]) == 1
    assert response.content == DRFJSONRenderer().render(response.data)
