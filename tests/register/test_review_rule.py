"""A family's yearly review: the query (register.rules.approval.review_overdue_q) and the Python rule
(register.rules.eligibility.review_in_date, which matching and the placement service read) agree."""

import datetime

import pytest

from register.models import Carer
from register.rules.approval import review_overdue, review_overdue_q
from register.rules.eligibility import review_in_date
from tests.factories import CarerFactory

pytestmark = pytest.mark.django_db


def test_the_query_and_the_python_rule_agree_on_every_status_and_review_date():
    today = datetime.date(2026, 6, 15)
    dates = [None, *(today + datetime.timedelta(days=d) for d in (-400, -1, 0, 1, 365))]
    for status in Carer.Status.values:
        for review_due in dates:
            CarerFactory(status=status, review_due=review_due)
    overdue = set(Carer.objects.filter(review_overdue_q(today)).values_list("pk", flat=True))
    assert len(overdue) == 3  # approved, and the review date passed or never set
    for carer in Carer.objects.all():
        assert (carer.pk in overdue) == review_overdue(carer, today)
        if carer.status == Carer.Status.APPROVED:
            assert (carer.pk in overdue) == (not review_in_date(carer.review_due, today))
