"""GET /api/v1/placements/ renders its page from plain values (one query per kind of row for the whole
page, issue 18 item 2): what a client reads is exactly what it read when the list was built from model
instances. Each list row equals the detail endpoint's body and PlacementSerializer's rendering of the
same placement (the instance path, kept for the detail, creation and end), byte for byte, for every
role that reads placements, in English and in Khmer, over placements active and ended, several
children, visits in every state, late records, an acknowledged urgent outcome and its follow-up."""

import datetime
import json
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from register.api.placements import PlacementSerializer
from register.models import Placement, Visit
from register.models.placements import VisitLateRecord
from register.roles import Role
from register.selectors.placements import placement_detail
from register.services.placements import placement_end
from register.services.visits import visit_acknowledge
from tests.factories import CarerFactory, ChildFactory, InstitutionFactory, make_user
from tests.register.placements_factories import days, place, today

pytestmark = pytest.mark.django_db

URL = "/api/v1/placements/"

PLACEMENT_FIELDS = [
    "id", "carer", "children", "start_date", "end_date", "care_type", "status", "end_reason", "social_worker",
    "province", "match", "match_rank", "split_reason", "overrides", "created_at", "visits",
]  # fmt: skip
VISIT_FIELDS = [
    "id", "placement", "carer", "children", "sequence", "due_date", "status", "days_overdue", "social_worker",
    "province", "completed_on", "outcome", "notes", "recorded_at", "late_records", "acknowledged_at",
    "acknowledged_by", "acknowledgement", "follow_up_of",
]  # fmt: skip
LATE_FIELDS = [
    "id", "client_id", "reason", "visited_on", "outcome", "notes", "recorded_at", "recorded_by", "received_at",
]  # fmt: skip

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# DRF's DateTimeField in the API's time zone (Asia/Phnom_Penh): ISO 8601 with its offset.
MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def dumped(body) -> str:
    return json.dumps(body, ensure_ascii=False)


@pytest.fixture
def scene():
    """Three placements of province 02: one active with two children, a social worker, visits in every
    state, a late record, an urgent outcome acknowledged with a follow-up visit, a match and an override;
    one ended; one active with no social worker."""
    officer = make_user(Role.PLACEMENT_OFFICER)
    supervisor = make_user(Role.SUPERVISOR)
    worker = make_user(Role.SOCIAL_WORKER)
    institution = InstitutionFactory()
    busy = place(
        [ChildFactory(institution=institution), ChildFactory(institution=institution)],
        carer=CarerFactory(max_children=3),
        social_worker=worker,
        start_date=today() - days(40),
        actor=officer,
    )
    Visit.objects.filter(placement=busy, sequence=1).update(
        state=Visit.State.COMPLETED,
        completed_on=today() - days(33),
        outcome=Visit.Outcome.CONCERNS,
        notes="Needs a school place. ត្រូវការសាលា។",
        recorded_at=datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC),
    )
    Visit.objects.filter(placement=busy, sequence=2).update(state=Visit.State.MISSED)
    Visit.objects.filter(placement=busy, sequence=3).update(due_date=today())
    Visit.objects.filter(placement=busy, sequence=4).update(due_date=today() - days(3))
    urgent = Visit.objects.get(placement=busy, sequence=5)
    Visit.objects.filter(pk=urgent.pk).update(
        due_date=today() - days(2),
        state=Visit.State.COMPLETED,
        completed_on=today() - days(2),
        outcome=Visit.Outcome.URGENT,
        notes="Bruises.",
    )
    urgent.refresh_from_db()
    visit_acknowledge(actor=supervisor, visit=urgent, action="Called the family.", next_visit_on=today() + days(1))
    first = Visit.objects.get(placement=busy, sequence=1)
    for n, reason in enumerate(VisitLateRecord.Reason.values):
        VisitLateRecord.objects.create(
            visit=first,
            client_id=uuid.uuid4() if n else None,
            reason=reason,
            visited_on=today() - days(32),
            outcome=Visit.Outcome.SETTLED,
            notes="Sent from the phone.",
            recorded_at=None if n else datetime.datetime(2026, 1, 3, tzinfo=datetime.UTC),
            recorded_by=worker,
        )
    Placement.objects.filter(pk=busy.pk).update(
        match_id=uuid.uuid4(),
        match_rank=3,
        split_reason="",
        overrides=[
            {"code": "age_out_of_range", "reason": "Kin.", "by": officer.username, "at": "2026-01-02T10:00:00Z"}
        ],
    )
    ended = place(start_date=today() - days(100), social_worker=worker, actor=officer)
    placement_end(actor=officer, placement=ended, end_date=today() - days(2), reason="reunified")
    bare = place(start_date=today() - days(5), actor=officer)
    return {"busy": busy, "ended": ended, "bare": bare, "worker": worker}


def results(client, language: str, **params) -> list[dict]:
    response = client.get(URL, params, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content
    return response.json()["results"]


READERS = [Role.PLACEMENT_OFFICER, Role.SUPERVISOR, Role.NATIONAL_ADMIN, Role.SOCIAL_WORKER]


@pytest.mark.parametrize("language", ["en", "km"])
@pytest.mark.parametrize("role", READERS)
def test_each_list_row_is_the_detail_body_of_its_placement(client_for, scene, role, language):
    client = client_for(role)
    if role == Role.SOCIAL_WORKER:
        client.force_authenticate(scene["worker"])
    for params in ({}, {"cursor": ""}, {"page_size": 2}, {"cursor": "", "page_size": 1}, {"status": "ended"}):
        rows = results(client, language, **params)
        assert rows
        for row in rows:
            detail = client.get(f"{URL}{row['id']}/", HTTP_ACCEPT_LANGUAGE=language)
            assert detail.status_code == 200
            assert dumped(row) == dumped(detail.json())
            expected = PlacementSerializer(placement_detail(placement_id=row["id"])).data
            assert dumped(row) == dumped(json.loads(json.dumps(expected, default=str)))
    expected_ids = {str(scene["busy"].pk), str(scene["ended"].pk)}
    if role != Role.SOCIAL_WORKER:
        expected_ids.add(str(scene["bare"].pk))
    assert {row["id"] for row in results(client, language)} == expected_ids


def test_the_body_keeps_its_fields_order_and_formats(client_for, scene):
    rows = {row["id"]: row for row in results(client_for(Role.SUPERVISOR), "en")}
    assert [row["id"] for row in results(client_for(Role.SUPERVISOR), "en")] == [
        str(scene["bare"].pk),
        str(scene["busy"].pk),
        str(scene["ended"].pk),
    ]  # newest start first
    busy, ended, bare = rows[str(scene["busy"].pk)], rows[str(scene["ended"].pk)], rows[str(scene["bare"].pk)]
    for row in rows.values():
        assert list(row) == PLACEMENT_FIELDS
        assert UUID.match(row["id"]) and UUID.match(row["carer"]) and DATE.match(row["start_date"])
        assert MOMENT.match(row["created_at"])
        assert [v["sequence"] for v in row["visits"]] == sorted(v["sequence"] for v in row["visits"])
        for visit in row["visits"]:
            assert list(visit) == VISIT_FIELDS
            assert visit["placement"] == row["id"] and visit["carer"] == row["carer"]
            assert visit["children"] == row["children"] and visit["social_worker"] == row["social_worker"]
            assert visit["province"] == row["province"] == "02"
            assert DATE.match(visit["due_date"]) and isinstance(visit["days_overdue"], int)
            for late in visit["late_records"]:
                assert list(late) == LATE_FIELDS
    assert len(busy["children"]) == 2 and busy["children"] == sorted(busy["children"])
    assert busy["social_worker"] == scene["worker"].username and bare["social_worker"] is None
    assert busy["end_date"] is None and busy["end_reason"] == "" and busy["status"] == "active"
    assert ended["status"] == "ended" and ended["end_reason"] == "reunified" and DATE.match(ended["end_date"])
    assert busy["match_rank"] == 3 and UUID.match(busy["match"]) and bare["match"] is None
    assert bare["match_rank"] is None
    assert busy["overrides"] == [
        {"code": "age_out_of_range", "reason": "Kin.", "by": busy["overrides"][0]["by"], "at": "2026-01-02T10:00:00Z"}
    ]
    statuses = {v["status"] for v in busy["visits"]}
    assert statuses >= {"completed", "missed", "due", "overdue", "scheduled"}
    assert "cancelled" in {v["status"] for v in ended["visits"]}
    by_sequence = {v["sequence"]: v for v in busy["visits"]}
    first, urgent = by_sequence[1], by_sequence[5]
    assert first["recorded_at"] == "2026-01-02T10:04:05.678901+07:00"
    assert first["completed_on"] == (today() - days(33)).isoformat() and first["outcome"] == "concerns"
    assert [late["reason"] for late in first["late_records"]] == list(VisitLateRecord.Reason.values)
    assert first["late_records"][0]["recorded_at"] == "2026-01-03T07:00:00+07:00"
    assert first["late_records"][0]["client_id"] is None and UUID.match(first["late_records"][1]["client_id"])
    assert first["late_records"][1]["recorded_at"] is None
    assert all(MOMENT.match(late["received_at"]) for late in first["late_records"])
    assert by_sequence[4]["status"] == "overdue" and by_sequence[4]["days_overdue"] == 3
    assert by_sequence[3]["status"] == "due" and by_sequence[3]["days_overdue"] == 0
    assert urgent["outcome"] == "urgent" and urgent["acknowledgement"] == "Called the family."
    assert MOMENT.match(urgent["acknowledged_at"]) and urgent["acknowledged_by"]
    follow_ups = [v for v in busy["visits"] if v["follow_up_of"] is not None]
    assert [v["follow_up_of"] for v in follow_ups] == [urgent["id"]]
    assert follow_ups[0]["due_date"] == (today() + days(1)).isoformat()
    open_visit = by_sequence[6]
    assert open_visit["completed_on"] is None and open_visit["recorded_at"] is None
    assert open_visit["acknowledged_at"] is None and open_visit["acknowledged_by"] is None
    assert open_visit["follow_up_of"] is None and open_visit["outcome"] == "" and open_visit["late_records"] == []


def test_english_and_khmer_read_the_same_body(client_for, scene):
    client = client_for(Role.SUPERVISOR)
    assert dumped(results(client, "en")) == dumped(results(client, "km"))


@pytest.mark.parametrize("visits_each", [0, 30])
def test_the_list_costs_the_same_queries_whatever_the_page_size_or_visits(client_for, visits_each):
    client = client_for(Role.SUPERVISOR)
    for _ in range(12):
        placement = place([ChildFactory(), ChildFactory()], carer=CarerFactory(max_children=3))
        last = placement.visits.order_by("-sequence").first()
        Visit.objects.bulk_create(
            Visit(placement=placement, sequence=last.sequence + n, due_date=last.due_date + days(90 * n))
            for n in range(1, visits_each + 1)
        )
    client.get(URL, {"cursor": ""})  # the caller's role and provinces, once
    counts = []
    for size in (1, 5, 50):
        for params in ({"page_size": size, "cursor": ""}, {"page_size": size}):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(URL, params)
            assert response.status_code == 200
            counts.append(("cursor" in params, len(captured)))
    assert len({n for cursor, n in counts if cursor}) == 1
    assert len({n for cursor, n in counts if not cursor}) == 1
    assert max(n for _, n in counts) <= 8


def test_visits_none_gives_the_same_rows_without_their_visits_and_reads_no_visit(client_for, scene):
    client = client_for(Role.SUPERVISOR)
    full = results(client, "en")
    with CaptureQueriesContext(connection) as captured:
        light = results(client, "en", visits="none")
    assert [row["id"] for row in light] == [row["id"] for row in full]
    for lean, whole in zip(light, full, strict=True):
        assert list(lean) == [field for field in PLACEMENT_FIELDS if field != "visits"]
        assert dumped(lean) == dumped({k: v for k, v in whole.items() if k != "visits"})
    assert not any("register_visit" in q["sql"] for q in captured.captured_queries)
    assert dumped(results(client, "en", visits="all")) == dumped(full)
    assert dumped(results(client, "en", visits="none", cursor="")) == dumped(light)


@pytest.mark.parametrize("value", ["None", "some", "", "true"])
def test_any_other_visits_value_is_a_400_naming_it(client_for, scene, value):
    response = client_for(Role.SUPERVISOR).get(URL, {"visits": value})
    assert response.status_code == 400
    assert list(response.json()) == ["visits"]
    assert "none" in response.json()["visits"][0]
