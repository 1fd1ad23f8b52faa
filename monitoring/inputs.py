"""What a request for indicators may ask: a period of months and a province. One form for the API
and the pages, so both refuse the same things with the same words (400 naming the field)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from monitoring.indicators import MAX_MONTHS, Month, month_add, month_of, month_parse, month_text

DEFAULT_MONTHS = 12


class MonthField(forms.CharField):
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, for example 2026-11.")}

    def to_python(self, value) -> Month | None:
        value = super().to_python(value)
        if not value:
            return None
        month = month_parse(value)
        if month is None or not (2000, 1) <= month <= (2100, 12):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month


class PeriodForm(forms.Form):
    """`from` and `to` (YYYY-MM; default: the 12 months to this one), `province` (a code)."""

    from_ = MonthField(required=False)
    to = MonthField(required=False)
    province = forms.CharField(required=False, max_length=2)

    def __init__(self, data=None, **kwargs):
        data = dict(data.items()) if data is not None else {}
        if "from" in data:
            data["from_"] = data.pop("from")
        super().__init__(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        last = cleaned.get("to") or month_of(timezone.localdate())
        first = cleaned.get("from_") or month_add(last, -(DEFAULT_MONTHS - 1))
        if first > last:
            self.add_error("from_", _("The first month comes after the last."))
        elif month_add(first, MAX_MONTHS - 1) < last:
            self.add_error("to", _("At most %(n)d months at once.") % {"n": MAX_MONTHS})
        cleaned["first"], cleaned["last"] = first, last
        cleaned["province"] = cleaned.get("province") or None
        return cleaned

    def errors_by_parameter(self) -> dict[str, list[str]]:
        """The errors keyed by the query parameter's name (`from`, not the form's `from_`)."""
        return {("from" if k == "from_" else k): [str(m) for m in v] for k, v in self.errors.items()}

    @staticmethod
    def text(month: Month) -> str:
        return month_text(month)
