"""Spreadsheets for the import's tests: rows as the template has them, written as CSV or XLSX."""

import csv
import datetime
import io
import itertools

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

from register.services.imports import COLUMNS

_phones = itertools.count(1)


def import_row(**overrides) -> dict:
    """A valid row for a family in Battambang (commune 020101), each with its own phone number and
    birth date (from 1 May 1980 on), so that no two rows are possible duplicates (issue 14)."""
    number = next(_phones)
    row = {
        "household_name": "Chan household",
        "given_name": "Sophea",
        "family_name": "Chan",
        "given_name_latin": "",
        "family_name_latin": "",
        "sex": "female",
        "date_of_birth": (datetime.date(1980, 5, 1) + datetime.timedelta(days=number % 5000)).isoformat(),
        "national_id": "",
        "phone": f"+8559712{number:05d}",
        "commune": "020101",
        "village": "02010101",
        "address": "House 12, Street 3",
        "lat": "13.1",
        "lon": "103.2",
        "languages": "km;cjm",
        "religion": "buddhism",
        "ethnicity": "khmer",
        "max_children": "2",
        "age_min": "0",
        "age_max": "12",
        "sexes_accepted": "female;male",
        "max_sibling_group": "2",
        "care_types": "short_term;long_term",
        "needs_supported": "infant_care",
        "duplicate_reviewed": "",
    }
    row.update(overrides)
    return row


def csv_bytes(rows, *, header=None, delimiter=",", bom=False, encoding="utf-8") -> bytes:
    """Rows (dicts, or lists for raw lines) under `header` (default: the template's columns)."""
    header = list(header or COLUMNS)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row if isinstance(row, list | tuple) else [row.get(c, "") for c in header])
    return ("\ufeff" if bom else "").encode(encoding) + out.getvalue().encode(encoding)


def xlsx_bytes(rows, *, header=None) -> bytes:
    """An XLSX workbook whose first sheet holds `header` and `rows`; cell values are kept as given
    (numbers, dates...), so tests can write what Excel would store."""
    header = list(header or COLUMNS)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row if isinstance(row, list | tuple) else [row.get(c) for c in header])
    workbook.create_sheet("Notes").append(["this sheet is not read"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "families.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def years_ago(years: int) -> datetime.date:
    today = datetime.date.today()
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)
