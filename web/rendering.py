"""One answer for pages that htmx updates in part: the fragment when htmx asks for it, the whole
page otherwise."""

from __future__ import annotations

from django.shortcuts import render


def wants_fragment(request, *, target: str | None = None) -> bool:
    """Whether htmx asks for a part of the page (of `target`, when given). A history restore (the
    user went back and htmx's cache had lost the page) asks for the whole page, though htmx sends it."""
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.history_restore_request:
        return False
    return target is None or htmx.target == target


def render_fragment_or_page(request, fragment: str, page: str, context: dict, *, target=None, status=200):
    template = fragment if wants_fragment(request, target=target) else page
    return render(request, template, context, status=status)
