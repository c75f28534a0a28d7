"""Refuse URLs that resolve into private, loopback, link-local or metadata networks (SSRF).

A feed is untrusted input: its links, and every redirect they lead to, may point at internal
services. Each hop's host is resolved and every address checked; only the networks an operator
lists explicitly (the sample newsroom on loopback, for instance) pass.

Checking a name and then letting the HTTP library resolve it again leaves a gap (DNS rebinding:
the first answer is public, the second is 127.0.0.1). So :meth:`AddressGuard.vet` returns the
addresses it checked, and the connection layer (:mod:`newsflow.fetch.transport`) connects to
exactly those, resolving and checking in one step for every new connection.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port) -> the addresses it resolves to, as strings; raises OSError when it cannot resolve.
Resolver = Callable[[str, int], list[str]]


class BlockedAddress(Exception):
    """The URL's host resolves to an address we must not fetch (or the URL is not http/https)."""


class ResolveError(Exception):
    """The host name does not resolve (now): a transient error, unlike :class:`BlockedAddress`."""


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))


class AddressGuard:
    def __init__(self, allow_networks: Iterable[str] = (), resolver: Resolver | None = None) -> None:
        self.allowed = [ipaddress.ip_network(n, strict=False) for n in allow_networks]
        self.resolver = resolver or system_resolver

    def _is_public(self, ip: IPAddress) -> bool:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        return not (
            ip.is_private
            or ip.is_loopback
            or ip.is_link_local
            or ip.is_multicast
            or ip.is_reserved
            or ip.is_unspecified
            or not ip.is_global
        )

    def allowed_address(self, ip: IPAddress) -> bool:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
            mapped = ip.ipv4_mapped
            return self._is_public(mapped) or any(mapped in net for net in self.allowed)
        return self._is_public(ip) or any(ip in net for net in self.allowed)

    def vet(self, host: str, port: int) -> list[str]:
        """Resolve ``host`` once and return its addresses if every one may be fetched.

        Raises :class:`BlockedAddress` if any address is non-public and not allowed (one bad address
        is enough: the connection could land on it), :class:`ResolveError` if the name does not resolve.
        """
        try:
            addresses = self.resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise ResolveError(f"cannot resolve {host!r}: {exc}") from exc
        if not addresses:
            raise ResolveError(f"{host!r} resolves to no address")
        for address in addresses:
            ip = ipaddress.ip_address(address)
            if not self.allowed_address(ip):
                raise BlockedAddress(
                    f"{host} resolves to {ip}, a non-public address; add it to fetch.allow_networks in "
                    f"feeds.yaml (or NEWSFLOW_ALLOW_NETWORKS) only if this source is trusted"
                )
        return addresses

    def check(self, url: str) -> list[str]:
        """The URL's vetted addresses; raises :class:`BlockedAddress` or :class:`ResolveError`."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise BlockedAddress(f"scheme {parts.scheme!r} is not fetched (only http and https): {url}")
        host = parts.hostname
        if not host:
            raise BlockedAddress(f"URL has no host: {url}")
        return self.vet(host, parts.port or (443 if parts.scheme == "https" else 80))
