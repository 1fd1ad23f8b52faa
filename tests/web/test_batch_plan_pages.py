"""Batch plan pages: planning for a closing institution, following the plan's progress, reading its
proposals and unassigned children, and confirming proposals one by one."""

import pytest
from django.urls import reverse

from matching.models import BatchPlan, MatchingPolicy
from register.models import Institution, Placement
from register.roles import Role
from tests.factories import CarerFactory, ChildFactory, InstitutionFactory, commune
from tests.register.placements_factories import SiblingGroupFactory, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def closing():
    """A closing institution: two single children, a keep-together pair, and one child with needs no
    family supports; three families with two places each."""
    institution = InstitutionFactory(name="Riverside Centre", status=Institution.Status.CLOSING)
    singles = ChildFactory.create_batch(2, institution=institution)
    group = SiblingGroupFactory(keep_together=True)
    pair = ChildFactory.create_batch(2, institution=institution, sibling_group=group)
    hard = ChildFactory(institution=institution, needs=["hiv_care"])
    families = [CarerFactory(household_name=f"Family {i}", max_children=2) for i in range(3)]
    return {"institution": institution, "singles": singles, "pair": pair, "hard": hard, "families": families}


def make_plan(client, institution, capture) -> BatchPlan:
    with capture(execute=True):
        response = client.post(reverse("web:batch_plan_list"), {"institution": str(institution.pk)})
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = BatchPlan.objects.latest("created_at")
    assert response["Location"] == reverse("web:batch_plan_detail", args=[plan.pk])
    return plan


def test_the_list_offers_closing_institutions_first(page_for, closing):
    officer = page_for()
    InstitutionFactory(name="Aardvark Home")  # open, alphabetically first
    InstitutionFactory(name="Far Centre", commune=commune("120101"))
    body = officer.get(reverse("web:batch_plan_list")).content.decode()
    assert 'data-testid="batch-create"' in body
    assert body.index("Riverside Centre") < body.index("Aardvark Home")
    assert "5 children waiting" in body and "Far Centre" not in body


def test_a_plan_is_made_and_shows_proposals_and_unassigned_children(
    page_for, closing, django_capture_on_commit_callbacks
):
    officer = page_for()
    plan = make_plan(officer, closing["institution"], django_capture_on_commit_callbacks)
    plan.refresh_from_db()
    assert plan.status == BatchPlan.Status.DONE
    response = officer.get(reverse("web:batch_plan_detail", args=[plan.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="done"' in body and 'hx-trigger="every 2s"' not in body
    assert body.count('data-testid="proposal-row"') == len(plan.proposals) == 3
    assert body.count('data-testid="proposal-confirm"') == 3
    assert "no family of your provinces can take them" in body and closing["hard"].reference in body
    assert 'data-testid="plan-optimal"' in body and "yes, proven best" in body
    assert closing["pair"][0].reference in body and closing["pair"][1].reference in body
    # Proposals say why, and on the plan total's scale: a pair counts its family's score twice.
    assert body.count('data-testid="proposal-why"') == 3 and 'data-testid="contribution"' in body
    pair = next(p for p in plan.proposals if len(p["children"]) == 2)
    assert f"for each of 2 children: {round(200 * pair['score'])} points" in body
    total = round(100 * sum(len(p["children"]) * p["score"] for p in plan.proposals))
    assert f'<dd data-testid="plan-total">{total}</dd>' in body
    listing = officer.get(reverse("web:batch_plan_list")).content.decode()
    assert listing.count('data-testid="plan-row"') == 1


def test_a_queued_or_running_plan_shows_progress_and_keeps_polling(page_for, closing):
    officer = page_for()
    child = closing["singles"][0]
    for status, progress, percent in [(BatchPlan.Status.QUEUED, 0.0, 0), (BatchPlan.Status.RUNNING, 0.4, 40)]:
        plan = BatchPlan.objects.create(
            institution=closing["institution"],
            children=[str(child.pk)],
            province_id="02",
            policy=MatchingPolicy.current(),
            requested_by=officer.user,
            status=status,
            progress=progress,
        )
        body = officer.get(reverse("web:batch_plan_detail", args=[plan.pk])).content.decode()
        # A whole percentage: a decimal fraction would read "0,4" in Khmer and the bar would stay empty.
        assert 'data-testid="batch-progress"' in body and f'max="100" value="{percent}"' in body
        assert 'hx-trigger="every 2s"' in body and f'data-status="{status}"' in body
        assert 'http-equiv="refresh"' in body  # without JavaScript the page reloads itself
        partial = officer.get(reverse("web:batch_plan_detail", args=[plan.pk]), HTTP_HX_REQUEST="true")
        assert "<html" not in partial.content.decode() and 'hx-trigger="every 2s"' in partial.content.decode()
        # Done: the polled body comes back without the trigger, so polling stops.
        BatchPlan.objects.filter(pk=plan.pk).update(status=BatchPlan.Status.DONE, progress=1.0, total_score=0.0)
        done = officer.get(reverse("web:batch_plan_detail", args=[plan.pk]), HTTP_HX_REQUEST="true")
        assert 'hx-trigger="every 2s"' not in done.content.decode()
        assert 'data-status="done"' in done.content.decode()


def test_a_failed_plan_says_so_and_stops_polling(page_for, closing):
    officer = page_for()
    plan = BatchPlan.objects.create(
        institution=closing["institution"],
        children=[str(closing["singles"][0].pk)],
        province_id="02",
        policy=MatchingPolicy.current(),
        requested_by=officer.user,
        status=BatchPlan.Status.FAILED,
        error="solver crashed",
    )
    body = officer.get(reverse("web:batch_plan_detail", args=[plan.pk])).content.decode()
    assert 'data-testid="plan-failed"' in body and 'hx-trigger="every 2s"' not in body


def test_proposals_are_confirmed_one_by_one(page_for, closing, django_capture_on_commit_callbacks):
    officer = page_for()
    plan = make_plan(officer, closing["institution"], django_capture_on_commit_callbacks)
    plan.refresh_from_db()
    url = reverse("web:batch_plan_confirm", args=[plan.pk, 0])
    response = officer.post(url, {"p0-start_date": today()})
    assert response.status_code == 302
    plan.refresh_from_db()
    placement = Placement.objects.get(pk=plan.proposals[0]["placement"])
    assert sorted(str(m.child_id) for m in placement.memberships.all()) == sorted(plan.proposals[0]["children"])
    body = officer.get(reverse("web:batch_plan_detail", args=[plan.pk])).content.decode()
    assert body.count('data-testid="proposal-confirmed"') == 1
    assert body.count('data-testid="proposal-confirm"') == 2
    assert f"/placements/{placement.pk}/" in body

    # Confirming it again is refused, in words, beside the proposal.
    again = officer.post(url, {"p0-start_date": today()})
    assert again.status_code == 200 and "This proposal was confirmed already." in again.content.decode()

    # With htmx only the proposal's row comes back.
    row = officer.post(
        reverse("web:batch_plan_confirm", args=[plan.pk, 1]), {"p1-start_date": today()}, HTTP_HX_REQUEST="true"
    )
    text = row.content.decode()
    assert row.status_code == 200 and "<html" not in text
    assert 'data-testid="proposal-confirmed"' in text and 'id="proposal-1"' in text
    # ... with the plan's figures out of band: the count of confirmations follows at once.
    assert 'id="plan-figures" hx-swap-oob="true"' in text
    assert '<dd data-testid="plan-confirmed">2 / 3</dd>' in text


def test_a_proposal_the_register_no_longer_allows_is_marked_failed(
    page_for, closing, django_capture_on_commit_callbacks
):
    officer = page_for()
    plan = make_plan(officer, closing["institution"], django_capture_on_commit_callbacks)
    plan.refresh_from_db()
    # The family was put on hold after the plan was made.
    from register.models import Carer

    Carer.objects.filter(pk=plan.proposals[0]["carer"]).update(status=Carer.Status.ON_HOLD)
    response = officer.post(
        reverse("web:batch_plan_confirm", args=[plan.pk, 0]), {"p0-start_date": today()}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="proposal-failed"' in body and "not approved" in body
    assert not Placement.objects.filter(carer_id=plan.proposals[0]["carer"]).exists()


def test_a_missing_start_date_is_asked_for(page_for, closing, django_capture_on_commit_callbacks):
    officer = page_for()
    plan = make_plan(officer, closing["institution"], django_capture_on_commit_callbacks)
    response = officer.post(reverse("web:batch_plan_confirm", args=[plan.pk, 0]), {})
    assert response.status_code == 200 and "This field is required." in response.content.decode()


def test_an_institution_with_no_child_waiting_is_refused_in_words(page_for):
    officer = page_for()
    empty = InstitutionFactory(name="Empty Centre", status=Institution.Status.CLOSING)
    response = officer.post(reverse("web:batch_plan_list"), {"institution": str(empty.pk)})
    assert response.status_code == 200
    assert "There are no children waiting for a placement to plan for." in response.content.decode()


def test_plans_of_another_province_answer_404(page_for, closing, django_capture_on_commit_callbacks):
    officer = page_for()
    other = page_for(provinces=("12",))
    plan = make_plan(officer, closing["institution"], django_capture_on_commit_callbacks)
    assert other.get(reverse("web:batch_plan_detail", args=[plan.pk])).status_code == 404
    assert (
        other.post(reverse("web:batch_plan_confirm", args=[plan.pk, 0]), {"p0-start_date": today()}).status_code == 404
    )
    response = other.post(reverse("web:batch_plan_list"), {"institution": str(closing["institution"].pk)})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_a_registrar_gets_403(page_for, closing):
    registrar = page_for(Role.REGISTRAR)
    assert registrar.get(reverse("web:batch_plan_list")).status_code == 403
    assert (
        registrar.post(reverse("web:batch_plan_list"), {"institution": str(closing["institution"].pk)}).status_code
        == 403
    )


def test_the_plan_page_costs_a_bounded_number_of_queries(
    page_for, closing, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    officer = page_for()
    small = make_plan(officer, closing["institution"], django_capture_on_commit_callbacks)
    bigger = InstitutionFactory(status=Institution.Status.CLOSING)
    ChildFactory.create_batch(12, institution=bigger)
    CarerFactory.create_batch(8, max_children=2)
    large = make_plan(officer, bigger, django_capture_on_commit_callbacks)
    large.refresh_from_db()
    assert len(large.proposals) > 3
    for plan in (small, large):
        with django_assert_max_num_queries(16):
            officer.get(reverse("web:batch_plan_detail", args=[plan.pk]))
