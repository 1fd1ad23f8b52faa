"""POST /api/v1/carers/import/ and its template, and the admin's import page: families from CSV and
XLSX, dry run by default, per-row errors naming the column, all or nothing, duplicates reported."""

import datetime
import io
import json

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache

from register.models import AuditEntry, Carer, HouseholdMember, ReferenceSequence
from register.roles import Role
from register.services import imports
from tests.factories import CarerFactory, make_user
from tests.register.imports_factories import csv_bytes, import_row, upload, xlsx_bytes, years_ago

pytestmark = pytest.mark.django_db
URL = "/api/v1/carers/import/"
TEMPLATE_URL = "/api/v1/carers/import/template/"
TOMORROW = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()


def post(api, content: bytes, name: str = "families.csv", **data):
    return api.post(URL, {"file": upload(content, name), **data}, format="multipart")


def assert_nothing_written(audit_before: int = 0):
    assert Carer.objects.count() == 0
    assert HouseholdMember.objects.count() == 0
    assert ReferenceSequence.objects.filter(prefix="FC", last__gt=0).count() == 0
    # A test client's login is itself recorded (register/auth_audit.py); it is not a write.
    assert AuditEntry.objects.exclude(action="login").count() == audit_before


def errors_of(response) -> list[tuple[int, str]]:
    return [(e["row"], e["field"]) for e in response.json()["errors"]]


# --- Dry run and real import --------------------------------------------------------------------


def test_dry_run_is_the_default_and_counts_rows_without_writing(client_for):
    api = client_for(Role.REGISTRAR)
    response = post(api, csv_bytes([import_row(), import_row(), import_row()]))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rows"], body["valid"], body["created"], body["errors"]) == (3, 3, 0, [])
    assert body["dry_run"] is True and body["carers"] == []
    assert_nothing_written()


def test_real_import_registers_every_family_with_references_and_audit(client_for):
    api = client_for(Role.REGISTRAR)
    rows = [import_row(household_name=f"Household {n}") for n in range(3)]
    response = post(api, csv_bytes(rows), dry_run="false")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rows"], body["valid"], body["created"], body["errors"]) == (3, 3, 3, [])
    assert [(c["row"], c["reference"]) for c in body["carers"]] == [
        (2, "FC-02-000001"),
        (3, "FC-02-000002"),
        (4, "FC-02-000003"),
    ]
    carers = Carer.objects.order_by("reference")
    assert [c.household_name for c in carers] == ["Household 0", "Household 1", "Household 2"]
    first = carers[0]
    assert (first.status, first.commune_id, first.village_id, first.province_id) == (
        "enquiry",
        "020101",
        "02010101",
        "02",
    )
    assert first.languages == ["km", "cjm"] and first.care_types == ["short_term", "long_term"]
    assert first.needs_supported == ["infant_care"] and (first.lat, first.lon) == (13.1, 103.2)
    assert first.date_of_birth.isoformat() == rows[0]["date_of_birth"] and first.created_by == api.user
    assert AuditEntry.objects.filter(model="register.Carer", action="create").count() == 3
    entry = AuditEntry.objects.get(model="register.CarerImport")
    assert (entry.action, entry.actor, entry.object_id, entry.province) == ("create", api.user, "", "02")
    assert entry.changes == {"rows": [None, 3], "created": [None, 3], "filename": [None, "families.csv"]}
    assert AuditEntry.objects.count() == 4


@pytest.mark.parametrize(
    "value, dry",
    [("true", True), ("True", True), ("1", True), ("yes", True), ("false", False), ("0", False), ("no", False)],
)
def test_dry_run_accepts_the_usual_spellings(client_for, value, dry):
    response = post(client_for(Role.SUPERVISOR), csv_bytes([import_row()]), dry_run=value)
    assert response.status_code == 200, response.content
    assert response.json()["dry_run"] is dry
    assert response.json()["created"] == (0 if dry else 1)
    assert Carer.objects.count() == (0 if dry else 1)


@pytest.mark.parametrize("value", ["maybe", "", "2"])
def test_dry_run_of_another_value_is_refused_on_dry_run(client_for, value):
    response = post(client_for(Role.REGISTRAR), csv_bytes([import_row()]), dry_run=value)
    assert response.status_code == 400
    assert "dry_run" in response.json()
    assert_nothing_written()


# --- Row errors ---------------------------------------------------------------------------------

BAD_ROWS = {
    "unknown commune": ({"commune": "999999", "village": ""}, "commune"),
    "village not in the commune": ({"village": "02020101"}, "village"),
    "phone not a number": ({"phone": "call me"}, "phone"),
    "phone of another country": ({"phone": "+66812345678"}, "phone"),
    "ages out of order": ({"age_min": "10", "age_max": "5"}, "age_max"),
    "capacity 0": ({"max_children": "0"}, "max_children"),
    "capacity not a number": ({"max_children": "two"}, "max_children"),
    "date of birth in the future": ({"date_of_birth": TOMORROW}, "date_of_birth"),
    "date of birth not a date": ({"date_of_birth": "1 May 1980"}, "date_of_birth"),
    "primary carer under 18": (
        {"date_of_birth": (years_ago(18) + datetime.timedelta(days=1)).isoformat()},
        "date_of_birth",
    ),
    "unknown sex": ({"sex": "x"}, "sex"),
    "unknown religion": ({"religion": "pastafarian"}, "religion"),
    "unknown language": ({"languages": "km;klingon"}, "languages"),
    "unknown care type": ({"care_types": "forever"}, "care_types"),
    "unknown need": ({"needs_supported": "flying"}, "needs_supported"),
    "missing household name": ({"household_name": ""}, "household_name"),
    "missing given name": ({"given_name": ""}, "given_name"),
    "missing care types": ({"care_types": " ; "}, "care_types"),
    "latitude outside Cambodia": ({"lat": "48.85"}, "lat"),
    "latitude without longitude": ({"lon": ""}, "lon"),
    "national id too long": ({"national_id": "1" * 21}, "national_id"),
}


@pytest.mark.parametrize("case", BAD_ROWS.keys())
def test_one_bad_row_among_good_ones_writes_nothing_and_names_row_and_column(client_for, case):
    overrides, column = BAD_ROWS[case]
    api = client_for(Role.REGISTRAR)
    response = post(api, csv_bytes([import_row(), import_row(**overrides), import_row()]), dry_run="false")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rows"], body["valid"], body["created"]) == (3, 2, 0)
    assert {(e["row"], e["field"]) for e in body["errors"]} == {(3, column)}, body["errors"]
    assert all(e["message"] for e in body["errors"])
    assert_nothing_written()


def test_messages_say_what_is_wrong_and_what_is_allowed(client_for):
    rows = [import_row(religion="Pastafarian"), import_row(household_name=""), import_row(commune="999999", village="")]
    messages = {(e["row"], e["field"]): e["message"] for e in post(client_for(), csv_bytes(rows)).json()["errors"]}
    assert "pastafarian" in messages[(2, "religion")] and "buddhism" in messages[(2, "religion")]
    assert "required" in messages[(3, "household_name")]
    assert "999999" in messages[(4, "commune")]


def test_every_error_of_every_row_is_reported_with_spreadsheet_row_numbers(client_for):
    content = csv_bytes(
        [
            import_row(),
            import_row(phone="nope", max_children="0"),
            ["", "", ""],  # a blank row is skipped, but row numbers still follow the file
            import_row(),
            import_row(sex="x"),
        ]
    )
    response = post(client_for(), content, dry_run="false")
    body = response.json()
    assert (body["rows"], body["valid"], body["created"]) == (4, 2, 0)
    assert errors_of(response) == [(3, "phone"), (3, "max_children"), (6, "sex")]


def test_enumerations_and_headers_are_matched_whatever_their_case(client_for):
    header = [c.upper() if i % 2 else c.replace("_", " ").title() for i, c in enumerate(imports.COLUMNS)]
    row = import_row(sex="Female", religion="BUDDHISM", languages="KM, cjm", sexes_accepted="Female,Male")
    values = [row[c] for c in imports.COLUMNS]
    response = post(client_for(), csv_bytes([values], header=header), dry_run="false")
    assert response.json()["errors"] == [] and response.json()["created"] == 1
    carer = Carer.objects.get()
    assert (carer.sex, carer.religion, carer.languages, carer.sexes_accepted) == (
        "female",
        "buddhism",
        ["km", "cjm"],
        ["female", "male"],
    )


def test_optional_columns_may_be_left_out(client_for):
    header = [c for c in imports.COLUMNS if c in imports.REQUIRED_COLUMNS]
    response = post(client_for(), csv_bytes([import_row()], header=header), dry_run="false")
    assert response.json()["errors"] == [] and response.json()["created"] == 1
    carer = Carer.objects.get()
    assert carer.village is None and carer.lat is None and carer.needs_supported == [] and carer.national_id == ""


def test_unknown_column_is_an_error_on_row_1_naming_it(client_for):
    header = [*imports.COLUMNS, "Favourite colour"]
    rows = [[*import_row().values(), "blue"], [*import_row(sex="x").values(), "red"]]
    response = post(client_for(), csv_bytes(rows, header=header), dry_run="false")
    body = response.json()
    assert errors_of(response) == [(1, "Favourite colour"), (3, "sex")]
    assert "Favourite colour" in body["errors"][0]["message"]
    assert body["created"] == 0
    assert_nothing_written()


def test_missing_required_columns_are_errors_on_row_1_naming_them(client_for):
    header = [c for c in imports.COLUMNS if c not in ("phone", "religion")]
    response = post(client_for(), csv_bytes([import_row()], header=header), dry_run="false")
    body = response.json()
    assert errors_of(response) == [(1, "phone"), (1, "religion")]  # not repeated on every row
    assert (body["rows"], body["valid"], body["created"]) == (1, 0, 0)
    assert_nothing_written()


def test_values_in_a_column_without_header_are_reported(client_for):
    rows = [[*import_row().values(), "", "stray"]]
    response = post(client_for(), csv_bytes(rows, header=[*imports.COLUMNS, ""]))
    assert errors_of(response) == [(2, "")]


def test_a_header_named_twice_is_reported(client_for):
    header = [*imports.COLUMNS, "Phone"]
    response = post(client_for(), csv_bytes([[*import_row().values(), "012 999 888"]], header=header))
    assert (1, "phone") in errors_of(response)


# --- Duplicates ---------------------------------------------------------------------------------


def test_duplicates_within_the_file_are_reported_on_the_later_row(client_for):
    rows = [
        import_row(phone="012 345 678", national_id="010203040"),
        import_row(),
        import_row(phone="+855 12 345 678"),  # the same number, written another way
        import_row(national_id="010203040"),
    ]
    response = post(client_for(), csv_bytes(rows), dry_run="false")
    body = response.json()
    assert errors_of(response) == [(4, "phone"), (5, "national_id")]
    assert "row 2" in body["errors"][0]["message"] and "row 2" in body["errors"][1]["message"]
    assert body["valid"] == 2
    assert_nothing_written()


def test_duplicates_of_families_on_the_register_are_reported(client_for):
    CarerFactory(reference="FC-02-000077", phone="+85512345678")
    CarerFactory(
        reference="FC-12-000005",
        phone="+85512999888",
        national_id="777",
        commune_id="120101",
        district_id="1201",
        province_id="12",
    )
    api = client_for(Role.REGISTRAR, provinces=("02",))
    audit_before = AuditEntry.objects.count()
    rows = [import_row(phone="012 345 678"), import_row(phone="012999888"), import_row(national_id="777")]
    response = post(api, csv_bytes(rows), dry_run="false")
    messages = {(e["row"], e["field"]): e["message"] for e in response.json()["errors"]}
    assert set(messages) == {(2, "phone"), (3, "phone"), (4, "national_id")}
    assert "FC-02-000077" in messages[(2, "phone")]
    # Another province's family is not named to a registrar of province 02, nor its province.
    assert "outside your provinces" in messages[(3, "phone")] and "FC-12" not in messages[(3, "phone")]
    assert messages[(4, "national_id")] == messages[(3, "phone")]  # one wording: nothing more to learn
    assert "12" not in messages[(3, "phone")] and "Phnom Penh" not in messages[(3, "phone")]
    # Nothing written but the one audit entry of the matches outside (issue 13).
    assert Carer.objects.count() == 2 and AuditEntry.objects.count() == audit_before + 1


def test_national_admin_is_told_the_reference_in_any_province(client_for):
    CarerFactory(
        reference="FC-12-000005", phone="+85512999888", commune_id="120101", district_id="1201", province_id="12"
    )
    response = post(client_for(Role.NATIONAL_ADMIN), csv_bytes([import_row(phone="012999888")]))
    assert "FC-12-000005" in response.json()["errors"][0]["message"]


def test_duplicates_are_checked_again_inside_the_transaction(client_for, monkeypatch):
    """A family registered between the check and the writes is found, and nothing is written."""
    real_check = imports._check_duplicates_in_register
    calls = []

    def check_while_someone_registers(rows, *, actor):
        calls.append(1)
        if len(calls) == 2:  # inside the import's transaction
            CarerFactory(reference="FC-02-000900", phone=rows[1].phone)
        return real_check(rows, actor=actor)

    monkeypatch.setattr(imports, "_check_duplicates_in_register", check_while_someone_registers)
    response = post(client_for(), csv_bytes([import_row(), import_row()]), dry_run="false")
    body = response.json()
    assert body["created"] == 0 and errors_of(response) == [(3, "phone")]
    assert "FC-02-000900" in body["errors"][0]["message"]
    assert not Carer.objects.exclude(reference="FC-02-000900").exists()  # rolled back with the import
    assert not AuditEntry.objects.exists()


# --- Families outside the importer's provinces (issue 13, finding 4) ----------------------------


@pytest.fixture
def fresh_cache():
    """The daily allowance lives in the cache, which outlives a test's transaction (and user ids)."""
    cache.clear()
    yield
    cache.clear()


def elsewhere_carer(phone: str, province: str = "12", **kwargs):
    district, commune = {"12": ("1201", "120101"), "17": ("1701", "170101")}[province]
    return CarerFactory(phone=phone, commune_id=commune, district_id=district, province_id=province, **kwargs)


def elsewhere_entries():
    return AuditEntry.objects.filter(model="register.CarerImportCheck")


def test_one_wording_for_every_match_outside_whatever_its_province_or_status(client_for, fresh_cache):
    elsewhere_carer("+85512999881", "12")
    elsewhere_carer("+85512999882", "17", status=Carer.Status.DEREGISTERED)
    elsewhere_carer("+85512999883", "12", national_id="555")
    elsewhere_carer("+85512999884", "17", national_id="555")  # two families share it
    rows = [import_row(phone="012999881"), import_row(phone="012999882"), import_row(national_id="555")]
    response = post(client_for(Role.REGISTRAR, provinces=("02",)), csv_bytes(rows))
    messages = {(e["row"], e["field"]): e["message"] for e in response.json()["errors"]}
    assert set(messages) == {(2, "phone"), (3, "phone"), (4, "national_id")}
    assert len(set(messages.values())) == 1


def test_matches_outside_are_audited_once_per_import_with_how_many_never_which(client_for, fresh_cache):
    elsewhere_carer("+85512999881", reference="FC-12-000001")
    elsewhere_carer("+85512999882", "17", national_id="555", reference="FC-17-000001")
    CarerFactory(phone="+85512345678")  # in the registrar's province: named, not counted
    api = client_for(Role.REGISTRAR, provinces=("02",))
    rows = [
        import_row(phone="012999881"),
        import_row(phone="012999882", national_id="555"),  # one row, two values matching
        import_row(phone="012345678"),
        import_row(),
    ]
    post(api, csv_bytes(rows))
    entry = elsewhere_entries().get()
    assert entry.actor == api.user and entry.action == AuditEntry.Action.READ
    assert entry.changes["rows_matched_elsewhere"] == [None, 2] and entry.changes["rows"] == [None, 4]
    assert entry.province == "" and entry.object_id == ""
    text = json.dumps({"repr": entry.object_repr, "changes": entry.changes})
    for secret in ("FC-12", "FC-17", "999881", "999882", "555", '"12"', '"17"'):
        assert secret not in text
    # An import that matches nothing outside writes no such entry.
    post(api, csv_bytes([import_row(phone="012345678")]))
    assert elsewhere_entries().count() == 1


def test_after_the_daily_limit_rows_say_only_that_and_further_files_are_refused(client_for, fresh_cache, settings):
    settings.CARER_IMPORT_ELSEWHERE_LIMIT = 2
    for n in range(1, 5):
        elsewhere_carer(f"+8551299988{n}")
    api = client_for(Role.REGISTRAR, provinces=("02",))
    rows = [
        import_row(phone="012999881"),
        import_row(),  # matches nothing
        import_row(phone="012999882"),  # the second and last answer of the day
        import_row(phone="012999883"),  # matches: not told
        import_row(),  # matches nothing: the same answer as the row above
    ]
    body = post(api, csv_bytes(rows)).json()
    messages = {(e["row"], e["field"]): e["message"] for e in body["errors"]}
    assert set(messages) == {(2, "phone"), (4, "phone"), (5, ""), (6, "")}
    assert messages[(5, "")] == messages[(6, "")] and "limit" in messages[(5, "")]
    entry = elsewhere_entries().get()
    assert entry.changes["rows_matched_elsewhere"] == [None, 3] and entry.changes["limit_reached"] == [None, True]

    # The next file is refused whole, before any comparison, whatever it holds; and audited.
    for content in (csv_bytes([import_row(phone="012999884")]), csv_bytes([import_row()])):
        response = post(api, content)
        assert response.status_code == 400 and set(response.json()) == {"file"}
        assert "limit" in response.json()["file"][0]
    assert elsewhere_entries().filter(changes__refused=[None, True]).count() == 2
    assert Carer.objects.count() == 4

    # The limit is the user's: a colleague and a national administrator are not held by it.
    assert post(client_for(Role.REGISTRAR, provinces=("02",)), csv_bytes([import_row()])).status_code == 200
    assert post(client_for(Role.NATIONAL_ADMIN), csv_bytes([import_row(phone="012999884")])).status_code == 200


def test_national_admin_is_never_limited(client_for, fresh_cache, settings):
    settings.CARER_IMPORT_ELSEWHERE_LIMIT = 1
    for n in range(1, 4):
        elsewhere_carer(f"+8551299988{n}")
    api = client_for(Role.NATIONAL_ADMIN)
    rows = [import_row(phone=f"01299988{n}") for n in range(1, 4)]
    body = post(api, csv_bytes(rows)).json()
    assert [e["field"] for e in body["errors"]] == ["phone"] * 3
    assert all("FC-" in e["message"] for e in body["errors"])
    assert not elsewhere_entries().exists()


def test_the_admin_page_and_the_pages_apply_the_same_limit(client, fresh_cache, settings):
    from django.urls import reverse

    from register.models import CarerImportJob

    settings.CARER_IMPORT_ELSEWHERE_LIMIT = 1
    elsewhere_carer("+85512999881")
    user = staff()
    client.force_login(user)
    html = client.post(IMPORT_PAGE, {"file": upload(csv_bytes([import_row(phone="012999881")])), "dry_run": "on"})
    assert "outside your provinces" in html.content.decode()
    assert elsewhere_entries().filter(actor=user).count() == 1
    html = client.post(IMPORT_PAGE, {"file": upload(csv_bytes([import_row()])), "dry_run": "on"}).content.decode()
    assert "limit of 1 match " in html
    page = client.post(reverse("web:carer_import"), {"file": upload(csv_bytes([import_row()]))})
    assert page.status_code == 200 and "limit of 1 match " in page.content.decode()
    assert not CarerImportJob.objects.exists()


def test_a_failure_while_writing_rolls_back_every_family(client_for, monkeypatch):
    from django.core.exceptions import ValidationError

    real_create = imports.carer_create
    created = []

    def create_then_fail(*, actor, data):
        if created:
            raise ValidationError({"phone": ["Refused by the database."]})
        created.append(real_create(actor=actor, data=data))
        return created[-1]

    monkeypatch.setattr(imports, "carer_create", create_then_fail)
    response = post(client_for(), csv_bytes([import_row(), import_row(), import_row()]), dry_run="false")
    assert response.status_code == 200
    assert response.json()["created"] == 0 and errors_of(response) == [(3, "phone")]
    assert_nothing_written()


# --- Jurisdiction and roles ---------------------------------------------------------------------


def test_commune_outside_the_callers_provinces_is_a_row_error_on_commune(client_for):
    api = client_for(Role.REGISTRAR, provinces=("02",))
    rows = [import_row(), import_row(commune="120101", village="12010101")]
    response = post(api, csv_bytes(rows), dry_run="false")
    assert errors_of(response) == [(3, "commune")]
    assert "outside your provinces" in response.json()["errors"][0]["message"]
    assert_nothing_written()


def test_national_admin_imports_into_several_provinces(client_for):
    api = client_for(Role.NATIONAL_ADMIN)
    rows = [import_row(), import_row(commune="120101", village="12010101")]
    response = post(api, csv_bytes(rows), dry_run="false")
    assert response.json()["created"] == 2, response.json()
    assert sorted(Carer.objects.values_list("reference", flat=True)) == ["FC-02-000001", "FC-12-000001"]
    assert AuditEntry.objects.get(model="register.CarerImport").province == ""


@pytest.mark.parametrize("role", [Role.PLACEMENT_OFFICER, Role.SOCIAL_WORKER])
def test_roles_without_carers_write_cannot_import_or_download_the_template(client_for, role):
    api = client_for(role)
    assert post(api, csv_bytes([import_row()]), dry_run="false").status_code == 403
    assert api.get(TEMPLATE_URL).status_code == 403
    assert_nothing_written()


def test_anonymous_cannot_import(api, db):
    assert post(api, csv_bytes([import_row()])).status_code in (401, 403)
    assert api.get(TEMPLATE_URL).status_code in (401, 403)


def test_import_is_not_taken_for_a_carers_id(client_for):
    api = client_for(Role.REGISTRAR)
    assert api.get(URL).status_code == 405  # the import view, not carers/<pk>/ answering 404


# --- File formats -------------------------------------------------------------------------------


def test_xlsx_with_numbers_and_date_cells_as_excel_stores_them(client_for):
    row = import_row(household_name="គ្រួសារ សុខ")
    values = {
        **row,
        "commune": 20101,  # typed into Excel: the leading zero is gone
        "village": 2010101,
        "phone": 12345678,  # 012 345 678 typed as a number
        "date_of_birth": datetime.datetime(1980, 5, 1),  # a date cell
        "max_children": 3,
        "age_min": 0,
        "age_max": 12.0,
        "max_sibling_group": 2,
        "lat": 13.1,
        "lon": 103.2,
        "national_id": None,
    }
    content = xlsx_bytes([values, [None] * 3, import_row()])
    response = post(client_for(), content, "families.xlsx", dry_run="false")
    body = response.json()
    assert response.status_code == 200 and body["errors"] == [], body
    assert (body["rows"], body["created"]) == (2, 2)
    carer = Carer.objects.get(reference="FC-02-000001")
    assert (carer.commune_id, carer.village_id, carer.phone) == ("020101", "02010101", "+85512345678")
    assert carer.date_of_birth == datetime.date(1980, 5, 1) and carer.max_children == 3 and carer.age_max == 12
    assert carer.household_name == "គ្រួសារ សុខ"
    assert [c["row"] for c in body["carers"]] == [2, 4]


def test_xlsx_row_errors_use_the_sheets_row_numbers(client_for):
    content = xlsx_bytes([import_row(), import_row(age_min=15, age_max=3)])
    response = post(client_for(), content, "families.xlsx")
    assert errors_of(response) == [(3, "age_max")]


def test_csv_saved_by_excel_with_bom_and_semicolons(client_for):
    rows = [import_row(languages="km,cjm", address="House 1; Street 2"), import_row()]
    content = csv_bytes(rows, delimiter=";", bom=True)
    assert content.startswith(b"\xef\xbb\xbf")
    response = post(client_for(), content, dry_run="false")
    assert response.json()["errors"] == [] and response.json()["created"] == 2, response.json()
    carer = Carer.objects.get(reference="FC-02-000001")
    assert carer.languages == ["km", "cjm"] and carer.address == "House 1; Street 2"


def test_khmer_text_is_preserved(client_for):
    rows = [import_row(household_name="គ្រួសារ ចាន់", given_name="សុផា", family_name="ចាន់", address="ភូមិ ១")]
    response = post(client_for(), csv_bytes(rows, bom=True), dry_run="false")
    assert response.json()["created"] == 1, response.json()
    carer = Carer.objects.get()
    assert (carer.household_name, carer.given_name, carer.family_name, carer.address) == (
        "គ្រួសារ ចាន់",
        "សុផា",
        "ចាន់",
        "ភូមិ ១",
    )


def test_khmer_numerals_in_codes_and_numbers_are_read(client_for):
    rows = [import_row(commune="០២០១០១", village="", max_children="៣")]
    response = post(client_for(), csv_bytes(rows), dry_run="false")
    assert response.json()["created"] == 1, response.json()
    assert Carer.objects.get().max_children == 3


def test_codes_that_lost_their_leading_zero_in_a_csv_are_padded(client_for):
    response = post(client_for(), csv_bytes([import_row(commune="20101", village="2010101")]), dry_run="false")
    assert response.json()["created"] == 1, response.json()
    assert Carer.objects.get().village_id == "02010101"


def test_a_file_with_only_a_header_has_no_rows(client_for):
    response = post(client_for(), csv_bytes([]), dry_run="false")
    assert response.status_code == 200
    assert (response.json()["rows"], response.json()["created"]) == (0, 0)
    assert_nothing_written()


def _corrupt_xlsx() -> bytes:
    content = xlsx_bytes([import_row()])
    return content[: len(content) // 2]


UNREADABLE = {
    "empty file": (b"", "families.csv"),
    "garbage bytes": (bytes(range(256)) * 20, "families.csv"),
    "latin-1 csv": (csv_bytes([import_row(household_name="Café")], encoding="latin-1"), "families.csv"),
    "renamed .txt": (csv_bytes([import_row()]), "families.txt"),
    "old excel": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "families.xls"),
    "corrupt xlsx": (_corrupt_xlsx(), "families.xlsx"),
    "csv named xlsx": (csv_bytes([import_row()]), "families.xlsx"),
    "blank lines only": (b"\r\n\r\n , ,\r\n", "families.csv"),
    "no header row": (csv_bytes([import_row()], header=list(import_row().values())), "families.csv"),
    "pdf": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "families.pdf"),
}


@pytest.mark.parametrize("case", UNREADABLE.keys())
def test_a_file_that_cannot_be_read_answers_400_on_file(client_for, case):
    content, name = UNREADABLE[case]
    response = post(client_for(), content, name, dry_run="false")
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body) == ["file"] and body["file"][0]
    assert_nothing_written()


def test_missing_file_answers_400_on_file(client_for):
    response = client_for().post(URL, {"dry_run": "true"}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()


def test_more_than_5000_rows_answers_400_on_file(client_for):
    row = import_row()
    response = post(client_for(), csv_bytes([row] * 5001), dry_run="false")
    assert response.status_code == 400
    assert "5000" in response.json()["file"][0]
    assert_nothing_written()


def test_an_xlsx_with_too_many_rows_answers_400_on_file(client_for, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    assert post(client_for(), xlsx_bytes([import_row()] * 3), "families.xlsx").status_code == 200
    response = post(client_for(), xlsx_bytes([import_row()] * 4), "families.xlsx", dry_run="false")
    assert response.status_code == 400 and "3" in response.json()["file"][0]
    assert_nothing_written()


def test_a_file_over_5_mb_answers_400_on_file(client_for):
    # Over the import's 5 MB, under the request body's limit (larger bodies: tests/test_body_limits.py).
    content = csv_bytes([import_row(address="x" * 250)] * 13_500)
    assert 5 * 2**20 < len(content) < 6 * 2**20
    response = post(client_for(), content)
    assert response.status_code == 400
    assert "5 MB" in response.json()["file"][0]


def test_a_file_of_exactly_5000_rows_is_accepted(client_for):
    rows = [import_row() for _ in range(5000)]
    response = post(client_for(), csv_bytes(rows))
    assert response.status_code == 200
    assert (response.json()["rows"], response.json()["valid"]) == (5000, 5000)


# --- The template -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, name, content_type",
    [
        ("", "carer-import-template.xlsx", imports.XLSX_CONTENT_TYPE),
        ("?format=xlsx", "carer-import-template.xlsx", imports.XLSX_CONTENT_TYPE),
        ("?format=csv", "carer-import-template.csv", "text/csv"),
    ],
)
def test_template_downloads_and_imports_back_as_valid(client_for, query, name, content_type):
    api = client_for(Role.REGISTRAR)
    response = api.get(TEMPLATE_URL + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    body = post(api, response.content, name, dry_run="false").json()
    assert (body["rows"], body["valid"], body["created"], body["errors"]) == (1, 1, 1, [])
    carer = Carer.objects.get()
    assert carer.commune_id == "020101" and carer.phone.startswith("+855")
    assert carer.household_name == imports.EXAMPLE_ROW["household_name"]


def test_template_has_the_header_and_one_example_row():
    content, _, _ = imports.carer_import_template(format="xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    rows = [r for r in workbook.worksheets[0].iter_rows(values_only=True) if any(v is not None for v in r)]
    assert list(rows[0]) == list(imports.COLUMNS) and len(rows) == 2
    content, _, _ = imports.carer_import_template(format="csv")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(imports.COLUMNS) and len(lines) == 2


def test_template_of_another_format_answers_400(client_for):
    response = client_for(Role.REGISTRAR).get(TEMPLATE_URL + "?format=pdf")
    assert response.status_code == 400 and "format" in response.json()


def test_import_schema_describes_the_template(client_for):
    schema = client_for(Role.REGISTRAR).get("/api/v1/schema/?format=json")
    text = schema.content.decode()
    assert "/api/v1/carers/import/" in text and "/api/v1/carers/import/template/" in text
    assert "multipart/form-data" in text


# --- The admin page -----------------------------------------------------------------------------

CHANGELIST = "/admin/register/carer/"
IMPORT_PAGE = "/admin/register/carer/import/"


def staff(role=Role.REGISTRAR, provinces=("02",)):
    user = make_user(role, provinces, is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="register", codename="view_carer"))
    return user


def test_admin_changelist_has_an_import_button_for_registrars_only(client):
    client.force_login(staff(Role.REGISTRAR))
    assert IMPORT_PAGE in client.get(CHANGELIST).content.decode()
    client.force_login(staff(Role.PLACEMENT_OFFICER))
    page = client.get(CHANGELIST)
    assert page.status_code == 200 and IMPORT_PAGE not in page.content.decode()
    assert client.get(IMPORT_PAGE).status_code == 403


def test_admin_import_page_offers_both_templates(client):
    client.force_login(staff())
    page = client.get(IMPORT_PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    for fmt in ("xlsx", "csv"):
        url = f"{IMPORT_PAGE}template.{fmt}"
        assert url in html
        download = client.get(url)
        assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert client.get(f"{IMPORT_PAGE}template.pdf").status_code == 404


def test_admin_dry_run_then_import(client):
    user = staff()
    client.force_login(user)
    content = csv_bytes([import_row(), import_row()])
    page = client.post(IMPORT_PAGE, {"file": upload(content), "dry_run": "on"})
    assert page.status_code == 200
    assert "Dry run" in page.content.decode() and Carer.objects.count() == 0
    page = client.post(IMPORT_PAGE, {"file": upload(content)})  # the box unticked
    html = page.content.decode()
    assert "2 families registered" in html and "FC-02-000002" in html
    assert Carer.objects.count() == 2
    assert AuditEntry.objects.filter(model="register.CarerImport", actor=user).count() == 1


def test_admin_shows_row_errors_and_writes_nothing(client):
    client.force_login(staff())
    content = csv_bytes([import_row(), import_row(commune="999999", village="")])
    html = client.post(IMPORT_PAGE, {"file": upload(content)}).content.decode()
    assert "nothing was written" in html and "999999" in html and "<td>3</td>" in html
    assert_nothing_written()


def test_admin_reports_an_unreadable_file_on_the_form(client):
    client.force_login(staff())
    page = client.post(IMPORT_PAGE, {"file": upload(b"\x00\x01garbage", "families.csv")})
    assert page.status_code == 200
    assert "binary data" in page.content.decode()
    assert_nothing_written()
