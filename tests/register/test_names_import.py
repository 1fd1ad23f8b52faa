"""The family import in both scripts (issue 14): the romanised columns are optional, checked, stored
and searchable; the template shows a Khmer example with its romanised names."""

import pytest

from register.models import Carer
from register.roles import Role
from register.services import imports
from tests.register.imports_factories import csv_bytes, import_row, upload

URL = "/api/v1/carers/import/"


def post(api, content: bytes, **data):
    return api.post(URL, {"file": upload(content, "families.csv"), **data}, format="multipart")


def test_romanised_columns_are_imported_and_found(client_for):
    api = client_for(Role.REGISTRAR)
    row = import_row(given_name="ស្រីមុំ", family_name="កែវ", given_name_latin="Sreymom", family_name_latin="Keo")
    response = post(api, csv_bytes([row, import_row()], bom=True), dry_run="false")
    assert response.json()["created"] == 2, response.json()
    carer = Carer.objects.get(given_name="ស្រីមុំ")
    assert (carer.given_name_latin, carer.family_name_latin) == ("Sreymom", "Keo")
    found = api.get("/api/v1/carers/", {"search": "SREYMOM kao"}).json()["results"]
    assert [r["reference"] for r in found] == [carer.reference]


@pytest.mark.parametrize(("column", "value"), [("given_name_latin", "ស្រីមុំ"), ("given_name", "Sreymom\t1")])
def test_a_name_in_the_wrong_script_names_row_and_column(client_for, column, value):
    response = post(client_for(Role.REGISTRAR), csv_bytes([import_row(**{column: value})]), dry_run="false")
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(2, column)]
    assert not Carer.objects.exists()


def test_the_template_has_the_romanised_columns_as_optional():
    assert {"given_name_latin", "family_name_latin"} <= set(imports.COLUMNS)
    assert "given_name_latin" not in imports.REQUIRED_COLUMNS
    content, _type, _name = imports.carer_import_template(format="csv")
    text = content.decode("utf-8-sig")
    assert "given_name_latin" in text.splitlines()[0] and "ស្រីមុំ" in text and "Sreymom" in text
