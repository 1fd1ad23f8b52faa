"""Errors that services raise when a business rule says no. They know nothing of HTTP beyond the
status the API should answer with; `register.api.errors.exception_handler` renders them as
{"detail": "sentence", "code": "machine_code", ...extra}."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status_code = 400
    default_code = "domain_error"
    default_detail = _("The request breaks a rule of the register.")

    def __init__(self, detail=None, code: str | None = None, *, status_code: int | None = None, **extra):
        self.detail = detail or self.default_detail
        self.code = code or self.default_code
        if status_code is not None:
            self.status_code = status_code
        self.extra = extra
        super().__init__(str(self.detail))


class ConflictError(DomainError):
    """The request is valid but collides with the current state (the last place was just taken)."""

    status_code = 409
    default_code = "conflict"
