"""Data no form should accept (issue 13, finding 7): dates out of any plausible range and names with
Unicode bidirectional controls are refused with a 400 naming the field, by every way in (API, import,
admin); the range allowed is in the message. The rules: register/inputs/dates.py and names.py."""

import datetime
import io

import pytest

from register.inputs.dates import EARLIEST_EVENT, date_bounds, date_errors
from register.inputs.names import BIDI_CONTROLS, name_errors
from register.models import AuditEntry, Carer, Child
from register.roles import Role
from register.services.imports import carer_import
from tests.register.carers_factories import carer_payload
from tests.register.children_factories import CarerFactory, ChildFactory, child_payload
from tests.register.imports_factories import csv_bytes, import_row

pytestmark = pytest.mark.django_db

RLO = "\u202e"
OLD = ["0001-01-01", "1890-06-01"]


def test_the_bounds_of_each_kind_of_date():
    today = datetime.date.today()
    assert date_bounds("past_event") == (EARLIEST_EVENT, today)
    assert date_bounds("child_birth")[0].year == today.year - 20
    assert date_bounds("adult_birth")[0].year == today.year - 110
    assert date_errors({"d": datetime.date(1, 1, 1)}, {"d": "person_birth"})["d"][0].startswith("Enter a date from")
    assert date_errors({"d": None}, {"d": "past_event"}) == {}


@pytest.mark.parametrize("char", sorted(BIDI_CONTROLS))
def test_every_bidi_control_is_refused_in_a_name(char):
    assert name_errors({"given_name": f"Sok{char}a"}, ["given_name"])
    assert not name_errors({"given_name": "សុខា Sokha"}, ["given_name"])


@pytest.mark.parametrize("born", OLD)
def test_api_refuses_an_implausible_child_birth_date_naming_the_range(client_for, born):
    response = client_for(Role.PLACEMENT_OFFICER).post(
        "/api/v1/children/", child_payload(date_of_birth=born), format="json"
    )
    assert response.status_code == 400
    assert (
        "Enter a date from" in response.json()["fields"]["date_of_birth"][0]
        if "fields" in response.json()
        else ("Enter a date from" in str(response.json()))
    )
    assert not Child.objects.exists()


@pytest.mark.parametrize("field", ["given_name", "family_name"])
def test_api_refuses_a_child_name_with_bidi_controls(client_for, field):
    officer = client_for(Role.PLACEMENT_OFFICER)
    response = officer.post("/api/v1/children/", child_payload(**{field: f"Da{RLO}ra"}), format="json")
    assert response.status_code == 400 and field in str(response.json())
    child = ChildFactory()
    response = officer.patch(f"/api/v1/children/{child.pk}/", {field: f"Da{RLO}ra"}, format="json")
    assert response.status_code == 400 and field in str(response.json())


def test_api_refuses_an_institution_name_with_bidi_controls(client_for):
    from tests.register.children_factories import institution_payload

    response = client_for(Role.NATIONAL_ADMIN).post(
        "/api/v1/institutions/", institution_payload(name=f"Home{RLO}"), format="json"
    )
    assert response.status_code == 400 and "name" in str(response.json())


@pytest.mark.parametrize("born", OLD)
def test_api_refuses_an_implausible_carer_or_member_birth_date(client_for, born):
    registrar = client_for(Role.REGISTRAR)
    body = carer_payload()
    body["primary_carer"]["date_of_birth"] = born
    response = registrar.post("/api/v1/carers/", body, format="json")
    assert response.status_code == 400 and "date_of_birth" in str(response.json()), response.content
    body = carer_payload()
    body["household_members"][0]["date_of_birth"] = born
    response = registrar.post("/api/v1/carers/", body, format="json")
    assert response.status_code == 400 and "Enter a date from" in str(response.json()), response.content
    assert not Carer.objects.exists()


def test_api_refuses_a_household_name_with_bidi_controls(client_for):
    response = client_for(Role.REGISTRAR).post(
        "/api/v1/carers/", carer_payload(household_name=f"Chan{RLO} household"), format="json"
    )
    assert response.status_code == 400 and "household_name" in str(response.json())


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("checks", {"kind": "police_clearance", "result": "passed", "checked_on": "0001-01-01"}, "checked_on"),
        ("concerns", {"raised_on": "1890-01-01", "summary": "Reported by a neighbour."}, "raised_on"),
    ],
)
def test_api_refuses_records_dated_in_year_1_or_1890(client_for, path, body, field):
    carer = CarerFactory()
    response = client_for(Role.NATIONAL_ADMIN).post(f"/api/v1/carers/{carer.pk}/{path}/", body, format="json")
    assert response.status_code == 400 and field in str(response.json()), response.content
    assert "Enter a date from 2000-01-01" in str(response.json())


def test_the_import_refuses_a_bidi_name_and_an_1890_birth_date(django_user_model):
    from tests.factories import make_user

    rows = [import_row(given_name=f"So{RLO}phea"), import_row(date_of_birth="1890-01-01")]
    result = carer_import(
        actor=make_user(Role.REGISTRAR), file=io.BytesIO(csv_bytes(rows)), filename="f.csv", dry_run=True
    )
    fields = {(e.row, e.field) for e in result.errors}
    assert (2, "given_name") in fields and (3, "date_of_birth") in fields, result.errors
    assert not AuditEntry.objects.filter(model="register.Carer").exists()
