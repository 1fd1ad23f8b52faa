"""API token authentication: django-rest-knox's, minus its per-request sweep.

knox looks at every other token of the user on every request (one more query, and a delete now and
then, in the middle of a read). Here an expired token is simply refused, and expired tokens are
removed in bulk by the `register.purge_expired_tokens` beat task. The caller's role and provinces
are read with the user, in one query (User.read_access)."""

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication


class TokenAuthentication(KnoxTokenAuthentication):
    def _cleanup_token(self, auth_token) -> bool:
        """True (skip this token: refused) when it has expired; the other tokens are left alone."""
        return auth_token.expiry is not None and auth_token.expiry < timezone.now()

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        # Every API view asks for the caller's role and provinces: one query for both, here.
        user.read_access()
        return user, token


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI schema describes it as knox's own scheme (`knoxApiToken`), which it is."""

    target_class = "register.api.authentication.TokenAuthentication"
