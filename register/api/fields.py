"""Serializer fields the register's API shares."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from register.models import Commune, Village


class ChoiceListField(serializers.ListField):
    """A list of enumeration values (languages, needs, care types...): each must be one of
    `choices`; duplicates are dropped, order kept. Stored as a JSON list."""

    def __init__(self, choices, **kwargs):
        kwargs.setdefault("child", serializers.ChoiceField(choices=choices))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            raise serializers.ValidationError(_('Expected a list of values, for example ["km"].'))
        values = super().to_internal_value(data)
        return list(dict.fromkeys(values))


class CommuneField(serializers.SlugRelatedField):
    """A commune by its six-digit NCDD code."""

    default_error_messages = {
        "does_not_exist": _("{value} is not a commune code of the gazetteer (six digits, e.g. 020101)."),
        "invalid": _("Expected a commune code (six digits)."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Commune.objects.select_related("district", "province"))
        super().__init__(slug_field="code", **kwargs)


class VillageField(serializers.SlugRelatedField):
    """A village by its eight-digit NCDD code."""

    default_error_messages = {
        "does_not_exist": _("{value} is not a village code of the gazetteer (eight digits, e.g. 02010101)."),
        "invalid": _("Expected a village code (eight digits)."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Village.objects.all())
        super().__init__(slug_field="code", **kwargs)
