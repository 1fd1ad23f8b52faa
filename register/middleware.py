"""Responses that may carry personal data must not be kept by browsers or proxies."""

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
