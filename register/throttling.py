"""The login throttle: every way in (the API's token, the pages' login, the admin's login and the
two-factor code steps) counts each attempt against the client's address and against the username
tried, in Django's cache (shared by all workers in production: Redis), and refuses attempts over
either rate, LOGIN_THROTTLE_RATE_PER_ADDRESS and LOGIN_THROTTLE_RATE_PER_USERNAME.

Per address stops spraying one password over many usernames; per username stops guessing one
account's password from many addresses. django-axes' lockout (by username, after failures) is a
separate control and stays as it is. The address is register.client_ip's, so a client cannot pick
it with X-Forwarded-For.

Password checks reach this module through LoginThrottleBackend (AUTHENTICATION_BACKENDS), so any
form or view calling `authenticate()` is covered; the API's throttle class and the two-factor
views call `check_login` themselves. Each request is counted once whoever asks first."""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from register.client_ip import client_ip

KEY_PREFIX = "login-throttle"
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_SEEN = "_login_throttle_seen"  # on the request: {(kind, ident): seconds to wait}


class LoginThrottled(Exception):
    """Too many login attempts; `wait` is the number of seconds until the next one is allowed.

    Deliberately not a PermissionDenied: `authenticate()` would record that as a failed login, which
    django-axes counts towards locking the account, and a person stopped by the throttle of a busy
    office's address must not lose their account for it."""

    def __init__(self, wait: int):
        self.wait = wait
        super().__init__(f"login throttled for {wait} s")


def parse_rate(rate: str) -> tuple[int, int]:
    """'30/minute' -> (30, 60): DRF's notation, where the period's first letter counts."""
    count, _, period = str(rate).partition("/")
    try:
        return int(count), _PERIODS[period.strip()[:1].lower()]
    except (KeyError, ValueError):
        raise ImproperlyConfigured(f"A login throttle rate must look like '30/minute', not {rate!r}.") from None


def _address_ident(address: str | None) -> str:
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        # A subscriber is given a whole /64: counting its addresses one by one would count nothing.
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _username_ident(username) -> str | None:
    if not isinstance(username, str) or not username.strip():
        return None
    # Case folded: 'Admin' and 'admin' are one bucket, so changing case buys no more attempts.
    return username.strip().casefold()[:150]


def _hit(kind: str, ident: str, rate: str) -> int:
    """Count one attempt; the seconds to wait if it is over the rate, else 0.

    A fixed window that opens at the first attempt: the counter is cache.add + cache.incr, atomic
    in Redis, so concurrent workers cannot lose counts."""
    limit, period = parse_rate(rate)
    # Hashed: usernames are personal data and cache keys must be short and plain.
    key = f"{KEY_PREFIX}:{kind}:{hashlib.sha256(ident.encode()).hexdigest()[:32]}"
    now = time.time()
    cache.add(f"{key}:start", now, period)
    cache.add(key, 0, period)
    try:
        count = cache.incr(key)
    except ValueError:  # the window closed between add and incr
        cache.set(key, 1, period)
        count = 1
    if count <= limit:
        return 0
    start = cache.get(f"{key}:start") or now
    return max(1, math.ceil(start + period - now))


def check_login(request, username=None) -> None:
    """Count this login attempt against the client's address and `username` (when given); raise
    LoginThrottled if either is over its rate. Asked again for the same request, nothing is counted
    twice (the API's throttle counts before the body is validated, `authenticate()` after)."""
    holder = getattr(request, "_request", request)  # DRF's Request wraps Django's
    seen = holder.__dict__.setdefault(_SEEN, {})
    checks = [("address", _address_ident(client_ip(request)), settings.LOGIN_THROTTLE_RATE_PER_ADDRESS)]
    user_ident = _username_ident(username)
    if user_ident is not None:
        checks.append(("username", user_ident, settings.LOGIN_THROTTLE_RATE_PER_USERNAME))
    for kind, ident, rate in checks:
        if (kind, ident) not in seen:
            seen[(kind, ident)] = _hit(kind, ident, rate)
        if seen[(kind, ident)]:
            # An address over its rate does not also spend the username's attempts: spraying from
            # one address cannot throttle the people it names.
            raise LoginThrottled(seen[(kind, ident)])


class LoginThrottleBackend:
    """An authentication backend that authenticates nobody: listed after django-axes' and before
    the password check, it stops a throttled attempt before any password is hashed, whichever
    form or view called `authenticate()` (the pages', the admin's, the API's)."""

    def authenticate(self, request, username=None, **credentials):
        if request is not None:  # the test client's login() and scripts pass none: no address
            check_login(request, username)
        return None

    # No get_user: it never authenticates anyone, so no session may name it (the test client's
    # force_login takes the first backend that has one).
