"""Two-factor authentication (TOTP, django-otp): who must use it, setting up an authenticator app,
checking a code. The pages (web.views.two_factor, web.middleware) and the API's token endpoint
(register.api.auth) both ask this module, so the rule lives in one place.

A deployment names the roles that must use a second factor in TWO_FACTOR_REQUIRED_ROLES; production
settings require it of supervisors and national administrators (and of superusers, who can use the
admin). Anyone else may turn it on for themselves; once on, it is asked at every login.
"""

from __future__ import annotations

import math
from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from register.audit import audit_write
from register.models import AuditEntry

DEVICE_NAME = "authenticator"


def required_for(user) -> bool:
    """Whether this deployment refuses `user` any access until a second factor is verified."""
    required = set(settings.TWO_FACTOR_REQUIRED_ROLES)
    if not required:
        return False
    return user.role in required or (user.is_superuser and "national_admin" in required)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def enabled_for(user) -> bool:
    return confirmed_device(user) is not None


def owed(user) -> str | None:
    """What a logged-in session must do before anything else: 'verify' (type a code: the user has an
    authenticator), 'setup' (the role requires one and the user has none yet), or None."""
    if enabled_for(user):
        return "verify"
    if required_for(user):
        return "setup"
    return None


def pending_device(user) -> TOTPDevice:
    """The not yet confirmed device whose secret the setup page shows; one per user, made on demand
    so that reloading the page does not change the secret the person is typing in."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def normalise(code: str) -> str:
    """Authenticator apps show '123 456'; people type it with the space, or with a dash."""
    return "".join(ch for ch in (code or "") if ch.isdigit())


def verify(user, code: str) -> TOTPDevice | None:
    """The confirmed device that accepts `code`, or None. django-otp slows down repeated failures
    (each failure doubles the wait) and refuses a code that was already used."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("id").first()
        return device if device is not None and _accepts(device, code) else None


def _accepts(device: TOTPDevice, code: str) -> bool:
    """Whether `device` (locked by the caller) accepts `code`; a code of the wrong shape is a failure."""
    code = normalise(code)
    if len(code) != device.digits:
        device.throttle_increment()
        return False
    return device.verify_token(code)


def seconds_to_wait(device: TOTPDevice | None) -> int:
    """How long django-otp's back-off makes this device refuse codes after failures (0: none)."""
    if device is None:
        return 0
    allowed, data = device.verify_is_allowed()
    if allowed or not data or "locked_until" not in data:
        return 0
    return max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))


def confirm(user, code: str) -> TOTPDevice | None:
    """Turn two-factor on: the pending device becomes the user's device once a code from it checks."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("id").first()
        if device is None or not _accepts(device, code):
            return None
        # One authenticator per person: a new one replaces any earlier device.
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_write(actor=user, action=AuditEntry.Action.UPDATE, instance=user, changes={"two_factor": [False, True]})
        return device


def reset(user, *, actor) -> int:
    """Remove every device of `user` (a lost phone); they set up a new one at their next login."""
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        if removed:
            audit_write(
                actor=actor, action=AuditEntry.Action.UPDATE, instance=user, changes={"two_factor": [True, False]}
            )
    return removed


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for people who cannot scan the QR code."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (no image request, no inline style: CSP-safe)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#000", light="#fff", border=4)
