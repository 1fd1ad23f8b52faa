"""The downloadable import template: the header row and one example family, as XLSX (with a sheet
listing the allowed values) or CSV."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from register.services.imports.rows import COLUMNS, ENUM_CHOICES, LIST_COLUMNS, REQUIRED_COLUMNS

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_FORMATS = ("xlsx", "csv")

# The template's example: a made-up family in Battambang (commune 020101).
EXAMPLE_ROW = {
    "household_name": "គ្រួសារ កែវ (Keo household)",
    "given_name": "ស្រីមុំ",
    "family_name": "កែវ",
    "given_name_latin": "Sreymom",
    "family_name_latin": "Keo",
    "sex": "female",
    "date_of_birth": "1984-03-14",
    "national_id": "",
    "phone": "+85512555014",
    "commune": "020101",
    "village": "02010101",
    "address": "House 7, Street 2",
    "lat": "13.1",
    "lon": "103.2",
    "languages": "km;en",
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


def carer_import_template(*, format: str = "xlsx") -> tuple[bytes, str, str]:
    """The import template (the header row and one example family) as (content, content type,
    file name). `format` is `xlsx` (with a second sheet listing the allowed values) or `csv`
    (UTF-8 with a byte order mark, so that Excel shows Khmer text)."""
    if format == "csv":
        out = io.StringIO(newline="")
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerow([EXAMPLE_ROW[c] for c in COLUMNS])
        return ("\ufeff" + out.getvalue()).encode("utf-8"), CSV_CONTENT_TYPE, "carer-import-template.csv"
    if format != "xlsx":
        raise ValueError(f"Unknown template format {format!r}")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("Families")[:31]
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append([_example_cell(c) for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(column) + 2, len(str(EXAMPLE_ROW[column])) + 2)
        if column == "date_of_birth":
            sheet[f"{letter}2"].number_format = "yyyy-mm-dd"
        elif column not in ("max_children", "age_min", "age_max", "max_sibling_group", "lat", "lon"):
            # Text, so that Excel keeps the leading zeros of codes and the + of phone numbers.
            for row in range(2, 1002):
                sheet[f"{letter}{row}"].number_format = "@"
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet(_("Allowed values")[:31])
    help_sheet.append([_("column"), _("required"), _("allowed values")])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        help_sheet.append([column, _("yes") if column in REQUIRED_COLUMNS else _("no"), _column_help(column)])
    help_sheet.column_dimensions["A"].width = 20
    help_sheet.column_dimensions["C"].width = 100
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), XLSX_CONTENT_TYPE, "carer-import-template.xlsx"


def _example_cell(column: str) -> Any:
    value = EXAMPLE_ROW[column]
    if column == "date_of_birth":
        return datetime.date.fromisoformat(value)
    if column in ("max_children", "age_min", "age_max", "max_sibling_group"):
        return int(value)
    if column in ("lat", "lon"):
        return float(value)
    return value


def _column_help(column: str) -> str:
    if column in ENUM_CHOICES:
        values = ", ".join(ENUM_CHOICES[column])
        if column in LIST_COLUMNS:
            return _("one or more of: %(values)s (separated by ; or ,)") % {"values": values}
        return _("one of: %(values)s") % {"values": values}
    return {
        "date_of_birth": _("YYYY-MM-DD; the primary carer is 18 or older"),
        "phone": _("a Cambodian number, e.g. +85512345678 or 012 345 678; one family per number"),
        "commune": _("the six-digit commune code of the gazetteer, e.g. 020101"),
        "village": _("the eight-digit village code, in the commune, e.g. 02010101"),
        "lat": _("latitude 9.5 to 15.0, with lon"),
        "lon": _("longitude 102.0 to 108.0, with lat"),
        "max_children": _("capacity, 1 to 12"),
        "age_min": _("youngest age accepted, 0 to 17"),
        "age_max": _("oldest age accepted, 0 to 17, not below age_min"),
        "max_sibling_group": _("largest sibling group, 1 to 12"),
        "national_id": _("optional; one family per national ID"),
        "duplicate_reviewed": _(
            "optional; only when the check said the row may be a family already registered: why it is "
            "another family (kept in the audit trail)"
        ),
    }.get(column, "")
