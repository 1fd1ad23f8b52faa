"""Importing foster families from a spreadsheet (CSV or XLSX), one family a row.

The file is read into rows of text, each row is mapped to the shape of the carers API
(`CarerInputSerializer`) and checked by it, then checked for duplicates (the same phone or national
ID twice in the file, or already on the register anywhere in the country). A dry run stops there.
A real import writes only when every row is valid, all rows in one transaction through
`carer_create`, so the register never holds half a file.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first family row 2; blank
rows are skipped but still counted, so a number always points at the right line of the file.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import os
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import openpyxl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from register.api.fields import CommuneField, VillageField
from register.choices import CareType, Ethnicity, Language, Need, Religion, Sex
from register.errors import DomainError
from register.models import AuditEntry, Carer, ReferenceSequence
from register.scoping import user_may_act_in
from register.services.carers import EDITABLE_FIELDS, carer_create

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
CHECKING_SHARE = 0.2  # of a real import's progress: checking the rows; creating them is the rest
MAX_COLUMNS = 200  # columns read from a sheet; a family has 23, so this only bounds a bad file

# The columns of the template, in its order (the fields a registrar edits); one row per family.
COLUMNS = EDITABLE_FIELDS
OPTIONAL_COLUMNS = frozenset({"national_id", "village", "address", "lat", "lon", "needs_supported"})
REQUIRED_COLUMNS = tuple(c for c in COLUMNS if c not in OPTIONAL_COLUMNS)
PRIMARY_CARER_COLUMNS = ("given_name", "family_name", "sex", "date_of_birth", "national_id")
LIST_COLUMNS = frozenset({"languages", "sexes_accepted", "care_types", "needs_supported"})
# Codes lose their leading zeros when a spreadsheet reads them as numbers (020101 -> 20101).
CODE_WIDTHS = {"commune": 6, "village": 8}
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

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_FORMATS = ("xlsx", "csv")

# The template's example: a made-up family in Battambang (commune 020101).
EXAMPLE_ROW = {
    "household_name": "គ្រួសារ កែវ (Keo household)",
    "given_name": "Sreymom",
    "family_name": "Keo",
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
}


class ImportFileError(Exception):
    """The file as a whole cannot be read (not CSV/XLSX, corrupt, empty, too big, no header).
    The API answers 400 naming `file`."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportedCarer:
    row: int
    carer: Carer


@dataclass
class CarerImportResult:
    rows: int
    valid: int
    created: int
    dry_run: bool
    errors: list[RowError] = field(default_factory=list)
    carers: list[ImportedCarer] = field(default_factory=list)


@dataclass
class _Row:
    number: int
    cells: dict[str, str]
    data: dict[str, Any] | None = None  # CarerInputSerializer's validated data, when the row is valid
    errors: list[RowError] = field(default_factory=list)
    phone: str | None = None  # E.164, when the phone is readable
    national_id: str = ""


class _Rollback(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__("import rolled back")
        self.errors = errors


# --- The import ---------------------------------------------------------------------------------


def carer_import(
    *,
    actor,
    file: BinaryIO,
    filename: str,
    dry_run: bool = True,
    context: Mapping[str, Any] | None = None,
    progress: Callable[[float], None] | None = None,
) -> CarerImportResult:
    """Check (and unless `dry_run`, register) the families of a CSV or XLSX file.

    Raises ImportFileError when the file cannot be read as a table. Otherwise returns the counts and
    every error found, `{row, field, message}` with `field` a column name. Nothing is written unless
    every row is valid and `dry_run` is false; then every family is created through `carer_create`
    in one transaction, with one more audit entry for the import itself. `context` is passed to
    the serializer that checks each row (the API passes its request). `progress`, when given, is
    called with the share of the work done (0 to 1) as rows are checked and then created."""
    report = progress or (lambda fraction: None)
    # Checking is quick beside creating: a real import gives it the first fifth of the bar.
    checking_share = 1.0 if dry_run else CHECKING_SHARE
    table = read_table(file=file, filename=filename)
    header_errors, columns, missing = _read_header(table.header_number, table.header)
    named = {index for index, name in enumerate(table.header) if name}
    rows = [_Row(number, _cells(columns, values)) for number, values in table.rows]
    serializer = row_serializer(context)
    for index, (row, (_number, values)) in enumerate(zip(rows, table.rows, strict=True), start=1):
        row.errors.extend(_stray_values(row.number, named, values))
        _validate_row(row, actor=actor, serializer=serializer, skip=missing)
        report(checking_share * index / len(rows))
    _check_duplicates_in_file(rows)
    _check_duplicates_in_register(rows, actor=actor)

    errors = header_errors + [e for row in rows for e in row.errors]
    valid = 0 if missing else sum(1 for row in rows if not row.errors and row.data is not None)
    result = CarerImportResult(rows=len(rows), valid=valid, created=0, dry_run=dry_run, errors=errors)
    if dry_run or errors or not rows:
        return result
    try:
        result.carers = _create_all(
            rows,
            actor=actor,
            filename=filename,
            progress=lambda done: report(checking_share + (1 - checking_share) * done / len(rows)),
        )
    except _Rollback as rollback:
        result.errors = rollback.errors
        result.valid = len(rows) - len({e.row for e in rollback.errors})
        return result
    result.created = len(result.carers)
    return result


def _create_all(
    rows: list[_Row], *, actor, filename: str, progress: Callable[[int], None] | None = None
) -> list[ImportedCarer]:
    """Every row through carer_create, all or nothing. The reference sequences of the provinces
    concerned are locked first (in code order, as carer_create would lock them one by one), so
    families registered meanwhile in those provinces are seen by the duplicate re-check."""
    provinces = sorted({row.data["commune"].province_id for row in rows})
    with transaction.atomic():
        for code in provinces:
            ReferenceSequence.objects.get_or_create(prefix="FC", province_id=code)
        list(
            ReferenceSequence.objects.select_for_update().filter(prefix="FC", province_id__in=provinces).order_by("pk")
        )
        for row in rows:
            row.errors = []
        _check_duplicates_in_register(rows, actor=actor)
        errors = [e for row in rows for e in row.errors]
        if errors:
            raise _Rollback(errors)
        created = []
        for row in rows:
            try:
                carer = carer_create(actor=actor, data=row.data)
            except ValidationError as exc:
                raise _Rollback(_django_errors(row.number, exc)) from exc
            except DomainError as exc:
                raise _Rollback([RowError(row.number, "", str(exc.detail))]) from exc
            created.append(ImportedCarer(row.number, carer))
            if progress:
                progress(len(created))
        AuditEntry.objects.create(
            actor=actor if getattr(actor, "pk", None) else None,
            actor_username=getattr(actor, "username", "") or "system",
            action=AuditEntry.Action.CREATE,
            model="register.CarerImport",
            object_id="",
            object_repr=_("Import of %(count)d families") % {"count": len(created)},
            province=provinces[0] if len(provinces) == 1 else "",
            changes={"rows": [None, len(rows)], "created": [None, len(created)], "filename": [None, filename]},
        )
    return created


# --- Reading the file ---------------------------------------------------------------------------


@dataclass
class Table:
    header_number: int
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number, cell texts), blank rows left out


def read_table(*, file: BinaryIO, filename: str) -> Table:
    """The header and the non-blank rows of a CSV or XLSX file, every cell as stripped text."""
    data = file.read(MAX_BYTES + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(size)d MB: split it into smaller files.") % {"size": MAX_BYTES // 2**20}
        )
    if not data:
        raise ImportFileError(_("The file is empty."))
    extension = os.path.splitext(filename or "")[1].lower()
    if extension == ".xlsx" or (not extension and data.startswith(b"PK\x03\x04")):
        lines = _xlsx_rows(data)
    elif extension in (".csv", ""):
        lines = _csv_rows(data)
    elif extension == ".xls":
        raise ImportFileError(
            _("Files in the old Excel format (.xls) cannot be read: save the file as .xlsx or as CSV UTF-8.")
        )
    else:
        raise ImportFileError(
            _("A %(extension)s file cannot be imported: upload a CSV (.csv) or Excel (.xlsx) file.")
            % {"extension": extension}
        )
    header_number, header, rows = 0, [], []
    for number, cells in lines:
        if not any(cells):
            continue
        if not header_number:
            header_number, header = number, cells
            continue
        rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(max)d families: split it into smaller files.") % {"max": MAX_ROWS}
            )
    if not header_number:
        raise ImportFileError(_("The file has no rows: its first row must name the columns (see the template)."))
    known = {_column_key(name) for name in header} & set(COLUMNS)
    if not known:
        raise ImportFileError(
            _("The file has no header row: its first row must name the columns (%(columns)s); download the template.")
            % {"columns": ", ".join(COLUMNS)}
        )
    return Table(header_number, header, rows)


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    if b"\x00" in data:
        raise ImportFileError(_("The file is not a CSV file (it holds binary data): upload a .csv or .xlsx file."))
    try:
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte order mark
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is not a UTF-8 CSV file. In Excel, save it as “CSV UTF-8”, or upload the .xlsx file itself.")
        ) from None
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _csv_records(reader)


def _csv_records(reader) -> Iterator[tuple[int, list[str]]]:
    # A generator: read_table stops reading once it has seen too many rows.
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, [c.strip() for c in cells[:MAX_COLUMNS]]
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV file cannot be read near line %(line)d: %(error)s.") % {"line": reader.line_num, "error": exc}
        ) from None


def _sniff_delimiter(text: str) -> str:
    """Comma, semicolon (Excel in many locales) or tab: whichever the header line has most of."""
    first = next((line for line in io.StringIO(text) if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    unreadable = _("The file is not a readable Excel workbook (.xlsx): open it in Excel and save it again.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it ignores
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ImportFileError(unreadable) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(unreadable)
        sheet = workbook.worksheets[0]
        rows = []
        blank = 0  # blank rows in a row
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            cells = [_cell_text(v) for v in values]
            while cells and not cells[-1]:  # rows come padded to max_col
                cells.pop()
            if not cells:
                blank += 1
                if blank > 100_000:  # a sheet formatted down to its last row holds nothing more
                    break
                continue
            blank = 0
            rows.append((number, cells))
            if len(rows) > MAX_ROWS + 1:  # the header and one row too many: read_table says so
                break
        return iter(rows)
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(unreadable) from None
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as text: dates as YYYY-MM-DD, whole numbers without `.0`."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, decimal.Decimal) and value == value.to_integral_value():
        return str(int(value))
    return str(value).strip()


# --- Header and rows ----------------------------------------------------------------------------


def _column_key(name: str) -> str:
    """A header cell as a column name: `Household name`, `HOUSEHOLD_NAME` -> household_name."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _read_header(number: int, header: list[str]) -> tuple[list[RowError], dict[int, str], set[str]]:
    """Errors of the header row, {cell index: column}, and the required columns missing."""
    errors: list[RowError] = []
    columns: dict[int, str] = {}
    for index, name in enumerate(header):
        if not name:
            continue
        key = _column_key(name)
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


def _cells(columns: dict[int, str], values: list[str]) -> dict[str, str]:
    return {column: values[index] if index < len(values) else "" for index, column in columns.items()}


def _stray_values(number: int, named: set[int], values: list[str]) -> list[RowError]:
    """Values in a column whose header cell is empty: reported once per row. (Values under an
    unknown header are ignored: the header row's error already names that column.)"""
    if any(value and index not in named for index, value in enumerate(values)):
        return [RowError(number, "", _("This row has values in a column without a header."))]
    return []


def row_input(cells: Mapping[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """A row's cells in the shape of CarerInputSerializer's input, and the errors found on the way
    ((column, message)). Empty cells are left out, so that the serializer says which are required."""
    data: dict[str, Any] = {}
    primary: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
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
        if column in PRIMARY_CARER_COLUMNS:
            primary[column] = value
        elif column not in ("lat", "lon"):
            data[column] = value
    data["primary_carer"] = primary
    lat, lon = cells.get("lat", "").translate(KHMER_DIGITS), cells.get("lon", "").translate(KHMER_DIGITS)
    if lat and lon:
        data["location"] = {"lat": lat, "lon": lon}
    elif lat or lon:
        errors.append(("lon" if lat else "lat", _("Give both lat and lon, or leave both empty.")))
    return data, errors


def _phone_text(value: str) -> str:
    # A number typed into a spreadsheet loses its `+`: 85512345678 is +85512345678.
    digits = re.sub(r"[\s\-.()]", "", value)
    if digits.isdigit() and digits.startswith("855") and len(digits) >= 11:
        return "+" + digits
    return value


def row_serializer(context: Mapping[str, Any] | None = None):
    """The carers API's own input serializer, so that a family is valid in a file exactly when it
    would be valid posted alone; one instance checks every row (`run_validation`), and it looks up
    each commune and village code once per file. Imported here: the API module imports services."""
    from register.api.carers import CarerInputSerializer

    class ImportRowSerializer(CarerInputSerializer):
        commune = _MemoCommuneField()
        village = _MemoVillageField(required=False, allow_null=True)

    return ImportRowSerializer(context=_serializer_context(context))


class _Memo:
    """A code field that remembers the codes it has found (per serializer instance)."""

    def to_internal_value(self, data):
        memo = self.__dict__.setdefault("_memo", {})
        if isinstance(data, str) and data in memo:
            return memo[data]
        value = super().to_internal_value(data)
        if isinstance(data, str):
            memo[data] = value
        return value


class _MemoCommuneField(_Memo, CommuneField):
    pass


class _MemoVillageField(_Memo, VillageField):
    pass


def _validate_row(row: _Row, *, actor, serializer, skip: Iterable[str] = ()) -> None:
    from rest_framework.exceptions import ValidationError as InvalidValue
    from rest_framework.serializers import as_serializer_error

    from register.api.carers import PhoneField

    data, errors = row_input(row.cells)
    row.errors.extend(RowError(row.number, f, m) for f, m in errors)
    try:
        validated = serializer.run_validation(data)
    except InvalidValue as exc:
        skip = set(skip)
        row.errors.extend(e for e in _serializer_errors(row.number, as_serializer_error(exc)) if e.field not in skip)
        validated = None
    if validated is not None:
        commune = validated["commune"]
        if not user_may_act_in(actor, commune.province_id):
            row.errors.append(RowError(row.number, "commune", _outside_provinces(commune.code)))
        if not row.errors:
            row.data = dict(validated)
        row.phone = validated["phone"]
    elif "phone" in data:
        try:
            row.phone = PhoneField().run_validation(data["phone"])
        except InvalidValue:  # an unreadable phone is already reported on `phone`
            row.phone = None
    row.national_id = row.cells.get("national_id", "").translate(KHMER_DIGITS).strip()


def _serializer_context(context: Mapping[str, Any] | None) -> dict[str, Any]:
    context = dict(context or {})
    context.setdefault("import", True)
    return context


def _outside_provinces(code: str) -> str:
    return _("Commune %(code)s is outside your provinces: you cannot register or move a family there.") % {"code": code}


def _serializer_errors(number: int, errors: Mapping[str, Any]) -> list[RowError]:
    """CarerInputSerializer's nested errors as (row, column, message), in the template's order."""
    flat: list[RowError] = []
    for key, value in errors.items():
        if key == "primary_carer" and isinstance(value, Mapping):
            flat.extend(_serializer_errors(number, value))
        elif key == "location":
            if isinstance(value, Mapping):
                flat.extend(_serializer_errors(number, value))
            else:
                flat.extend(RowError(number, "lat", _message("lat", d)) for d in _details(value))
        else:
            column = "" if key in ("non_field_errors", "__all__") else key
            flat.extend(RowError(number, column, _message(column, d)) for d in _details(value))
    order = {c: i for i, c in enumerate(COLUMNS)}
    return sorted(flat, key=lambda e: order.get(e.field, len(order)))


def _details(value: Any) -> Iterator[Any]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _details(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _details(item)
    else:
        yield value


def _message(column: str, detail: Any) -> str:
    code = getattr(detail, "code", None)
    if code == "required":
        return _("This column is required: give a value.")
    if code == "invalid_choice" and column in ENUM_CHOICES:
        allowed = _("Allowed: %(values)s.") % {"values": ", ".join(ENUM_CHOICES[column])}
        return f"{detail} {allowed}"
    return str(detail)


def _django_errors(number: int, exc: ValidationError) -> list[RowError]:
    if hasattr(exc, "error_dict"):
        return [
            RowError(number, "" if key == "__all__" else key, str(message))
            for key, messages in exc.message_dict.items()
            for message in messages
        ]
    return [RowError(number, "", str(m)) for m in exc.messages]


# --- Duplicates ---------------------------------------------------------------------------------


def _check_duplicates_in_file(rows: list[_Row]) -> None:
    """The same phone (E.164) or national ID on two rows: an error on the later row."""
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        for column, value in (("phone", row.phone), ("national_id", row.national_id)):
            if not value:
                continue
            first = seen.setdefault((column, value), row.number)
            if first != row.number:
                _add(row, column, _("The same %(column)s as row %(row)d.") % {"column": column, "row": first})


def _check_duplicates_in_register(rows: list[_Row], *, actor) -> None:
    """A family already on the register (any province, any status) with the row's phone or
    national ID. Its reference is named only to those who may see it."""
    phones = {row.phone for row in rows if row.phone}
    ids = {row.national_id for row in rows if row.national_id}
    found: dict[tuple[str, str], tuple[str, str]] = {}
    for column, values in (("phone", phones), ("national_id", ids)):
        values = sorted(values)
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            matches = (
                Carer.objects.filter(Q(**{f"{column}__in": chunk}))
                .order_by("reference")
                .values_list(column, "reference", "province_id")
            )
            for value, reference, province in matches:
                found.setdefault((column, value), (reference, province))
    if not found:
        return
    for row in rows:
        for column, value in (("phone", row.phone), ("national_id", row.national_id)):
            if value and (column, value) in found:
                reference, province = found[(column, value)]
                if user_may_act_in(actor, province):
                    message = _("Already registered as %(reference)s.") % {"reference": reference}
                else:
                    message = _("Already registered in another province.")
                _add(row, column, message)


def _add(row: _Row, column: str, message: str) -> None:
    row.errors.append(RowError(row.number, column, message))
    row.errors.sort(key=lambda e: {c: i for i, c in enumerate(COLUMNS)}.get(e.field, len(COLUMNS)))


# --- The template -------------------------------------------------------------------------------


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
    }.get(column, "")
