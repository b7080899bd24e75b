"""The address guard: no request goes to loopback, private, link-local, CGNAT, multicast or cloud-metadata
addresses unless allowed.

It is enforced where the connection is made: `GuardedResolver` (resolver.py) is the connector's DNS resolver, so every
hostname (the first request's and every redirect's) is checked on the addresses it resolves to, at
connect time, which also defeats DNS rebinding. IP-literal hosts never reach a resolver in aiohttp, so
`check_host` is called on every hop's host before the request.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud metadata services, named explicitly (most are also link-local or private).
METADATA = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254", "192.0.0.192",
))


class RefusedAddress(Exception):
    """A host resolved (or is) an address the guard does not allow."""


def why_refused(ip: IPAddress) -> str | None:
    """The reason an address is not a public internet address, or None when it is one."""
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return why_refused(mapped)
        if ip in ipaddress.ip_network("64:ff9b::/96"):  # NAT64: look at the embedded IPv4 address
            return why_refused(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip in METADATA:
        return "cloud metadata address"
    if ip.is_loopback:
        return "loopback address"
    if ip.is_link_local:
        return "link-local address"
    if ip.is_multicast:
        return "multicast address"
    if ip.is_unspecified:
        return "unspecified address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in ipaddress.ip_network("100.64.0.0/10"):
        return "carrier-grade NAT address"
    if ip.is_private:
        return "private address"
    if ip.is_reserved or not ip.is_global:
        return "reserved address"
    return None


@dataclass(frozen=True)
class Guard:
    """Which addresses may be contacted: public ones, plus `allow` networks; everything with allow_all."""

    allow_all: bool = False
    allow: tuple[IPNetwork, ...] = ()

    @classmethod
    def of(cls, allow_private: bool = False, networks: Iterable[str] = ()) -> Guard:
        return cls(allow_private, tuple(ipaddress.ip_network(n, strict=False) for n in networks))

    def refusal(self, ip: IPAddress) -> str | None:
        if self.allow_all or any(ip in n for n in self.allow if n.version == ip.version):
            return None
        return why_refused(ip)

    def check_host(self, host: str) -> None:
        """Raise RefusedAddress when `host` is an IP literal the guard refuses (hostnames: see the resolver)."""
        reason = _literal_refusal(self, host)
        if reason:
            raise RefusedAddress(f"{host} is a {reason} (use --allow-private to check it)")


@lru_cache(maxsize=4096)  # asked before every request: parse each host once
def _literal_refusal(guard: Guard, host: str) -> str | None:
    try:
        ip = ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None
    return guard.refusal(ip)
