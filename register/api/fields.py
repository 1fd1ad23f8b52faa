"""Serializer fields the register's API shares. Each wraps a rule of register.inputs (the home of
the field rules the pages, the import and the admin call too) and turns its Django
ValidationError into the API's."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from register.inputs.choices import LIST_EXPECTED, unique_in_order
from register.inputs.limits import CHOICE_LIST_BOUNDS, too_many_message
from register.inputs.phones import PHONE_MAX_LENGTH, PHONE_MESSAGE, phone_e164
from register.inputs.places import (
    INVALID_COMMUNE,
    INVALID_VILLAGE,
    UNKNOWN_COMMUNE,
    UNKNOWN_VILLAGE,
    commune_by_code,
    village_by_code,
)
from register.models import Commune, Village

REASON_MAX_LENGTH = 2000


def reason_field(help_text=None) -> serializers.CharField:
    """An optional free-text reason (for a status change, an override, separating siblings): blank
    when not given."""
    return serializers.CharField(
        required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH, help_text=help_text
    )


def _as_api_error(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.messages, code=getattr(exc, "code", None))


class BoundedListField(serializers.ListField):
    """A list of at most `max_length` items, `name` naming it in register.inputs.limits' message.
    The length is checked before any item is (DRF checks it after every item): a 10,000-item list
    is one message, not 10,000."""

    def __init__(self, *, max_length: int, name: str | None = None, **kwargs):
        if name is not None:
            kwargs.setdefault("error_messages", {})["max_length"] = too_many_message(name, max_length)
        super().__init__(max_length=max_length, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, list | tuple) and len(data) > self.max_length:
            raise serializers.ValidationError(self.error_messages["max_length"], code="max_length")
        return super().to_internal_value(data)


def bounded_many(serializer_class, *, name: str, max_length: int, **kwargs):
    """`serializer_class(many=True)` holding at most `max_length` items (DRF's list serializer checks
    the length before the items), with register.inputs.limits' message naming the list."""
    message = too_many_message(name, max_length)
    return serializer_class(many=True, max_length=max_length, error_messages={"max_length": message}, **kwargs)


class ChoiceListField(BoundedListField):
    """A list of enumeration values (languages, needs, care types...): each must be one of
    `choices`; duplicates are dropped, order kept. Stored as a JSON list. At most as many values as
    there are choices (register.inputs.limits); `name` is the field's, for the message."""

    def __init__(self, choices, *, name: str | None = None, **kwargs):
        kwargs.setdefault("child", serializers.ChoiceField(choices=choices))
        kwargs.setdefault("max_length", CHOICE_LIST_BOUNDS.get(name, len(choices)))
        super().__init__(name=name, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            raise serializers.ValidationError(LIST_EXPECTED)
        # DRF's own list check keys each wrong value's error by its position.
        return unique_in_order(super().to_internal_value(data))


class PhoneField(serializers.CharField):
    """A Cambodian phone number, typed as people write it (012 345 678, +855 12 345 678), stored in
    E.164 (+85512345678): register.inputs.phones."""

    default_error_messages = {"invalid_phone": PHONE_MESSAGE}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", PHONE_MAX_LENGTH)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            return phone_e164(text)
        except DjangoValidationError:
            self.fail("invalid_phone")


class _CodeField(serializers.SlugRelatedField):
    # A SlugRelatedField for the schema (a string); the look-up and its messages are register.inputs'.
    lookup = staticmethod(commune_by_code)

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data):
        try:
            return self.lookup(data)
        except DjangoValidationError as exc:
            raise _as_api_error(exc) from None


class CommuneField(_CodeField):
    """A commune by its six-digit NCDD code."""

    default_error_messages = {"does_not_exist": UNKNOWN_COMMUNE, "invalid": INVALID_COMMUNE}
    lookup = staticmethod(commune_by_code)

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Commune.objects.select_related("district", "province"))
        super().__init__(**kwargs)


class VillageField(_CodeField):
    """A village by its eight-digit NCDD code."""

    default_error_messages = {"does_not_exist": UNKNOWN_VILLAGE, "invalid": INVALID_VILLAGE}
    lookup = staticmethod(village_by_code)

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Village.objects.all())
        super().__init__(**kwargs)
