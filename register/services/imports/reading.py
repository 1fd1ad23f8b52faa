"""Reading an import file: a CSV or XLSX file as a header and rows of stripped text, within limits
(size, rows, columns). Nothing here knows what a family is, beyond the column names that tell a
header row from a first family."""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import openpyxl
from django.utils.translation import gettext as _

from register.services.imports.rows import COLUMNS, column_key

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 200  # columns read from a sheet; a family has 23, so this only bounds a bad file


class ImportFileError(Exception):
    """The file as a whole cannot be read (not CSV/XLSX, corrupt, empty, too big, no header).
    The API answers 400 naming `file`."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    header_number: int
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (row number, cell texts), blank rows left out


def read_table(*, file: BinaryIO, filename: str, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> Table:
    """The header and the non-blank rows of a CSV or XLSX file, every cell as stripped text;
    ImportFileError beyond `max_bytes` or `max_rows` families."""
    data = file.read(max_bytes + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise ImportFileError(
            _("The file is larger than %(size)d MB: split it into smaller files.") % {"size": max_bytes // 2**20}
        )
    if not data:
        raise ImportFileError(_("The file is empty."))
    extension = os.path.splitext(filename or "")[1].lower()
    if extension == ".xlsx" or (not extension and data.startswith(b"PK\x03\x04")):
        lines = _xlsx_rows(data, max_rows=max_rows)
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
        if len(rows) > max_rows:
            raise ImportFileError(
                _("The file has more than %(max)d families: split it into smaller files.") % {"max": max_rows}
            )
    if not header_number:
        raise ImportFileError(_("The file has no rows: its first row must name the columns (see the template)."))
    known = {column_key(name) for name in header} & set(COLUMNS)
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


def _xlsx_rows(data: bytes, *, max_rows: int) -> Iterator[tuple[int, list[str]]]:
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
            if len(rows) > max_rows + 1:  # the header and one row too many: read_table says so
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
