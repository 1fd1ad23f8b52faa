"""An API request reads its caller's role and provinces once, with one query for both (issue 18 item
1: register.api.authentication, User.read_access), and never keeps them past the request: a change
of role or provinces holds from the caller's next request."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken
from rest_framework.test import APIClient

from register.models import Commune, Province
from register.roles import Role
from tests.factories import CarerFactory, make_user

pytestmark = pytest.mark.django_db


def token_client(user) -> APIClient:
    _, token = AuthToken.objects.create(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_role_and_provinces_are_read_together_in_one_query():
    user = make_user(Role.SUPERVISOR, provinces=("02", "12"))
    client = token_client(user)
    client.get("/api/v1/carers/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/carers/", {"cursor": ""})
    assert response.status_code == 200
    sql = [q["sql"] for q in captured.captured_queries]
    access = [s for s in sql if "register_user_groups" in s or "register_user_provinces" in s]
    assert len(access) == 1 and "register_user_groups" in access[0] and "register_user_provinces" in access[0]
    # The token with its user, the caller's access, the page: three queries in all.
    assert len(sql) == 3


def test_a_change_of_provinces_or_role_holds_from_the_next_request():
    user = make_user(Role.SUPERVISOR, provinces=("02",))
    in_02 = str(CarerFactory().pk)
    in_12 = str(CarerFactory(commune=Commune.objects.filter(province_id="12").first()).pk)
    client = token_client(user)
    assert ids(client.get("/api/v1/carers/")) == {in_02}
    user.provinces.set(Province.objects.filter(code="12"))
    assert ids(client.get("/api/v1/carers/")) == {in_12}
    user.groups.set([Group.objects.get(name=Role.NATIONAL_ADMIN)])
    user.provinces.clear()
    assert ids(client.get("/api/v1/carers/")) == {in_02, in_12}
    user.groups.set([Group.objects.get(name=Role.SOCIAL_WORKER)])
    assert client.get("/api/v1/placements/", {"visits": "none"}).status_code == 200  # social workers read their own
    user.groups.clear()
    assert client.get("/api/v1/carers/").status_code == 403


@pytest.mark.parametrize("role", list(Role.values))
def test_each_role_is_read_as_the_separate_queries_read_it(role):
    user = make_user(role, provinces=("02", "12"))
    user.read_access()
    together = (user.role, user.province_codes)
    for attr in ("role", "province_codes"):
        user.__dict__.pop(attr)
    assert (
        together
        == (user.role, user.province_codes)
        == (role, frozenset() if role == Role.NATIONAL_ADMIN else {"02", "12"})
    )
