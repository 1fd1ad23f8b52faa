from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.exceptions import NotFound


def healthz(request):
    """Liveness for load balancers and the Docker health check: no database, no personal data."""
    return JsonResponse({"status": "ok"})


@csrf_exempt  # changes nothing; a POST with a token must get this 404, not the CSRF 403 page
def api_not_found(request):
    """An address under /api/v1/ that names no resource (e.g. an id that is not a UUID) answers the
    API's own 404, {"detail", "code"} in JSON, not the pages' HTML 404. Only addresses ending in a
    slash: others still get APPEND_SLASH's redirect first."""
    return JsonResponse({"detail": str(NotFound.default_detail), "code": "not_found"}, status=404)


api_v1 = [
    path("", include("register.api.urls")),
    path("", include("matching.api")),
    path("", include("notifications.urls")),
    path("", include("monitoring.api")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI (a third-party tool, no personal data) needs inline style and script: allowed on
    # this one page only, never on the register's own pages.
    path(
        "docs/",
        csp_update({"style-src": [UNSAFE_INLINE], "script-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerView.as_view(url_name="schema")
        ),
        name="api-docs",
    ),
    re_path(r"^[\s\S]*/$", api_not_found, name="api-not-found"),  # any character, a newline too
]

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("", include("web.urls")),
]
