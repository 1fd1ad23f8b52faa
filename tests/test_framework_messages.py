"""Django's and DRF's own messages, as the register can show them, exist in Khmer.

Django ships a partial Khmer catalogue and DRF none; the register's catalogue (LOCALE_PATHS, read
before the frameworks') holds the rest, and config/framework_messages.py keeps makemessages from
dropping those entries. This test walks what the register can show: the error messages and
validators of every writable field of its serializers, of every field of its forms, of every
editable field of its models, and the fixed lists of that module (API exceptions, login form,
password validators, formsets). A message that would come back in English under Khmer fails here:
add its English text to config/framework_messages.py and translate it (`make messages`).

tests/test_khmer_pages.py then sends the real requests that produce the common ones."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from django import forms
from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.utils.formatting import lazy_format

from config import framework_messages

PROJECT_APPS = ("register", "matching", "notifications", "web")


def shown(message, language: str) -> str:
    """A message as a reader of `language` sees it (before its placeholders are filled)."""
    with translation.override(language):
        if isinstance(message, lazy_format) and message.format_string is not None:
            return str(message.format_string)  # DRF formats on first use, then forgets the template
        kw = getattr(message, "_kw", None) or {}
        if "singular" in kw:  # ngettext_lazy with a named number
            return translation.ngettext(kw["singular"], kw["plural"], 1)
        return str(message)


def is_translatable(message) -> bool:
    """A lazy message, translated when shown. A plain string was formatted already, in English, when
    the field was built (a unique validator's "province with this code already exists."): its
    template is walked through the model field's own error_messages instead."""
    return isinstance(message, Promise | lazy_format)


def _modules(package: str):
    root = importlib.import_module(package)
    yield root
    for info in pkgutil.walk_packages(getattr(root, "__path__", []), package + "."):
        if ".migrations" in info.name or ".management" in info.name:
            continue
        yield importlib.import_module(info.name)


def _serializer_fields(field, seen: set, out: list) -> None:
    if getattr(field, "read_only", False):
        return  # an output field never refuses anything
    out.append(field)
    if isinstance(field, serializers.ListSerializer):
        _serializer_fields(field.child, seen, out)
    elif isinstance(field, serializers.Serializer):
        if type(field) in seen:
            return
        seen.add(type(field))
        for child in field.fields.values():
            _serializer_fields(child, seen, out)
    else:
        for attr in ("child", "child_relation"):
            if getattr(field, attr, None) is not None:
                _serializer_fields(getattr(field, attr), seen, out)


def _messages_of(field) -> list:
    """The messages a field can raise: its error_messages (less the keys no input of ours can reach)
    and its validators'."""
    skip = {"unique_for_date"}
    found = [m for key, m in field.error_messages.items() if key not in skip]
    found += [v.message for v in getattr(field, "validators", []) if getattr(v, "message", None)]
    return found


def register_messages() -> dict[str, object]:
    """Every framework-side message the register can show, by its English text, with one message
    object for it."""
    found: dict[str, object] = {}

    def add(message):
        if is_translatable(message):
            english = shown(message, "en")
            if english:
                found.setdefault(english, message)

    for package in PROJECT_APPS:
        for module in _modules(package):
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ != module.__name__:
                    continue
                if issubclass(cls, serializers.Serializer):
                    try:
                        instance = cls()
                    except TypeError:
                        continue  # needs arguments: a list serializer's child, walked from its parent
                    fields: list = []
                    seen: set = set()
                    for child in instance.fields.values():
                        _serializer_fields(child, seen, fields)
                    for field in fields:
                        for message in _messages_of(field):
                            add(message)
                elif issubclass(cls, forms.BaseForm):
                    for field in cls.base_fields.values():
                        for message in _messages_of(field):
                            add(message)
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for field in model._meta.concrete_fields:
            if field.editable and not field.primary_key:
                for message in _messages_of(field):
                    add(message)
    for message in framework_messages.MESSAGES:
        add(gettext_lazy(message) if isinstance(message, str) else message)
    return found


def test_the_walk_finds_the_framework_messages_it_is_meant_to():
    """The walk can fail: it finds DRF's and Django's messages of fields the register uses."""
    found = set(register_messages())
    for msgid in (
        "This field is required.",  # both
        "This field may not be null.",  # DRF
        '"{input}" is not a valid choice.',  # DRF ChoiceField
        "Ensure this value is greater than or equal to %(limit_value)s.",  # Django validator
        "Select a valid choice. %(value)s is not one of the available choices.",  # Django forms
        "Must be a valid UUID.",  # DRF UUIDField
    ):
        assert msgid in found


def test_every_framework_message_the_register_can_show_is_in_khmer():
    untranslated = sorted(
        english for english, message in register_messages().items() if shown(message, "km") == english
    )
    assert untranslated == [], (
        "add these to config/framework_messages.py, then translate them in locale/km (make messages)"
    )


def test_the_module_lists_each_message_once():
    english = [m if isinstance(m, str) else shown(m, "en") for m in framework_messages.MESSAGES]
    assert len(english) == len(set(english))
