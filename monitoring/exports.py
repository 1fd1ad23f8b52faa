"""The indicators as a workbook people can read: a sheet per indicator (month, province, value and
what it was computed from) and a sheet of definitions, in the reader's language."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from monitoring.indicators import answers_text, month_text
from register.models import Province


def indicators_xlsx(computed) -> bytes:
    """`computed`: monitoring.selectors.indicators_compute's [(indicator, points)]."""
    names = {p.code: p.name for p in Province.objects.all()}
    book = Workbook()
    definitions = book.active
    definitions.title = _("Definitions")[:31]
    definitions.append([_("Sheet"), _("Indicator"), _("Definition"), _("Unit"), _("UNICEF/BCN indicator answered")])
    for indicator, points in computed:
        definitions.append(
            [
                indicator.code,
                str(indicator.label),
                str(indicator.definition),
                indicator.unit,
                answers_text(indicator) or "",
            ]
        )
        sheet = book.create_sheet(indicator.code[:31])
        sheet.append([str(indicator.label)])
        sheet["A1"].font = Font(bold=True)
        sheet.append([str(indicator.definition)])
        header = [_("Month"), _("Province code"), _("Province"), _("Value")]
        fraction = indicator.unit in ("rate", "ratio")
        median = indicator.unit in ("days", "km")
        if fraction:
            header += [_("Numerator"), _("Denominator")]
        if median:
            header += [_("Cases")]
        sheet.append([])
        sheet.append(header)
        for cell in sheet[4]:
            cell.font = Font(bold=True)
        for p in points:
            row = [
                month_text(p.month),
                p.province or "",
                names.get(p.province, "") if p.province else _("The whole country"),
                p.value,
            ]
            if fraction:
                row += [p.numerator, p.denominator]
            if median:
                row += [p.cases]
            sheet.append(row)
    for cell in definitions[1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
