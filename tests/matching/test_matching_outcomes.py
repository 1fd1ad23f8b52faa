"""GET /api/v1/matching-outcomes/: placements made from match runs, per policy version, by the rank of
the family chosen, and their breakdowns within 90 days and 12 months (counts and rates)."""

import datetime

import pytest

from matching.models import MatchingPolicy, MatchRun
from register.models import Placement
from register.roles import Role
from tests.factories import CarerFactory, ChildFactory, commune

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def placement(run, rank, *, started_days_ago, broke_after=None, province="02"):
    carer = CarerFactory() if province == "02" else CarerFactory(commune=commune("120101"))
    ended = broke_after is not None
    return Placement.objects.create(
        carer=carer,
        start_date=TODAY - datetime.timedelta(days=started_days_ago),
        end_date=TODAY - datetime.timedelta(days=started_days_ago - broke_after) if ended else None,
        end_reason=Placement.EndReason.BREAKDOWN if ended else "",
        status=Placement.Status.ENDED if ended else Placement.Status.ACTIVE,
        care_type="long_term",
        province_id=province,
        match_id=run.pk,
        match_rank=rank,
    )


@pytest.fixture
def runs(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER, provinces=("02",))
    CarerFactory()
    first = officer.post("/api/v1/matches/", {"child": str(ChildFactory().pk)}, format="json").json()
    MatchingPolicy.objects.create(weights=MatchingPolicy.current().weights, notes="second")
    second = officer.post("/api/v1/matches/", {"child": str(ChildFactory().pk)}, format="json").json()
    return officer, MatchRun.objects.get(pk=first["id"]), MatchRun.objects.get(pk=second["id"])


def test_outcomes_per_policy_and_rank_with_rates_over_placements_old_enough(runs):
    officer, v1, v2 = runs
    placement(v1, 1, started_days_ago=400)  # held
    placement(v1, 1, started_days_ago=400, broke_after=30)  # broke early
    placement(v1, 2, started_days_ago=200, broke_after=120)  # broke within 12 months, not 90 days
    placement(v1, 12, started_days_ago=10)  # too recent to tell
    placement(v1, None, started_days_ago=100)  # a family the run did not rank
    placement(v2, 5, started_days_ago=50, broke_after=20)
    body = officer.get("/api/v1/matching-outcomes/").json()
    assert [r["policy_version"] for r in body["results"]] == [v2.policy_id, v1.policy_id]
    old = body["results"][1]
    assert old["placements"] == 5
    assert (old["breakdowns_90d"], old["observed_90d"], old["breakdown_rate_90d"]) == (1, 4, 0.25)
    assert (old["breakdowns_12m"], old["observed_12m"], old["breakdown_rate_12m"]) == (2, 3, round(2 / 3, 4))
    by_rank = {r["rank"]: r for r in old["by_rank"]}
    assert [r["rank"] for r in old["by_rank"]] == ["1", "2-3", "4-10", "11+", "unranked"]
    assert by_rank["1"]["placements"] == 2 and by_rank["1"]["breakdown_rate_90d"] == 0.5
    assert by_rank["2-3"]["breakdowns_90d"] == 0 and by_rank["2-3"]["breakdowns_12m"] == 1
    assert by_rank["11+"]["observed_90d"] == 0 and by_rank["11+"]["breakdown_rate_90d"] is None
    assert by_rank["unranked"]["placements"] == 1 and by_rank["4-10"]["placements"] == 0
    new = body["results"][0]
    assert new["placements"] == 1 and new["breakdowns_90d"] == 1 and new["observed_90d"] == 1

    only = officer.get("/api/v1/matching-outcomes/", {"policy_version": v2.policy_id}).json()["results"]
    assert [r["policy_version"] for r in only] == [v2.policy_id]


def test_outcomes_count_only_the_callers_provinces(runs, client_for):
    officer, v1, _v2 = runs
    placement(v1, 1, started_days_ago=100, province="12")
    assert officer.get("/api/v1/matching-outcomes/").json()["results"] == []
    national = client_for(Role.NATIONAL_ADMIN)
    assert national.get("/api/v1/matching-outcomes/").json()["results"][0]["placements"] == 1
    assert national.get("/api/v1/matching-outcomes/", {"province": "02"}).json()["results"] == []


@pytest.mark.parametrize(
    ("query", "field"), [({"province": "99"}, "province"), ({"policy_version": "x"}, "policy_version")]
)
def test_bad_filters_name_the_field(client_for, query, field):
    response = client_for(Role.PLACEMENT_OFFICER).get("/api/v1/matching-outcomes/", query)
    assert response.status_code == 400 and field in response.json()


def test_registrars_and_social_workers_may_not_read_outcomes(client_for):
    for role in (Role.REGISTRAR, Role.SOCIAL_WORKER):
        assert client_for(role).get("/api/v1/matching-outcomes/").status_code == 403
