"""The follow-up queue's CSV for people (issue 17): family and child references, the names a
supervisor may read, the district's name, the worker's name and labels in the reader's language,
beside the codes in their own columns; in a fixed number of queries."""

import csv
import io

import pytest
from rest_framework.test import APIClient

from register.models import District

pytestmark = pytest.mark.django_db


def rows_of(user, language="en"):
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/v1/follow-up-queue/", {"format": "csv"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_names_the_family_the_children_the_district_and_the_worker(place, people):
    worker = people["worker"]
    worker.first_name, worker.last_name = "Sreymom", "Keo"
    worker.save()
    placement = place(days_ago=9)
    child = placement.children.get()
    row = next(r for r in rows_of(people["supervisors"][0]) if r["placement"] == str(placement.pk))
    carer = placement.carer
    assert (row["priority"], row["priority_label"]) == ("overdue", "overdue")
    assert (row["status"], row["status_label"]) == ("overdue", "overdue")
    assert (row["family_reference"], row["household"], row["phone"].lstrip("'")) == (
        carer.reference, carer.household_name, carer.phone,
    )  # fmt: skip
    assert row["primary_carer"] == f"{carer.given_name} {carer.family_name}"
    assert row["district_name"] == District.objects.get(code=carer.district_id).name_en
    assert row["children"] == child.reference and child.given_name not in row.values()
    assert row["social_worker_name"] == "Sreymom Keo" and row["social_worker"] == worker.username


def test_the_csv_costs_the_same_queries_for_one_row_or_many(place, people, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    supervisor = people["supervisors"][0]
    place(days_ago=9)
    with CaptureQueriesContext(connection) as one:
        rows_of(supervisor)
    for days in (10, 11, 12, 13):
        place(days_ago=days)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(rows_of(supervisor)) >= 5
