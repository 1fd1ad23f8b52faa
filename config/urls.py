from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView


def healthz(request):
    """Liveness for load balancers and the Docker health check: no database, no personal data."""
    return JsonResponse({"status": "ok"})


api_v1 = [
    path("", include("register.api.urls")),
    path("", include("matching.api")),
    path("", include("notifications.urls")),
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
]

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("", include("web.urls")),
]
