"""The client's address for the login lockout (django-axes' AXES_CLIENT_IP_CALLABLE), proxy-aware.

Behind a reverse proxy every request comes from the proxy, so a lockout keyed on REMOTE_ADDR would let anyone
lock any username for everybody. The forwarded header is believed only when the request comes from a
configured trusted proxy (settings.TRUSTED_PROXIES, env TRUSTED_PROXIES: addresses or networks), and only
as far as the hops are trusted: the header is read from the right, skipping trusted proxies, and the first
address not among them is the client (what a client writes at the left of the header is never believed).
Without a configured proxy the header is ignored and REMOTE_ADDR is the client.
"""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings


@cache
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(e, strict=False) for e in entries)


def trusted_networks() -> tuple:
    """The trusted proxies of the settings, as networks (a bare address is a /32 or /128)."""
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def _address(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(ip, networks) -> bool:
    return any(ip.version == n.version and ip in n for n in networks)


def client_ip(request) -> str | None:
    """The address of the client that sent `request` (see the module docstring)."""
    remote = request.META.get("REMOTE_ADDR")
    networks = trusted_networks()
    remote_ip = _address(remote or "")
    if not networks or remote_ip is None or not _trusted(remote_ip, networks):
        return remote
    header = getattr(settings, "CLIENT_IP_HEADER", "HTTP_X_FORWARDED_FOR")
    hops = [h for h in request.META.get(header, "").split(",") if h.strip()]
    client = remote_ip
    for hop in reversed(hops):
        ip = _address(hop)
        if ip is None:
            break  # garbage in the header: stop at the last address we could trust
        client = ip
        if not _trusted(ip, networks):
            break
    return str(client)
