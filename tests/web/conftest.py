import pytest
from django.test import Client

from register.roles import Role
from tests.factories import make_user


@pytest.fixture
def page_for(db):
    """page_for(role, provinces=("02",)) -> a Django test client logged in as a new user."""

    def make(role=Role.PLACEMENT_OFFICER, provinces=("02",)):
        user = make_user(role, provinces)
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    return make


@pytest.fixture
def registrar(client):
    """A registrar of province 02, logged in on the `client` fixture."""
    user = make_user(Role.REGISTRAR, ("02",))
    client.force_login(user)
    return user


@pytest.fixture
def people():
    """An officer, a social worker and a supervisor of province 02 (tests may override it)."""
    return {
        "officer": make_user(Role.PLACEMENT_OFFICER),
        "worker": make_user(Role.SOCIAL_WORKER),
        "supervisor": make_user(Role.SUPERVISOR),
    }
