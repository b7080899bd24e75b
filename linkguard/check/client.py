"""One check of one URL over aiohttp: HEAD then GET, redirects by hand, capped bodies, retries.

Every request goes through `Hosts.slot` of its own host and through the address guard. Bodies are read
with decompression done here (aiohttp's own is off), so neither the bytes read nor the bytes inflated ever
exceed `body_cap`; a gzip bomb inflates to 64 KiB and no further.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import aiohttp
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_exponential_jitter
from yarl import URL

from ..models import CheckResult, Hop, Verdict
from .guard import Guard, RefusedAddress
from .options import FetchOptions
from .policy import (
    HEAD_REFUSED,
    PERMANENT,
    REDIRECTS,
    RETRY_STATUSES,
    deep_link_sent_home,
    retry_after,
    says_not_found,
    status_verdict,
)
from .scheduler import Hosts, host_of


class Transient(Exception):
    """A failure worth another attempt (timeout, reset, 5xx, 429)."""

    def __init__(self, verdict: Verdict, message: str, status: int | None = None, wait: float | None = None,
                 hops: tuple[Hop, ...] = ()) -> None:
        super().__init__(message)
        self.verdict, self.status, self.wait, self.hops = verdict, status, wait, hops


class Final(Exception):
    """A failure that another attempt will not change (refused address, TLS, NXDOMAIN, loop)."""

    def __init__(self, verdict: Verdict, message: str, hops: tuple[Hop, ...] = ()) -> None:
        super().__init__(message)
        self.verdict, self.hops = verdict, hops


@dataclass
class Answer:
    status: int
    location: str | None
    body: bytes
    retry_after: str | None
    method: str


def request_url(url: str) -> URL:
    """The URL to send, without re-encoding what is already percent-encoded."""
    return URL(url, encoded=True) if url.isascii() else URL(url)


def _headers(opts: FetchOptions, host: str) -> dict[str, str]:
    h = {
        "User-Agent": opts.user_agent,
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Language": "en;q=0.9, *;q=0.5",
        "Accept-Encoding": "gzip, deflate",
    }
    for pattern, extra in opts.headers.items():
        if host == pattern or host.endswith("." + pattern):
            h.update(extra)
    for pattern, cookies in opts.cookies.items():
        if host == pattern or host.endswith("." + pattern):
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return h


async def _read_capped(resp: aiohttp.ClientResponse, cap: int) -> tuple[bytes, bool]:
    """(at most `cap` decompressed bytes, whether the body was read to its end)."""
    enc = resp.headers.get("Content-Encoding", "").strip().lower()
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 32) if enc in ("gzip", "x-gzip", "deflate") else None
    out = bytearray()
    raw = 0
    complete = True
    try:
        async for chunk in resp.content.iter_chunked(16384):
            raw += len(chunk)
            if inflater is not None:
                out += inflater.decompress(chunk, cap - len(out))
            else:
                out += chunk[: cap - len(out)]
            if len(out) >= cap or raw >= cap * 4:
                complete = resp.content.at_eof()
                break
    except zlib.error:
        return bytes(out), False
    return bytes(out), complete


async def _ask(session: aiohttp.ClientSession, url: str, method: str, opts: FetchOptions, hosts: Hosts,
               guard: Guard) -> Answer:
    host = host_of(url)
    guard.check_host(host)
    async with hosts.slot(host), session.request(method, request_url(url), allow_redirects=False,
                                                 headers=_headers(opts, host)) as resp:
        body = b""
        if method == "GET" and resp.status not in REDIRECTS:
            body, complete = await _read_capped(resp, opts.body_cap)
            if not complete:
                resp.close()  # stop downloading; the connection is not reused
        return Answer(resp.status, resp.headers.get("Location"), body, resp.headers.get("Retry-After"), method)


async def _ask_page(session: aiohttp.ClientSession, url: str, opts: FetchOptions, hosts: Hosts,
                    guard: Guard, get: bool) -> Answer:
    if opts.method == "head" and not get:
        answer = await _ask(session, url, "HEAD", opts, hosts, guard)
        if answer.status not in HEAD_REFUSED:
            return answer
    return await _ask(session, url, "GET", opts, hosts, guard)


async def _follow(session: aiohttp.ClientSession, url: str, opts: FetchOptions, hosts: Hosts, guard: Guard,
                  clock: Callable[[], float], get: bool) -> CheckResult:
    """One attempt: follow redirects by hand, judge the final answer. Raises Transient or Final."""
    start = time.monotonic()
    hops: list[Hop] = []
    seen = {url}
    current = url
    permanent = True
    for _ in range(opts.max_redirects + 1):
        try:
            answer = await _ask_page(session, current, opts, hosts, guard, get)
        except RefusedAddress as e:
            raise Final(Verdict.REFUSED, str(e), tuple(hops)) from e
        except (Transient, Final) as e:
            e.hops = tuple(hops)
            raise
        except Exception as e:
            raise _classify(e, tuple(hops)) from e
        hops.append(Hop(current, answer.method, answer.status))
        if answer.status in REDIRECTS and answer.location:
            nxt = urljoin(current, answer.location.strip())
            if urlsplit(nxt).scheme not in ("http", "https"):
                raise Final(Verdict.ERROR, f"redirect to a non-web URL: {nxt[:200]}", tuple(hops))
            if nxt in seen:
                raise Final(Verdict.ERROR, f"redirect loop ({len(hops)} hops)", tuple(hops))
            permanent = permanent and answer.status in PERMANENT
            seen.add(nxt)
            current = nxt
            continue
        if answer.status in RETRY_STATUSES:
            now = clock()
            wait = retry_after(answer.retry_after, now)
            if wait is not None and wait <= opts.retry_after_cap:
                hosts.pause(host_of(current), wait)  # nobody asks this host anything until then
            verdict = Verdict.RATE_LIMITED if answer.status == 429 else Verdict.ERROR
            raise Transient(verdict, f"HTTP {answer.status}", answer.status, wait, tuple(hops))
        verdict = status_verdict(answer.status)
        if verdict is Verdict.ALIVE:
            sent_home = len(hops) > 1 and deep_link_sent_home(url, current)
            if sent_home or (answer.body and says_not_found(answer.body)):
                verdict = Verdict.SOFT_404
            elif len(hops) > 1:
                verdict = Verdict.REDIRECTED
        error = None if verdict in (Verdict.ALIVE, Verdict.REDIRECTED) else f"HTTP {answer.status}"
        if verdict is Verdict.SOFT_404:
            error = "the page says it is not found" if len(hops) == 1 else "deep link redirected to the home page"
        return CheckResult(url, verdict, clock(), answer.status, current if len(hops) > 1 else None,
                           permanent and len(hops) > 1, tuple(hops), error,
                           int((time.monotonic() - start) * 1000))
    raise Final(Verdict.ERROR, f"more than {opts.max_redirects} redirects", tuple(hops))


def _classify(e: BaseException, hops: tuple[Hop, ...]) -> Transient | Final:
    """Map a client exception to a verdict, and whether it is worth another attempt."""
    if isinstance(e, RefusedAddress) or isinstance(e.__cause__, RefusedAddress):
        return Final(Verdict.REFUSED, str(e if isinstance(e, RefusedAddress) else e.__cause__), hops)
    if isinstance(e, asyncio.TimeoutError | aiohttp.ServerTimeoutError):
        return Transient(Verdict.TIMEOUT, "timed out", hops=hops)
    if isinstance(e, aiohttp.ClientConnectorDNSError):
        os_err = e.os_error
        if isinstance(os_err, socket.gaierror) and os_err.errno in (socket.EAI_NONAME,
                                                                    getattr(socket, "EAI_NODATA", -5)):
            return Final(Verdict.DEAD, f"no such host ({os_err.strerror})", hops)
        return Transient(Verdict.ERROR, f"DNS failure: {os_err}", hops=hops)
    if isinstance(e, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError | ssl.SSLError):
        return Final(Verdict.ERROR, f"TLS error: {e}", hops)
    if isinstance(e, aiohttp.ClientConnectorError):
        if e.os_error.errno == errno.ECONNREFUSED:
            return Transient(Verdict.ERROR, "connection refused", hops=hops)
        return Transient(Verdict.ERROR, f"cannot connect: {e.os_error.strerror or e.os_error}", hops=hops)
    if isinstance(e, aiohttp.ServerDisconnectedError | aiohttp.ClientOSError | ConnectionError):
        return Transient(Verdict.ERROR, "connection reset", hops=hops)
    if isinstance(e, aiohttp.InvalidURL | ValueError):
        return Final(Verdict.ERROR, f"invalid URL: {e}", hops)
    if isinstance(e, aiohttp.ClientResponseError | aiohttp.ClientPayloadError):
        return Final(Verdict.ERROR, f"protocol error: {type(e).__name__}: {e}", hops)
    return Final(Verdict.ERROR, f"{type(e).__name__}: {e}", hops)


def _wait(opts: FetchOptions) -> Callable[[RetryCallState], float]:
    backoff = wait_exponential_jitter(multiplier=opts.backoff, max=30.0, jitter=opts.backoff)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        base = backoff(state)
        if isinstance(exc, Transient) and exc.wait is not None:
            return max(base, min(exc.wait, opts.retry_after_cap))
        return base

    return wait


def _stop(opts: FetchOptions) -> Callable[[RetryCallState], bool]:
    attempts = stop_after_attempt(opts.retries)

    def stop(state: RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, Transient) and exc.wait is not None and exc.wait > opts.retry_after_cap:
            return True  # the site asks for longer than we are willing to wait
        if isinstance(exc, Transient) and exc.verdict is Verdict.TIMEOUT and state.attempt_number >= 2:
            return True  # one more try for a timeout: a slow site stays slow
        return attempts(state)

    return stop


async def check_url(session: aiohttp.ClientSession, url: str, opts: FetchOptions, hosts: Hosts, guard: Guard,
                    clock: Callable[[], float] = time.time, get: bool = False) -> CheckResult:
    """Check one URL, with retries; never raises for a network problem (it becomes the verdict).

    `get` asks with GET from the start (used for links that failed before: their rot is confirmed by GET).
    """
    started = time.monotonic()
    attempts = 1
    try:
        try:  # the first attempt outside tenacity: most URLs need one, and its machinery costs ~40 µs a URL
            result = await _follow(session, url, opts, hosts, guard, clock, get)
        except Transient as first_failure:
            failed: Transient | None = first_failure

            async def attempt_once() -> CheckResult:
                nonlocal failed
                if failed is not None:  # tenacity's attempt 1 is the one already made: it decides the wait
                    e, failed = failed, None
                    raise e
                return await _follow(session, url, opts, hosts, guard, clock, get)

            async for attempt in AsyncRetrying(stop=_stop(opts), wait=_wait(opts), reraise=True,
                                               retry=retry_if_exception_type(Transient)):
                with attempt:
                    attempts = attempt.retry_state.attempt_number
                    result = await attempt_once()
    except (Transient, Final) as e:
        hops = e.hops
        status = getattr(e, "status", None) or (hops[-1].status if hops else None)
        return CheckResult(url, e.verdict, clock(), status, hops[-1].url if len(hops) > 1 else None, False,
                           hops, str(e), int((time.monotonic() - started) * 1000), attempts)
    return CheckResult(result.url, result.verdict, result.checked_at, result.http_status, result.final_url,
                       result.permanent, result.hops, result.error, int((time.monotonic() - started) * 1000),
                       attempts)
