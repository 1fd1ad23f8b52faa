"""GET /api/v1/indicators/ on a hand-built register whose every figure is known.

The history (StatusEvent rows) and the dated records (placements, visits) of January to March 2026
are written by hand below; each expected figure is worked out in the comments beside it."""

import datetime

import pytest
from django.utils import timezone

from matching.adapter import commune_points
from register.models import Child, Placement, PlacementChild, StatusEvent, Visit
from register.roles import Role
from register.services.placements import placement_end
from tests.factories import CarerFactory, ChildFactory, InstitutionFactory, commune, make_user
from tests.register.placements_factories import SiblingGroupFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/indicators/?from=2026-01&to=2026-03"
D = datetime.date
K = StatusEvent.Kind


def ev(kind, subject, steps):
    """steps: [(day, status, province)] from the record's creation on."""
    before = ("", None)
    for day, status, province in steps:
        StatusEvent.objects.create(
            kind=kind, subject_id=getattr(subject, "pk", subject), from_status=before[0], to_status=status,
            from_province_id=before[1], to_province_id=province, on=day,
        )  # fmt: skip
        before = (status, province)


@pytest.fixture
def world():
    home = commune("020101")
    lat, lon = commune_points()["020101"]
    w1, w2 = make_user(Role.SOCIAL_WORKER), make_user(Role.SOCIAL_WORKER)
    # Families: at the children's home (0 km), 0.1° north (11.1 km), 0.2° north (22.2 km).
    a = CarerFactory(lat=lat, lon=lon, max_children=4)
    b = CarerFactory(lat=lat + 0.1, lon=lon)
    c = CarerFactory(lat=lat + 0.2, lon=lon)
    d = CarerFactory(lat=lat, lon=lon)
    e = CarerFactory(lat=lat, lon=lon)
    inst02, inst12 = InstitutionFactory(), InstitutionFactory(commune=commune("120101"))
    kids = {n: ChildFactory(home_commune=home, institution=inst02) for n in range(1, 11)}
    kids[4].institution = inst12
    together = SiblingGroupFactory(keep_together=True)
    apart = SiblingGroupFactory(keep_together=True)
    Child.objects.filter(pk__in=[kids[5].pk, kids[6].pk]).update(sibling_group=together)
    Child.objects.filter(pk__in=[kids[7].pk, kids[8].pk]).update(sibling_group=apart)

    def placement(carer, children, start, worker, end=None, reason=""):
        p = Placement.objects.create(
            carer=carer, start_date=start, end_date=end, end_reason=reason, care_type="long_term",
            status="ended" if end else "active", social_worker=worker, province_id="02",
        )  # fmt: skip
        for child in children:
            PlacementChild.objects.create(placement=p, child=child, active=end is None)
        return p

    R, A, P = "in_residential_care", "awaiting_placement", "placed"
    ev(K.CHILD, kids[1], [(D(2025, 12, 10), R, "02"), (D(2026, 1, 15), P, "02")])
    ev(K.CHILD, kids[2], [(D(2026, 1, 5), R, "02")])
    ev(K.CHILD, kids[3], [(D(2025, 11, 1), A, "02"), (D(2026, 2, 10), P, "02"), (D(2026, 3, 1), A, "02")])
    ev(K.CHILD, kids[4], [(D(2025, 10, 1), R, "12"), (D(2026, 2, 20), P, "02")])
    for n in (5, 6):
        ev(K.CHILD, kids[n], [(D(2025, 12, 1), R, "02"), (D(2026, 3, 5), P, "02")])
    ev(K.CHILD, kids[7], [(D(2025, 12, 1), R, "02"), (D(2026, 3, 10), P, "02")])
    ev(K.CHILD, kids[8], [(D(2025, 12, 1), R, "02")])
    ev(K.CHILD, kids[9], [(D(2025, 10, 1), A, "02"), (D(2025, 11, 10), P, "02"), (D(2025, 12, 20), A, "02")])
    ev(K.CHILD, kids[10], [(D(2025, 9, 1), R, "02"), (D(2025, 12, 1), P, "02")])

    placement(b, [kids[9]], D(2025, 11, 10), w1, end=D(2025, 12, 20), reason="breakdown")  # day 90: 8 Feb
    placement(e, [kids[10]], D(2025, 12, 1), w2)  # day 90: 1 March, still active
    p1 = placement(a, [kids[1]], D(2026, 1, 15), w1)
    p2 = placement(b, [kids[3]], D(2026, 2, 10), w1, end=D(2026, 3, 1), reason="breakdown")
    placement(a, [kids[4]], D(2026, 2, 20), w2)
    placement(c, [kids[5], kids[6]], D(2026, 3, 5), w2)
    placement(d, [kids[7]], D(2026, 3, 10), None)

    def visit(p, seq, due, state="open", done=None):
        Visit.objects.create(
            placement=p, sequence=seq, due_date=due, state=state, completed_on=done,
            outcome="settled" if done else "",
        )  # fmt: skip

    visit(p1, 1, D(2026, 1, 22), "completed", D(2026, 1, 25))  # on time
    visit(p1, 2, D(2026, 2, 14), "completed", D(2026, 2, 25))  # 11 days late
    visit(p1, 3, D(2026, 3, 16))  # never done
    visit(p2, 1, D(2026, 2, 17), "completed", D(2026, 2, 24))  # 7 days: on time
    visit(p2, 2, D(2026, 3, 12), "cancelled")  # not counted

    ev(
        K.CARER,
        "0a000000-0000-4000-8000-00000000000a",
        [  # A: approved long before
            (D(2025, 6, 1), "enquiry", "02"),
            (D(2025, 7, 1), "assessment", "02"),
            (D(2025, 10, 1), "approved", "02"),
        ],
    )
    ev(
        K.CARER,
        "0f000000-0000-4000-8000-00000000000f",
        [  # F: 40 days to approval
            (D(2026, 1, 10), "enquiry", "02"),
            (D(2026, 2, 19), "approved", "02"),
        ],
    )
    ev(
        K.CARER,
        "09000000-0000-4000-8000-000000000009",
        [  # G: 62 days, then on hold
            (D(2025, 12, 1), "enquiry", "02"),
            (D(2026, 2, 1), "approved", "02"),
            (D(2026, 3, 15), "on_hold", "02"),
        ],
    )
    ev(K.CARER, "08000000-0000-4000-8000-000000000008", [(D(2026, 3, 3), "enquiry", "12")])  # H
    ev(K.CARER, "01000000-0000-4000-8000-000000000001", [  # I: approved again, not for the first time
        (D(2025, 1, 1), "enquiry", "02"), (D(2025, 3, 1), "approved", "02"), (D(2025, 6, 1), "on_hold", "02"),
        (D(2026, 3, 20), "approved", "02")])  # fmt: skip
    return {"p1": p1}


def series(body, code, province="02"):
    indicator = next(i for i in body["indicators"] if i["code"] == code)
    return [p for p in indicator["series"] if p["province"] == province]


def values(body, code, province="02"):
    return [p["value"] for p in series(body, code, province)]


def fractions(body, code, province="02"):
    return [(p["numerator"], p["denominator"]) for p in series(body, code, province)]


def test_every_figure_of_a_supervisors_province(client_for, world):
    response = client_for(Role.SUPERVISOR).get(URL)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["from"], body["to"]) == ("2026-01", "2026-03")
    # Only the supervisor's province: no national figures, no other province.
    assert {p["province"] for i in body["indicators"] for p in i["series"]} == {"02"}
    assert [p["month"] for p in series(body, "children_in_family_care")] == ["2026-01", "2026-02", "2026-03"]

    # End of January: 2, 5, 6, 7, 8 in an institution; 1 and 10 placed. February: 3 and 4 placed too
    # (4 came from province 12). March: 5, 6, 7 placed, 3's placement broke down.
    assert values(body, "children_in_residential_care") == [5, 5, 2]
    assert values(body, "children_in_family_care") == [2, 4, 6]
    assert values(body, "children_moved_to_family_care") == [1, 1, 3]  # 3 waited outside an institution
    assert fractions(body, "residential_to_family_ratio") == [(5, 2), (5, 4), (2, 6)]
    assert values(body, "residential_to_family_ratio") == [2.5, 1.25, 0.333]

    assert values(body, "carers_new_enquiries") == [1, 0, 0]  # F in January; H is in province 12
    assert values(body, "carers_approved_active") == [1, 3, 3]  # A; A, F, G; A, F, I (G on hold)
    assert values(body, "median_days_enquiry_to_approval") == [None, 51.0, None]  # (40 + 62) / 2
    assert [p["cases"] for p in series(body, "median_days_enquiry_to_approval")] == [0, 2, 0]

    # 1: 10 Dec to 15 Jan; 3: 1 Nov to 10 Feb (101) and 4: 1 Oct to 20 Feb (142); 5, 6 (94) and 7 (99).
    assert values(body, "median_days_waiting") == [36.0, 121.5, 94.0]
    # The placement of 9 broke down before its 90th day (8 Feb); that of 10 reached it (1 March).
    assert fractions(body, "placements_breakdown_90d_rate") == [(0, 0), (1, 1), (0, 1)]
    assert values(body, "placements_breakdown_90d_rate") == [None, 1.0, 0.0]
    # March: 5 and 6 together; 7 without 8.
    assert fractions(body, "siblings_together_rate") == [(0, 0), (0, 0), (2, 3)]
    assert values(body, "siblings_together_rate")[2] == pytest.approx(0.6667)
    # January: 0 km; February: 11.1 and 0 km; March: 22.2, 22.2 and 0 km.
    assert values(body, "median_km_from_home") == [0.0, 5.6, 22.2]
    assert fractions(body, "visits_on_time_rate") == [(1, 1), (1, 2), (0, 1)]
    # Active placements with a social worker, per social worker: 2/2, 4/2, 4/2 (7's has none).
    assert fractions(body, "caseload_per_social_worker") == [(2, 2), (4, 2), (4, 2)]
    assert values(body, "caseload_per_social_worker") == [1.0, 2.0, 2.0]


def test_national_administrators_get_national_figures_and_every_province(client_for, world):
    body = client_for(Role.NATIONAL_ADMIN).get(URL).json()
    assert values(body, "children_in_residential_care", None) == [6, 5, 2]  # and 4 in province 12 in January
    assert values(body, "children_in_residential_care", "12") == [1, 0, 0]
    assert values(body, "carers_new_enquiries", None) == [1, 0, 1]
    assert values(body, "children_in_family_care", "25") == [0, 0, 0]  # every province, even an empty one
    first = next(i for i in body["indicators"] if i["code"] == "children_in_family_care")["series"][0]
    assert first["province"] is None  # national first


def test_each_indicator_says_what_it_means(client_for, world):
    body = client_for(Role.REGISTRAR).get(URL).json()
    codes = [i["code"] for i in body["indicators"]]
    assert codes == [
        "children_in_residential_care", "children_in_family_care", "children_moved_to_family_care",
        "residential_to_family_ratio", "carers_new_enquiries", "carers_approved_active",
        "median_days_enquiry_to_approval", "median_days_waiting", "placements_breakdown_90d_rate",
        "siblings_together_rate", "median_km_from_home", "visits_on_time_rate", "caseload_per_social_worker",
    ]  # fmt: skip
    for indicator in body["indicators"]:
        assert indicator["label"] and len(indicator["definition"]) > 30
        assert indicator["unit"] in {"count", "rate", "ratio", "days", "km"}
    by_code = {i["code"]: i for i in body["indicators"]}
    assert "UNICEF/BCN" in by_code["children_in_residential_care"]["answers"]
    assert by_code["carers_new_enquiries"]["answers"] is None


def test_past_months_keep_their_values(client_for, world):
    client = client_for(Role.SUPERVISOR)
    before = client.get(URL).json()
    # Today: the placement of January ends, a child of March is placed again.
    supervisor = make_user(Role.SUPERVISOR)
    placement_end(actor=supervisor, placement=world["p1"], end_date=timezone.localdate(), reason="adopted")
    Child.objects.filter(status="in_residential_care").update(status="exited")  # today's statuses, not history
    assert client.get(URL).json() == before


def test_a_province_not_ones_own_answers_as_one_that_does_not_exist(client_for, world):
    client = client_for(Role.SUPERVISOR)
    other, unknown = client.get(URL + "&province=12"), client.get(URL + "&province=99")
    assert other.status_code == unknown.status_code == 400
    assert other.json() == unknown.json()
    assert "province" in other.json()
    mine = client.get(URL + "&province=02").json()
    assert values(mine, "children_in_family_care") == [2, 4, 6]


@pytest.mark.parametrize(
    "query, field",
    [("from=2026-13", "from"), ("from=26-01", "from"), ("to=soon", "to"), ("from=2026-04&to=2026-03", "from"),
     ("from=2020-01&to=2026-03", "to")],
)  # fmt: skip
def test_bad_periods_answer_400_naming_the_parameter(client_for, query, field):
    response = client_for(Role.SUPERVISOR).get("/api/v1/indicators/?" + query)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_social_workers_may_not_read_indicators(client_for):
    assert client_for(Role.SOCIAL_WORKER).get(URL).status_code == 403


def test_the_default_period_is_the_last_twelve_months(client_for):
    body = client_for(Role.SUPERVISOR).get("/api/v1/indicators/").json()
    today = timezone.localdate()
    assert body["to"] == f"{today:%Y-%m}"
    assert len(series(body, "children_in_family_care")) == 12


def test_the_query_count_does_not_grow_with_the_months(client_for, world, django_assert_max_num_queries):
    client = client_for(Role.NATIONAL_ADMIN)
    with django_assert_max_num_queries(20):
        client.get("/api/v1/indicators/?from=2024-04&to=2026-03")


def test_the_workbook_has_a_sheet_per_indicator_and_one_of_definitions(client_for, world):
    import io

    from openpyxl import load_workbook

    response = client_for(Role.SUPERVISOR).get("/api/v1/indicators/export/?format=xlsx&from=2026-01&to=2026-03")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="indicators-2026-01-2026-03.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Definitions" and len(book.sheetnames) == 14
    definitions = list(book["Definitions"].values)
    assert definitions[1][:2] == ("children_in_residential_care", "Children in residential care")
    family = list(book["children_in_family_care"].values)
    assert family[3] == ("Month", "Province code", "Province", "Value")
    assert [(r[0], r[1], r[3]) for r in family[4:]] == [
        ("2026-01", "02", 2),
        ("2026-02", "02", 4),
        ("2026-03", "02", 6),
    ]
    ratio = list(book["residential_to_family_ratio"].values)
    assert ratio[4][3:] == (2.5, 5, 2)  # value, numerator, denominator


def test_the_workbook_refuses_bad_periods_in_json(client_for):
    response = client_for(Role.SUPERVISOR).get("/api/v1/indicators/export/?format=xlsx&from=2026-13")
    assert response.status_code == 400 and response.json() == {
        "from": ["Enter a month as YYYY-MM, for example 2026-11."]
    }
    assert client_for(Role.SOCIAL_WORKER).get("/api/v1/indicators/export/?format=xlsx").status_code == 403


def test_a_visit_still_within_its_week_is_not_counted_late_yet(client_for):
    from tests.register.placements_factories import place

    day = timezone.localdate()
    placement = place(start_date=day)
    supervisor = client_for(Role.SUPERVISOR)

    def judged(due):
        Visit.objects.filter(placement=placement).update(due_date=due)
        body = supervisor.get(f"/api/v1/indicators/?from={due:%Y-%m}").json()
        return sum(d for _, d in fractions(body, "visits_on_time_rate"))

    assert judged(day - datetime.timedelta(days=3)) == 0  # within their week: not late yet
    assert judged(day - datetime.timedelta(days=8)) == Visit.objects.count()  # past it, never done: late


def test_figures_are_kept_until_the_register_changes(client_for, world, settings):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.MONITORING_CACHE_SECONDS = 600
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kept"}}
    cache.clear()
    client = client_for(Role.SUPERVISOR)
    before = client.get(URL).json()
    with CaptureQueriesContext(connection) as again:
        assert client.get(URL).json() == before
    # Kept: only the stamp of the register's newest writes reads the history.
    assert sum("register_statusevent" in q["sql"] for q in again.captured_queries) == 1

    # A child recorded in an institution in March: a new history row, so the figures are computed again.
    ev(K.CHILD, ChildFactory(), [(D(2026, 3, 20), "in_residential_care", "02")])
    assert values(client.get(URL).json(), "children_in_residential_care") == [5, 5, 3]


def test_kept_figures_are_the_figures_computed(client_for, world, settings):
    computed = client_for(Role.SUPERVISOR).get(URL).json()
    settings.MONITORING_CACHE_SECONDS = 600
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "same"}}
    client = client_for(Role.SUPERVISOR)
    assert client.get(URL).json() == computed  # computed and kept
    assert client.get(URL).json() == computed  # read from the cache
