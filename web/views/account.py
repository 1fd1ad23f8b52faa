"""The user's own sign-ins: their browser sessions and API tokens, each revocable (audited, through
register/services/sessions.py). Only the caller's own are listed or found: another user's session or
token answers 404, as one that does not exist. Neither a session key nor a token is ever shown."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from register.models import ApiTokenUse, UserSession
from register.services import sessions


@login_required
def session_list(request):
    current = sessions.current_session_id(request)
    rows = sessions.sessions_of(request.user)
    for row in rows:
        row.is_current = str(row.pk) == current
    context = {"sessions": rows, "tokens": sessions.tokens_of(request.user)}
    return render(request, "web/account/sessions.html", context)


@require_POST
@login_required
def session_revoke(request, id):
    try:
        sessions.session_revoke(actor=request.user, session_id=id)
    except UserSession.DoesNotExist:
        raise Http404 from None
    if str(id) == sessions.current_session_id(request):
        # Revoking the session in use is logging out here and now.
        logout(request)
        return redirect("web:login")
    messages.success(request, _("That session has been signed out."))
    return redirect("web:account_sessions")


@require_POST
@login_required
def token_revoke(request, id):
    try:
        sessions.token_revoke(actor=request.user, use_id=id)
    except ApiTokenUse.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("That API token has been revoked."))
    return redirect("web:account_sessions")


urlpatterns = [
    path("account/sessions/", session_list, name="account_sessions"),
    path("account/sessions/<uuid:id>/revoke/", session_revoke, name="account_session_revoke"),
    path("account/tokens/<uuid:id>/revoke/", token_revoke, name="account_token_revoke"),
]
