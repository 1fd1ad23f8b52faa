"""Phone numbers: Cambodian, typed as people write them, stored in E.164 (+85512345678)."""

from __future__ import annotations

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHONE_MAX_LENGTH = 30
PHONE_MESSAGE = _("Enter a valid Cambodian phone number, for example +85512345678 or 012 345 678.")


def phone_e164(value: str) -> str:
    """`012 345 678`, `+855 12 345 678`... as +85512345678. Raises ValidationError (code
    `invalid_phone`) for anything that is not a valid Cambodian number."""
    text = str(value).strip()
    try:
        number = phonenumbers.parse(text, "KH")
    except phonenumbers.NumberParseException:
        raise ValidationError(PHONE_MESSAGE, code="invalid_phone", params={"value": text}) from None
    if number.country_code != 855 or not phonenumbers.is_valid_number(number):
        raise ValidationError(PHONE_MESSAGE, code="invalid_phone", params={"value": text})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PhoneNumberField(forms.CharField):
    """A form field whose cleaned value is the number in E.164."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", PHONE_MAX_LENGTH)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        return phone_e164(text) if text else text
