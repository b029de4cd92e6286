"""The address a request came from, as far as this deployment can tell.

One function for every throttle (the sign-in lockout, the API's login throttle through
REST_FRAMEWORK["NUM_PROXIES"], the password-reset limit), so they all count the same client.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address.

    Without proxies that is REMOTE_ADDR. Behind TRUSTED_PROXY_COUNT proxies, each appending
    the address it saw to X-Forwarded-For, it is that many entries from the right: entries
    further left were written by the client and are not trusted. A request with fewer entries
    than that, or a non-address where the proxy's entry should be, did not come the way the
    deployment says: it counts as the nearest proxy's (REMOTE_ADDR), never as what it claims.
    None when even that is no address (a server on a Unix socket may pass its path): such
    requests are then counted together, the stricter way.
    """
    if request is None:
        return None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        hops = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [a for a in hops if a]
        if len(hops) >= proxies and _is_address(hops[-proxies]):
            return hops[-proxies]
    remote = request.META.get("REMOTE_ADDR", "")
    return remote if _is_address(remote) else None


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
