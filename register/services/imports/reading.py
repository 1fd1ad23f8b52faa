"""Reading an import file: a CSV or XLSX file as a header and rows of stripped text, within limits
(size, rows, columns). Nothing here knows what a family is, beyond the column names that tell a
header row from a first family.

The type is checked by content as well as by name: an XLSX must be a zip archive with the parts of
an Excel workbook, a CSV must be UTF-8 text. A workbook is a compressed archive, so its 5 MB say
little about what it unpacks to: before openpyxl sees it, every part is unpacked once, streamed and
counted (never trusting the sizes its headers declare), and its XML scanned for what openpyxl would
hold in memory: cells longer than Excel allows, rows of more cells, tables of too many strings.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import os
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO
from xml.parsers import expat

import openpyxl
from django.utils.translation import gettext as _

from register.services.imports.rows import COLUMNS, column_key

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_COLUMNS = 200  # columns read from a sheet; a family has 23, so this only bounds a bad file
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_BLANK_ROWS = 100_000  # blank rows in a row: a sheet formatted down to its last row holds nothing more
MAX_LINE_CHARS = 100_000  # one CSV record (a line, or several inside quotes); a family's is a few hundred

# What a workbook may unpack to. A sheet of 5,000 families is about 6 MB of XML, 15 to 25 times its
# packed size; a bomb packs a thousand to one.
MAX_PARTS = 500  # files in the archive; Excel writes about a dozen
MAX_PART_BYTES = 32 * 2**20  # one part unpacked
MAX_UNPACKED_BYTES = 64 * 2**20  # all of them
MAX_RATIO = 100  # unpacked over packed, for a part of more than RATIO_FROM bytes
RATIO_FROM = 2**20
MAX_ROW_CELLS = 16_384  # cells in one row: Excel's number of columns
MAX_SHARED_STRINGS = 250_000  # openpyxl keeps them all; 5,000 families have at most 115,000
MAX_ELEMENTS = 200_000  # rows and other elements of one part; 5,000 families, Excel's 64,000 styles
MAX_UNIT_ELEMENTS = 4 * MAX_ROW_CELLS  # elements of one row or shared string
MAX_TAG_BYTES = 256 * 1024  # bytes without a ">": beyond a cell of Excel's longest text, a tag that never ends
CHUNK = 64 * 1024

ZIP_MAGIC = b"PK\x03\x04"
ZIP_DIRECTORY_ENTRY = b"PK\x01\x02"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old .xls container
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
SPREADSHEET_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
WORKBOOK_PARTS = ("[Content_Types].xml", "xl/workbook.xml")


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
    ImportFileError beyond `max_bytes` or `max_rows` families, or beyond the limits above."""
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
    if extension == ".xls" or data.startswith(OLE2_MAGIC):
        raise ImportFileError(
            _("Files in the old Excel format (.xls) cannot be read: save the file as .xlsx or as CSV UTF-8.")
        )
    if extension not in (".xlsx", ".csv", ""):
        raise ImportFileError(
            _("A %(extension)s file cannot be imported: upload a CSV (.csv) or Excel (.xlsx) file.")
            % {"extension": extension}
        )
    # The name says which type is meant; the content must be of that type.
    if data.startswith(ZIP_MAGIC):
        if extension == ".csv":
            raise ImportFileError(
                _("The file is named .csv but is an Excel workbook: name it .xlsx, or save it as “CSV UTF-8”.")
            )
        lines = _xlsx_rows(data, max_rows=max_rows)
    elif extension == ".xlsx":
        raise ImportFileError(_xlsx_unreadable())
    else:
        lines = _csv_rows(data)
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


# --- Limits shared by both types ----------------------------------------------------------------


def _cell_too_long(row: int) -> ImportFileError:
    if not row:  # a text of the workbook's shared table, used by no row yet
        return ImportFileError(
            _("A cell holds more than %(max)d characters, more than Excel itself allows: it cannot be imported.")
            % {"max": MAX_CELL_CHARS}
        )
    return ImportFileError(
        _("Row %(row)d has a cell of more than %(max)d characters, more than Excel allows: it cannot be imported.")
        % {"row": row, "max": MAX_CELL_CHARS}
    )


def _beyond_columns(row: int) -> ImportFileError:
    return ImportFileError(
        _("Row %(row)d has a value beyond column %(max)d: keep only the template's columns (%(count)d).")
        % {"row": row, "max": MAX_COLUMNS, "count": len(COLUMNS)}
    )


def _row_cells(number: int, cells: list[str]) -> list[str]:
    """A row's first MAX_COLUMNS cells; a value further right is refused rather than dropped unseen."""
    if len(cells) > MAX_COLUMNS and any(c.strip() for c in cells[MAX_COLUMNS:]):
        raise _beyond_columns(number)
    return [c.strip() for c in cells[:MAX_COLUMNS]]


# --- CSV ----------------------------------------------------------------------------------------


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    if data.startswith(UTF16_BOMS):  # Excel's "Unicode text"
        raise ImportFileError(_csv_not_utf8())
    if b"\x00" in data:
        raise ImportFileError(_("The file is not a CSV file (it holds binary data): upload a .csv or .xlsx file."))
    try:
        # At most one character a byte: the bound on the bytes bounds the decoded text.
        text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte order mark
    except UnicodeDecodeError:
        raise ImportFileError(_csv_not_utf8()) from None
    delimiter = _sniff_delimiter(text)
    lines = _BoundedLines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    return _csv_records(reader, lines)


def _csv_not_utf8() -> str:
    return _("The file is not a UTF-8 CSV file. In Excel, save it as “CSV UTF-8”, or upload the .xlsx file itself.")


class _BoundedLines:
    """The text's lines for csv.reader, a record (one line, or several inside quotes) longer than
    MAX_LINE_CHARS refused before the reader splits it into cells."""

    def __init__(self, text: str):
        self._lines = io.StringIO(text, newline="")
        self.number = 0
        self.record = 0  # characters of the record being read; _csv_records resets it

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.number += 1
        self.record += len(line)
        if self.record > MAX_LINE_CHARS:
            raise ImportFileError(
                _("Line %(line)d of the file is longer than %(max)d characters: it is not a row of a family.")
                % {"line": self.number, "max": MAX_LINE_CHARS}
            )
        return line


def _csv_records(reader, lines: _BoundedLines) -> Iterator[tuple[int, list[str]]]:
    # A generator: read_table stops reading once it has seen too many rows.
    blank = 0  # blank records in a row: as in a sheet, so many of them end the file
    try:
        for number, cells in enumerate(reader, start=1):
            lines.record = 0
            if any(len(c) > MAX_CELL_CHARS for c in cells):
                raise _cell_too_long(number)
            cells = _row_cells(number, cells)
            blank = 0 if any(cells) else blank + 1
            if blank > MAX_BLANK_ROWS:
                return
            yield number, cells
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV file cannot be read near line %(line)d: %(error)s.") % {"line": reader.line_num, "error": exc}
        ) from None


def _sniff_delimiter(text: str) -> str:
    """Comma, semicolon (Excel in many locales) or tab: whichever the header line has most of."""
    first = ""
    for line in io.StringIO(text[: MAX_LINE_CHARS + 1]):  # the header is within a record's length
        if line.strip():
            first = line
            break
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


# --- XLSX ---------------------------------------------------------------------------------------


def _xlsx_unreadable() -> str:
    return _("The file is not a readable Excel workbook (.xlsx): open it in Excel and save it again.")


def _xlsx_too_big() -> ImportFileError:
    return ImportFileError(
        _(
            "The workbook unpacks to far more than a spreadsheet of families (over %(size)d MB, or %(ratio)d times "
            "its size): it cannot be imported. Copy the families into a new workbook, or save them as “CSV UTF-8”."
        )
        % {"size": MAX_UNPACKED_BYTES // 2**20, "ratio": MAX_RATIO}
    )


def _xlsx_too_many() -> ImportFileError:
    return ImportFileError(
        _(
            "The workbook holds far more than a spreadsheet of families (over %(rows)d rows or other entries, a row "
            "of over %(cells)d cells, or over %(strings)d different texts): it cannot be imported. Copy the families "
            "into a new workbook, or save them as “CSV UTF-8”."
        )
        % {"rows": MAX_ELEMENTS, "cells": MAX_ROW_CELLS, "strings": MAX_SHARED_STRINGS}
    )


def _xlsx_rows(data: bytes, *, max_rows: int) -> Iterator[tuple[int, list[str]]]:
    wide_rows = _check_workbook(data)
    unreadable = _xlsx_unreadable()
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
        # openpyxl's own name of the sheet's part (the rest of the workbook is not read)
        wide = wide_rows.get(str(getattr(sheet, "_worksheet_path", "")).lstrip("/"), 0)
        if wide:
            raise _beyond_columns(wide)
        rows = []
        blank = 0  # blank rows in a row
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            cells = [_cell_text(v) for v in values]
            while cells and not cells[-1]:  # rows come padded to max_col
                cells.pop()
            if not cells:
                blank += 1
                if blank > MAX_BLANK_ROWS:
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


def _check_workbook(data: bytes) -> dict[str, int]:
    """Refuse a workbook that is not one, or that would unpack (or be parsed) into more than the
    limits allow, before openpyxl opens it. Returns, for each part with one, the first row holding a
    value beyond column MAX_COLUMNS."""
    # zipfile makes an object for each entry of the archive's directory, each entry starting with
    # this signature: counting it bounds them before zipfile reads any.
    if data.count(ZIP_DIRECTORY_ENTRY) > MAX_PARTS:
        raise ImportFileError(_xlsx_unreadable())
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # whatever zipfile makes of a broken archive
        raise ImportFileError(_xlsx_unreadable()) from None
    with archive:
        parts = archive.infolist()
        names = {part.filename for part in parts}
        if not all(name in names for name in WORKBOOK_PARTS):
            raise ImportFileError(
                _(
                    "The file is a zip archive but not an Excel workbook (.xlsx): open it in Excel and save it as "
                    ".xlsx, or as “CSV UTF-8”."
                )
            )
        declared = 0
        for part in parts:
            # Workbooks are stored or deflated; other methods (bzip2, lzma) unpack unboundedly per read.
            if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or part.flag_bits & 0x1:
                raise ImportFileError(_xlsx_unreadable())
            declared += part.file_size
            if part.file_size > MAX_PART_BYTES or declared > MAX_UNPACKED_BYTES or _too_packed(part.file_size, part):
                raise _xlsx_too_big()
        wide_rows, unpacked = {}, 0
        for part in parts:
            try:
                size, wide = _scan_part(archive, part, room=MAX_UNPACKED_BYTES - unpacked)
            except ImportFileError:
                raise
            except Exception:
                # A broken part, or XML; a size that lies ends in a CRC error (zipfile stops at the declared size).
                raise ImportFileError(_xlsx_unreadable()) from None
            unpacked += size
            if wide:
                wide_rows[part.filename] = wide
    return wide_rows


def _too_packed(size: int, part: zipfile.ZipInfo) -> bool:
    return size > RATIO_FROM and size > MAX_RATIO * max(part.compress_size, 1)


def _scan_part(archive: zipfile.ZipFile, part: zipfile.ZipInfo, *, room: int) -> tuple[int, int]:
    """Unpack one part in chunks, counting what comes out (whatever its header declared), and feed
    it to a scan of its XML. Returns its size and the scan's wide row."""
    scan = _CellScan()
    parser, size, since_tag_end = scan.parser(), 0, 0
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > MAX_PART_BYTES or size > room or _too_packed(size, part):
                raise _xlsx_too_big()
            if parser is None:
                continue
            # A run of bytes without ">" that long: expat would hold a whole tag, comment or attribute.
            first = chunk.find(b">")
            if since_tag_end + (len(chunk) if first == -1 else first) > MAX_TAG_BYTES:
                raise ImportFileError(_xlsx_unreadable())
            since_tag_end = since_tag_end + len(chunk) if first == -1 else len(chunk) - chunk.rfind(b">") - 1
            parser = _parse(parser, chunk)
        if parser is not None:
            _parse(parser, b"", final=True)
    return size, scan.wide_row


def _parse(parser, chunk: bytes, *, final: bool = False):
    """The parser, or None once the part proves not to be XML (an image): openpyxl, whose parser is
    expat too, could read no further into it than this scan has."""
    try:
        parser.Parse(chunk, final)
    except expat.ExpatError:
        return None
    return parser


class _CellScan:
    """Streams a part's XML, holding no more than counts: refuses a DTD (no workbook has one; it
    is how entities expand), a cell or shared string longer than MAX_CELL_CHARS, a row of more than
    MAX_ROW_CELLS cells, more than MAX_SHARED_STRINGS strings, more than MAX_ELEMENTS rows and other
    elements (openpyxl keeps a trace of each, or builds objects of them: styles, merged cells...),
    more than MAX_UNIT_ELEMENTS in one row or string (openpyxl holds a row whole); notes the first
    row with a value beyond column MAX_COLUMNS."""

    def __init__(self):
        self.elements = 0  # outside rows and shared strings
        self.unit_depth = 0  # inside a row or a shared string: how deep
        self.unit_elements = 0
        self.row = 0
        self.row_cells = 0
        self.column = 0
        self.strings = 0
        self.in_unit = False  # inside a cell or a shared string, whose texts add up
        self.in_text = 0  # inside a <v> or <t>
        self.chars = 0
        self.wide_row = 0

    def parser(self):
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True  # a long text comes in pieces of buffer_size, never whole
        parser.StartDoctypeDeclHandler = self.doctype
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text
        return parser

    def doctype(self, *args):
        raise ImportFileError(_xlsx_unreadable())

    def start(self, name: str, attrs: dict) -> None:
        namespace, _sep, local = name.rpartition(" ")
        ours = namespace in SPREADSHEET_NAMESPACES
        if self.unit_depth:
            self.unit_depth += 1
            self.unit_elements += 1
            if self.unit_elements > MAX_UNIT_ELEMENTS:
                raise _xlsx_too_many()
        elif ours and local in ("row", "si"):
            self.unit_depth, self.unit_elements = 1, 0
        else:
            self.elements += 1
        if local == "row" and ours:  # rows are elements too: openpyxl keeps each one's husk
            self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise _xlsx_too_many()
        if not ours:
            return
        if local == "row":
            self.row = _number(attrs.get("r")) or self.row + 1
            self.row_cells = self.column = 0
        elif local == "c":
            self.row_cells += 1
            if self.row_cells > MAX_ROW_CELLS:
                raise _xlsx_too_many()
            self.column = _column_number(attrs.get("r")) or self.column + 1
            self.in_unit, self.chars = True, 0
        elif local == "si":
            self.strings += 1
            if self.strings > MAX_SHARED_STRINGS:
                raise _xlsx_too_many()
            self.in_unit, self.chars = True, 0
        elif local in ("v", "t"):
            self.in_text += 1
            if not self.in_unit:  # a text elsewhere (a comment's): on its own
                self.chars = 0

    def end(self, name: str) -> None:
        if self.unit_depth:
            self.unit_depth -= 1
        namespace, _sep, local = name.rpartition(" ")
        if namespace not in SPREADSHEET_NAMESPACES:
            return
        if local in ("v", "t"):
            self.in_text -= 1
        elif local in ("c", "si"):
            self.in_unit = False

    def text(self, data: str) -> None:
        if not self.in_text:
            return
        self.chars += len(data)
        if self.chars > MAX_CELL_CHARS:
            raise _cell_too_long(self.row)
        if self.column > MAX_COLUMNS and not self.wide_row and self.in_unit and data.strip():
            self.wide_row = self.row


def _number(text: str | None) -> int:
    return int(text) if text and text.isdigit() and len(text) <= 7 else 0


def _column_number(reference: str | None) -> int:
    """The column of a cell reference (`AB12` is 28); 0 if it has none."""
    letters = ""
    for char in reference or "":
        if not ("A" <= char <= "Z"):
            break
        letters += char
        if len(letters) > 3:  # beyond XFD, Excel's last column
            return MAX_ROW_CELLS + 1
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - ord("A") + 1
    return number


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
