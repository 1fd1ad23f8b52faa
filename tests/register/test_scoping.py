import pytest

from register.models import Commune, District
from register.roles import Role
from register.scoping import scope_to_user, user_may_act_in
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_staff_see_only_their_provinces():
    user = make_user(Role.REGISTRAR, provinces=("02", "17"))
    scoped = scope_to_user(District.objects.all(), user)
    assert set(scoped.values_list("province_id", flat=True)) == {"02", "17"}


def test_national_admin_sees_every_province():
    user = make_user(Role.NATIONAL_ADMIN)
    assert scope_to_user(District.objects.all(), user).count() == 210


def test_user_without_provinces_sees_nothing():
    user = make_user(Role.REGISTRAR, provinces=())
    assert scope_to_user(District.objects.all(), user).count() == 0


def test_anonymous_and_inactive_users_see_nothing(django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert scope_to_user(District.objects.all(), AnonymousUser()).count() == 0
    user = make_user(Role.NATIONAL_ADMIN, is_active=False)
    assert scope_to_user(District.objects.all(), user).count() == 0


def test_scoping_follows_a_lookup_path():
    user = make_user(Role.SUPERVISOR, provinces=("12",))
    scoped = scope_to_user(Commune.objects.all(), user, province_field="district__province")
    assert scoped.count() == Commune.objects.filter(province_id="12").count()


def test_user_may_act_in_own_province_only():
    user = make_user(Role.REGISTRAR, provinces=("02",))
    assert user_may_act_in(user, "02")
    assert not user_may_act_in(user, "12")
    assert not user_may_act_in(user, None)
    assert user_may_act_in(make_user(Role.NATIONAL_ADMIN), "12")
