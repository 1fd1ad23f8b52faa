"""The match workbench: asking for a match, reading the ranking and why families were left out,
explaining one family, comparing two or three, and placing with one confirmation."""

import datetime
import re

import pytest
from django.urls import reverse

from matching.models import MatchRun
from register.models import AuditEntry, CarerExclusion, Placement
from register.roles import Role
from tests.factories import CarerFactory, ChildFactory, commune, make_user
from tests.register.placements_factories import place, siblings, today

pytestmark = pytest.mark.django_db


def run_match(client, child, limit=20) -> MatchRun:
    response = client.post(reverse("web:match_workbench"), {"child": str(child.pk), "limit": limit})
    assert response.status_code == 302, response.content.decode()[:2000]
    run = MatchRun.objects.latest("created_at")
    assert response["Location"] == reverse("web:match_run", args=[run.pk])
    return run


@pytest.fixture
def scene():
    """A child in Battambang, two approved families near and far, one full and one not approved."""
    child = ChildFactory(given_name="Dara")
    near = CarerFactory(household_name="Near household")
    far = CarerFactory(household_name="Far household", commune=commune("021001"), lat=13.4, lon=102.6)
    full = CarerFactory(household_name="Full household", max_children=1)
    place([ChildFactory()], carer=full)
    pending = CarerFactory(household_name="Pending household", status="assessment", approved_on=None)
    return {"child": child, "near": near, "far": far, "full": full, "pending": pending}


def test_the_workbench_offers_the_children_waiting_in_the_users_provinces(page_for):
    officer = page_for()
    waiting = ChildFactory(given_name="Waiting")
    ChildFactory(given_name="Placed", status="placed")
    ChildFactory(given_name="Elsewhere", province_id="12", institution=None, home_commune=commune("120101"))
    body = officer.get(reverse("web:match_workbench")).content.decode()
    assert 'data-testid="child-pick"' in body and 'data-testid="match-run"' in body
    assert f'value="{waiting.pk}"' in body
    assert "Placed" not in body and "Elsewhere" not in body
    found = officer.get(reverse("web:match_workbench"), {"q": "zzz"}).content.decode()
    assert f'value="{waiting.pk}"' not in found


def test_a_match_shows_families_best_first_with_reasons_and_exclusions(page_for, scene):
    officer = page_for()
    run = run_match(officer, scene["child"])
    assert run.requested_by == officer.user
    response = officer.get(reverse("web:match_run", args=[run.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="candidate-row"') == 2
    assert body.index("Near household") < body.index("Far household")
    assert "Full household" not in body.split('data-testid="exclusions"')[0]
    assert "km from the child&#x27;s home community" in body  # an explanation sentence
    assert "<meter" in body and "near home" in body  # the score's bar, and a bar per factor
    assert 'data-testid="contribution" data-factor="home_proximity" data-effect="for"' in body
    assert body.count("km from the child&#x27;s home community") == 2  # said once per family
    assert 'data-code="no_vacancy"' in body and "no free place: 1 family" in body
    assert 'data-code="not_approved"' in body and "not approved: 1 family" in body
    assert 'data-testid="place-button"' in body and 'data-testid="compare-submit"' in body
    # The children's names are on the page: their record was read.
    assert AuditEntry.objects.filter(
        actor=officer.user, action=AuditEntry.Action.READ, object_id=str(scene["child"].pk)
    ).exists()


def test_the_ranking_comes_in_khmer(page_for, scene):
    officer = page_for()
    run = run_match(officer, scene["child"])
    body = officer.get(reverse("web:match_run", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="km").content.decode()
    assert "គីឡូម៉ែត្រ" in body and "Lives" not in body
    # Bars carry whole percentages: Khmer writes decimals with a comma, which a browser cannot read.
    values = re.findall(r'<meter [^>]*value="([^"]*)"', body)
    assert values and all(v.isdigit() for v in values), values


def test_the_child_page_button_runs_a_match(page_for, scene):
    officer = page_for()
    body = officer.get(reverse("web:child_detail", args=[scene["child"].pk])).content.decode()
    assert 'data-testid="find-families"' in body
    run_match(officer, scene["child"])


def test_a_keep_together_group_is_matched_as_one(page_for):
    officer = page_for()
    first, second = siblings(2)
    CarerFactory(max_children=3, max_sibling_group=2)
    run = run_match(officer, first)
    assert set(run.children) == {str(first.pk), str(second.pk)}
    body = officer.get(reverse("web:match_run", args=[run.pk])).content.decode()
    assert first.reference in body and second.reference in body


def test_a_placed_child_cannot_be_matched_and_the_form_says_why(page_for):
    officer = page_for()
    child = ChildFactory()
    response = officer.post(reverse("web:match_workbench"), {"child": str(child.pk), "limit": 10})
    assert response.status_code == 302
    place([child])
    response = officer.post(reverse("web:match_workbench"), {"child": str(child.pk), "limit": 10})
    assert response.status_code == 200
    assert "These children are not waiting for a placement." in response.content.decode()


def test_explain_says_why_one_family_is_left_out(page_for, scene):
    officer = page_for()
    run = run_match(officer, scene["child"])
    url = reverse("web:match_explain", args=[run.pk])
    partial = officer.get(url, {"carer": str(scene["full"].pk)}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in body
    assert 'data-testid="explain-excluded"' in body and "no free place" in body
    assert "Has no free place." in body
    # Found by its reference, on a full page without JavaScript.
    page = officer.get(url, {"q": scene["near"].reference}).content.decode()
    assert "<html" in page and 'data-testid="explain-eligible"' in page and "Rank 1 in this match." in page


def test_explain_refuses_a_family_of_another_province(page_for, scene):
    officer = page_for()
    run = run_match(officer, scene["child"])
    other = CarerFactory(commune=commune("120101"))
    body = officer.get(reverse("web:match_explain", args=[run.pk]), {"carer": str(other.pk)}).content.decode()
    assert "No such family in your provinces." in body


def test_compare_puts_two_families_side_by_side(page_for, scene):
    officer = page_for()
    run = run_match(officer, scene["child"])
    url = reverse("web:match_compare", args=[run.pk])
    response = officer.get(url, {"carer": [str(scene["near"].pk), str(scene["far"].pk)]})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="compare-column"') == 2
    assert "Near household" in body and "Far household" in body and "near home" in body
    # A family left out can be compared too: it says so.
    body = officer.get(url, {"carer": [str(scene["near"].pk), str(scene["full"].pk)]}).content.decode()
    assert "left out" in body
    # One family is not a comparison.
    response = officer.get(url, {"carer": [str(scene["near"].pk)]})
    assert response.status_code == 302


def test_placing_with_one_confirmation_creates_the_placement(page_for, scene):
    officer = page_for()
    run = run_match(officer, scene["child"])
    url = reverse("web:match_place", args=[run.pk, scene["near"].pk])
    confirm = officer.get(url).content.decode()
    assert 'data-testid="place-confirm"' in confirm
    assert f'value="{today().isoformat()}"' in confirm  # start date defaults to today
    assert 'value="long_term" selected' in confirm  # care type defaults to the child's need
    response = officer.post(
        url, {"children": [str(scene["child"].pk)], "start_date": today(), "care_type": "long_term"}
    )
    placement = Placement.objects.get(carer=scene["near"])
    assert response.status_code == 302 and response["Location"].endswith(f"/placements/{placement.pk}/")
    assert placement.match_id == run.pk
    assert [m.child_id for m in placement.memberships.all()] == [scene["child"].pk]


def test_placing_a_child_already_placed_shows_the_rule_not_an_error(page_for, scene):
    officer = page_for()
    run = run_match(officer, scene["child"])
    data = {"children": [str(scene["child"].pk)], "start_date": today(), "care_type": "long_term"}
    officer.post(reverse("web:match_place", args=[run.pk, scene["near"].pk]), data)
    response = officer.post(reverse("web:match_place", args=[run.pk, scene["far"].pk]), data)
    assert response.status_code == 200
    assert "already in an active placement" in response.content.decode()
    assert Placement.objects.count() == 2  # the scene's one, and the first of these two


def test_placing_with_a_full_family_says_it_is_full(page_for, scene):
    officer = page_for()
    run = run_match(officer, scene["child"])
    data = {"children": [str(scene["child"].pk)], "start_date": today(), "care_type": "long_term"}
    response = officer.post(reverse("web:match_place", args=[run.pk, scene["full"].pk]), data)
    assert response.status_code == 200 and "free place(s)" in response.content.decode()


def test_placing_part_of_a_keep_together_group_needs_a_reason(page_for):
    officer = page_for()
    first, _second = siblings(2)
    family = CarerFactory(max_children=3)
    run = run_match(officer, first)
    url = reverse("web:match_place", args=[run.pk, family.pk])
    data = {"children": [str(first.pk)], "start_date": today(), "care_type": "long_term"}
    response = officer.post(url, data)
    assert (
        response.status_code == 200 and "Siblings to be kept together would be separated" in response.content.decode()
    )
    response = officer.post(url, {**data, "split_reason": "The older brother starts university in Phnom Penh."})
    assert response.status_code == 302
    assert Placement.objects.get(carer=family).split_reason.startswith("The older brother")


def test_bad_dates_are_shown_beside_the_field(page_for, scene):
    officer = page_for()
    run = run_match(officer, scene["child"])
    far_ahead = today() + datetime.timedelta(days=90)
    data = {"children": [str(scene["child"].pk)], "start_date": far_ahead, "care_type": "long_term"}
    response = officer.post(reverse("web:match_place", args=[run.pk, scene["near"].pk]), data)
    assert response.status_code == 200 and "at most 30 days from today" in response.content.decode()


def test_runs_of_another_province_answer_404(page_for, scene):
    officer = page_for()
    other = page_for(provinces=("12",))
    run = run_match(officer, scene["child"])
    for name, args in [
        ("web:match_run", [run.pk]),
        ("web:match_explain", [run.pk]),
        ("web:match_compare", [run.pk]),
        ("web:match_place", [run.pk, scene["near"].pk]),
    ]:
        assert other.get(reverse(name, args=args)).status_code == 404, name


def test_a_registrar_and_a_social_worker_get_403(page_for, scene):
    officer = page_for()
    run = run_match(officer, scene["child"])
    for role in (Role.REGISTRAR, Role.SOCIAL_WORKER):
        client = page_for(role)
        assert client.get(reverse("web:match_workbench")).status_code == 403
        assert client.get(reverse("web:match_run", args=[run.pk])).status_code == 403
        assert client.post(reverse("web:match_workbench"), {"child": str(scene["child"].pk)}).status_code == 403


def test_the_run_page_costs_a_bounded_number_of_queries(page_for, django_assert_max_num_queries):
    officer = page_for()
    child = ChildFactory()
    CarerFactory.create_batch(3)
    small = run_match(officer, child)
    CarerFactory.create_batch(20)
    large = run_match(officer, child)
    assert len(large.candidates) > len(small.candidates)
    for run in (small, large):
        # 16, and the run's calls and the placements made from it (one query each, whatever the size).
        with django_assert_max_num_queries(18):
            officer.get(reverse("web:match_run", args=[run.pk]))


def test_the_workbench_preselects_a_child_given_by_address(page_for):
    officer = page_for()
    child = ChildFactory()
    body = officer.get(reverse("web:match_workbench"), {"child": str(child.pk), "q": "nobody"}).content.decode()
    assert f'value="{child.pk}" selected' in body
    assert officer.get(reverse("web:match_workbench"), {"child": "not-an-id"}).status_code == 200


def test_a_social_worker_of_the_province_can_be_named_when_placing(page_for, scene):
    officer = page_for()
    worker = make_user(Role.SOCIAL_WORKER, ("02",), first_name="Sokha", last_name="Chea")
    make_user(Role.SOCIAL_WORKER, ("12",), username="elsewhere")
    run = run_match(officer, scene["child"])
    url = reverse("web:match_place", args=[run.pk, scene["near"].pk])
    confirm = officer.get(url).content.decode()
    assert f'value="{worker.username}"' in confirm and 'value="elsewhere"' not in confirm
    assert f"Sokha Chea ({worker.username})" in confirm  # people by name
    data = {
        "children": [str(scene["child"].pk)],
        "start_date": today(),
        "care_type": "long_term",
        "social_worker": worker.username,
    }
    assert officer.post(url, data).status_code == 302
    assert Placement.objects.get(carer=scene["near"]).social_worker == worker
    refused = officer.post(url, {**data, "social_worker": "elsewhere"})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()


def test_explain_finds_a_family_by_its_phone_as_typed_locally(page_for, scene):
    # The carers selector's search, as on the API: 012 345 678 finds +855 12 345 678.
    officer = page_for()
    run = run_match(officer, scene["child"])
    typed = "0" + scene["near"].phone.removeprefix("+855")
    body = officer.get(reverse("web:match_explain", args=[run.pk]), {"q": typed}).content.decode()
    assert 'data-testid="explain-eligible"' in body and scene["near"].reference in body


def test_a_malformed_child_in_the_address_is_ignored(page_for):
    officer = page_for()
    response = officer.get(reverse("web:match_workbench"), {"child": "not-a-uuid"})
    assert response.status_code == 200


def test_a_fit_rule_asks_for_a_reason_beside_its_box_and_the_placement_shows_it(page_for, scene):
    officer = page_for()
    run = run_match(officer, scene["child"])
    family = CarerFactory(sexes_accepted=["female"])  # the scene's child is a boy
    url = reverse("web:match_place", args=[run.pk, family.pk])
    data = {"children": [str(scene["child"].pk)], "start_date": today(), "care_type": "long_term"}
    page = officer.get(url).content.decode()
    assert 'name="override_reason"' in page  # a family the run did not rank: the box is offered
    response = officer.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200 and not Placement.objects.filter(carer=family).exists()
    assert "does not accept the sex of a child named" in html and 'aria-invalid="true"' in html
    reason = "His aunt lives with this family and will care for him."
    response = officer.post(url, {**data, "override_reason": reason})
    assert response.status_code == 302
    placement = Placement.objects.get(carer=family)
    assert [(o["code"], o["reason"]) for o in placement.overrides] == [("sex_not_accepted", reason)]
    detail = officer.get(response["Location"]).content.decode()
    assert reason in detail and "Child&#x27;s sex not accepted by the family" in detail


def test_a_family_excluded_for_the_child_is_refused_on_the_page_whatever_the_reason(page_for, scene):
    officer = page_for()
    run = run_match(officer, scene["child"])
    CarerExclusion.objects.create(carer=scene["near"], child=scene["child"], reason="A known risk")
    url = reverse("web:match_place", args=[run.pk, scene["near"].pk])
    data = {"children": [str(scene["child"].pk)], "start_date": today(), "care_type": "long_term"}
    response = officer.post(url, {**data, "override_reason": "The officer knows them well"})
    assert response.status_code == 200 and "recorded as excluded" in response.content.decode()
    assert not Placement.objects.filter(carer=scene["near"]).exists()


def test_the_run_is_a_worklist_of_families_to_call_best_first(page_for, scene):
    officer = page_for()
    run = run_match(officer, scene["child"])
    body = officer.get(reverse("web:match_run", args=[run.pk])).content.decode()
    assert f'href="tel:{scene["near"].phone}"' in body and body.count('data-testid="outreach-none"') == 2
    url = reverse("web:match_outreach", args=[run.pk])
    # Without JavaScript: back to the run, at the family.
    response = officer.post(url, {"carer": str(scene["near"].pk), "outcome": "declined", "note": "Moving to Thailand"})
    assert response.status_code == 302 and response["Location"].endswith(f"#carer-{scene['near'].pk}")
    # With htmx: the family's calls come back in place, newest first.
    fragment = officer.post(
        url, {"carer": str(scene["far"].pk), "outcome": "unreachable"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in fragment and 'data-outcome="unreachable"' in fragment
    # Each outcome button names its family for a screen reader, on the page and in the swapped part.
    named = f'<span class="visually-hidden">: {scene["far"].household_name}</span></button>'
    assert fragment.count(named) == 4
    body = officer.get(reverse("web:match_run", args=[run.pk])).content.decode()
    assert "Moving to Thailand" in body and f'data-carer="{scene["near"].pk}" data-outcome="declined"' in body
    # A bad outcome is refused beside the family, and nothing is written.
    refused = officer.post(url, {"carer": str(scene["near"].pk), "outcome": "maybe"})
    assert refused.status_code == 200 and 'data-testid="outreach-refused"' in refused.content.decode()
    assert run.outreach.count() == 2


def test_placing_from_the_run_shows_the_families_ranked_above_and_what_they_said(page_for, scene):
    officer = page_for()
    run = run_match(officer, scene["child"])
    officer.post(
        reverse("web:match_outreach", args=[run.pk]),
        {"carer": str(scene["near"].pk), "outcome": "declined", "note": "No room after all"},
    )
    url = reverse("web:match_place", args=[run.pk, scene["far"].pk])
    confirm = officer.get(url).content.decode()
    above = confirm.split('data-testid="ranked-above"')[1].split("</ul>")[0]
    assert "Near household" in above and "No room after all" in above and "Far household" not in above
    data = {"children": [str(scene["child"].pk)], "start_date": today(), "care_type": "long_term"}
    assert officer.post(url, data).status_code == 302
    assert Placement.objects.get(carer=scene["far"]).match_rank == 2
    body = officer.get(reverse("web:match_run", args=[run.pk])).content.decode()
    placed = body.split('data-testid="placed-from-run"')[1].split("</section>")[0]
    assert "ranked 2" in placed and "Near household" in placed and "No room after all" in placed


def test_the_outcomes_page_shows_placements_from_matches_by_policy_and_rank(page_for, scene):
    officer = page_for()
    run = run_match(officer, scene["child"])
    data = {"children": [str(scene["child"].pk)], "start_date": today(), "care_type": "long_term"}
    officer.post(reverse("web:match_place", args=[run.pk, scene["far"].pk]), data)
    assert 'data-testid="outcomes-link"' in officer.get(reverse("web:match_workbench")).content.decode()
    body = officer.get(reverse("web:matching_outcomes")).content.decode()
    assert f'data-testid="outcomes-policy" data-version="{run.policy_id}"' in body
    row = body.split('data-rank="2-3"')[1].split("</tr>")[0]
    assert "<td>1</td>" in row and "too early to tell" in row
    empty = officer.get(reverse("web:matching_outcomes"), {"policy_version": run.policy_id + 1}).content.decode()
    assert 'data-testid="outcomes-empty"' in empty
    assert officer.get(reverse("web:matching_outcomes"), {"policy_version": "x"}).status_code == 200
