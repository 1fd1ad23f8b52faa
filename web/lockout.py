"""What a locked-out or throttled login answers.

Lockout (django-axes' AXES_LOCKOUT_CALLABLE): the pages' login form and the API's token view explain
the lockout themselves, in the user's language and in their usual shape (a form error;
`account_locked` JSON), and keep their own response. Any other login (the admin's) gets the
translated lockout page.

Throttle (register/throttling.py): the pages' login form and the two-factor steps say so beside the
form; any other login that calls `authenticate()` (the admin's) gets LoginThrottleMiddleware's page."""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import ngettext

from register.throttling import LoginThrottled


def lockout_response(request, original_response=None, credentials=None):
    if original_response is not None and getattr(request, "lockout_explained", False):
        return original_response
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "web/locked_out.html", {"minutes": minutes}, status=403)


def throttled_message(wait: int) -> str:
    return ngettext(
        "Too many login attempts from this address or for this username. Wait %(seconds)d second, then try again.",
        "Too many login attempts from this address or for this username. Wait %(seconds)d seconds, then try again.",
        wait,
    ) % {"seconds": wait}


def throttled(response, wait: int):
    """`response` (the page with the form and its error) as a 429 that says when to come back."""
    response.status_code = 429
    response["Retry-After"] = str(wait)
    return response


class LoginThrottleMiddleware:
    """A throttled `authenticate()` that no view explained (the admin's login) answers a 429 page
    with a way back to the login, not a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, LoginThrottled):
            return None
        page = render(request, "web/login_throttled.html", {"message": throttled_message(exception.wait)})
        return throttled(page, exception.wait)
