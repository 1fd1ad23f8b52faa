"""A match run is the officer's worklist: calls to its families, best first, and what came of them
(POST /api/v1/matches/{id}/outreach/), kept on the run; a placement made from the run keeps the
family's rank."""

import pytest

from matching.models import MatchOutreach
from register.models import AuditEntry
from register.roles import Role
from tests.factories import CarerFactory, ChildFactory, commune
from tests.register.placements_factories import today

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER, provinces=("02",))
    child = ChildFactory()
    near = CarerFactory(household_name="Near")
    far = CarerFactory(commune=commune("021001"), lat=13.4, lon=102.6)
    run = officer.post("/api/v1/matches/", {"child": str(child.pk)}, format="json").json()
    assert [c["carer"] for c in run["candidates"]] == [str(near.pk), str(far.pk)]
    return {"officer": officer, "child": child, "near": near, "far": far, "run": run}


def test_calls_are_recorded_kept_on_the_run_newest_first_and_audited(ranked):
    officer, run = ranked["officer"], ranked["run"]
    url = f"/api/v1/matches/{run['id']}/outreach/"
    first = officer.post(url, {"carer": str(ranked["near"].pk), "outcome": "unreachable"}, format="json")
    assert first.status_code == 201, first.json()
    second = officer.post(
        url, {"carer": str(ranked["near"].pk), "outcome": "declined", "note": "Their own baby is due"}, format="json"
    )
    assert second.status_code == 201
    body = officer.get(f"/api/v1/matches/{run['id']}/").json()
    assert [(o["outcome"], o["note"]) for o in body["outreach"]] == [
        ("declined", "Their own baby is due"),
        ("unreachable", ""),
    ]
    assert body["outreach"] == second.json()["outreach"]
    assert {o["by"] for o in body["outreach"]} == {officer.user.username}
    assert all(o["carer"] == str(ranked["near"].pk) and o["at"] for o in body["outreach"])
    assert AuditEntry.objects.filter(model="matching.MatchOutreach", action=AuditEntry.Action.CREATE).count() == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"outcome": "contacted"}, "carer"),
        ({"carer": "not-a-uuid", "outcome": "contacted"}, "carer"),
        ({"carer": "00000000-0000-0000-0000-000000000000", "outcome": "contacted"}, "carer"),
        ({"carer": "NEAR", "outcome": "maybe"}, "outcome"),
        ({"carer": "NEAR"}, "outcome"),
        ({"carer": "NEAR", "outcome": "declined", "note": "x" * 2001}, "note"),
    ],
)
def test_bad_calls_name_the_field_and_write_nothing(ranked, payload, field):
    payload = {k: (str(ranked["near"].pk) if v == "NEAR" else v) for k, v in payload.items()}
    response = ranked["officer"].post(f"/api/v1/matches/{ranked['run']['id']}/outreach/", payload, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not MatchOutreach.objects.exists()


def test_a_family_the_run_did_not_rank_is_not_on_its_worklist(ranked):
    unranked = CarerFactory(status="assessment", approved_on=None)
    response = ranked["officer"].post(
        f"/api/v1/matches/{ranked['run']['id']}/outreach/",
        {"carer": str(unranked.pk), "outcome": "contacted"},
        format="json",
    )
    assert response.status_code == 400 and "carer" in response.json()


def test_another_provinces_officer_finds_no_run(ranked, client_for):
    other = client_for(Role.PLACEMENT_OFFICER, provinces=("12",))
    response = other.post(
        f"/api/v1/matches/{ranked['run']['id']}/outreach/",
        {"carer": str(ranked["near"].pk), "outcome": "contacted"},
        format="json",
    )
    assert response.status_code == 404 and not MatchOutreach.objects.exists()


def test_a_placement_from_the_run_keeps_the_rank_of_the_family_chosen(ranked):
    officer, run = ranked["officer"], ranked["run"]
    officer.post(
        f"/api/v1/matches/{run['id']}/outreach/",
        {"carer": str(ranked["near"].pk), "outcome": "declined"},
        format="json",
    )
    placed = officer.post(
        "/api/v1/placements/",
        {
            "carer": str(ranked["far"].pk),
            "children": [str(ranked["child"].pk)],
            "start_date": today().isoformat(),
            "care_type": "long_term",
            "match": run["id"],
        },
        format="json",
    )
    assert placed.status_code == 201 and placed.json()["match_rank"] == 2
