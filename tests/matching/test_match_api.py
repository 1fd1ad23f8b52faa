import datetime

import pytest

from register.models import AuditEntry, KinLink, SiblingGroup
from register.roles import Role
from tests.factories import CarerFactory, ChildFactory, commune

pytestmark = pytest.mark.django_db


def test_a_match_ranks_eligible_families_best_first_with_reasons(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER, provinces=("02",))
    child = ChildFactory()
    near = CarerFactory(household_name="Near")
    far = CarerFactory(commune=commune("021001"), lat=13.4, lon=102.6)
    full = CarerFactory(max_children=1)
    # `full` has no free place once a child is placed with it.
    from register.models import Placement, PlacementChild

    placement = Placement.objects.create(
        carer=full, start_date=datetime.date(2026, 1, 1), care_type="long_term", province_id="02"
    )
    PlacementChild.objects.create(placement=placement, child=ChildFactory(status="placed"))
    CarerFactory(status="assessment", approved_on=None)

    response = officer.post("/api/v1/matches/", {"child": str(child.pk), "limit": 10}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [c["carer"] for c in body["candidates"]] == [str(near.pk), str(far.pk)]
    assert [c["rank"] for c in body["candidates"]] == [1, 2]
    assert body["candidates"][0]["score"] > body["candidates"][1]["score"]
    assert body["eligible_count"] == 2 and body["excluded_count"] == 2
    assert body["excluded_by_reason"] == {"no_vacancy": 1, "not_approved": 1}
    top = body["candidates"][0]
    assert set(top["components"]) >= {"kinship", "home_proximity", "language", "religion"}
    assert any("km from the child's home community" in s for s in top["explanation"])
    assert body["children"] == [str(child.pk)] and body["policy_version"] == 1
    assert body["requested_by"] == officer.user.username
    assert AuditEntry.objects.filter(model="matching.MatchRun", object_id=body["id"]).exists()

    again = officer.get(f"/api/v1/matches/{body['id']}/").json()
    assert again == body


def test_explanations_come_in_khmer_when_asked(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER)
    child = ChildFactory()
    CarerFactory()
    body = officer.post("/api/v1/matches/", {"child": str(child.pk)}, format="json", HTTP_ACCEPT_LANGUAGE="km").json()
    text = " ".join(body["candidates"][0]["explanation"])
    assert "Lives" not in text and "គីឡូម៉ែត្រ" in text


def test_explain_says_why_a_family_is_left_out(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER)
    child = ChildFactory(needs=["hiv_care"])
    carer = CarerFactory(age_min=12, age_max=17)
    run = officer.post("/api/v1/matches/", {"child": str(child.pk)}, format="json").json()
    body = officer.get(f"/api/v1/matches/{run['id']}/explain/", {"carer": str(carer.pk)}).json()
    assert body["eligible"] is False
    assert body["reasons"] == ["age_out_of_range", "need_not_supported"]
    assert body["rank"] is None and body["score"] is None
    assert len(body["explanation"]) == 2


def test_kin_rank_first_and_are_eligible_for_kinship_care(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER)
    child = ChildFactory(care_type_needed="kinship")
    stranger = CarerFactory(care_types=["kinship", "long_term"])
    aunt = CarerFactory(care_types=["emergency"], commune=commune("021001"))
    KinLink.objects.create(child=child, carer=aunt, relationship="aunt_uncle")
    body = officer.post("/api/v1/matches/", {"child": str(child.pk)}, format="json").json()
    assert [c["carer"] for c in body["candidates"]] == [str(aunt.pk), str(stranger.pk)]
    assert body["candidates"][0]["components"]["kinship"] == 1.0


def test_a_keep_together_group_is_matched_as_one(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER)
    group = SiblingGroup.objects.create(keep_together=True)
    a, b, c = ChildFactory.create_batch(3, sibling_group=group)
    small = CarerFactory(max_children=4, max_sibling_group=2)
    big = CarerFactory(max_children=4, max_sibling_group=3)
    body = officer.post("/api/v1/matches/", {"child": str(b.pk)}, format="json").json()
    assert body["children"][0] == str(b.pk) and set(body["children"]) == {str(a.pk), str(b.pk), str(c.pk)}
    assert [x["carer"] for x in body["candidates"]] == [str(big.pk)]
    assert body["excluded_by_reason"] == {"sibling_group_too_large": 1}
    assert small


def test_families_of_other_provinces_are_never_candidates(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER, provinces=("02",))
    child = ChildFactory()
    CarerFactory(commune=commune("120101"))
    body = officer.post("/api/v1/matches/", {"child": str(child.pk)}, format="json").json()
    assert body["candidates"] == [] and body["eligible_count"] == 0 and body["excluded_count"] == 0


def test_children_and_runs_of_other_provinces_are_not_found(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER, provinces=("02",))
    other = client_for(Role.PLACEMENT_OFFICER, provinces=("12",))
    child = ChildFactory()
    response = other.post("/api/v1/matches/", {"child": str(child.pk)}, format="json")
    assert response.status_code == 400 and "child" in response.json()
    run = officer.post("/api/v1/matches/", {"child": str(child.pk)}, format="json").json()
    assert other.get(f"/api/v1/matches/{run['id']}/").status_code == 404


def test_only_officers_and_supervisors_run_matches(client_for):
    child = ChildFactory()
    for role, code in [(Role.REGISTRAR, 403), (Role.SOCIAL_WORKER, 403), (Role.SUPERVISOR, 201)]:
        response = client_for(role).post("/api/v1/matches/", {"child": str(child.pk)}, format="json")
        assert response.status_code == code, role


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "child"),
        ({"child": "not-a-uuid"}, "child"),
        ({"child": "00000000-0000-0000-0000-000000000000"}, "child"),
        ({"child": "00000000-0000-0000-0000-000000000000", "limit": 0}, "limit"),
    ],
)
def test_bad_match_requests_name_the_field(client_for, payload, field):
    response = client_for(Role.PLACEMENT_OFFICER).post("/api/v1/matches/", payload, format="json")
    assert response.status_code == 400 and field in response.json()


def test_a_placed_child_cannot_be_matched(client_for):
    child = ChildFactory(status="placed")
    response = client_for(Role.PLACEMENT_OFFICER).post("/api/v1/matches/", {"child": str(child.pk)}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "child_already_placed"


def test_batch_plan_for_an_institution_runs_as_a_job(client_for, django_capture_on_commit_callbacks):
    officer = client_for(Role.PLACEMENT_OFFICER)
    first = ChildFactory()
    institution = first.institution
    group = SiblingGroup.objects.create(keep_together=True)
    ChildFactory.create_batch(2, institution=institution, sibling_group=group)
    ChildFactory(institution=institution)
    CarerFactory(max_children=2)
    CarerFactory(max_children=3, max_sibling_group=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post("/api/v1/batch-matches/", {"institution": str(institution.pk)}, format="json")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    plan = officer.get(f"/api/v1/batch-matches/{response.json()['id']}/").json()
    assert plan["status"] == "done" and plan["progress"] == 1.0
    placed = [c for p in plan["proposals"] for c in p["children"]]
    left = [c for u in plan["unassigned"] for c in u["children"]]
    assert sorted(placed + left) == sorted(plan["children"])
    assert plan["total_score"] >= plan["greedy_total_score"]
    assert plan["optimal"] is True
    sibling_ids = {str(c.pk) for c in group.children.all()}
    assert any(set(p["children"]) == sibling_ids for p in plan["proposals"] + plan["unassigned"])


def test_batch_requests_need_exactly_one_of_institution_or_children(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER)
    assert officer.post("/api/v1/batch-matches/", {}, format="json").status_code == 400
    response = officer.post(
        "/api/v1/batch-matches/", {"children": ["00000000-0000-0000-0000-000000000000"]}, format="json"
    )
    assert response.status_code == 400 and "children" in response.json()


def test_batch_proposals_are_confirmed_one_by_one_into_placements(client_for, django_capture_on_commit_callbacks):
    officer = client_for(Role.PLACEMENT_OFFICER)
    child = ChildFactory()
    ChildFactory(institution=child.institution)
    CarerFactory(max_children=1)
    CarerFactory(max_children=1)
    with django_capture_on_commit_callbacks(execute=True):
        plan_id = officer.post(
            "/api/v1/batch-matches/", {"institution": str(child.institution_id)}, format="json"
        ).json()["id"]
    plan = officer.get(f"/api/v1/batch-matches/{plan_id}/").json()
    assert len(plan["proposals"]) == 2
    today = datetime.date.today().isoformat()
    response = officer.post(
        f"/api/v1/batch-matches/{plan_id}/confirm/", {"proposal": 0, "start_date": today}, format="json"
    )
    assert response.status_code == 201, response.json()
    placed = response.json()
    assert placed["carer"] == plan["proposals"][0]["carer"] and placed["children"] == plan["proposals"][0]["children"]
    again = officer.post(
        f"/api/v1/batch-matches/{plan_id}/confirm/", {"proposal": 0, "start_date": today}, format="json"
    )
    assert again.status_code == 409 and again.json()["code"] == "proposal_confirmed"
    missing = officer.post(
        f"/api/v1/batch-matches/{plan_id}/confirm/", {"proposal": 9, "start_date": today}, format="json"
    )
    assert missing.status_code == 400 and missing.json()["code"] == "no_such_proposal"


def test_a_batch_plan_refuses_children_outside_the_actors_provinces(client_for):
    from matching.models import BatchPlan
    from matching.services import batch_plan_create
    from register.errors import DomainError
    from tests.factories import InstitutionFactory

    officer = client_for(Role.PLACEMENT_OFFICER, ("02",)).user
    elsewhere = ChildFactory(institution=InstitutionFactory(commune=commune("170101")))
    with pytest.raises(DomainError) as refused:
        batch_plan_create(actor=officer, children=[ChildFactory(), elsewhere])
    assert refused.value.code == "not_found" and refused.value.status_code == 404
    assert not BatchPlan.objects.exists()


def test_a_proposal_the_register_has_since_made_unfit_needs_a_reason_and_an_exclusion_is_final(
    client_for, django_capture_on_commit_callbacks
):
    from register.models import Carer, CarerExclusion

    officer = client_for(Role.PLACEMENT_OFFICER)
    child = ChildFactory()
    other = ChildFactory(institution=child.institution)
    CarerFactory(max_children=1)
    CarerFactory(max_children=1)
    with django_capture_on_commit_callbacks(execute=True):
        plan_id = officer.post(
            "/api/v1/batch-matches/", {"institution": str(child.institution_id)}, format="json"
        ).json()["id"]
    proposals = officer.get(f"/api/v1/batch-matches/{plan_id}/").json()["proposals"]
    # After the plan: one family now takes only girls, the other is recorded as a risk to its child.
    Carer.objects.filter(pk=proposals[0]["carer"]).update(sexes_accepted=["female"])
    second_child = next(c for c in (child, other) if str(c.pk) in proposals[1]["children"])
    CarerExclusion.objects.create(carer_id=proposals[1]["carer"], child=second_child, reason="A known risk")
    url = f"/api/v1/batch-matches/{plan_id}/confirm/"
    today = datetime.date.today().isoformat()
    refused = officer.post(url, {"proposal": 0, "start_date": today}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "sex_not_accepted"
    assert refused.json()["overridable"] is True
    reason = "The family's daughter left home; they asked to take a boy."
    placed = officer.post(url, {"proposal": 0, "start_date": today, "override_reason": reason}, format="json")
    assert placed.status_code == 201 and placed.json()["overrides"][0]["reason"] == reason
    excluded = officer.post(url, {"proposal": 1, "start_date": today, "override_reason": reason}, format="json")
    assert excluded.status_code == 400 and excluded.json()["code"] == "excluded_for_child"


def test_every_candidate_says_what_each_factor_added_and_the_points_add_up_to_the_score(client_for):
    officer = client_for(Role.PLACEMENT_OFFICER)
    child = ChildFactory(religion="christianity")
    buddhists = CarerFactory(religion="buddhism")
    CarerFactory(commune=commune("021001"), lat=13.4, lon=102.6, religion="christianity")
    body = officer.post("/api/v1/matches/", {"child": str(child.pk)}, format="json").json()
    assert len(body["candidates"]) == 2
    for candidate in body["candidates"]:
        parts = candidate["contributions"]
        assert [p["factor"] for p in parts] == list(candidate["components"])
        assert abs(sum(p["points"] for p in parts) - candidate["score"]) <= 1e-6
        for p in parts:
            assert set(p) == {"factor", "value", "weight", "points", "effect", "text"}
            assert p["value"] == candidate["components"][p["factor"]]
            assert p["effect"] == ("for" if p["value"] > 0.5 else "against" if p["value"] < 0.5 else "neutral")
        assert candidate["explanation"] == [p["text"] for p in parts]
    buddhist = next(c for c in body["candidates"] if c["carer"] == str(buddhists.pk))
    religion = next(p for p in buddhist["contributions"] if p["factor"] == "religion")
    assert religion["text"] == "The family's religion: Buddhism; the child's: Christianity."
    assert religion["effect"] == "against" and religion["points"] == 0
    explained = officer.get(f"/api/v1/matches/{body['id']}/explain/", {"carer": buddhist["carer"]}).json()
    assert explained["contributions"] == buddhist["contributions"]


def test_batch_proposals_carry_contributions_on_the_scale_of_the_total(client_for, django_capture_on_commit_callbacks):
    officer = client_for(Role.PLACEMENT_OFFICER)
    group = SiblingGroup.objects.create(keep_together=True)
    first, _second = ChildFactory.create_batch(2, sibling_group=group)
    CarerFactory(max_children=3, max_sibling_group=3)
    with django_capture_on_commit_callbacks(execute=True):
        plan_id = officer.post("/api/v1/batch-matches/", {"children": [str(first.pk)]}, format="json").json()["id"]
    plan = officer.get(f"/api/v1/batch-matches/{plan_id}/").json()
    (proposal,) = plan["proposals"]
    assert abs(sum(p["points"] for p in proposal["contributions"]) - proposal["score"]) <= 1e-6
    assert proposal["explanation"] == [p["text"] for p in proposal["contributions"]]
    assert any("siblings" in text for text in proposal["explanation"])  # a sibling group is named as such
    # The plan's total counts each child: Σ children * score.
    assert abs(plan["total_score"] - 2 * proposal["score"]) <= 1e-3
