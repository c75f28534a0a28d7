"""Refuse URLs that resolve into private, loopback, link-local or metadata networks (SSRF).

A feed is untrusted input: its links, and every redirect they lead to, may point at internal
services. Each hop's host is resolved and every address checked before we connect; only the
networks an operator lists explicitly (the sample newsroom on loopback, for instance) pass.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit


class BlockedAddress(Exception):
    """The URL's host resolves to an address we must not fetch."""


class AddressGuard:
    def __init__(self, allow_networks: Iterable[str] = ()) -> None:
        self.allowed = [ipaddress.ip_network(n, strict=False) for n in allow_networks]

    def _is_public(self, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
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

    def check(self, url: str) -> None:
        """Raise :class:`BlockedAddress` unless every address of the URL's host may be fetched."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise BlockedAddress(f"scheme {parts.scheme!r} is not fetched (only http and https): {url}")
        host = parts.hostname
        if not host:
            raise BlockedAddress(f"URL has no host: {url}")
        try:
            infos = socket.getaddrinfo(
                host, parts.port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM
            )
        except socket.gaierror as exc:
            raise BlockedAddress(f"cannot resolve {host!r}: {exc}") from exc
        for info in infos:
            ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
            if self._is_public(ip):
                continue
            if any(ip in net for net in self.allowed):
                continue
            raise BlockedAddress(
                f"{host} resolves to {ip}, a non-public address; add it to fetch.allow_networks in "
                f"feeds.yaml (or NEWSFLOW_ALLOW_NETWORKS) only if this source is trusted"
            )
