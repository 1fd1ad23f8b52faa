"""GET /api/v1/training-modules/: the modules families take, public reference data."""

import pytest

from register.models import TrainingModule

pytestmark = pytest.mark.django_db
URL = "/api/v1/training-modules/"


def test_default_modules_are_listed_without_logging_in(api):
    response = api.get(URL)
    assert response.status_code == 200
    modules = {m["code"]: m for m in response.json()["results"]}
    assert set(modules) == {"core", "disability_care", "trauma_informed_care", "infant_care", "health_care"}
    assert modules["core"] == {
        "code": "core",
        "name": "Core foster care training",
        "required_for_approval": True,
        "supports_needs": [],
    }
    assert modules["infant_care"]["supports_needs"] == ["infant_care"]
    assert not modules["infant_care"]["required_for_approval"]


def test_name_follows_the_requests_language(api):
    core = TrainingModule.objects.get(code="core")
    body = api.get(f"{URL}core/", HTTP_ACCEPT_LANGUAGE="km").json()
    assert body["name"] == core.name_km
    assert api.get(f"{URL}core/", HTTP_ACCEPT_LANGUAGE="en").json()["name"] == core.name_en


def test_filter_required_for_approval(api):
    codes = [m["code"] for m in api.get(URL, {"required_for_approval": "true"}).json()["results"]]
    assert codes == ["core"]


def test_list_is_paginated(api):
    body = api.get(URL, {"page_size": 2}).json()
    assert len(body["results"]) == 2 and body["next"]


def test_modules_cannot_be_written_through_the_api(api):
    assert api.post(URL, {"code": "x"}, format="json").status_code in (401, 403, 405)
