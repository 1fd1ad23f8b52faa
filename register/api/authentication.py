"""API token authentication: django-rest-knox's tokens, read more cheaply.

knox looks up the tokens bearing the key (the token's first characters), refuses one that has
expired, compares the digest of the token given with each one's in constant time, and refuses an
inactive user. Here the same, with two differences:

- The candidates, their users and the users' role and provinces are read in one written-out query
  (register/selectors/access.py), instead of knox's ORM query and then ours for the access: over a
  third of the CPU of the smallest API request went to building and compiling them (issue 18).
- An expired token is simply refused: knox would also delete the user's other expired tokens, in the
  middle of a read. Expired tokens are removed in bulk by the `register.purge_expired_tokens` beat
  task."""

import binascii
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings
from rest_framework.exceptions import AuthenticationFailed

from register.selectors.access import tokens_with_key

INVALID_TOKEN = _("Invalid token.")  # knox's own words, in its catalogue and ours


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        try:
            given = token.decode("utf-8")
        except UnicodeDecodeError:
            raise AuthenticationFailed(INVALID_TOKEN) from None
        for auth_token in tokens_with_key(given[: CONSTANTS.TOKEN_KEY_LENGTH], now=timezone.now()):
            try:
                digest = hash_token(given)
            except (TypeError, binascii.Error):
                raise AuthenticationFailed(INVALID_TOKEN) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise AuthenticationFailed(INVALID_TOKEN)


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI schema describes it as knox's own scheme (`knoxApiToken`), which it is."""

    target_class = "register.api.authentication.TokenAuthentication"
