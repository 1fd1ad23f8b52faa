"""register/api/pagination.py: numbered pages (`?page=`, with `count`) and keyset pages (`?cursor=`)
on the big lists, `?page_size=` bounds, and a 400 naming `cursor` for a cursor the API did not make."""

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from register.models import Carer, Placement
from register.roles import Role
from tests.factories import CarerFactory, ChildFactory
from tests.register.placements_factories import place

pytestmark = pytest.mark.django_db
CARERS = "/api/v1/carers/"


def token(body: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def walk(api, url: str, params: dict | None = None) -> tuple[list[list[str]], list[dict]]:
    """Every page from `url` on, following `next`: the ids of each page, and each body."""
    pages, bodies = [], []
    response = api.get(url, params or {})
    while True:
        pages.append(ids(response))
        bodies.append(response.json())
        if not response.json()["next"]:
            return pages, bodies
        response = api.get(response.json()["next"])


def walk_back(api, body: dict) -> list[list[str]]:
    """From a page back to the first, following `previous`."""
    pages = []
    while body["previous"]:
        response = api.get(body["previous"])
        pages.append(ids(response))
        body = response.json()
    return pages


# --- Numbered pages stay as they were ------------------------------------------------------------


def test_numbered_pages_keep_count_and_page_links(client_for):
    CarerFactory.create_batch(5)
    api = client_for(Role.REGISTRAR)
    first = api.get(CARERS, {"page_size": 2}).json()
    assert first["count"] == 5 and len(first["results"]) == 2 and first["previous"] is None
    assert parse_qs(urlsplit(first["next"]).query)["page"] == ["2"]
    last = api.get(CARERS, {"page_size": 2, "page": 3}).json()
    assert len(last["results"]) == 1 and last["next"] is None
    assert parse_qs(urlsplit(last["previous"]).query)["page"] == ["2"]


# --- Cursor pages -------------------------------------------------------------------------------


def test_cursor_pages_give_the_same_rows_in_the_same_order_as_numbered_pages_and_no_count(client_for):
    CarerFactory.create_batch(7)
    api = client_for(Role.REGISTRAR)
    numbered = ids(api.get(CARERS, {"page_size": 50}))
    pages, bodies = walk(api, CARERS, {"cursor": "", "page_size": 3})
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [i for page in pages for i in page] == numbered
    assert all("count" not in body for body in bodies)
    assert bodies[0]["previous"] is None and bodies[-1]["next"] is None
    assert "page=" not in bodies[0]["next"] and "page_size=3" in bodies[0]["next"]


def test_previous_links_lead_back_through_the_same_pages(client_for):
    CarerFactory.create_batch(8)
    api = client_for(Role.REGISTRAR)
    pages, bodies = walk(api, CARERS, {"cursor": "", "page_size": 3})
    assert walk_back(api, bodies[-1]) == list(reversed(pages[:-1]))


def test_an_empty_list_has_neither_next_nor_previous(client_for):
    body = client_for(Role.REGISTRAR).get(CARERS, {"cursor": ""}).json()
    assert body == {"next": None, "previous": None, "results": []}


def test_cursor_keeps_the_filters_of_the_list(client_for):
    CarerFactory.create_batch(4, status=Carer.Status.APPROVED)
    CarerFactory.create_batch(3, status=Carer.Status.ENQUIRY)
    api = client_for(Role.REGISTRAR)
    pages, bodies = walk(api, CARERS, {"cursor": "", "page_size": 2, "status": "enquiry"})
    assert sum(len(p) for p in pages) == 3
    assert all(row["status"] == "enquiry" for body in bodies for row in body["results"])


def test_rows_inserted_before_the_cursor_neither_repeat_nor_shift_the_next_page(client_for):
    carers = sorted(CarerFactory.create_batch(6), key=lambda c: c.reference)
    api = client_for(Role.REGISTRAR)
    first = api.get(CARERS, {"cursor": "", "page_size": 3}).json()
    # Two families registered meanwhile, sorting before everything already seen.
    CarerFactory(reference="FC-00-000001")
    CarerFactory(reference="FC-00-000002")
    second = api.get(first["next"])
    assert ids(second) == [str(c.pk) for c in carers[3:]]
    # Numbered pages, for contrast, shift: page 2 now starts with a family page 1 already showed.
    assert ids(api.get(CARERS, {"page_size": 3, "page": 2}))[0] == first["results"][1]["id"]


def test_a_row_deleted_at_the_cursor_does_not_break_the_next_page(client_for):
    carers = sorted(CarerFactory.create_batch(5), key=lambda c: c.reference)
    api = client_for(Role.REGISTRAR)
    first = api.get(CARERS, {"cursor": "", "page_size": 2}).json()
    Carer.objects.filter(pk=carers[1].pk).delete()
    assert ids(api.get(first["next"])) == [str(c.pk) for c in carers[2:4]]


@pytest.mark.parametrize("url", ["/api/v1/placements/", "/api/v1/visits/", "/api/v1/children/"])
def test_cursor_walks_placements_visits_and_children_in_the_numbered_order_both_ways(client_for, url):
    # Placements share a start date (and visits due dates): the order rests on the tie-breakers.
    for _ in range(5):
        place()
    ChildFactory.create_batch(2)
    api = client_for(Role.SUPERVISOR)
    numbered = ids(api.get(url, {"page_size": 200}))
    assert len(numbered) >= 5
    pages, bodies = walk(api, url, {"cursor": "", "page_size": 2})
    assert [i for page in pages for i in page] == numbered
    assert walk_back(api, bodies[-1]) == list(reversed(pages[:-1]))


def test_placements_ordered_by_descending_keys_page_past_equal_dates_and_times(client_for):
    placements = [place() for _ in range(5)]
    # Same start date and the same creation moment: only the id tells them apart.
    Placement.objects.filter(pk__in=[p.pk for p in placements]).update(created_at=placements[0].created_at)
    api = client_for(Role.SUPERVISOR)
    numbered = ids(api.get("/api/v1/placements/"))
    pages, _ = walk(api, "/api/v1/placements/", {"cursor": "", "page_size": 1})
    assert [i for page in pages for i in page] == numbered and len(numbered) == 5


def test_cursor_takes_precedence_over_page(client_for):
    CarerFactory.create_batch(3)
    api = client_for(Role.REGISTRAR)
    body = api.get(CARERS, {"cursor": "", "page": 2, "page_size": 2}).json()
    assert "count" not in body and len(body["results"]) == 2 and body["previous"] is None


def test_a_deep_cursor_page_costs_the_same_queries_as_the_first(client_for):
    CarerFactory.create_batch(12)
    api = client_for(Role.REGISTRAR)
    with CaptureQueriesContext(connection) as first:
        body = api.get(CARERS, {"cursor": "", "page_size": 3}).json()
    for _ in range(2):
        body = api.get(body["next"]).json()
    with CaptureQueriesContext(connection) as deep:
        assert api.get(body["next"]).status_code == 200
    assert len(deep) == len(first)


# --- page_size bounds ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [{}, {"cursor": ""}])
@pytest.mark.parametrize(("asked", "given"), [("500", 200), ("200", 200), ("7", 7), (None, 50)])
def test_page_size_is_at_most_200_on_both_kinds_of_page(client_for, mode, asked, given):
    Carer.objects.bulk_create(CarerFactory.build_batch(201))
    params = {**mode, "page_size": asked} if asked else mode
    body = client_for(Role.NATIONAL_ADMIN).get(CARERS, params).json()
    assert len(body["results"]) == given and body["next"]


@pytest.mark.parametrize("mode", [{}, {"cursor": ""}])
@pytest.mark.parametrize("asked", ["0", "-3", "many"])
def test_a_page_size_below_one_is_a_400_naming_the_field_on_both_kinds_of_page(client_for, mode, asked):
    response = client_for(Role.NATIONAL_ADMIN).get(CARERS, {**mode, "page_size": asked})
    assert response.status_code == 400 and list(response.json()) == ["page_size"]


# --- Cursors the API did not make ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "cursor"),
    [
        (CARERS, "not a cursor!"),
        (CARERS, "%%%"),
        (CARERS, token({"k": []})),  # too few keys
        (CARERS, token({"k": ["FC-02-000001", "extra"]})),  # too many
        (CARERS, token({"k": [None]})),
        (CARERS, token({"k": [True]})),
        (CARERS, token({"k": [{"a": 1}]})),
        (CARERS, token({"k": ["FC\x00"]})),
        (CARERS, token(["FC-02-000001"])),
        (CARERS, base64.urlsafe_b64encode(b"\xff\xfe").decode()),
        (CARERS, base64.urlsafe_b64encode(b"[" * 740).decode()),  # nested deep, yet under the length limit
        (CARERS, token({"k": ["FC-02-000001"], "pad": "x" * 2000})),
        ("/api/v1/placements/", token({"k": ["2026-13-45", "2026-01-01T00:00:00+00:00", "x"]})),
        (
            "/api/v1/placements/",
            token({"k": ["2026-01-01", "2026-01-01T00:00:00", "00000000-0000-0000-0000-000000000000"]}),
        ),
        ("/api/v1/placements/", token({"k": ["2026-01-01", "2026-01-01T00:00:00+00:00", "not-a-uuid"]})),
        ("/api/v1/visits/", token({"k": ["2026-01-01", "00000000-0000-0000-0000-000000000000", 2**70, "x"]})),
        ("/api/v1/visits/", token({"k": ["2026-01-01", "00000000-0000-0000-0000-000000000000", "one", "x"]})),
    ],
)
def test_a_cursor_the_api_did_not_make_is_a_400_naming_the_field(client_for, url, cursor):
    response = client_for(Role.SUPERVISOR).get(url, {"cursor": cursor})
    assert response.status_code == 400
    assert list(response.json()) == ["cursor"] and response.json()["cursor"][0]


@pytest.mark.parametrize("page", ["null", "0", "-1", "2.5", "٣"])
def test_the_cursor_wins_over_page_but_a_page_that_is_no_number_is_still_a_400(client_for, page):
    client = client_for(Role.SUPERVISOR)
    response = client.get("/api/v1/carers/", {"cursor": "", "page": page})
    assert response.status_code == 400 and list(response.json()) == ["page"], response.content
    assert client.get("/api/v1/carers/", {"cursor": "", "page": "3"}).status_code == 200


# --- The schema ---------------------------------------------------------------------------------


def test_the_schema_offers_the_cursor_on_the_big_lists_only(client_for):
    schema = client_for(Role.NATIONAL_ADMIN).get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    def parameters(path):
        return {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}

    for path in ("/api/v1/carers/", "/api/v1/children/", "/api/v1/placements/", "/api/v1/visits/"):
        assert {"cursor", "page", "page_size"} <= parameters(path)
    assert "cursor" not in parameters("/api/v1/provinces/")
