"""Putting a service's refusal onto a page's form, so the message stands beside its field.

Services raise Django ValidationError ({field: [messages]}) for bad values and DomainError for a
rule of the register; the pages show both without a second copy of the rule."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError

from register.errors import DomainError


def add_service_errors(form: forms.Form, exc: Exception, *, field_map: Mapping[str, str] | None = None) -> None:
    """Attach `exc` (ValidationError, DRF-style {field: [..]} dict, or DomainError) to `form`.
    Errors on fields the form does not have become errors of the whole form. `field_map` renames
    service field names to the form's (`primary_carer.given_name` -> `given_name`)."""
    field_map = field_map or {}
    if isinstance(exc, DomainError):
        # A rule that may be set aside with a reason: the message stands beside the box for it.
        overridable = exc.extra.get("overridable") and "override_reason" in form.fields
        form.add_error("override_reason" if overridable else None, str(exc.detail))
        return
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        detail = {field: [m for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
    elif isinstance(exc, ValidationError):
        detail = {None: list(exc.messages)}
    else:
        detail = dict(exc)
    for field, messages in _flatten(detail):
        name = field_map.get(field, field)
        if name and name not in form.fields and "." in name:
            name = name.rsplit(".", 1)[1]  # a nested serializer's field that the form has flat
        if name in ("__all__", "non_field_errors") or name not in form.fields:
            name = None
        for message in messages:
            form.add_error(name, str(message))


def _flatten(detail, prefix: str = ""):
    """DRF nests errors of nested serializers ({"primary_carer": {"given_name": [...]}}); yield
    ("primary_carer.given_name", [...]) pairs."""
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix and key is not None else key
            if isinstance(value, Mapping):
                yield from _flatten(value, name or "")
            else:
                messages = value if isinstance(value, list | tuple) else [value]
                yield name, [m for m in messages if not isinstance(m, Mapping)]
