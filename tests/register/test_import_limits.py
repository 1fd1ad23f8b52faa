"""Issue 13, finding 2 and "upload types checked by content, not name": what an uploaded
spreadsheet may unpack to and hold, on every path that reads one (the API, the pages, the admin and
the background job), with the process's memory measured while a 1,000 MB bomb is refused."""

import io
import json
import os
import random
import string
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse

from register.models import Carer, CarerImportJob
from register.roles import Role
from register.services import import_jobs
from register.services.imports import COLUMNS, reading
from tests.factories import make_user
from tests.register.import_workbooks import (
    MB,
    bomb_chunks,
    declare_size,
    families_xml,
    row_xml,
    workbook_bytes,
    write_workbook,
)
from tests.register.imports_factories import csv_bytes, import_row, upload, xlsx_bytes

pytestmark = pytest.mark.django_db
URL = "/api/v1/carers/import/"
MEMORY_BOUND = 100 * MB


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    """The probe's bomb: one cell of 1,000 MB, about 1 MB packed; and one of 100 MB whose headers
    say the sheet is 1,000 bytes."""
    folder = tmp_path_factory.mktemp("bombs")
    paths = {"1000 MB cell": folder / "bomb.xlsx", "size that lies": folder / "liar.xlsx"}
    write_workbook(paths["1000 MB cell"], bomb_chunks(1000))
    paths["size that lies"].write_bytes(
        declare_size(workbook_bytes(bomb_chunks(100)), "xl/worksheets/sheet1.xml", 1000)
    )
    return paths


def post(client, content: bytes, name: str = "families.xlsx"):
    return client.post(URL, {"file": upload(content, name)}, format="multipart")


def refused(client, content: bytes, name: str = "families.xlsx") -> str:
    """The message of a 400 on `file`, and only on `file`."""
    response = post(client, content, name)
    assert response.status_code == 400, response.content[:500]
    body = response.json()
    assert list(body) == ["file"] and body["file"][0], body
    assert not Carer.objects.exists()
    return body["file"][0]


def random_text(length: int) -> str:
    """Text that does not pack well, so that only the limit under test applies."""
    return "".join(random.choices(string.ascii_letters, k=length))


# --- Archive bombs ------------------------------------------------------------------------------


def test_the_probes_bomb_is_refused_on_file(client_for, bombs):
    content = bombs["1000 MB cell"].read_bytes()
    assert len(content) < reading.MAX_BYTES  # within the upload limit: only what it unpacks to is wrong
    message = refused(client_for(), content)
    assert "64 MB" in message and "CSV UTF-8" in message


def test_a_part_whose_size_lies_is_refused_on_file(client_for, bombs):
    assert "Excel workbook" in refused(client_for(), bombs["size that lies"].read_bytes())


def test_refusing_the_bombs_keeps_the_process_memory_bounded(bombs):
    """In a process of its own (its peak resident memory is its own), each bomb read by read_table:
    refused, with Python's allocations (tracemalloc) and the resident peak growing by less than
    MEMORY_BOUND. The code before the fix read the cell: 200 MB for a 100 MB bomb, 2 GB for this one."""
    script = """
import io, json, resource, sys, tracemalloc
import django
django.setup()
from register.services.imports.reading import ImportFileError, read_table
results = {}
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    try:
        read_table(file=io.BytesIO(data), filename="families.xlsx")
        outcome = "read"
    except ImportFileError as exc:
        outcome = exc.message
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
    results[path] = {"outcome": outcome, "traced_peak": peak, "resident_growth": grown}
print(json.dumps(results))
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.pop("DATABASE_URL", None)
    paths = [str(path) for path in bombs.values()]
    done = subprocess.run(
        [sys.executable, "-c", script, *paths], cwd=settings.BASE_DIR, env=env, capture_output=True, check=True
    )
    results = json.loads(done.stdout.decode().strip().splitlines()[-1])
    for path in paths:
        measured = results[path]
        print(path, measured)  # the numbers, for the record (pytest -s)
        assert measured["outcome"] != "read"
        assert measured["traced_peak"] < MEMORY_BOUND
        assert measured["resident_growth"] < MEMORY_BOUND


def test_a_part_packed_far_tighter_than_a_sheet_is_refused(client_for):
    content = workbook_bytes(bomb_chunks(10))  # under the size limits, but packed a thousand to one
    assert "100 times" in refused(client_for(), content)


def test_parts_adding_up_to_more_than_the_limit_are_refused(client_for, monkeypatch):
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 2 * MB)
    notes = [(f"xl/notes{n}.txt", random_text(MB // 2).encode()) for n in range(5)]
    assert "2 MB" in refused(client_for(), workbook_bytes(families_xml([import_row()]), extra_parts=notes))


def test_a_part_packed_with_another_method_than_excels_is_refused(client_for):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes([import_row()]))) as source, zipfile.ZipFile(out, "w") as target:
        for part in source.infolist():
            target.writestr(part.filename, source.read(part), compress_type=zipfile.ZIP_BZIP2)
    assert "Excel workbook" in refused(client_for(), out.getvalue())


def test_an_archive_of_too_many_parts_is_refused(client_for):
    parts = [(f"xl/media/image{n}.png", b"") for n in range(reading.MAX_PARTS)]
    content = workbook_bytes(families_xml([import_row()]), extra_parts=parts)
    assert "Excel workbook" in refused(client_for(), content)


# --- What the sheet holds -----------------------------------------------------------------------


def test_a_cell_longer_than_excel_allows_is_refused_naming_its_row(client_for):
    row = import_row(address=random_text(reading.MAX_CELL_CHARS + 1))
    message = refused(client_for(), workbook_bytes(families_xml([import_row(), row])))
    assert "32767" in message and "Row 3" in message


@pytest.mark.parametrize("encoding", ["utf-16-be", "utf-16-le"])
def test_a_sheet_in_another_encoding_is_scanned_all_the_same(client_for, encoding):
    """A sheet's XML in UTF-16 without a byte order mark: expat (openpyxl's parser too) reads it."""
    row = import_row(address=random_text(reading.MAX_CELL_CHARS + 1))
    source, out = io.BytesIO(workbook_bytes(families_xml([row]))), io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for part in original.infolist():
            content = original.read(part)
            if part.filename == "xl/worksheets/sheet1.xml":
                content = content.decode().encode(encoding)
            copy.writestr(part.filename, content)
    assert "32767" in refused(client_for(), out.getvalue())


def test_a_cell_of_excels_longest_text_is_read(client_for):
    row = import_row(address=random_text(reading.MAX_CELL_CHARS))
    response = post(client_for(), workbook_bytes(families_xml([row])))
    assert response.status_code == 200  # a row error on the address at most, not a refused file


def test_a_shared_string_longer_than_excel_allows_is_refused(client_for):
    strings = [b"<si><t>" + random_text(reading.MAX_CELL_CHARS + 1).encode() + b"</t></si>"]
    content = workbook_bytes(families_xml([import_row()]), shared_strings=strings)
    assert "32767" in refused(client_for(), content)


def test_a_table_of_too_many_shared_strings_is_refused(client_for, monkeypatch):
    monkeypatch.setattr(reading, "MAX_SHARED_STRINGS", 10)
    strings = [f"<si><t>text {n}</t></si>".encode() for n in range(11)]
    content = workbook_bytes(families_xml([import_row()]), shared_strings=strings)
    assert "different texts" in refused(client_for(), content)


def test_a_row_of_more_cells_than_excel_has_columns_is_refused(client_for):
    cells = "".join(f'<c r="{openpyxl.utils.get_column_letter(n)}3"/>' for n in range(1, reading.MAX_ROW_CELLS + 1))
    extra = f'<row r="3">{cells}<c/></row>'.encode()  # one cell more, with no reference
    content = workbook_bytes([*families_xml([import_row()]), extra])
    assert "16384 cells" in refused(client_for(), content)


def test_a_sheet_of_too_many_rows_is_refused_before_openpyxl_holds_them(client_for, monkeypatch):
    """openpyxl keeps a husk of every row it has read (a million empty rows: 90 MB)."""
    monkeypatch.setattr(reading, "MAX_ELEMENTS", 1000)
    empty_rows = [f'<row r="{n}"/>'.encode() for n in range(3, 1003)]
    assert "1000 rows" in refused(client_for(), workbook_bytes([*families_xml([import_row()]), *empty_rows]))


def test_a_part_of_too_many_elements_is_refused(client_for, monkeypatch):
    """Styles, merged cells and the like become objects, every one of them."""
    monkeypatch.setattr(reading, "MAX_ELEMENTS", 1000)
    styles = b"<styleSheet><cellXfs>" + b'<xf numFmtId="0"/>' * 1000 + b"</cellXfs></styleSheet>"
    content = workbook_bytes(families_xml([import_row()]), extra_parts=[("xl/styles.xml", styles)])
    assert "1000 rows or other entries" in refused(client_for(), content)


def test_a_row_of_too_many_elements_is_refused(client_for):
    runs = b"<r><t>a</t></r>" * (reading.MAX_UNIT_ELEMENTS // 2)  # one rich text, in pieces
    cell = b'<row r="3"><c r="A3" t="inlineStr"><is>' + runs + b"</is></c></row>"
    assert "different texts" in refused(client_for(), workbook_bytes([*families_xml([import_row()]), cell]))


def test_a_value_beyond_the_last_column_read_is_refused_not_dropped(client_for):
    wide = row_xml(3, ["a note"], first_column=reading.MAX_COLUMNS + 1)
    content = workbook_bytes([*families_xml([import_row()]), wide])
    assert "Row 3" in refused(client_for(), content)


def test_a_wide_second_sheet_is_not_read(client_for):
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([import_row()])))
    workbook["Notes"].cell(row=1, column=reading.MAX_COLUMNS + 50, value="far right")
    out = io.BytesIO()
    workbook.save(out)
    response = post(client_for(), out.getvalue())
    assert response.status_code == 200 and response.json()["valid"] == 1


def test_a_document_type_declaration_is_refused(client_for):
    """Entities are how XML expands (the "billion laughs"); no workbook declares any."""
    doctype = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY name "Sophea">]>'
    content = workbook_bytes(families_xml([import_row(given_name="&name;")]), before_sheet=doctype)
    assert "Excel workbook" in refused(client_for(), content)


def test_a_tag_that_never_ends_is_refused(client_for):
    endless = b'<row r="3" note="' + random_text(reading.MAX_TAG_BYTES + 1).encode() + b'"/>'
    content = workbook_bytes([*families_xml([import_row()]), endless])
    assert "Excel workbook" in refused(client_for(), content)


def test_a_hand_made_minimal_workbook_is_read(client_for):
    """The workbooks above are refused for what they hold, not for how they are made."""
    rows = [import_row(), import_row()]
    strings = [b"<si><t>unused</t></si>"]
    response = post(client_for(), workbook_bytes(families_xml(rows), shared_strings=strings))
    assert response.status_code == 200 and response.json()["valid"] == 2


def test_a_workbook_of_5000_families_is_within_every_limit():
    rows = [import_row(address=f"House {n}, Street 3, Sangkat Svay Por") for n in range(5000)]
    table = reading.read_table(file=io.BytesIO(xlsx_bytes(rows)), filename="families.xlsx")
    assert len(table.rows) == 5000


# --- CSV ----------------------------------------------------------------------------------------


def test_a_csv_line_longer_than_the_limit_is_refused_naming_it(client_for):
    content = csv_bytes([import_row(), import_row(address="x," * (reading.MAX_LINE_CHARS // 2))])
    message = refused(client_for(), content, "families.csv")
    assert "Line 3" in message and "100000" in message


def test_a_csv_record_spanning_lines_inside_quotes_is_bounded_too(client_for):
    address = "\n".join(["a" * 1000] * (reading.MAX_LINE_CHARS // 1000 + 1))
    message = refused(client_for(), csv_bytes([import_row(address=address)]), "families.csv")
    assert "100000" in message


def test_a_csv_of_blank_lines_ends_where_a_sheets_would(client_for, monkeypatch):
    """5 MB of line breaks are five million records; as in a sheet formatted down to its last row,
    so many blank ones in a row end the file."""
    monkeypatch.setattr(reading, "MAX_BLANK_ROWS", 3)
    content = csv_bytes([import_row()]) + b",,\r\n" * 4 + csv_bytes([import_row()])
    response = post(client_for(), content, "families.csv")
    assert response.status_code == 200 and response.json()["rows"] == 1


def test_a_csv_cell_longer_than_excel_allows_is_refused(client_for):
    content = csv_bytes([import_row(address=random_text(reading.MAX_CELL_CHARS + 1))])
    message = refused(client_for(), content, "families.csv")
    assert "32767" in message and "Row 2" in message


def test_a_csv_value_beyond_the_last_column_read_is_refused(client_for):
    row = [import_row()[c] for c in COLUMNS] + [""] * (reading.MAX_COLUMNS - len(COLUMNS)) + ["stray"]
    assert "Row 2" in refused(client_for(), csv_bytes([row]), "families.csv")


def test_empty_csv_cells_beyond_the_last_column_read_are_harmless(client_for):
    row = [import_row()[c] for c in COLUMNS] + [""] * reading.MAX_COLUMNS
    response = post(client_for(), csv_bytes([row]), "families.csv")
    assert response.status_code == 200 and response.json()["valid"] == 1


# --- Types by content ---------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)


def _zip(**parts: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name.replace("__", "/"), content)
    return out.getvalue()


@pytest.mark.parametrize(
    "content, name, says",
    [
        (PNG, "families.csv", "binary data"),
        (PNG, "families.xlsx", "Excel workbook"),
        (PNG, "families", "binary data"),
        (OLE2, "families.xlsx", ".xls"),
        (OLE2, "families.csv", ".xls"),
        (lambda: xlsx_bytes([import_row()]), "families.csv", "named .csv"),
        (lambda: csv_bytes([import_row()]).decode().encode("utf-16"), "families.csv", "UTF-8"),
        (_zip(notes__txt=b"hello"), "families.xlsx", "zip archive"),
        (_zip(**{"[Content_Types].xml": b"<Types/>", "word__document.xml": b"<w/>"}), "families.xlsx", "zip archive"),
    ],
    ids=["png.csv", "png.xlsx", "png", "xls.xlsx", "xls.csv", "xlsx.csv", "utf16.csv", "zip.xlsx", "docx.xlsx"],
)
def test_a_renamed_file_is_refused_by_what_it_holds(client_for, content, name, says):
    content = content() if callable(content) else content
    assert says in refused(client_for(), content, name)


def test_a_workbook_without_extension_is_read_by_its_content(client_for):
    response = post(client_for(), xlsx_bytes([import_row()]), "families")
    assert response.status_code == 200 and response.json()["valid"] == 1


# --- Every path that reads an upload ------------------------------------------------------------


def test_the_import_page_shows_the_refusal_beside_the_file_field(client, bombs):
    client.force_login(make_user(Role.REGISTRAR, ("02",)))
    content = bombs["1000 MB cell"].read_bytes()
    response = client.post(reverse("web:carer_import"), {"file": upload(content, "families.xlsx")})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_file_error"' in body and "64 MB" in body
    assert not CarerImportJob.objects.exists()


def test_the_admin_import_page_shows_the_refusal_beside_the_file_field(client, bombs):
    user = make_user(Role.REGISTRAR, ("02",), is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="register", codename="view_carer"))
    client.force_login(user)
    content = bombs["1000 MB cell"].read_bytes()
    page = client.post("/admin/register/carer/import/", {"file": upload(content, "families.xlsx"), "dry_run": "on"})
    assert page.status_code == 200
    assert "64 MB" in page.content.decode() and page.context["form"].errors["file"]
    assert not Carer.objects.exists()


def test_the_background_job_refuses_a_bomb_it_was_given(bombs):
    """A job stores only a file its dry run read; should one hold a bomb all the same (stored
    before this check, or written directly), the worker refuses it through the same reading."""
    user = make_user(Role.REGISTRAR, ("02",))
    job = CarerImportJob.objects.create(
        created_by=user,
        filename="families.xlsx",
        content=bombs["1000 MB cell"].read_bytes(),
        rows=1,
        valid=1,
        status=CarerImportJob.Status.QUEUED,
    )
    job = import_jobs.carer_import_job_run(job_id=job.pk)
    assert job.status == CarerImportJob.Status.FAILED and "64 MB" in job.error
    assert not Carer.objects.exists()


def test_the_background_jobs_check_stores_nothing_of_a_bomb(bombs):
    user = make_user(Role.REGISTRAR, ("02",))
    with pytest.raises(reading.ImportFileError):
        import_jobs.carer_import_job_check(
            actor=user, file=io.BytesIO(bombs["1000 MB cell"].read_bytes()), filename="families.xlsx"
        )
    assert not CarerImportJob.objects.exists()
