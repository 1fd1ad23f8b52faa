"""register.rules.visits: each part of the visit rule is written as a database condition and in
Python; these tests hold the two equal over many visits and many days."""

import datetime

import pytest

from register.models import Visit
from register.rules import visits as rules
from tests.register.placements_factories import place

D = datetime.date
START = D(2026, 3, 10)
pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@pytest.fixture
def visits():
    """Every state, due dates from 40 days before START to 40 days after; completed ones on each
    of those days, half of them urgent."""
    placement = place()
    Visit.objects.filter(placement=placement).delete()
    rows, n = [], 0
    for state in Visit.State.values:
        for offset in range(-40, 41, 2):
            n += 1
            due = START + days(offset)
            extra = {}
            if state == Visit.State.COMPLETED:
                extra = {"completed_on": due, "outcome": "urgent" if n % 2 else "settled"}
            rows.append(Visit(placement=placement, sequence=n, due_date=due, state=state, **extra))
    Visit.objects.bulk_create(rows)
    return list(Visit.objects.filter(placement=placement))


ONS = [START + days(k) for k in range(-45, 46, 5)]


def ids(queryset) -> set:
    return set(queryset.values_list("pk", flat=True))


@pytest.mark.parametrize("on", ONS)
def test_the_status_annotation_and_each_status_filter_agree_with_the_python_rule(visits, on):
    annotated = dict(rules.with_status(Visit.objects.all(), on).values_list("pk", "status"))
    expected = {v.pk: rules.visit_status(state=v.state, due_date=v.due_date, on=on) for v in visits}
    assert annotated == expected
    for status, _label in rules.VISIT_STATUS_CHOICES:
        assert ids(Visit.objects.filter(rules.status_q(status, on))) == {
            pk for pk, s in expected.items() if s == status
        }


@pytest.mark.parametrize("on", ONS)
def test_overdue_by_at_least_agrees_with_days_overdue(visits, on):
    for n in range(0, 50, 4):
        found = ids(Visit.objects.filter(rules.overdue_by_at_least_q(n, on)))
        late = {
            v.pk
            for v in visits
            if rules.days_overdue(
                status=rules.visit_status(state=v.state, due_date=v.due_date, on=on), due_date=v.due_date, on=on
            )
            >= n
        }
        if n >= 1:
            assert found == late
        else:  # "at least 0 days" is every visit due that day or before
            due_or_overdue = {
                v.pk
                for v in visits
                if rules.visit_status(state=v.state, due_date=v.due_date, on=on) in (rules.DUE, rules.OVERDUE)
            }
            assert found == due_or_overdue


@pytest.mark.parametrize("on", ONS)
def test_open_due_by_and_recent_urgent_outcome_agree_with_python(visits, on):
    assert ids(Visit.objects.filter(rules.open_due_by_q(on))) == {
        v.pk for v in visits if rules.is_open_due_by(state=v.state, due_date=v.due_date, day=on)
    }
    urgent = ids(Visit.objects.filter(rules.recent_urgent_outcome_q(on)))
    assert urgent == {
        v.pk
        for v in visits
        if rules.is_recent_urgent_outcome(state=v.state, outcome=v.outcome, completed_on=v.completed_on, on=on)
    }


def test_the_fixture_reaches_every_status_and_some_recent_urgent_outcomes(visits):
    # Guards the tests above against a scene too poor to tell two rules apart.
    statuses = {rules.visit_status(state=v.state, due_date=v.due_date, on=START) for v in visits}
    assert statuses == {s for s, _label in rules.VISIT_STATUS_CHOICES}
    assert Visit.objects.filter(rules.recent_urgent_outcome_q(START)).exists()
    assert not Visit.objects.filter(rules.recent_urgent_outcome_q(START + days(100))).exists()


def test_an_urgent_outcome_is_news_for_a_week():
    on = START
    at = {"state": "completed", "outcome": "urgent", "on": on}
    assert rules.is_recent_urgent_outcome(completed_on=on - days(rules.URGENT_OUTCOME_DAYS), **at)
    assert not rules.is_recent_urgent_outcome(completed_on=on - days(rules.URGENT_OUTCOME_DAYS + 1), **at)


def test_days_overdue_of_a_visit_is_the_same_from_its_annotation_or_from_the_rule(visits):
    annotated = {v.pk: v for v in rules.with_status(Visit.objects.all())}
    lateness = [rules.days_overdue_of(v) for v in visits]
    assert [rules.days_overdue_of(annotated[v.pk]) for v in visits] == lateness
    assert any(lateness)
