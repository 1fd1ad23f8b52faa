"""The page /capacity-gaps/: where families are missing, in words."""

import datetime

import pytest

from register.roles import Role
from tests.factories import CarerFactory, ChildFactory
from tests.register.placements_factories import siblings

pytestmark = pytest.mark.django_db


def aged(years):
    return datetime.date.today() - datetime.timedelta(days=365 * years + 100)


def test_an_officer_sees_who_has_no_family_and_why_in_words(page_for):
    CarerFactory()  # two places, groups of three at most
    ChildFactory(date_of_birth=aged(8))
    siblings(4, date_of_birth=aged(8))
    response = page_for(Role.PLACEMENT_OFFICER).get("/capacity-gaps/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="children-waiting">5<' in html and 'data-testid="without">4<' in html
    row = html[html.index('data-testid="gaps"') :]
    assert "6-11" in row and "sibling group too large: 4" in row and "no free place: 4" in row


def test_registrars_may_not_open_it_and_another_province_is_refused(page_for):
    assert page_for(Role.REGISTRAR).get("/capacity-gaps/").status_code == 403
    other = page_for(Role.SUPERVISOR).get("/capacity-gaps/?province=12")
    assert other.status_code == 400 and "No province with this code" in other.content.decode()
