"""Responses that may carry personal data must not be kept by browsers or proxies; sessions end at
latest a fixed time after their login."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils.cache import add_never_cache_headers, patch_cache_control

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
    open on a shared office PC live for ever."""

    KEY = "_login_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            started = request.session.setdefault(self.KEY, now)
            if now - started > settings.SESSION_ABSOLUTE_AGE:
                logout(request)
        return self.get_response(request)
