"""Issue 13, resource limits: request bodies are bounded (register/request_limits.py, the upload
settings of config/settings/base.py). Too large answers 413 in the API's error shape on /api/ and a
page saying what to do elsewhere, never Django's bare "Bad Request (400)"; the import still takes
its 5 MB file."""

import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from register.roles import Role
from register.services.imports import MAX_BYTES
from tests.register.children_factories import child_payload

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/carers/import/"


def oversize_json() -> bytes:
    return json.dumps(child_payload(given_name="a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))).encode()


def assert_api_413(response):
    assert response.status_code == 413, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "request_too_large" and "MB" in body["detail"]


def test_the_settings_are_set_deliberately():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 1
    # The import's file and its form fit; an upload stays in memory, never in a temporary file.
    assert settings.REQUEST_BODY_MAX_SIZE >= MAX_BYTES + 64 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE >= settings.REQUEST_BODY_MAX_SIZE


def test_an_oversize_json_body_answers_413_in_the_apis_shape(client_for):
    api = client_for(Role.PLACEMENT_OFFICER)
    response = api.generic("POST", "/api/v1/children/", oversize_json(), content_type="application/json")
    assert_api_413(response)


def test_an_oversize_body_without_a_session_answers_413_too(api):
    response = api.generic("POST", "/api/v1/auth/token/", oversize_json(), content_type="application/json")
    assert_api_413(response)


def test_an_oversize_form_on_the_pages_answers_a_page_saying_what_to_do(client):
    response = client.post("/login/", {"username": "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), "password": "x"})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Too much sent at once" in page and "Nothing was saved" in page


def test_the_import_takes_its_5_mb_file(client_for):
    """Not refused for its size: it reaches the import, which says what is wrong with its content."""
    api = client_for(Role.REGISTRAR)
    upload = SimpleUploadedFile("families.csv", b"\x00" * MAX_BYTES, content_type="text/csv")
    response = api.post(IMPORT, {"file": upload, "dry_run": "true"}, format="multipart")
    assert response.status_code != 413
    assert response.status_code in (200, 400) and "file" in response.json(), response.content[:300]


def test_an_upload_larger_than_the_import_allows_is_refused_before_it_is_read(client_for):
    api = client_for(Role.REGISTRAR)
    upload = SimpleUploadedFile("families.csv", b"a" * settings.REQUEST_BODY_MAX_SIZE, content_type="text/csv")
    assert_api_413(api.post(IMPORT, {"file": upload, "dry_run": "true"}, format="multipart"))


def test_a_body_read_without_the_middleware_still_gets_the_apis_413(client_for):
    """A body with no declared length (chunked) meets Django's own limit when DRF reads it: the API's
    exception handler answers it, not Django's HTML 400."""
    without = [m for m in settings.MIDDLEWARE if m != "register.request_limits.RequestBodyLimitMiddleware"]
    api = client_for(Role.PLACEMENT_OFFICER)
    with override_settings(MIDDLEWARE=without):
        response = api.generic("POST", "/api/v1/children/", oversize_json(), content_type="application/json")
    assert_api_413(response)


def test_too_many_form_fields_on_the_api_answer_400_in_its_shape(client_for):
    api = client_for(Role.REGISTRAR)
    fields = {f"field{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = api.post(IMPORT, fields, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_fields"


def test_more_than_one_file_answers_400_in_the_apis_shape(client_for):
    api = client_for(Role.REGISTRAR)
    files = {f"file{i}": SimpleUploadedFile(f"f{i}.csv", b"a", content_type="text/csv") for i in range(2)}
    response = api.post(IMPORT, files, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_fields"
