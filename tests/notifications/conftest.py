import datetime

import pytest
from django.utils import timezone

from register.roles import Role
from register.services.placements import placement_create
from tests.factories import CarerFactory, ChildFactory, make_user
from tests.notifications.gateway import Gateway


@pytest.fixture
def gateway(settings):
    with Gateway() as gw:
        settings.SMS_GATEWAY_URL = gw.url + "/sms"
        settings.SMS_GATEWAY_TOKEN = "test-token"
        yield gw


@pytest.fixture
def any_time(settings):
    settings.REMINDER_WORKING_HOURS = "00:00-24:00"


@pytest.fixture
def people(db):
    officer = make_user(Role.PLACEMENT_OFFICER)
    worker = make_user(Role.SOCIAL_WORKER, preferred_language="en")
    supervisors = [make_user(Role.SUPERVISOR, preferred_language="en") for _ in range(2)]
    make_user(Role.SUPERVISOR, provinces=("12",))  # another province: never notified
    return {"officer": officer, "worker": worker, "supervisors": supervisors}


@pytest.fixture
def place(people):
    """place(days_ago) -> a placement started that many days ago, with the demo social worker."""

    def make(days_ago: int = 0, **kwargs):
        start = timezone.localdate() - datetime.timedelta(days=days_ago)
        return placement_create(
            actor=people["officer"],
            carer=CarerFactory(),
            children=[ChildFactory()],
            start_date=start,
            care_type="long_term",
            social_worker=people["worker"],
            **kwargs,
        )

    return make
