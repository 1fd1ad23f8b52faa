"""Spreadsheets the register writes (CSV and XLSX exports): every cell goes through `safe_cell`.

A cell whose text starts with =, +, -, @, a tab or a carriage return is read by Excel and LibreOffice
as a formula: a family named "=HYPERLINK(...)" would become a link that sends the sheet's data away
when a supervisor clicks it (CSV injection). As OWASP recommends, such a cell is written with a
single quote first, which the spreadsheet shows as text. Numbers are left as they are (-3 days late
is a number, not a formula)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(row: Mapping[str, Any] | Sequence[Any]):
    if isinstance(row, Mapping):
        return {key: safe_cell(value) for key, value in row.items()}
    return [safe_cell(value) for value in row]


def csv_bytes(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """A CSV file of `rows` (dicts keyed by `columns`), every cell made safe, UTF-8 with a byte-order
    mark first, so that Excel reads Khmer text as UTF-8."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(safe_row(row))
    return out.getvalue().encode("utf-8-sig")
