"""The Wayback client layer against vcrpy cassettes (record_mode="none": nothing leaves the machine)."""

from __future__ import annotations

import asyncio

import aiohttp
import vcr
from conftest import ROOT

from linkguard.archive.choose import best
from linkguard.archive.wayback import Endpoints, WaybackClient

CASSETTES = vcr.VCR(cassette_library_dir=str(ROOT / "cassettes"), record_mode="none",
                    match_on=["method", "scheme", "host", "path", "query"], filter_headers=["authorization"])


def client_run(cassette: str, fn, keys: bool = False):
    async def go():
        async with aiohttp.ClientSession() as session:
            c = WaybackClient(session, Endpoints(), "KEY" if keys else None, "SECRET" if keys else None,
                              poll_interval=0.0)
            return await fn(c)

    with CASSETTES.use_cassette(cassette) as cass:
        result = asyncio.run(go())
        assert cass.all_played  # every documented exchange was used: the client asks what the docs say
    return result


def test_cdx_closest_to_the_access_date() -> None:
    url = "https://www.azatutyun.am/a/33420510.html"
    snaps = client_run("cdx_closest.yaml", lambda c: c.cdx(url, "2025-05-22"))
    assert [(s.timestamp, s.status) for s in snaps] == [
        ("20250522101530", 301), ("20250521184502", 200), ("20250524073011", None), ("20250610120000", 200)]
    chosen = best(snaps, "2025-05-22")  # not the redirect, not the revisit: the good capture of 21 May
    assert chosen.archived_url == f"https://web.archive.org/web/20250521184502/{url}"


def test_availability_api() -> None:
    async def both(c):
        return await c.available("https://azertag.az/xeber/3565091", "2025-05-22"), \
            await c.available("https://never-archived.example/")

    found, none = client_run("availability.yaml", both)
    assert (found.timestamp, found.status, found.source) == ("20250523081512", 200, "availability")
    assert none is None


def test_save_page_now_2_polls_a_pending_job() -> None:
    outcome = client_run("spn2_save.yaml", lambda c: c.save("https://www.tehrantimes.com/news/511627"), keys=True)
    assert outcome.status == "success" and outcome.snapshot.timestamp == "20261125170512"


def test_save_page_now_2_errors_explained() -> None:
    async def both(c):
        return await c.save("https://mod.gov.az/az/news/54772.html"), await c.save("https://tracker.example/pixel")

    daily, blocked = client_run("spn2_errors.yaml", both, keys=True)
    assert daily.status_ext == "error:too-many-daily-captures" and "daily capture limit" in daily.message
    assert blocked.status_ext == "error:blocked-url" and "block" in blocked.message
