"""How many items a list in a request may hold (issue 13, resource limits). A list longer than its
bound is refused before any of its items is looked at, with a message naming what the list is: a
10,000-item body costs one length check, and its answer is one message, not 10,000.

The bounds of the lists whose values come from an enumeration are the enumeration's size (a
duplicate is dropped, so a longer list says nothing more); the others are what the register's rules
allow at most."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from register.choices import CareType, Language, Need, Sex

MAX_CHILDREN_PER_PLACEMENT = 12  # a carer's capacity is at most 12
MAX_SIBLINGS = 20
MAX_KIN = 20
MAX_EXCLUSIONS = 50
MAX_BATCH_CHILDREN = 5000  # a batch match: the largest institution's children, with room to spare
MAX_EXTERNAL_IDS = 10  # partner systems named in one child's external ids (two are known today)

# The message of each bounded list, by the name of its field; %(max)s is the bound.
TOO_MANY = {
    "values": _("Give at most %(max)s values."),
    "languages": _("Give at most %(max)s languages."),
    "needs": _("Give at most %(max)s needs."),
    "needs_supported": _("Give at most %(max)s needs supported."),
    "sexes_accepted": _("Give at most %(max)s sexes accepted."),
    "care_types": _("Give at most %(max)s care types."),
    "household_members": _("A household lists at most %(max)s members besides the primary carer."),
    "kin": _("A child has at most %(max)s kin families."),
    "excluded_carers": _("A child has at most %(max)s excluded families."),
    "external_ids": _("Give at most %(max)s partner system ids."),
    "sibling_group.children": _("A sibling group has at most %(max)s children."),
    "placement.children": _("A placement has at most %(max)s children."),
    "batch.children": _("A batch match takes at most %(max)s children."),
}

CHOICE_LIST_BOUNDS = {
    "languages": len(Language.choices),
    "needs": len(Need.choices),
    "needs_supported": len(Need.choices),
    "sexes_accepted": len(Sex.choices),
    "care_types": len(CareType.choices),
}


def _fill(message, maximum: int) -> str:
    return message % {"max": maximum}


# Filled in when shown, so in the reader's language, not the language of the module's import.
_lazy_fill = lazy(_fill, str)


def too_many_message(name: str, maximum: int):
    """The message for list `name` holding more than `maximum` items, as a lazy string."""
    return _lazy_fill(TOO_MANY[name], maximum)


def max_items(name: str, maximum: int, *, sent: int | None = None):
    """A Django validator: at most `maximum` items in the list (forms, the import's rows). `sent`: the
    number of items allowed as sent when duplicates are dropped afterwards; the message still names
    `maximum`."""
    allowed = maximum if sent is None else sent

    def validate(value) -> None:
        if value is not None and len(value) > allowed:
            raise ValidationError(too_many_message(name, maximum), code="max_length")

    return validate
