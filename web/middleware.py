"""A logged-in browser session that still owes its second factor reaches nothing but the two-factor
pages: not the pages, not the admin, not the API (which also accepts sessions). The rule of who owes
one is register/two_factor.py's."""

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from register import two_factor

# Reachable before the second factor: static files, the language switch, the health check, and the
# login, logout and two-factor pages themselves.
EXEMPT_PREFIXES = ("/static/", "/i18n/", "/healthz/")
EXEMPT_NAMES = ("web:login", "web:logout", "web:two_factor_verify", "web:two_factor_setup")
# What a session owes is decided at its login: the rule in force when the person logged in.
SESSION_KEY = "two_factor_owed"


def remember_what_is_owed(sender, request, user, **kwargs):
    """At login (password step), note in the new session whether a code is owed, so that no page
    request has to ask the database again."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = two_factor.owed(user)


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        # The session's own answer first: a session that owes nothing (nearly all) costs no more.
        owed = self._owed(request, user) if user.is_authenticated else None
        if owed and not self._exempt(request.path):
            return self._refuse(request, owed)
        return self.get_response(request)

    @staticmethod
    def _owed(request, user) -> str | None:
        """What this session still owes (register.two_factor.owed), worked out once per session so
        that pages cost no extra query; a verified session owes nothing."""
        if user.is_verified():
            return None
        if SESSION_KEY not in request.session:
            request.session[SESSION_KEY] = two_factor.owed(user)
        return request.session[SESSION_KEY]

    @staticmethod
    def _exempt(path: str) -> bool:
        if path.startswith(EXEMPT_PREFIXES):
            return True
        return any(path == reverse(name) for name in EXEMPT_NAMES)

    @staticmethod
    def _refuse(request, owed: str):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _("Enter the code from your authenticator app on the login page first."),
                    "code": "two_factor_required",
                },
                status=403,
            )
        target = reverse("web:two_factor_verify" if owed == "verify" else "web:two_factor_setup")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
