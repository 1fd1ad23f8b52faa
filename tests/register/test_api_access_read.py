"""An API request reads its token, its caller and the caller's role and provinces once, with one
query for all (issue 18 item 1: register.api.authentication, register.selectors.access), and never
keeps them past the request: a change of role or provinces holds from the caller's next request.
The token is checked as django-rest-knox checks it."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from register.models import Commune, Province
from register.roles import Role
from register.selectors.access import tokens_with_key
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


def test_the_token_its_user_and_their_access_are_read_in_one_query():
    user = make_user(Role.SUPERVISOR, provinces=("02", "12"))
    client = token_client(user)
    client.get("/api/v1/carers/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/carers/", {"cursor": ""})
    assert response.status_code == 200
    sql = [q["sql"] for q in captured.captured_queries]
    access = [s for s in sql if "register_user_groups" in s or "register_user_provinces" in s]
    assert len(access) == 1 and all(table in access[0] for table in ("knox_authtoken", "register_user_provinces"))
    # The token with its user and their access, then the page: two queries in all.
    assert len(sql) == 2


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
    instance, _token = AuthToken.objects.create(user)
    (read,) = tokens_with_key(instance.token_key, now=timezone.now())
    together = (read.user.role, read.user.province_codes)
    assert (
        together
        == (user.role, user.province_codes)
        == (role, frozenset() if role == Role.NATIONAL_ADMIN else {"02", "12"})
    )


def test_a_token_is_refused_when_expired_wrong_or_its_user_inactive():
    user = make_user(Role.SUPERVISOR, provinces=("02",))
    instance, token = AuthToken.objects.create(user)
    client = APIClient()

    def status(header):
        client.credentials(HTTP_AUTHORIZATION=header)
        return client.get("/api/v1/carers/")

    assert status(f"Token {token}").status_code == 200
    # The same key (first characters) with another secret: the digest differs.
    wrong = token[:15] + ("0" if token[15] != "0" else "1") + token[16:]
    assert status(f"Token {wrong}").status_code == 401
    assert status(b"Token \xff\xfe".decode("latin-1")).status_code == 401  # not UTF-8: refused, not a 500
    assert status("Token nothing-like-a-token").status_code == 401
    user.is_active = False
    user.save(update_fields=["is_active"])
    refused = status(f"Token {token}")
    assert refused.status_code == 401 and refused.json()["code"] == "authentication_failed"
    user.is_active = True
    user.save(update_fields=["is_active"])
    AuthToken.objects.filter(pk=instance.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert status(f"Token {token}").status_code == 401
    AuthToken.objects.filter(pk=instance.pk).update(expiry=timezone.now() + timedelta(minutes=5))
    assert status(f"Token {token}").status_code == 200


def test_tokens_sharing_a_key_are_told_apart_each_with_its_own_user_and_access():
    supervisor = make_user(Role.SUPERVISOR, provinces=("02",))
    national = make_user(Role.NATIONAL_ADMIN)
    first, first_token = AuthToken.objects.create(supervisor)
    second, second_token = AuthToken.objects.create(national)
    # A second token whose text begins as the first one's: the same key, only the digest tells them apart.
    crafted = first_token[:15] + second_token[15:]
    AuthToken.objects.filter(pk=second.pk).update(token_key=first.token_key, digest=hash_token(crafted))
    second.digest = hash_token(crafted)
    found = {t.digest: t for t in tokens_with_key(first.token_key, now=timezone.now())}
    assert set(found) == {first.digest, second.digest}
    assert (found[first.digest].user.role, found[first.digest].user.province_codes) == (Role.SUPERVISOR, {"02"})
    assert (found[second.digest].user.role, found[second.digest].user.province_codes) == (Role.NATIONAL_ADMIN, set())
    in_12 = str(CarerFactory(commune=Commune.objects.filter(province_id="12").first()).pk)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first_token}")
    assert in_12 not in ids(client.get("/api/v1/carers/"))
    client.credentials(HTTP_AUTHORIZATION=f"Token {crafted}")
    assert in_12 in ids(client.get("/api/v1/carers/"))


def test_what_is_not_read_with_the_token_loads_when_asked_and_the_token_can_be_revoked():
    user = make_user(Role.SUPERVISOR, provinces=("02",))
    instance, token = AuthToken.objects.create(user)
    (read,) = tokens_with_key(instance.token_key, now=timezone.now())
    assert read.user == user and read.user.username == user.username and read.user.is_active is True
    assert read.user.is_superuser is False and read.user.is_staff is False
    assert "password" in read.user.get_deferred_fields()
    assert read.user.password == user.password  # loaded when asked for
    assert read.user.date_joined == user.date_joined
    assert read.expiry == instance.expiry
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert not AuthToken.objects.filter(pk=instance.pk).exists()
    assert client.get("/api/v1/carers/").status_code == 401
