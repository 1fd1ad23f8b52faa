"""Request bodies are bounded (issue 13, resource limits).

A body is refused by its declared length before anything reads it: a form or a JSON body above
DATA_UPLOAD_MAX_MEMORY_SIZE, a multipart upload (the carers' import) above REQUEST_BODY_MAX_SIZE
(Django counts no uploaded file against DATA_UPLOAD_MAX_MEMORY_SIZE, and would stream a 1 GB file
to disk before the import could refuse it). A form's fields are read here too, so that Django's
limits on them (DATA_UPLOAD_MAX_NUMBER_FIELDS, DATA_UPLOAD_MAX_NUMBER_FILES) are answered the same
way. The API answers in its own error shape ({"detail", "code"}); the pages with a page saying what
to do. A JSON body with no declared length (chunked) meets Django's limit when DRF reads it; the
API's exception handler (register/api/errors.py) answers that one."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
CODE = "request_too_large"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def body_limit(request) -> int:
    if request.content_type == "multipart/form-data":
        return settings.REQUEST_BODY_MAX_SIZE
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large_detail(limit: int) -> str:
    megabytes = f"{limit / (1024 * 1024):.3g}"
    return _("The request is too large: at most %(size)s MB may be sent at once.") % {"size": megabytes}


def too_large_response(request, limit: int):
    return refusal(request, too_large_detail(limit), CODE, status=413)


def refusal(request, detail: str, code: str, *, status: int, field: str | None = None):
    """A request refused before any view saw it: on the API its error shape ({field: [detail]} when a
    field is named, else {"detail", "code"}), elsewhere a page saying what to do."""
    if request.path.startswith(API_PREFIX):
        body = {field: [detail]} if field is not None else {"detail": detail, "code": code}
        return JsonResponse(body, status=status)
    template = "413.html" if status == 413 else "bad_input.html"
    return render(request, template, {"detail": detail, "message": detail, "field": field}, status=status)


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # as Django reads it: no body
        limit = body_limit(request)
        if length > limit:
            return too_large_response(request, limit)
        if request.method == "POST" and request.content_type in FORM_TYPES:
            refusal = self._read_form(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    @staticmethod
    def _read_form(request):
        """Read a form's fields here, where Django's limits on them (the size of the fields, their
        number, the number of files) can be answered in the API's shape or with a page: read later,
        by another middleware or a view, they end in Django's bare HTML 400."""
        try:
            request.POST  # noqa: B018 - parsed once; DRF and the views reuse it
        except RequestDataTooBig:
            return too_large_response(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        except (TooManyFieldsSent, TooManyFilesSent):
            return refusal(request, _("The request has too many fields or files."), "too_many_fields", status=400)
        except MultiPartParserError:
            # Parsing marks the form empty: answer here, as a later reader could no longer tell.
            return refusal(request, _("The form data could not be read."), "parse_error", status=400)
        return None
