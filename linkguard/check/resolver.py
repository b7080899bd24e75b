"""The address guard as aiohttp's DNS resolver: every connection is judged on the address it goes to."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from .guard import Guard, RefusedAddress


@dataclass
class GuardedResolver(AbstractResolver):
    """Resolves through `inner` (the system resolver by default), or `overrides` (like curl --resolve),
    and drops every address the guard refuses; with none left, the connection is refused."""

    guard: Guard
    overrides: Mapping[str, str] = field(default_factory=dict)
    inner: AbstractResolver | None = None

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[ResolveResult]:
        fixed = self.overrides.get(host.lower().rstrip("."))
        if fixed is not None:
            ip = ipaddress.ip_address(fixed)
            results: list[ResolveResult] = [{
                "hostname": host, "host": str(ip), "port": port,
                "family": socket.AF_INET6 if ip.version == 6 else socket.AF_INET, "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }]
        else:
            if self.inner is None:
                self.inner = DefaultResolver()
            results = await self.inner.resolve(host, port, family)
        allowed, reasons = [], []
        for r in results:
            reason = self.guard.refusal(ipaddress.ip_address(r["host"].split("%", 1)[0]))
            if reason:
                reasons.append(f"{r['host']} ({reason})")
            else:
                allowed.append(r)
        if not allowed:
            raise RefusedAddress(f"{host} resolves to {', '.join(reasons)} (use --allow-private to check it)")
        return allowed

    async def close(self) -> None:
        if self.inner is not None:
            await self.inner.close()
