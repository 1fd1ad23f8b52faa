"""The row rules of an import: which columns a file has, how a row's cells become a family's
values (Khmer digits, lost leading zeros, lists in one cell), and the check of one row, which is
register.inputs' CarerInput, the same field rules as the API's and the pages'."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from register.choices import CareType, Ethnicity, Language, Need, Religion, Sex
from register.inputs.carers import CarerInput
from register.inputs.places import COMMUNE_CODE_LENGTH, VILLAGE_CODE_LENGTH
from register.scoping import user_may_act_in
from register.services.carers import EDITABLE_FIELDS

# The columns of the template, in its order (the fields a registrar edits); one row per family.
# And last, `duplicate_reviewed`: why a row that may repeat a registered family is another (issue 14).
COLUMNS = (*EDITABLE_FIELDS, "duplicate_reviewed")
OPTIONAL_COLUMNS = frozenset(
    {
        "given_name_latin",
        "family_name_latin",
        "national_id",
        "village",
        "address",
        "lat",
        "lon",
        "needs_supported",
        "duplicate_reviewed",
    }
)
REQUIRED_COLUMNS = tuple(c for c in COLUMNS if c not in OPTIONAL_COLUMNS)
LIST_COLUMNS = frozenset({"languages", "sexes_accepted", "care_types", "needs_supported"})
# Codes lose their leading zeros when a spreadsheet reads them as numbers (020101 -> 20101).
CODE_WIDTHS = {"commune": COMMUNE_CODE_LENGTH, "village": VILLAGE_CODE_LENGTH}
# Values that are enumerations: matched whatever their case.
ENUM_CHOICES = {
    "sex": Sex.values,
    "religion": Religion.values,
    "ethnicity": Ethnicity.values,
    "languages": Language.values,
    "sexes_accepted": Sex.values,
    "care_types": CareType.values,
    "needs_supported": Need.values,
}
# Columns holding digits, where Khmer numerals (០-៩) are read as 0-9.
NUMERIC_COLUMNS = frozenset(
    {
        "date_of_birth",
        "national_id",
        "phone",
        "commune",
        "village",
        "lat",
        "lon",
        "max_children",
        "age_min",
        "age_max",
        "max_sibling_group",
    }
)
KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
LIST_SEPARATOR = re.compile(r"[;,]")


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportRow:
    number: int
    cells: dict[str, str]
    data: dict[str, Any] | None = None  # CarerInput's cleaned data, when the row is valid
    errors: list[RowError] = field(default_factory=list)
    phone: str | None = None  # E.164, when the phone is readable
    national_id: str = ""
    reviewed: str = ""  # the duplicate_reviewed column: why this is not a family already registered


# --- Header ---------------------------------------------------------------------------------------


def column_key(name: str) -> str:
    """A header cell as a column name: `Household name`, `HOUSEHOLD_NAME` -> household_name."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def read_header(number: int, header: list[str]) -> tuple[list[RowError], dict[int, str], set[str]]:
    """Errors of the header row, {cell index: column}, and the required columns missing."""
    errors: list[RowError] = []
    columns: dict[int, str] = {}
    for index, name in enumerate(header):
        if not name:
            continue
        key = column_key(name)
        if key not in COLUMNS:
            errors.append(
                RowError(
                    number,
                    name,
                    _("Unknown column “%(name)s”. The columns are: %(columns)s.")
                    % {"name": name, "columns": ", ".join(COLUMNS)},
                )
            )
        elif key in columns.values():
            errors.append(RowError(number, key, _("The column %(name)s appears twice.") % {"name": key}))
        else:
            columns[index] = key
    missing = {c for c in REQUIRED_COLUMNS if c not in columns.values()}
    errors.extend(
        RowError(number, c, _("The required column %(name)s is missing.") % {"name": c})
        for c in REQUIRED_COLUMNS
        if c in missing
    )
    return errors, columns, missing


def cells_of(columns: dict[int, str], values: list[str]) -> dict[str, str]:
    return {column: values[index] if index < len(values) else "" for index, column in columns.items()}


def stray_values(number: int, named: set[int], values: list[str]) -> list[RowError]:
    """Values in a column whose header cell is empty: reported once per row. (Values under an
    unknown header are ignored: the header row's error already names that column.)"""
    if any(value and index not in named for index, value in enumerate(values)):
        return [RowError(number, "", _("This row has values in a column without a header."))]
    return []


# --- One row --------------------------------------------------------------------------------------


def row_input(cells: Mapping[str, str]) -> dict[str, Any]:
    """A row's cells as CarerInput's data. Empty cells are left out, so that the form says which
    are required."""
    data: dict[str, Any] = {}
    for column in COLUMNS:
        value = cells.get(column, "")
        if column in NUMERIC_COLUMNS:
            value = value.translate(KHMER_DIGITS)
        if not value:
            continue
        if column in CODE_WIDTHS and value.isdigit() and len(value) < CODE_WIDTHS[column]:
            value = value.zfill(CODE_WIDTHS[column])
        elif column == "phone":
            value = _phone_text(value)
        if column in LIST_COLUMNS:
            value = [part.strip().lower() for part in LIST_SEPARATOR.split(value) if part.strip()]
            if not value:
                continue
        elif column in ENUM_CHOICES:
            value = value.lower()
        data[column] = value
    return data


def _phone_text(value: str) -> str:
    # A number typed into a spreadsheet loses its `+`: 85512345678 is +85512345678.
    digits = re.sub(r"[\s\-.()]", "", value)
    if digits.isdigit() and digits.startswith("855") and len(digits) >= 11:
        return "+" + digits
    return value


def validate_row(row: ImportRow, *, actor, memo: dict, skip: Iterable[str] = ()) -> None:
    """Check one row as the register checks a family typed in: its errors go to `row.errors`
    (none on the columns in `skip`, already reported as missing), its values to `row.data` when
    it is valid. `memo` (one dict per file) keeps the communes and villages already looked up."""
    form = CarerInput(data=row_input(row.cells), memo=memo)
    valid = form.is_valid()
    skip = set(skip)
    found = [
        RowError(row.number, column, _message(column, error))
        for name, errors in form.errors.as_data().items()
        for column in ["" if name == "__all__" else name]
        if column not in skip
        for error in errors
    ]
    row.errors.extend(sorted(found, key=lambda e: column_order(e.field)))
    if valid:
        commune = form.cleaned_data["commune"]
        if not user_may_act_in(actor, commune.province_id):
            row.errors.append(RowError(row.number, "commune", _outside_provinces(commune.code)))
        if not row.errors:
            row.data = dict(form.cleaned_data)
    row.phone = form.cleaned_data.get("phone") or None
    row.national_id = row.cells.get("national_id", "").translate(KHMER_DIGITS).strip()
    row.reviewed = row.cells.get("duplicate_reviewed", "").strip()[:1000]


def column_order(column: str) -> int:
    """Errors are listed in the template's column order, errors of the whole row last."""
    return _COLUMN_ORDER.get(column, len(_COLUMN_ORDER))


_COLUMN_ORDER = {c: i for i, c in enumerate(COLUMNS)}


def _outside_provinces(code: str) -> str:
    return _("Commune %(code)s is outside your provinces: you cannot register or move a family there.") % {"code": code}


def _message(column: str, error: ValidationError) -> str:
    if error.code == "required":
        return _("This column is required: give a value.")
    message = next(iter(error))  # the message with its parameters filled in
    if error.code == "invalid_choice" and column in ENUM_CHOICES:
        allowed = _("Allowed: %(values)s.") % {"values": ", ".join(ENUM_CHOICES[column])}
        return f"{message} {allowed}"
    return str(message)


def django_errors(number: int, exc: ValidationError) -> list[RowError]:
    """A service's refusal of a row (ValidationError) as the row's errors."""
    if hasattr(exc, "error_dict"):
        return [
            RowError(number, "" if key == "__all__" else key, str(message))
            for key, messages in exc.message_dict.items()
            for message in messages
        ]
    return [RowError(number, "", str(m)) for m in exc.messages]
