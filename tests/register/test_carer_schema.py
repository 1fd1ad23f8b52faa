"""The OpenAPI schema describes the carers' endpoints without a warning."""

import pytest
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.routers import SimpleRouter

from register.api import carers


@pytest.fixture
def carer_schema():
    """The schema of this area's routes alone, with the project's settings (its ENUM_NAME_OVERRIDES
    name the enumerations several fields share: sex and sexes_accepted, a carer's status and a
    status change's from/to...)."""
    router = SimpleRouter()
    carers.register_routes(router)
    GENERATOR_STATS.reset()
    return SchemaGenerator(patterns=[path("api/v1/", include(router.urls))]).get_schema(public=True)


@pytest.mark.django_db
def test_carer_endpoints_are_described_without_warnings(carer_schema):
    validate_schema(carer_schema)
    assert not GENERATOR_STATS, dict(GENERATOR_STATS._warn_cache)
    paths = carer_schema["paths"]
    for p, methods in {
        "/api/v1/carers/": {"get", "post"},
        "/api/v1/carers/{id}/": {"get", "patch"},
        "/api/v1/carers/{id}/status/": {"post"},
        "/api/v1/carers/{id}/review/": {"post"},
        "/api/v1/carers/{carer_id}/checks/": {"get", "post"},
        "/api/v1/carers/{carer_id}/trainings/": {"get", "post"},
        "/api/v1/carers/{carer_id}/concerns/": {"get", "post"},
        "/api/v1/carers/{carer_id}/concerns/{id}/": {"get", "patch"},
        "/api/v1/training-modules/": {"get"},
    }.items():
        assert methods <= set(paths[p]), p
    assert "put" not in paths["/api/v1/carers/{id}/"]
    filters = {p["name"] for p in paths["/api/v1/carers/"]["get"]["parameters"]}
    assert {"status", "province", "district", "commune", "care_type", "needs_supported"} <= filters
    assert {"has_vacancy", "review_overdue", "search", "page", "page_size"} <= filters
    enums = set(carer_schema["components"]["schemas"])
    assert {"CarerStatusEnum", "SexEnum", "NeedEnum", "CareTypeEnum"} <= enums
