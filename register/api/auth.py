"""Logging in for an API token, logging out (revoking it), and who am I."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from register import throttling, two_factor
from register.audit import audit_write
from register.errors import DomainError
from register.models import AuditEntry, Province


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=12,
        required=False,
        allow_blank=True,
        help_text="The code of the user's authenticator app, for users who have two-factor authentication.",
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField(allow_null=True)
    provinces = serializers.ListField(child=serializers.CharField())
    national = serializers.BooleanField()


class LoginThrottle(BaseThrottle):
    """register/throttling.py's login throttle, asked before the body is validated, so that a
    throttled client gets DRF's 429 (`throttled`, Retry-After) before anything else is done."""

    def allow_request(self, request, view):
        if request.method != "POST":  # only a POST is an attempt; the rest answer 405
            return True
        data = request.data
        username = data.get("username") if isinstance(data, dict) else None
        try:
            throttling.check_login(request, username)
        except throttling.LoginThrottled as throttled:
            self._wait = throttled.wait
            return False
        return True

    def wait(self):
        return self._wait


class TokenView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer}, auth=[])
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data["username"]
        # django-axes counts failures and refuses a locked-out account in `authenticate`, and the
        # login throttle counts the username if the body's was not text (a number) before validation.
        try:
            user = authenticate(request=request, username=username, password=data.validated_data["password"])
        except throttling.LoginThrottled as throttled:
            raise exceptions.Throttled(wait=throttled.wait) from None
        if getattr(request, "axes_locked_out", False):
            raise DomainError(
                _("This account is locked after repeated failed logins. Try again later or ask an administrator."),
                code="account_locked",
                status_code=status.HTTP_403_FORBIDDEN,
            )
        if user is None or not user.is_active:
            raise DomainError(
                _("Unable to log in with the username and password given."),
                code="invalid_credentials",
                status_code=status.HTTP_401_UNAUTHORIZED,
            )
        self._check_second_factor(user, data.validated_data.get("otp", ""))
        instance, token = AuthToken.objects.create(user)
        audit_write(actor=user, action=AuditEntry.Action.LOGIN, instance=user)
        return Response(TokenResponseSerializer({"token": token, "expires_at": instance.expiry}).data)


    @staticmethod
    def _check_second_factor(user, code: str) -> None:
        """A user with an authenticator gets a token only with its current code; a user whose role
        requires one (register/two_factor.py) and has none must set it up on the pages first."""
        device = two_factor.confirmed_device(user)
        if device is None:
            if two_factor.required_for(user):
                raise DomainError(
                    _(
                        "Your role needs two-factor authentication. Log in on the register's pages once "
                        "to set it up, then ask for a token again with the code."
                    ),
                    code="two_factor_setup_required",
                    status_code=status.HTTP_403_FORBIDDEN,
                )
            return
        if not two_factor.normalise(code):
            raise DomainError(
                _("This account uses two-factor authentication: send the code of your authenticator app as otp."),
                code="two_factor_required",
                status_code=status.HTTP_401_UNAUTHORIZED,
            )
        if two_factor.verify(user, code) is None:
            audit_write(
                actor=user, action=AuditEntry.Action.LOGIN_FAILED, instance=user, changes={"two_factor": "wrong code"}
            )
            raise DomainError(
                _("That code is not right or was already used. Send the newest code of your authenticator app."),
                code="two_factor_invalid",
                status_code=status.HTTP_401_UNAUTHORIZED,
                retry_after_seconds=two_factor.seconds_to_wait(two_factor.confirmed_device(user)),
            )


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        """Revoke the token this request was made with."""
        if isinstance(request.auth, AuthToken):
            request.auth.delete()
        audit_write(actor=request.user, action=AuditEntry.Action.LOGOUT, instance=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeSerializer})
    def get(self, request):
        user = request.user
        if user.is_national:
            provinces = list(Province.objects.order_by("code").values_list("code", flat=True))
        else:
            provinces = sorted(user.province_codes)
        return Response(
            MeSerializer(
                {
                    "username": user.username,
                    "role": user.role,
                    "provinces": provinces,
                    "national": user.is_national,
                }
            ).data
        )
