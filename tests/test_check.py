"""The checker against real HTTP servers on loopback (tests/servers.py): every verdict and every rule."""

from __future__ import annotations

import asyncio
import time

import pytest
from conftest import LOOPBACK_ONLY

from linkguard.check import CheckOptions, FetchOptions, check_urls
from linkguard.check.policy import deep_link_sent_home, retry_after, says_not_found
from linkguard.check.scheduler import Hosts
from linkguard.models import Verdict

FAST = FetchOptions(timeout=2.0, backoff=0.05)


def run(urls, options=None, hosts=None, use_get=()):
    options = options or CheckOptions(allow_networks=LOOPBACK_ONLY, fetch=FAST)

    async def go():
        return {r.url: r async for r in check_urls(urls, options, hosts=hosts, use_get=use_get)}

    return asyncio.run(go())


def one(url, **kw):
    fetch = kw.pop("fetch", FAST)
    return run([url], CheckOptions(allow_networks=LOOPBACK_ONLY, fetch=fetch, **kw))[url]


@pytest.mark.parametrize(
    ("path", "verdict", "status"),
    [
        ("/ok/a", Verdict.ALIVE, 200),
        ("/status/404/a", Verdict.DEAD, 404),
        ("/status/410/a", Verdict.DEAD, 410),
        ("/moved/a", Verdict.REDIRECTED, 200),
        ("/redirect/3/a", Verdict.REDIRECTED, 200),
        ("/moved-dead/a", Verdict.DEAD, 404),
        ("/home/deep/article", Verdict.SOFT_404, 200),
        ("/forbidden/a", Verdict.BLOCKED, 403),
        ("/status/401/a", Verdict.BLOCKED, 401),
        ("/status/451/a", Verdict.BLOCKED, 451),
        ("/status/500/a", Verdict.ERROR, 500),
        ("/always429/a", Verdict.RATE_LIMITED, 429),
        ("/loop/a", Verdict.ERROR, 302),
    ],
)
def test_verdicts(server, path, verdict, status) -> None:
    r = one(server.url(path))
    assert (r.verdict, r.http_status) == (verdict, status), r


def test_redirect_chain_is_recorded_hop_by_hop(server) -> None:
    r = one(server.url("/redirect/3/x"))
    assert [h.status for h in r.hops] == [302, 302, 302, 200]
    assert r.final_url == server.url("/ok/x") and not r.permanent
    moved = one(server.url("/moved/x"))
    assert moved.permanent and moved.final_url == server.url("/ok/x")


def test_redirect_loop_and_limit(server) -> None:
    assert "loop" in one(server.url("/loop/z")).error
    r = one(server.url("/redirect/5/z"), fetch=FetchOptions(timeout=2, max_redirects=3, backoff=0.05))
    assert r.verdict is Verdict.ERROR and "more than 3 redirects" in r.error


def test_head_first_then_get_when_head_is_refused(server) -> None:
    r = one(server.url("/nohead/h"))
    assert r.verdict is Verdict.ALIVE
    assert [m for m, p in server.methods if p == "/nohead/h"] == ["HEAD", "GET"]
    lies = server.url("/headlies/h")  # HEAD says 404, GET says 200
    assert one(lies).verdict is Verdict.DEAD  # a first check takes HEAD's word (the link becomes suspect) ...
    again = run([lies], CheckOptions(allow_networks=LOOPBACK_ONLY, fetch=FAST), use_get={lies})[lies]
    assert again.verdict is Verdict.ALIVE  # ... and its re-check asks with GET, so it is never called rotten
    ok = one(server.url("/ok/head-only"))
    assert [m for m, p in server.methods if p == "/ok/head-only"] == ["HEAD"]
    assert ok.verdict is Verdict.ALIVE


def test_soft_404_from_the_page_needs_a_get(server) -> None:
    assert one(server.url("/soft404/a"), fetch=FetchOptions(timeout=2, method="get")).verdict is Verdict.SOFT_404
    assert one(server.url("/soft404/b")).verdict is Verdict.ALIVE  # HEAD answers 200: nothing more to see


def test_retry_after_seconds_and_http_date(server) -> None:
    for path in ("/ratelimit/r1", "/ratelimit-date/r2"):
        start = time.monotonic()
        r = one(server.url(path))
        assert r.verdict is Verdict.ALIVE and r.attempts == 2
        assert time.monotonic() - start >= 0.9  # waited as asked
        assert server.hits[path] == 2  # the 429 was not followed by an immediate GET


def test_retry_after_beyond_the_cap_gives_up(server) -> None:
    start = time.monotonic()
    r = one(server.url("/always429/cap"))
    assert r.verdict is Verdict.RATE_LIMITED and time.monotonic() - start < 2


def test_transient_5xx_is_retried(server) -> None:
    r = one(server.url("/flaky/f"))
    assert (r.verdict, r.attempts) == (Verdict.ALIVE, 2)


def test_timeout_and_slow_drip(server) -> None:
    fetch = FetchOptions(timeout=0.5, backoff=0.05, method="get")
    assert one(server.url("/slow/t"), fetch=fetch).verdict is Verdict.TIMEOUT
    start = time.monotonic()
    assert one(server.url("/drip/t"), fetch=fetch).verdict is Verdict.TIMEOUT
    assert time.monotonic() - start < 3  # two attempts at most


def test_connection_reset_and_refused(server) -> None:
    r = one(server.url("/reset/x"))
    assert r.verdict is Verdict.ERROR and r.attempts == 3
    dead_port = one("http://127.0.0.1:1/nothing")
    assert dead_port.verdict is Verdict.ERROR and "refused" in dead_port.error


def test_huge_and_gzip_bomb_bodies_are_capped(server) -> None:
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for path in ("/big/x", "/gzipbomb/x"):
        start = time.monotonic()
        r = one(server.url(path), fetch=FetchOptions(timeout=5, method="get"))
        assert r.verdict is Verdict.ALIVE and time.monotonic() - start < 3
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 40  # a 50 MB bomb was not inflated (the server's own copy is in this process)


def test_dns_failure_is_dead() -> None:
    r = one("http://no-such-host.invalid/page")
    assert r.verdict is Verdict.DEAD and "no such host" in r.error


def test_private_addresses_are_refused_before_any_request(server) -> None:
    before = server.requests
    r = one("http://127.0.0.2:9/admin")  # loopback, but not the allowed address
    assert r.verdict is Verdict.REFUSED and "loopback" in r.error
    strict = run([server.url("/ok/strict")], CheckOptions(fetch=FAST))  # nothing private allowed
    assert next(iter(strict.values())).verdict is Verdict.REFUSED
    assert server.requests == before


def test_redirect_to_a_private_address_is_refused(server) -> None:
    r = one(server.url("/to/x?url=http://127.0.0.3:9/latest/meta-data"))
    assert r.verdict is Verdict.REFUSED and [h.status for h in r.hops] == [302]


def test_hostnames_are_checked_on_their_resolved_address(server) -> None:
    url = f"http://intranet.test:{server.port}/ok/dns"
    refused = run([url], CheckOptions(allow_networks=("10.0.0.0/8",), resolve={"intranet.test": "127.0.0.1"},
                                      fetch=FAST))[url]
    assert refused.verdict is Verdict.REFUSED and "resolves to 127.0.0.1" in refused.error
    allowed = run([url], CheckOptions(allow_networks=LOOPBACK_ONLY, resolve={"intranet.test": "127.0.0.1"},
                                      fetch=FAST))[url]
    assert allowed.verdict is Verdict.ALIVE
    rebound = server.url("/to/x?url=http://intranet.test:9/")  # a redirect to a name that resolves inside
    r = run([rebound], CheckOptions(allow_networks=LOOPBACK_ONLY, resolve={"intranet.test": "127.0.0.4"},
                                    fetch=FAST))[rebound]
    assert r.verdict is Verdict.REFUSED


def test_per_host_limit_holds_whatever_the_order(server) -> None:
    server.max_in_flight = 0
    urls = [server.url(f"/count/c{i}") for i in range(24)]
    hosts = Hosts(per_host=3)
    start = time.monotonic()
    results = run(urls, CheckOptions(allow_networks=LOOPBACK_ONLY, per_host=3, concurrency=64, fetch=FAST),
                  hosts=hosts)
    assert all(r.verdict is Verdict.ALIVE for r in results.values())
    assert server.max_in_flight == 3 and hosts.max_in_flight["127.0.0.1"] == 3
    assert time.monotonic() - start >= 8 * 0.2 * 0.9  # 24 requests, 3 at a time, 0.2 s each


def test_requests_per_second_per_host(server) -> None:
    urls = [server.url(f"/ok/rps{i}") for i in range(6)]
    start = time.monotonic()
    run(urls, CheckOptions(allow_networks=LOOPBACK_ONLY, per_host=4, per_host_rps=4, fetch=FAST))
    assert time.monotonic() - start >= 0.4  # a burst of 4, then one every 0.25 s


def test_excluded_and_non_web_urls_are_skipped(server) -> None:
    results = run([server.url("/ok/skip-me"), "ftp://files.example/x"],
                  CheckOptions(allow_networks=LOOPBACK_ONLY, exclude=("skip-me",), fetch=FAST))
    assert {r.verdict for r in results.values()} == {Verdict.SKIPPED}


def test_user_agent_and_per_host_headers(server) -> None:
    fetch = FetchOptions(timeout=2, headers={"127.0.0.1": {"X-Token": "t"}}, cookies={"127.0.0.1": {"a": "b"}},
                         user_agent="Mozilla/5.0 (compatible; test-agent)")
    one(server.url("/echo/h1"), fetch=fetch)
    seen = server.headers["/echo/h1"]
    assert seen["X-Token"] == "t" and seen["Cookie"] == "a=b" and seen["User-Agent"].endswith("test-agent)")
    one(server.url("/echo/h2"))
    assert "linkguard" in server.headers["/echo/h2"]["User-Agent"]
    assert "X-Token" not in server.headers["/echo/h2"]


# --- pure policy ---------------------------------------------------------------------------------------------------
def test_soft_404_page_detection() -> None:
    assert says_not_found(b"<html><head><title>404 - Page Not Found</title>")
    assert says_not_found(b"<title>Site</title><h1>Sorry, this page does not exist</h1>")
    assert not says_not_found(b"<title>Annual report</title><h1>Results</h1>")


def test_deep_link_sent_home() -> None:
    assert deep_link_sent_home("https://a.example/news/1", "https://www.a.example/")
    assert deep_link_sent_home("https://a.example/news/1", "https://a.example/en/")
    assert not deep_link_sent_home("https://a.example/", "https://a.example/")
    assert not deep_link_sent_home("https://a.example/news/1", "https://b.example/")
    assert not deep_link_sent_home("https://a.example/news/1", "https://a.example/news/1/")


def test_retry_after_parsing() -> None:
    assert retry_after("120", 0) == 120
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 - 10) == 10
    assert retry_after("soon", 0) is None and retry_after(None, 0) is None


def test_hostile_headers_are_an_error_not_a_crash(server) -> None:
    r = one(server.url("/hugeheader/x"))
    assert r.verdict is Verdict.ERROR


def test_urls_streamed_in_while_checking_are_all_checked_politely(server) -> None:
    """An async source (a run still reading its files) feeds the checker as it goes: every URL is checked
    once, skipped ones are reported, the per-host limit holds, and the workers end when the source does."""
    hosts = Hosts(per_host=2)
    urls = [server.url(f"/count/s{i}") for i in range(12)]  # each answer takes 0.2 s

    async def source():
        for i, url in enumerate(urls):
            if i % 4 == 0:
                await asyncio.sleep(0.05)  # reading the next file
            yield url
        yield "ftp://example.org/file"

    async def go():
        opts = CheckOptions(allow_networks=LOOPBACK_ONLY, fetch=FAST, concurrency=8, per_host=2)
        return {r.url: r async for r in check_urls(source(), opts, hosts=hosts)}

    results = asyncio.run(asyncio.wait_for(go(), 30))
    assert set(results) == {*urls, "ftp://example.org/file"}
    assert all(results[u].verdict is Verdict.ALIVE for u in urls)
    assert results["ftp://example.org/file"].verdict is Verdict.SKIPPED
    assert max(hosts.max_in_flight.values()) == 2


def test_an_empty_stream_ends_at_once() -> None:
    async def nothing():
        return
        yield

    async def go():
        return [r async for r in check_urls(nothing(), CheckOptions(allow_networks=LOOPBACK_ONLY, fetch=FAST))]

    assert asyncio.run(asyncio.wait_for(go(), 5)) == []


def test_dispatcher_puts_known_slow_urls_first_and_releases_waiters_on_close() -> None:
    from linkguard.check.scheduler import Dispatcher

    async def go():
        d = Dispatcher([], Hosts(per_host=1), closed=False)
        waiter = asyncio.create_task(d.take())
        await asyncio.sleep(0)
        await d.add(["http://a.test/1", "http://a.test/2"])
        assert await asyncio.wait_for(waiter, 1) == ("http://a.test/1", "a.test")
        await d.add(["http://a.test/slow"], first=True)
        blocked = asyncio.create_task(d.take())  # a.test is full (per_host 1): waits for a slot
        await asyncio.sleep(0.01)
        assert not blocked.done()
        await d.done("a.test")
        assert await asyncio.wait_for(blocked, 1) == ("http://a.test/slow", "a.test")
        await d.done("a.test")
        last = await d.take()
        idle = [asyncio.create_task(d.take()) for _ in range(3)]
        await asyncio.sleep(0.01)
        await d.close()
        return last, await asyncio.wait_for(asyncio.gather(*idle), 1)

    last, idle = asyncio.run(go())
    assert last == ("http://a.test/2", "a.test") and idle == [None, None, None]
