"""Checks, trainings and safeguarding concerns recorded under a family."""

import datetime

import pytest

from register.models import AuditEntry, CarerCheck, CarerTraining, SafeguardingConcern
from register.roles import Role
from tests.factories import CarerFactory
from tests.register.carers_factories import CarerCheckFactory, ConcernFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today


def days(n: int) -> str:
    return (TODAY() + datetime.timedelta(days=n)).isoformat()


def url(carer, what):
    return f"/api/v1/carers/{carer.pk}/{what}/"


# --- Checks -------------------------------------------------------------------------------------


def test_registrar_records_a_check(client_for):
    api = client_for(Role.REGISTRAR)
    carer = CarerFactory()
    body = {"kind": "police_clearance", "result": "passed", "checked_on": days(-3), "expires_on": days(362)}
    response = api.post(url(carer, "checks"), body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert {k: created[k] for k in body} == body and created["notes"] == "" and created["id"]
    check = CarerCheck.objects.get(pk=created["id"])
    assert check.carer == carer and check.recorded_by == api.user
    entry = AuditEntry.objects.get(model="register.CarerCheck", object_id=created["id"])
    assert entry.action == "create" and entry.province == "02" and entry.actor == api.user
    assert entry.changes["kind"] == [None, "police_clearance"] and entry.changes["carer"] == [None, carer.reference]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "x-ray", "result": "passed", "checked_on": days(0)}, "kind"),
        ({"kind": "reference", "result": "great", "checked_on": days(0)}, "result"),
        ({"kind": "reference", "result": "passed", "checked_on": days(1)}, "checked_on"),
        ({"kind": "reference", "result": "passed", "checked_on": days(-5), "expires_on": days(-6)}, "expires_on"),
        ({"kind": "reference", "result": "passed"}, "checked_on"),
        ({"kind": "reference", "result": "passed", "checked_on": "yesterday"}, "checked_on"),
    ],
)
def test_bad_check_names_the_field_and_writes_nothing(client_for, body, field):
    carer = CarerFactory()
    response = client_for(Role.REGISTRAR).post(url(carer, "checks"), body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not CarerCheck.objects.exists()
    assert not AuditEntry.objects.filter(model="register.CarerCheck").exists()


def test_checks_are_listed_under_the_family_newest_first(client_for):
    carer = CarerFactory()
    CarerCheckFactory(carer=carer, kind="reference", checked_on=TODAY() - datetime.timedelta(days=20))
    CarerCheckFactory(carer=carer, kind="health_check", checked_on=TODAY() - datetime.timedelta(days=2))
    CarerCheckFactory(kind="police_clearance")  # another family's
    response = client_for(Role.PLACEMENT_OFFICER).get(url(carer, "checks"))
    assert response.status_code == 200
    assert [c["kind"] for c in response.json()["results"]] == ["health_check", "reference"]


# --- Trainings ----------------------------------------------------------------------------------


def test_registrar_records_a_training(client_for):
    api = client_for(Role.REGISTRAR)
    carer = CarerFactory()
    response = api.post(url(carer, "trainings"), {"module": "core", "completed_on": days(-1)}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["module"] == "core" and response.json()["completed_on"] == days(-1)
    assert response.json()["module_name"] == "Core foster care training"
    entry = AuditEntry.objects.get(model="register.CarerTraining")
    assert entry.action == "create" and entry.changes["module_id"] == [None, "core"]


def test_second_record_of_a_module_updates_its_date(client_for):
    api = client_for(Role.REGISTRAR)
    carer = CarerFactory()
    first = api.post(url(carer, "trainings"), {"module": "core", "completed_on": days(-30)}, format="json")
    second = api.post(url(carer, "trainings"), {"module": "core", "completed_on": days(-2)}, format="json")
    assert second.status_code == 200, second.json()
    assert second.json()["id"] == first.json()["id"] and second.json()["completed_on"] == days(-2)
    assert CarerTraining.objects.filter(carer=carer).count() == 1
    update = AuditEntry.objects.get(model="register.CarerTraining", action="update")
    assert update.changes["completed_on"] == [days(-30), days(-2)]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"module": "juggling", "completed_on": days(-1)}, "module"),
        ({"completed_on": days(-1)}, "module"),
        ({"module": "core", "completed_on": days(2)}, "completed_on"),
        ({"module": "core"}, "completed_on"),
    ],
)
def test_bad_training_names_the_field(client_for, body, field):
    carer = CarerFactory()
    response = client_for(Role.REGISTRAR).post(url(carer, "trainings"), body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not CarerTraining.objects.exists()


def test_unknown_module_message_points_to_the_list(client_for):
    response = client_for(Role.REGISTRAR).post(
        url(CarerFactory(), "trainings"), {"module": "juggling", "completed_on": days(-1)}, format="json"
    )
    assert "juggling" in response.json()["module"][0]


def test_trainings_are_listed(client_for):
    carer = CarerFactory()
    api = client_for(Role.REGISTRAR)
    api.post(url(carer, "trainings"), {"module": "core", "completed_on": days(-10)}, format="json")
    api.post(url(carer, "trainings"), {"module": "infant_care", "completed_on": days(-1)}, format="json")
    results = client_for(Role.SOCIAL_WORKER).get(url(carer, "trainings")).json()["results"]
    assert [t["module"] for t in results] == ["infant_care", "core"]


# --- Concerns -----------------------------------------------------------------------------------


def test_registrar_records_an_open_concern_and_closes_it(client_for):
    api = client_for(Role.REGISTRAR)
    carer = CarerFactory()
    response = api.post(
        url(carer, "concerns"), {"raised_on": days(-2), "summary": "Bruises seen at school."}, format="json"
    )
    assert response.status_code == 201, response.json()
    concern = response.json()
    assert concern["status"] == "open" and concern["closed_on"] is None
    assert client_for(Role.REGISTRAR).get(f"/api/v1/carers/{carer.pk}/").json()["concerns"][0]["status"] == "open"

    closed = api.patch(f"{url(carer, 'concerns')}{concern['id']}/", {"status": "closed"}, format="json")
    assert closed.status_code == 200, closed.json()
    assert closed.json()["status"] == "closed" and closed.json()["closed_on"] == days(0)
    update = AuditEntry.objects.get(model="register.SafeguardingConcern", action="update")
    assert update.changes["status"] == ["open", "closed"] and update.actor == api.user
    assert AuditEntry.objects.filter(model="register.SafeguardingConcern", action="create").count() == 1


def test_a_closed_concern_can_be_recorded_and_reopened(client_for):
    api = client_for(Role.SUPERVISOR)
    carer = CarerFactory()
    body = {"raised_on": days(-20), "summary": "Old matter.", "status": "closed", "closed_on": days(-10)}
    concern = api.post(url(carer, "concerns"), body, format="json").json()
    assert (concern["status"], concern["closed_on"]) == ("closed", days(-10))
    reopened = api.patch(f"{url(carer, 'concerns')}{concern['id']}/", {"status": "open"}, format="json").json()
    assert (reopened["status"], reopened["closed_on"]) == ("open", None)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"raised_on": days(1), "summary": "x"}, "raised_on"),
        ({"raised_on": days(-1)}, "summary"),
        ({"raised_on": days(-1), "summary": "x", "status": "maybe"}, "status"),
        ({"raised_on": days(-1), "summary": "x", "status": "closed", "closed_on": days(-3)}, "closed_on"),
    ],
)
def test_bad_concern_names_the_field(client_for, body, field):
    response = client_for(Role.REGISTRAR).post(url(CarerFactory(), "concerns"), body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not SafeguardingConcern.objects.exists()


def test_concerns_are_listed_and_retrieved(client_for):
    carer = CarerFactory()
    concern = ConcernFactory(carer=carer)
    api = client_for(Role.PLACEMENT_OFFICER)
    assert [c["id"] for c in api.get(url(carer, "concerns")).json()["results"]] == [str(concern.pk)]
    assert api.get(f"{url(carer, 'concerns')}{concern.pk}/").json()["summary"] == concern.summary


def test_concern_of_another_family_is_404_under_this_one(client_for):
    carer = CarerFactory()
    other = ConcernFactory()
    api = client_for(Role.REGISTRAR)
    assert api.patch(f"{url(carer, 'concerns')}{other.pk}/", {"status": "closed"}, format="json").status_code == 404
    other.refresh_from_db()
    assert other.status == "open"


# --- Jurisdiction and roles ---------------------------------------------------------------------


@pytest.mark.parametrize("what", ["checks", "trainings", "concerns"])
def test_records_of_another_provinces_family_are_404(client_for, what):
    carer = CarerFactory()
    api = client_for(Role.REGISTRAR, provinces=("12",))
    assert api.get(url(carer, what)).status_code == 404
    body = {
        "checks": {"kind": "reference", "result": "passed", "checked_on": days(0)},
        "trainings": {"module": "core", "completed_on": days(0)},
        "concerns": {"raised_on": days(0), "summary": "x"},
    }[what]
    assert api.post(url(carer, what), body, format="json").status_code == 404
    assert not AuditEntry.objects.exclude(model="register.Carer").filter(action="create").exists()


def test_concern_of_another_provinces_family_cannot_be_closed(client_for):
    concern = ConcernFactory()
    api = client_for(Role.SUPERVISOR, provinces=("12",))
    path = f"/api/v1/carers/{concern.carer_id}/concerns/{concern.pk}/"
    assert api.patch(path, {"status": "closed"}, format="json").status_code == 404


@pytest.mark.parametrize("role", [Role.PLACEMENT_OFFICER, Role.SOCIAL_WORKER])
@pytest.mark.parametrize("what", ["checks", "trainings", "concerns"])
def test_roles_without_carers_write_can_read_records_but_not_add(client_for, role, what):
    carer = CarerFactory()
    api = client_for(role)
    assert api.get(url(carer, what)).status_code == 200
    assert api.post(url(carer, what), {}, format="json").status_code == 403


def test_unknown_carer_is_404(client_for):
    api = client_for(Role.NATIONAL_ADMIN)
    assert api.get("/api/v1/carers/00000000-0000-0000-0000-000000000000/checks/").status_code == 404
