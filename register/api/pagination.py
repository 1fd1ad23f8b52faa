"""The API's pages. Every list: {"results", "next", "previous"} (API.md), `?page_size=` up to 200.

Two ways through a list:

- `?page=N` (the default): numbered pages with `count`. Simple, but page N costs an OFFSET of
  (N - 1) x page_size rows and every page counts the whole filtered list again.
- `?cursor=` (the big lists: carers, children, placements, visits): keyset pages. An empty
  `?cursor=` is the first page; `next` and `previous` carry an opaque token holding the sort key of
  the row at the page's edge, and the page after it is "the rows whose key comes after this one",
  an index range scan whatever the depth. Rows inserted or deleted before the cursor neither repeat
  nor skip rows of the following page. No `count` (optional in API.md): counting a filtered list
  of 100,000 families is itself the slow part of a page.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import uuid
from collections import OrderedDict

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import pagination, serializers
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class PageNumberPagination(pagination.PageNumberPagination):
    """API.md's list shape: {"count", "next", "previous", "results"}; ?page_size= up to 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_size_message = _("Give a whole number of 1 or more; pages hold at most %(max)s.")
    invalid_page_message = _("Give a page number: a whole number of 1 or more.")

    def get_page_size(self, request):
        # DRF quietly falls back to 50 for `?page_size=abc` or 0; say so instead (larger sizes give 200,
        # an empty value the default, as for every other query parameter).
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            message = self.invalid_page_size_message % {"max": self.max_page_size}
            raise serializers.ValidationError({self.page_size_query_param: [message]})
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return parameters


class CursorError(ValueError):
    pass


class KeysetPagination(PageNumberPagination):
    """`?page=N` as PageNumberPagination, and `?cursor=` keyset pages over the queryset's own
    ordering (made unique by the primary key when it is not already: see `keyset_of`). The cursor
    wins when both are given."""

    cursor_query_param = "cursor"
    invalid_cursor_message = _(
        "This cursor is not valid. Start with an empty cursor (?cursor=) and follow the next and previous links."
    )

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        if self.cursor_query_param not in request.query_params:
            self.keyset = None
            return super().paginate_queryset(queryset, request, view)
        # The cursor wins over `page`, but a `page` that is no page number is still refused, as alone.
        page = request.query_params.get(self.page_query_param)
        if page and not (page.isascii() and page.isdigit() and int(page) >= 1):
            raise serializers.ValidationError({self.page_query_param: [self.invalid_page_message]})
        size = self.get_page_size(request)
        keys = keyset_of(queryset)
        token = request.query_params[self.cursor_query_param]
        try:
            position, backwards = decode_cursor(token, keys) if token else (None, False)
        except CursorError:
            raise serializers.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}) from None
        ordered = queryset.order_by(*order_terms(keys, reverse=backwards))
        if position is not None:
            ordered = ordered.filter(keyset_after(keys, position, reverse=backwards))
        rows = list(ordered[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        first = key_values(keys, rows[0]) if rows else position
        last = key_values(keys, rows[-1]) if rows else position
        # Forwards: a next page when there was one more row; a previous one unless this is the start.
        # Backwards: the mirror image.
        has_next = more if not backwards else position is not None
        has_previous = (position is not None) if not backwards else more
        self.keyset = {
            "next": encode_cursor(keys, last, backwards=False) if has_next and last is not None else None,
            "previous": encode_cursor(keys, first, backwards=True) if has_previous and first is not None else None,
        }
        return rows

    def get_paginated_response(self, data):
        if self.keyset is None:
            return super().get_paginated_response(data)
        return Response(
            OrderedDict(
                [
                    ("next", self._cursor_link(self.keyset["next"])),
                    ("previous", self._cursor_link(self.keyset["previous"])),
                    ("results", data),
                ]
            )
        )

    def _cursor_link(self, token: str | None) -> str | None:
        if token is None:
            return None
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, token)

    def get_paginated_response_schema(self, schema):
        body = super().get_paginated_response_schema(schema)
        body["required"] = ["results"]  # `count` only on numbered pages
        return body

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": str(
                    _(
                        "Keyset pages: empty for the first page, then the token in the next or previous "
                        "link. Deep pages cost no more than the first; no count. Takes precedence over page."
                    )
                ),
                "schema": {"type": "string"},
            },
        ]


# --- Keys and cursors --------------------------------------------------------------------------


def keyset_of(queryset: QuerySet) -> list[tuple]:
    """The queryset's ordering as (field, descending) pairs, cut after the first unique field or
    completed with the primary key, so that it orders rows totally. Only plain, non-null fields of
    the model itself: a keyset needs values it can compare with `<` and `=`."""
    model = queryset.model
    terms = list(queryset.query.order_by) or list(model._meta.ordering)
    keys: list[tuple] = []
    for term in terms:
        if not isinstance(term, str):
            raise ImproperlyConfigured(f"keyset pages need field names in order_by, not {term!r}")
        descending = term.startswith("-")
        name = term.lstrip("-")
        try:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        except FieldDoesNotExist:
            raise ImproperlyConfigured(f"keyset pages cannot order {model.__name__} by {name!r}") from None
        if not field.concrete or field.null:
            raise ImproperlyConfigured(f"keyset pages need a non-null column, not {model.__name__}.{name}")
        keys.append((field, descending))
        if field.unique:
            return keys
    return [*keys, (model._meta.pk, False)]


def order_terms(keys: list[tuple], *, reverse: bool = False) -> list[str]:
    return [("-" if descending != reverse else "") + field.attname for field, descending in keys]


def keyset_after(keys: list[tuple], values: list, *, reverse: bool = False) -> Q:
    """Rows after `values` in the keyset's order (before them when `reverse`): for keys a, b, c,
    a > x OR (a = x AND b > y) OR (a = x AND b = y AND c > z), with > flipped for descending keys,
    and the leading bound a >= x first so that PostgreSQL walks an index range."""
    after = Q()
    for i, (field, descending) in enumerate(keys):
        lookup = "lt" if descending != reverse else "gt"
        term = Q(**{f"{field.attname}__{lookup}": values[i]})
        for earlier, value in zip(keys[:i], values[:i], strict=True):
            term &= Q(**{earlier[0].attname: value})
        after |= term
    if len(keys) == 1:
        return after
    field, descending = keys[0]
    return Q(**{f"{field.attname}__{'lte' if descending != reverse else 'gte'}": values[0]}) & after


def key_values(keys: list[tuple], row) -> list:
    """The keys of a row: a model instance, or a dict from `values()` holding the keys' columns."""
    if isinstance(row, dict):
        return [row[field.attname] for field, _descending in keys]
    return [getattr(row, field.attname) for field, _descending in keys]


def _plain(value):
    # Full precision: a timestamp cut to milliseconds would no longer equal its row.
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def encode_cursor(keys: list[tuple], values: list, *, backwards: bool) -> str:
    body = {"k": [_plain(v) for v in values]}
    if backwards:
        body["b"] = 1
    raw = json.dumps(body, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# A real cursor holds a few keys (a reference; dates, a timestamp and ids): well under 300 characters.
MAX_CURSOR_LENGTH = 1000


def decode_cursor(token: str, keys: list[tuple]) -> tuple[list, bool]:
    """(key values, backwards) from a token made by encode_cursor; CursorError for anything else."""
    if len(token) > MAX_CURSOR_LENGTH:
        raise CursorError
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        body = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError):  # RecursionError: "[[[[..." nested deep
        raise CursorError from None
    if not isinstance(body, dict) or not isinstance(body.get("k"), list) or len(body["k"]) != len(keys):
        raise CursorError
    values = []
    for (field, _descending), value in zip(keys, body["k"], strict=True):
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise CursorError
        if (isinstance(value, str) and "\x00" in value) or (isinstance(value, int) and abs(value) >= 2**63):
            raise CursorError  # values the database itself would refuse
        try:
            parsed = field.to_python(value)
        except (ValidationError, ValueError, TypeError, OverflowError):
            raise CursorError from None
        if parsed is None or (isinstance(parsed, datetime.datetime) and parsed.tzinfo is None):
            raise CursorError
        values.append(parsed)
    return values, bool(body.get("b"))
