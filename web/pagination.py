"""Cutting a list into pages, the same way on every list page: `?page=` (a wrong or missing
number gives the nearest page, never a 500) and `?page_size=` as on the API (a wrong size gives
the default, a huge one the maximum)."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


def page_size(request, *, default: int = PAGE_SIZE, maximum: int = MAX_PAGE_SIZE) -> int:
    try:
        size = int(request.GET.get("page_size") or default)
    except ValueError:
        return default
    return max(1, min(size, maximum))


def paginate(request, queryset, *, per_page: int | None = None, maximum: int = MAX_PAGE_SIZE) -> Page:
    """One page of `queryset`: `per_page` rows if given, else `?page_size=` (up to `maximum`)."""
    size = per_page or page_size(request, maximum=maximum)
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """The request's query string less `page`: the filters the previous / next links keep."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
