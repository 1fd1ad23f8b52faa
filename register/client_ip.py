"""The address a request came from: the one answer that the login throttle (register/throttling.py),
django-axes (AXES_CLIENT_IP_CALLABLE) and DRF (NUM_PROXIES) all use.

X-Forwarded-For is written by the client as much as by proxies: only the entries appended by our
own proxies can be believed. With TRUSTED_PROXY_COUNT = n, the n-th entry from the right is the
address the outermost of our proxies saw; anything left of it is the client's to choose. With 0
(no proxy in front), the header is ignored and the TCP peer (REMOTE_ADDR) is the address."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address as text, or None when the server was not told one (a Unix socket)."""
    meta = request.META
    remote = meta.get("REMOTE_ADDR") or None
    trusted = settings.TRUSTED_PROXY_COUNT
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if trusted <= 0 or not forwarded:
        return remote
    entries = [entry.strip() for entry in forwarded.split(",")]
    # Fewer entries than proxies: the request skipped the outer ones; the left-most is the best
    # any of ours wrote (DRF's NUM_PROXIES reads it the same way).
    chosen = entries[-min(trusted, len(entries))]
    try:
        return str(ipaddress.ip_address(chosen))
    except ValueError:
        # Not an address (a misconfigured proxy): never store or key on junk; the peer is the proxy.
        return remote
