"""The derived status of a visit (register.rules.visits): SQL and Python say the same."""

import datetime

import pytest

from register.models import Visit
from register.rules.visits import days_overdue, visit_status, with_status
from tests.register.placements_factories import place

D = datetime.date
ON = D(2026, 3, 10)


@pytest.mark.parametrize(
    "state, due, status, overdue",
    [
        ("open", D(2026, 3, 11), "scheduled", 0),
        ("open", D(2026, 3, 10), "due", 0),
        ("open", D(2026, 3, 9), "overdue", 1),
        ("open", D(2026, 1, 9), "overdue", 60),
        ("completed", D(2026, 1, 9), "completed", 0),
        ("missed", D(2026, 1, 9), "missed", 0),
        ("cancelled", D(2026, 4, 9), "cancelled", 0),
    ],
)
def test_status_and_days_overdue(state, due, status, overdue):
    assert visit_status(state=state, due_date=due, on=ON) == status
    assert days_overdue(status=status, due_date=due, on=ON) == overdue


@pytest.mark.django_db
def test_the_sql_annotation_agrees_with_the_python_rule():
    placement = place()
    dues = [ON - datetime.timedelta(days=1), ON, ON + datetime.timedelta(days=1)]
    Visit.objects.filter(placement=placement).delete()
    n = 0
    for state in Visit.State.values:
        for due in dues:
            n += 1
            extra = {"completed_on": due, "outcome": "settled"} if state == "completed" else {}
            Visit.objects.create(placement=placement, sequence=n, due_date=due, state=state, **extra)
    rows = with_status(Visit.objects.all(), ON)
    assert len(rows) == 12
    for visit in rows:
        assert visit.status == visit_status(state=visit.state, due_date=visit.due_date, on=ON)
    assert {v.status for v in rows} == {"scheduled", "due", "overdue", "completed", "missed", "cancelled"}
