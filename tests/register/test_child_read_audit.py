"""Every API response that shows a child's record logs a read of it (DESIGN.md, Security model),
whatever the method: a PATCH that changes nothing ({}, an unknown field, the same values) still
answers with the whole record, so it is a read (issue 13, finding 1). The rendering of a child's
record logs it (register/api/children.py, ChildSerializer), so an endpoint cannot forget."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from register.api.children import ChildSerializer
from register.models import AuditEntry
from register.roles import Role
from tests.register.children_factories import CarerFactory, ChildFactory, child_payload

pytestmark = pytest.mark.django_db


def reads(child_id, user) -> int:
    return AuditEntry.objects.filter(model="register.Child", object_id=str(child_id), action="read", actor=user).count()


def url(child) -> str:
    return f"/api/v1/children/{child.pk}/"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"nickname": "Bo"},
        "same",  # the record's own values, sent back unchanged
        {"given_name": "Darany"},
    ],
    ids=["empty", "unknown field", "unchanged values", "a change"],
)
def test_every_patch_that_answers_with_the_record_logs_a_read(client_for, body):
    child = ChildFactory(given_name="Dara")
    officer = client_for(Role.PLACEMENT_OFFICER)
    if body == "same":
        body = {"given_name": child.given_name, "family_name": child.family_name, "sex": child.sex}
    response = officer.patch(url(child), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["given_name"] in ("Dara", "Darany")
    assert reads(child.pk, officer.user) == 1


def test_replacing_kin_and_exclusions_logs_a_read(client_for):
    child, kin, excluded = ChildFactory(), CarerFactory(), CarerFactory()
    officer = client_for(Role.PLACEMENT_OFFICER)
    body = {
        "kin": [{"carer": str(kin.pk), "relationship": "grandparent"}],
        "excluded_carers": [{"carer": str(excluded.pk), "reason": "Safeguarding history."}],
    }
    response = officer.patch(url(child), body, format="json")
    assert response.status_code == 200, response.content
    assert reads(child.pk, officer.user) == 1


def test_a_refused_patch_shows_nothing_and_logs_no_read(client_for):
    child = ChildFactory()
    officer = client_for(Role.PLACEMENT_OFFICER)
    response = officer.patch(url(child), {"sex": "neither"}, format="json")
    assert response.status_code == 400
    assert reads(child.pk, officer.user) == 0


def test_creating_a_child_logs_a_read_of_the_record_it_answers_with(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER)
    response = officer.post("/api/v1/children/", child_payload(), format="json")
    assert response.status_code == 201, response.content
    assert reads(response.json()["id"], officer.user) == 1


def test_get_one_and_a_page_log_one_read_per_child_shown(client_for):
    first, second = ChildFactory(), ChildFactory()
    officer = client_for(Role.PLACEMENT_OFFICER)
    assert officer.get(url(first)).status_code == 200
    assert reads(first.pk, officer.user) == 1
    assert officer.get("/api/v1/children/").status_code == 200
    assert reads(first.pk, officer.user) == 2 and reads(second.pk, officer.user) == 1


def test_rendering_a_child_without_the_reader_is_refused():
    # A new endpoint that renders a child's record without saying who reads it fails at once.
    child = ChildFactory()
    with pytest.raises(ImproperlyConfigured):
        ChildSerializer(child).data  # noqa: B018
    with pytest.raises(ImproperlyConfigured):
        ChildSerializer([child], many=True).data  # noqa: B018
