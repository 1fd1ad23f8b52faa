"""Choice lists: values that must each be one of an enumeration of register/choices.py (languages,
needs, care types...). Stored as JSON lists; duplicates are dropped, order kept."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy as _

from register.inputs.limits import CHOICE_LIST_BOUNDS, max_items

LIST_EXPECTED = _('Expected a list of values, for example ["km"].')


def unique_in_order(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


class ChoiceListFormField(forms.MultipleChoiceField):
    """A form field for a choice list: each value one of `choices`, duplicates dropped. A single
    text value is refused (it is not a list), as the API refuses it."""

    default_error_messages = {"invalid_list": LIST_EXPECTED}

    def __init__(self, *, name: str = "values", **kwargs):
        super().__init__(**kwargs)
        # Checked before any value is: a 10,000-item list is refused with one message, not item by
        # item. A value typed twice is dropped, not refused, so the list as sent may hold each value
        # twice; once duplicates are dropped, the bound itself.
        bound = CHOICE_LIST_BOUNDS.get(name, len(self.choices))
        self.too_many = max_items(name, bound)
        self.too_many_sent = max_items(name, bound, sent=2 * bound)

    def to_python(self, value):
        if isinstance(value, str) and value:
            raise forms.ValidationError(self.error_messages["invalid_list"], code="invalid_list")
        if isinstance(value, list | tuple):
            self.too_many_sent(value)
            value = unique_in_order(str(v) for v in value)
            self.too_many(value)
        return unique_in_order(super().to_python(value))
