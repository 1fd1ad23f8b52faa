"""Delivery channels, one class per medium. `notify(notification, text)` returns on success and raises
`TransientError` (try again later) or `PermanentError` (never retry) otherwise.

Gateways are configured by environment variables (README): an unconfigured channel is a permanent
error for that notification, never a silent success.
"""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import send_mail


class TransientError(Exception):
    """The medium may accept the message later (time-out, 5xx, rate limit)."""


class PermanentError(Exception):
    """Retrying will not help (bad number, refused recipient, channel not configured)."""


class Channel:
    name = ""

    def notify(self, notification, text: str) -> None:
        raise NotImplementedError


class InboxChannel(Channel):
    """The in-app inbox: the notification row is the message, so there is nothing to send."""

    name = "inbox"

    def notify(self, notification, text: str) -> None:
        return None


class EmailChannel(Channel):
    name = "email"

    def notify(self, notification, text: str) -> None:
        address = notification.recipient.email
        if not address:
            raise PermanentError("the recipient has no email address")
        try:
            send_mail(subject=text[:78], message=text, from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[address])
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(f"recipient refused: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientError(f"mail server: {exc}") from exc


def post_json(url: str, payload: dict, *, headers: dict | None = None, timeout: float = 10.0) -> dict:
    """POST JSON, classifying failures: 5xx, 408, 429 and network errors are transient, other 4xx
    permanent."""
    body = json.dumps(payload).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL comes from the operator's settings
        url, data=body, method="POST", headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code >= 500 or exc.code in (408, 429):
            raise TransientError(f"gateway answered {exc.code}") from exc
        raise PermanentError(f"gateway answered {exc.code}") from exc
    except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
        raise TransientError(f"gateway unreachable: {exc}") from exc
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        return {}


def _setting_and_address(setting: str, recipient, field: str, what: str) -> tuple[str, str]:
    """The gateway's setting and the recipient's address on it; without either, a PermanentError
    (a retry would not find them)."""
    value = getattr(settings, setting)
    if not value:
        raise PermanentError(f"{setting} is not set")
    address = getattr(recipient, field)
    if not address:
        raise PermanentError(f"the recipient has no {what}")
    return value, address


class SmsChannel(Channel):
    """An HTTP SMS gateway: POST {"to", "message", "reference"} with a bearer token. `reference` is the
    same for every attempt at one message: a gateway that sees it twice delivers once, so a retry
    after a lost answer (or a worker killed mid-send) cannot reach the phone twice."""

    name = "sms"

    def notify(self, notification, text: str) -> None:
        url, phone = _setting_and_address("SMS_GATEWAY_URL", notification.recipient, "phone", "phone number")
        headers = {"Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"} if settings.SMS_GATEWAY_TOKEN else {}
        post_json(url, {"to": phone, "message": text, "reference": notification.delivery_reference}, headers=headers)


class TelegramChannel(Channel):
    """Telegram's Bot API (or a compatible local gateway): POST {api}/bot{token}/sendMessage."""

    name = "telegram"

    def notify(self, notification, text: str) -> None:
        token, chat = _setting_and_address(
            "TELEGRAM_BOT_TOKEN", notification.recipient, "telegram_chat_id", "Telegram chat id"
        )
        answer = post_json(
            f"{settings.TELEGRAM_API_URL.rstrip('/')}/bot{token}/sendMessage", {"chat_id": chat, "text": text}
        )
        if answer and answer.get("ok") is False:
            raise PermanentError(f"Telegram refused: {answer.get('description', '')}")


CHANNELS: dict[str, Channel] = {c.name: c for c in (InboxChannel(), EmailChannel(), SmsChannel(), TelegramChannel())}


def channel_for(user) -> Channel:
    return CHANNELS.get(user.preferred_channel, CHANNELS["inbox"])
