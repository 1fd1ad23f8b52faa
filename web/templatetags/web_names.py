"""A person's name as the pages show it (issue 14): as written (usually Khmer script), with the
romanised form beside it when there is one that differs, so that an officer who reads only one
script still knows who it is."""

from django import template
from django.utils.html import conditional_escape, format_html

from register.rules.names import canonical

register = template.Library()


def _get(person, field: str) -> str:
    value = person.get(field) if isinstance(person, dict) else getattr(person, field, "")
    return value or ""


@register.filter
def person_name(person):
    """`ចាន់ណា ស៊ុន (Channa Sun)`: given and family name as written, then the romanised ones."""
    written = " ".join(p for p in (_get(person, "given_name"), _get(person, "family_name")) if p)
    latin = " ".join(p for p in (_get(person, "given_name_latin"), _get(person, "family_name_latin")) if p)
    if latin and canonical(latin) != canonical(written):
        return format_html('{} <span class="romanised muted" lang="km-Latn">({})</span>', written, latin)
    return conditional_escape(written)
