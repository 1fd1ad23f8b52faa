import pytest
from rest_framework.test import APIClient

from register.roles import Role
from tests.factories import make_user


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def client_for(db):
    """client_for(role, provinces=("02",)) -> an APIClient authenticated as a new user of that role."""

    def make(role: str = Role.REGISTRAR, provinces=("02",), **kwargs):
        user = make_user(role, provinces, **kwargs)
        client = APIClient()
        client.force_authenticate(user)
        client.user = user
        return client

    return make
