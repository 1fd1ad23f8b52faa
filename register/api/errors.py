"""One error shape for the whole API (API.md):

- validation errors: 400 {"field": ["message", ...]};
- domain rule errors and every other error: {"detail": "sentence", "code": "machine_code", ...extra}.
"""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from register.errors import DomainError
from register.request_limits import CODE, body_limit, too_large_detail


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        # A body with no declared length, larger than Django reads (the middleware refuses the others).
        return Response({"detail": too_large_detail(body_limit(context["request"])), "code": CODE}, status=413)
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        detail = _("The request has too many fields or files.")
        return Response({"detail": detail, "code": "too_many_fields"}, status=400)
    if isinstance(exc, DomainError):
        body = {"detail": str(exc.detail), "code": exc.code, **exc.extra}
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        # A model or service validation error: keep the field names DRF would use.
        if hasattr(exc, "error_dict"):
            detail = {field: [str(m) for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
            if "__all__" in detail:
                detail["non_field_errors"] = detail.pop("__all__")
        else:
            detail = {"non_field_errors": list(exc.messages)}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is not None and not isinstance(exc, exceptions.ValidationError):
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        if isinstance(response.data, dict) and "detail" in response.data:
            response.data["code"] = codes if isinstance(codes, str) else "error"
    return response
