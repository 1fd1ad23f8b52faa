"""What a locked-out login answers (django-axes' AXES_LOCKOUT_CALLABLE).

The pages' login form and the API's token view explain the lockout themselves, in the user's
language and in their usual shape (a form error; `account_locked` JSON), and keep their own
response. Any other login (the admin's) gets the translated lockout page."""

from django.conf import settings
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    if original_response is not None and getattr(request, "lockout_explained", False):
        return original_response
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "web/locked_out.html", {"minutes": minutes}, status=403)
