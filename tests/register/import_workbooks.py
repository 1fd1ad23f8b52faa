"""Hand-made workbooks for the import's limits: a minimal XLSX written part by part, so that a test
controls every byte of it (a sheet streamed in chunks, so that a bomb of 1,000 MB never sits in
memory; a table of shared strings; a size in the archive's headers that lies)."""

from __future__ import annotations

import io
import itertools
import struct
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from register.services.imports import COLUMNS

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"

CONTENT_TYPES = (
    f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{PACKAGE}/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    f'<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{SPREADSHEET}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SPREADSHEET}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SPREADSHEET}.sharedStrings+xml"/>'
    f"</Types>"
)
ROOT_RELS = (
    f'<Relationships xmlns="{PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<workbook xmlns="{MAIN}" xmlns:r="{OFFICE}">'
    f'<sheets><sheet name="Families" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<Relationships xmlns="{PACKAGE}/relationships">'
    f'<Relationship Id="rId1" Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{OFFICE}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEET = "xl/worksheets/sheet1.xml"
MB = 2**20


def row_xml(number: int, values: Iterable[str], first_column: int = 1) -> bytes:
    """A row of inline-string cells, as Excel names them (A2, B2...)."""
    cells = "".join(
        f'<c r="{get_column_letter(column)}{number}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'
        for column, value in enumerate(values, start=first_column)
        if value != ""
    )
    return f'<row r="{number}">{cells}</row>'.encode()


def header_xml() -> bytes:
    return row_xml(1, COLUMNS)


def write_workbook(
    target,
    sheet_data: Iterable[bytes],
    *,
    shared_strings: Iterable[bytes] = (),
    before_sheet: bytes = b"",
    extra_parts: Iterable[tuple[str, bytes]] = (),
) -> None:
    """An XLSX openpyxl reads: `sheet_data` (chunks, written as they come) inside the first sheet's
    <sheetData>, `shared_strings` (chunks of <si> elements) in its table of shared strings."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, chunks in (
            (SHEET, itertools.chain([before_sheet, f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()], sheet_data)),
            ("xl/sharedStrings.xml", itertools.chain([f'<sst xmlns="{MAIN}">'.encode()], shared_strings)),
        ):
            closing = b"</sheetData></worksheet>" if name == SHEET else b"</sst>"
            with archive.open(name, "w") as part:
                for chunk in chunks:
                    part.write(chunk)
                part.write(closing)
        for name, content in extra_parts:
            archive.writestr(name, content)


def workbook_bytes(sheet_data: Iterable[bytes], **kwargs) -> bytes:
    out = io.BytesIO()
    write_workbook(out, sheet_data, **kwargs)
    return out.getvalue()


def families_xml(rows: Iterable[dict]) -> list[bytes]:
    """The header and `rows` (dicts by column, as import_row makes them) as sheet data."""
    return [header_xml()] + [row_xml(number, [row.get(c, "") for c in COLUMNS]) for number, row in enumerate(rows, 2)]


def bomb_chunks(megabytes: int, letter: bytes = b"A") -> Iterable[bytes]:
    """The header, then one cell of `megabytes` MB of one letter: it packs about a thousand to one."""
    yield header_xml()
    yield b'<row r="2"><c r="A2" t="inlineStr"><is><t>'
    chunk = letter * MB
    for _ in range(megabytes):
        yield chunk
    yield b"</t></is></c></row>"


def declare_size(content: bytes, name: str, size: int) -> bytes:
    """The archive with `name`'s uncompressed size in both of its headers (the local one and the
    central directory's) replaced by `size`: a part that says it is small and is not."""
    data = bytearray(content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        local = archive.getinfo(name).header_offset
    struct.pack_into("<L", data, local + 22, size)
    position = data.find(b"PK\x01\x02")
    while position != -1:
        (name_length,) = struct.unpack_from("<H", data, position + 28)
        if bytes(data[position + 46 : position + 46 + name_length]) == name.encode():
            struct.pack_into("<L", data, position + 24, size)
        position = data.find(b"PK\x01\x02", position + 4)
    return bytes(data)
