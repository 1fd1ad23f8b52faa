"""The installable app for social workers: the web app manifest, the service worker, the favicon,
and the small answer the phone asks before it sends what it recorded offline.

The service worker lives at /sw.js (its scope is where it is served from, so it must be at the
root to control /visits/); it is a template so that it names the hashed static files it keeps."""

from __future__ import annotations

import hashlib
import json

from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from register.middleware import AbsoluteSessionLifetimeMiddleware

# What the phone keeps at once to show its pages with no connection (each page also hands the
# worker the styles and scripts it uses). The pages themselves (My visits, and the form of each open
# visit) are kept as they are opened.
SHELL_ASSETS = (
    "web/app.css",
    "web/followup.css",
    "web/outbox.js",
    "web/offline.js",
    "web/focus.js",
    "web/icons/icon-192.png",
)


def _shell_urls() -> list[str]:
    return [static(name) for name in SHELL_ASSETS]


@require_GET
def manifest(request):
    """The web app manifest: the app opens on My visits, standalone, with our icons."""
    body = {
        "name": _("Family placement register"),
        "short_name": _("Visits"),
        "description": _("Follow-up visits of foster placements, also with no connection."),
        "lang": request.LANGUAGE_CODE,
        "start_url": reverse("web:my_visits"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5c8a",
        "icons": [
            {"src": static("web/icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("web/icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": static("web/icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")


@require_GET
def service_worker(request):
    assets = _shell_urls()
    # A new list of files (a new release) is a new worker: the browser installs it and drops the old caches.
    version = hashlib.sha256("\n".join(assets).encode()).hexdigest()[:12]
    context = {
        "version": version,
        "assets": json.dumps(assets),
        "outbox_url": static("web/outbox.js"),
        "visits_url": reverse("web:my_visits"),
        "session_url": reverse("web:offline_session"),
    }
    response = render(request, "web/sw.js", context, content_type="text/javascript; charset=utf-8")
    # The worker itself is never cached: a new release reaches the phones at their next page load.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline_session(request):
    """Before the phone sends visits recorded offline: is the person still logged in, as whom, and a
    CSRF token of this session (the one in a page saved days ago may belong to a session since
    ended). Nothing about any record. 401 when logged out: the records stay on the phone."""
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"authenticated": False}, status=401)
    login_at = request.session.get(AbsoluteSessionLifetimeMiddleware.KEY)
    return JsonResponse(
        {"authenticated": True, "username": user.username, "csrf_token": get_token(request), "login_at": login_at}
    )


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin, the API's documentation):
    the icon's hashed address, not a 404 page on every load."""
    return HttpResponseRedirect(static("web/icons/icon-32.png"))


urlpatterns = [
    path("manifest.webmanifest", manifest, name="manifest"),
    path("sw.js", service_worker, name="service_worker"),
    path("offline/session/", offline_session, name="offline_session"),
    path("favicon.ico", favicon, name="favicon"),
]
