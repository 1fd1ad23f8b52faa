"""POST /api/v1/matching-policies/preview/: how a draft policy would have ranked the last runs (the
first family changed, the placed family's rank shift, Kendall's tau), for national administrators;
nothing is stored. The core's re-ranking is tested without a database."""

import dataclasses

import numpy as np
import pytest

from matching.core import Weights
from matching.core.evaluate import evaluate
from matching.core.preview import rerank
from matching.models import MatchingPolicy, MatchRun
from register.models import AuditEntry, Placement
from register.roles import Role
from tests.factories import CarerFactory, ChildFactory, commune
from tests.matching.core_data import random_carers, random_unit


def test_the_same_weights_change_nothing_and_other_weights_reorder():
    carers = random_carers(300, seed=4)
    unit = random_unit(4, 1, carer_ids=carers.ids, kin_share=0.05)
    evaluation = evaluate(unit, carers, Weights())
    placed = int(np.flatnonzero(evaluation.eligible)[3])
    same = rerank(evaluation, carers.ids, Weights(), placed)
    assert same.top1_changed is False and same.placed_shift == 0 and same.kendall_tau == pytest.approx(1.0)
    # Only age fit counts: a different order, and tau below 1.
    only_age = Weights(
        **dict.fromkeys(["kinship", "home_proximity", "school_proximity", "language"], 0.0),
        religion=0,
        ethnicity=0,
        skills=0,
        experience=0,
        age_fit=1,
    )
    other = rerank(evaluation, carers.ids, only_age, placed)
    assert other.kendall_tau < 0.9 and other.placed_shift is not None


def test_runs_of_the_same_unit_are_evaluated_once_and_compare_as_one_by_one(monkeypatch):
    """rerank_runs gives what rerank gives run by run; a child matched again (the same unit and
    weights, a unit without a school included: NaN coordinates) is evaluated once."""
    from matching.core import preview

    carers = random_carers(500, seed=9)
    units = [random_unit(s, 1 + s % 2, carer_ids=carers.ids, kin_share=0.05) for s in range(4)]
    no_school = next(u for u in units if np.isnan(u.school_lat))
    again = dataclasses.replace(no_school, school_lat=float("nan"))  # another NaN object: NaN != NaN
    draft = Weights(home_proximity=0.5, religion=3.0)
    runs = []
    for i, unit in enumerate([*units, again, units[1], units[1]]):
        order = evaluate(unit, carers, Weights())
        eligible = np.flatnonzero(order.eligible)
        runs.append((unit, Weights(), int(eligible[i % eligible.size]) if eligible.size and i % 3 else None))
    runs.append((units[2], Weights(kinship=1.0), None))  # another policy: evaluated on its own
    expected = [rerank(evaluate(u, carers, w), carers.ids, draft, p) for u, w, p in runs]
    calls = []
    monkeypatch.setattr(preview, "evaluate", lambda *a: calls.append(a) or evaluate(*a))
    assert preview.rerank_runs(carers, runs, draft) == expected
    assert len(calls) == 5


@pytest.mark.django_db
def test_a_national_administrator_previews_a_draft_and_nothing_is_stored(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER, provinces=("02",))
    near = CarerFactory()
    far = CarerFactory(commune=commune("021001"), lat=13.4, lon=102.6)
    runs = [officer.post("/api/v1/matches/", {"child": str(ChildFactory().pk)}, format="json").json() for _ in range(3)]
    assert all(r["candidates"][0]["carer"] == str(near.pk) for r in runs)
    child = ChildFactory()
    run = officer.post("/api/v1/matches/", {"child": str(child.pk)}, format="json").json()
    Placement.objects.create(
        carer=far, start_date="2026-01-01", care_type="long_term", province_id="02", match_id=run["id"], match_rank=2
    )
    admin = client_for(Role.NATIONAL_ADMIN)
    before = (
        MatchRun.objects.count(),
        MatchingPolicy.objects.count(),
        AuditEntry.objects.exclude(action="read").count(),
    )

    same = admin.post("/api/v1/matching-policies/preview/", {"weights": {}}, format="json")
    assert same.status_code == 200, same.json()
    assert same.json() == {
        "runs": 4,
        "top1_changed": 0,
        "placed_families": 1,
        "mean_rank_shift_of_placed_family": 0.0,
        "kendall_tau_median": 1.0,
    }
    # Distance left out of the draft: the last two runs only, still compared family by family.
    fewer = admin.post(
        "/api/v1/matching-policies/preview/",
        {"weights": {"home_proximity": 0, "school_proximity": 0}, "runs": 2},
        format="json",
    ).json()
    assert fewer["runs"] == 2 and -1.0 <= fewer["kendall_tau_median"] <= 1.0
    after = (
        MatchRun.objects.count(),
        MatchingPolicy.objects.count(),
        AuditEntry.objects.exclude(action="read").count(),
    )
    assert after == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "weights"),
        ({"weights": {"kindness": 2}}, "weights"),
        ({"weights": {"kinship": -1}}, "weights"),
        (
            {
                "weights": dict.fromkeys(
                    [
                        "kinship",
                        "home_proximity",
                        "school_proximity",
                        "language",
                        "religion",
                        "ethnicity",
                        "skills",
                        "experience",
                        "age_fit",
                    ],
                    0,
                )
            },
            "weights",
        ),
        ({"weights": {}, "runs": 0}, "runs"),
    ],
)
def test_bad_drafts_name_the_field(client_for, payload, field):
    response = client_for(Role.NATIONAL_ADMIN).post("/api/v1/matching-policies/preview/", payload, format="json")
    assert response.status_code == 400 and field in response.json()


@pytest.mark.django_db
def test_only_national_administrators_preview(client_for):
    for role in (Role.PLACEMENT_OFFICER, Role.SUPERVISOR, Role.REGISTRAR):
        response = client_for(role).post("/api/v1/matching-policies/preview/", {"weights": {}}, format="json")
        assert response.status_code == 403


@pytest.mark.django_db
def test_the_admin_previews_a_draft_before_it_is_saved(client, client_for):
    import json

    from tests.factories import make_user

    officer = client_for(Role.PLACEMENT_OFFICER, provinces=("02",))
    CarerFactory()
    CarerFactory(commune=commune("021001"), lat=13.4, lon=102.6)
    officer.post("/api/v1/matches/", {"child": str(ChildFactory().pk)}, format="json")
    client.force_login(make_user(Role.NATIONAL_ADMIN, is_staff=True, is_superuser=True))
    current = MatchingPolicy.current()
    form = {
        "weights": json.dumps({**current.weights, "home_proximity": 0.0}),
        "distance_scale_km": 40,
        "max_candidates": 100,
        "plan_k_start": 8,
        "plan_time_limit_s": 8,
        "notes": "no distance",
    }
    page = client.get(f"/admin/matching/matchingpolicy/{current.pk}/change/").content.decode()
    assert 'data-testid="policy-preview-submit"' in page
    response = client.post(f"/admin/matching/matchingpolicy/{current.pk}/change/", {**form, "_preview": "1"})
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="policy-preview"' in body
    assert "Compared on 1 run" in body and "nothing was saved" in body
    assert MatchingPolicy.objects.count() == 1
    saved = client.post(f"/admin/matching/matchingpolicy/{current.pk}/change/", form)
    assert saved.status_code == 302 and MatchingPolicy.objects.count() == 2
