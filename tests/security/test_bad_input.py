"""Bad input answered 400, never a server error (issue 13, finding 5): JSON nested a thousand levels
deep, and NUL characters in query strings and form values (PostgreSQL text cannot hold one)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from register.api.parsers import MAX_DEPTH, json_depth_exceeds
from register.models import CarerImportJob
from register.roles import Role
from tests.factories import CarerFactory, ChildFactory, make_user
from tests.register.imports_factories import import_row, upload, xlsx_bytes

DEEP = "[" * 1000 + "]" * 1000  # about 2 KB


def deep_object(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


# --- JSON nested too deep -----------------------------------------------------------------------


def test_the_token_endpoint_refuses_deep_json_without_a_login(db):
    response = APIClient().post("/api/v1/auth/token/", DEEP, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "parse_error" and str(MAX_DEPTH) in body["detail"]


@pytest.mark.parametrize("body", [DEEP, deep_object(1000), '{"username": ' + DEEP + "}"])
def test_a_body_nested_too_deep_is_a_400_on_a_write(client_for, body):
    carer = CarerFactory()
    api = client_for(Role.REGISTRAR)
    response = api.patch(f"/api/v1/carers/{carer.pk}/", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


def test_a_view_naming_its_parsers_bounds_nesting_too(client_for):
    """The children's views name their parser: it must be the bounded one."""
    child = ChildFactory()
    api = client_for(Role.PLACEMENT_OFFICER)
    response = api.patch(f"/api/v1/children/{child.pk}/", deep_object(1000), content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


def test_nesting_up_to_the_bound_still_parses(client_for):
    carer = CarerFactory()
    api = client_for(Role.REGISTRAR)
    body = '{"address": ' + deep_object(MAX_DEPTH - 1) + "}"
    response = api.patch(f"/api/v1/carers/{carer.pk}/", body, content_type="application/json")
    # Parsed, then refused by the field (not text): a 400 naming the field, not a parse error.
    assert response.status_code == 400 and "address" in response.json()


def test_brackets_inside_strings_do_not_count():
    text = '{"notes": "' + "[" * 500 + '", "x": "\\"{{{{"}'
    assert not json_depth_exceeds(text)
    assert json_depth_exceeds("[" * (MAX_DEPTH + 1))
    assert not json_depth_exceeds("[" * MAX_DEPTH + "]" * MAX_DEPTH + "[" * MAX_DEPTH)


def test_malformed_json_is_a_400_naming_where(client_for):
    carer = CarerFactory()
    response = client_for().patch(f"/api/v1/carers/{carer.pk}/", '{"notes": ', content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"
    assert "line 1" in response.json()["detail"]


# --- NUL characters ------------------------------------------------------------------------------


@pytest.fixture
def registrar(db, client):
    client.force_login(make_user(Role.REGISTRAR))


@pytest.fixture
def national_admin(db, client):
    client.force_login(make_user(Role.NATIONAL_ADMIN, is_staff=True, is_superuser=True))
    return client


def test_a_nul_in_an_admin_changelist_filter_is_a_400(national_admin):
    """A DataError 500 on PostgreSQL (SQLite stores the NUL, so here it was a 200)."""
    response = national_admin.get("/admin/register/child/?province__code__exact=%00")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="bad-input"' in body and "<code>province__code__exact</code>" in body


def test_a_nul_in_an_admin_search_or_a_parameter_name_is_a_400(national_admin):
    assert national_admin.get("/admin/register/carer/?q=Chan%00").status_code == 400
    assert national_admin.get("/admin/register/carer/?o%00=1").status_code == 400


def test_a_nul_in_an_api_query_parameter_is_a_400_naming_it(client_for):
    response = client_for().get("/api/v1/carers/?search=a%00b")
    assert response.status_code == 400
    assert response.json() == {"search": ["Null characters are not allowed."]}


def test_a_nul_without_a_login_is_a_400_too(db):
    response = APIClient().get("/api/v1/provinces/?x=%00")
    assert response.status_code == 400 and "x" in response.json()


def test_a_nul_in_a_page_form_value_is_a_400_page(client, registrar):
    response = client.post(reverse("web:carer_create"), {"household_name": "Chan\x00"})
    assert response.status_code == 400
    assert "<code>household_name</code>" in response.content.decode()


def test_a_nul_in_a_multipart_field_is_a_400_naming_it(client_for):
    response = client_for().post(
        "/api/v1/carers/import/", {"file": upload(b"household_name\n"), "dry_run": "true\x00"}, format="multipart"
    )
    assert response.status_code == 400 and "dry_run" in response.json()


def test_nuls_inside_an_uploaded_file_are_not_refused(client_for, client, registrar):
    """An XLSX is a zip: binary, NULs and all. It is in request.FILES, not among the form's values."""
    content = xlsx_bytes([import_row()])
    assert b"\x00" in content
    response = client_for().post("/api/v1/carers/import/", {"file": upload(content, "f.xlsx")}, format="multipart")
    assert response.status_code == 200 and response.json()["valid"] == 1
    page = client.post(reverse("web:carer_import"), {"file": upload(content, "f.xlsx")})
    assert page.status_code == 302, page.content.decode()[-3000:]
    print("LOC", page["Location"])
    assert CarerImportJob.objects.get().valid == 1


def test_text_without_nul_passes(national_admin):
    assert national_admin.get("/admin/register/child/?province__code__exact=02").status_code == 200
