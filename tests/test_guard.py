"""The address guard, on addresses alone (no traffic)."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from linkguard.check.guard import Guard, RefusedAddress, why_refused
from linkguard.check.resolver import GuardedResolver


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"),
        ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"), ("fd12::1", "private"),
        ("169.254.1.1", "link-local"), ("fe80::1", "link-local"),
        ("169.254.169.254", "metadata"), ("fd00:ec2::254", "metadata"), ("100.100.100.200", "metadata"),
        ("100.64.0.1", "carrier-grade NAT"), ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"), ("::", "unspecified"), ("240.0.0.1", "address"), ("198.18.0.1", "address"),
        ("::ffff:127.0.0.1", "loopback"), ("::ffff:10.0.0.1", "private"), ("2002:a00:1::", "private"),
        ("64:ff9b::a9fe:a9fe", "metadata"),
    ],
)
def test_refused_addresses(address: str, reason: str) -> None:
    assert reason in (why_refused(ipaddress.ip_address(address)) or "")


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert why_refused(ipaddress.ip_address(address)) is None


def test_allow_lists() -> None:
    g = Guard.of(False, ["127.0.0.1/32"])
    assert g.refusal(ipaddress.ip_address("127.0.0.1")) is None
    assert g.refusal(ipaddress.ip_address("127.0.0.2")) == "loopback address"
    assert Guard.of(True).refusal(ipaddress.ip_address("10.0.0.1")) is None
    with pytest.raises(RefusedAddress, match="loopback"):
        Guard().check_host("127.0.0.1")
    with pytest.raises(RefusedAddress):
        Guard().check_host("[::1]")
    Guard().check_host("example.org")  # hostnames are the resolver's business


def test_resolver_drops_refused_addresses_and_refuses_when_none_left() -> None:
    async def run() -> None:
        r = GuardedResolver(Guard(), {"intranet.test": "10.0.0.7", "public.test": "93.184.216.34"})
        with pytest.raises(RefusedAddress, match="private"):
            await r.resolve("intranet.test", 80)
        assert [x["host"] for x in await r.resolve("public.test", 80)] == ["93.184.216.34"]

    asyncio.run(run())
