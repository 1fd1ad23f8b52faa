"""Responses that may carry personal data must not be kept by browsers or proxies; sessions end at
latest a fixed time after their login; a NUL character in a query string or form is refused."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _

from register.request_limits import FORM_TYPES, refusal
from register.services import sessions

# Public reference data and static files may be cached; everything else may be about a child.
CACHEABLE_PREFIXES = (
    "/static/",
    "/api/v1/provinces/",
    "/api/v1/districts/",
    "/api/v1/communes/",
    "/api/v1/villages/",
    "/api/v1/schema/",
    "/api/v1/docs/",
    "/healthz/",
)


class NoStoreForPersonalDataMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(CACHEABLE_PREFIXES):
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response


class AbsoluteSessionLifetimeMiddleware:
    """End a browser session SESSION_ABSOLUTE_AGE seconds after its login, however active it was:
    the idle timeout alone (SESSION_COOKIE_AGE, renewed on every request) would let a session left
    open on a shared office PC live for ever.

    Also the sessions inventory's enforcement (register/services/sessions.py): a session revoked
    (by its owner, an administrator, or a password change) is logged out at its next request, and
    the session or API token a request used is marked seen. Here rather than in a middleware of its
    own so that no settings list can leave it out while keeping the lifetime check."""

    KEY = "_login_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            started = request.session.setdefault(self.KEY, now)
            if now - started > settings.SESSION_ABSOLUTE_AGE or not sessions.session_seen(request):
                logout(request)
        with sessions.serving(request):
            response = self.get_response(request)
        sessions.token_seen(request)
        return response


class RefuseNulCharactersMiddleware:
    """A NUL character (%00) in a query parameter or a form field, name or value, answers 400 naming
    it: JSON on the API, a page elsewhere. PostgreSQL text cannot hold one, so a NUL reaching a query
    (an admin changelist filter, a search) was a DataError, a 500; form and serializer fields refuse
    it one by one, but not every parameter goes through one. Uploaded files are not looked at: they
    are in request.FILES, binary, not in the form's values."""

    # The form's body was read (and a malformed one refused) by RequestBodyLimitMiddleware before.

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = self._name_with_nul(request)
        if name is not None:
            return refusal(request, _("Null characters are not allowed."), "invalid", status=400, field=name)
        return self.get_response(request)

    def _name_with_nul(self, request) -> str | None:
        sources = [request.GET]
        if request.method == "POST" and request.content_type in FORM_TYPES:
            sources.append(request.POST)
        for data in sources:
            for key, values in data.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    return key.replace("\x00", "\\x00")[:100]  # the NUL shown, not sent back
        return None
