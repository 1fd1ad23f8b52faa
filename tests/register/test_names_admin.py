"""The admin's search is the lists' (issue 14): either script after normalisation, close romanisations."""

import pytest
from django.contrib.auth.models import Permission

from register.roles import Role
from tests.factories import CarerFactory, make_user

pytestmark = pytest.mark.django_db


def test_the_admin_finds_a_family_as_the_lists_do(client):
    user = make_user(Role.REGISTRAR, ("02",), is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="register", codename="view_carer"))
    client.force_login(user)
    wanted = CarerFactory(given_name="ចាន់ណា", family_name="ស៊ុន", given_name_latin="Channa", family_name_latin="Sun")
    other = CarerFactory(given_name="សុភា", family_name="ហេង", given_name_latin="Sophea", family_name_latin="Heng")
    for query in ("Chana", "ស\u17bb\u17ca\u1793", "sun channa"):
        content = client.get("/admin/register/carer/", {"q": query}).content.decode()
        assert wanted.reference in content and other.reference not in content, query
