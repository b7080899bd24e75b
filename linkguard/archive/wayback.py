"""A thin aiohttp client for the Wayback Machine: CDX lookups, the Availability API, Save Page Now 2.

Why not waybackpy: it is synchronous with fixed endpoints and no hook for SPN2's job polling, rate
limits or Retry-After; an async client on the session linkguard already has is smaller than wrapping it
off the event loop. Every base URL is configurable (tests and private deployments point it elsewhere).
Keys go only into the Authorization header: never into a message, a log line or the database.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import aiohttp
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_exponential_jitter

from ..check.policy import retry_after
from .choose import Snapshot, archived_url

# What Save Page Now's `status_ext` errors mean, in a sentence a person can act on.
STATUS_EXT = {
    "error:too-many-daily-captures": "the archive's daily capture limit for this account is reached; "
                                     "no more saves today (lookups go on)",
    "error:user-session-limit": "too many captures in flight for this account; try fewer at once",
    "error:blocked-url": "the archive does not capture this URL (blocked list)",
    "error:blocked": "the site blocks the archive's crawler",
    "error:blocked-client-ip": "the archive blocks this machine's IP address",
    "error:robots": "the site's robots.txt forbids archiving",
    "error:no-access": "the page needs a login",
    "error:not-found": "the archive's crawler got a 404: the page is gone",
    "error:bad-gateway": "the site answered 502 to the archive's crawler",
    "error:service-unavailable": "the site answered 503 to the archive's crawler",
    "error:gateway-timeout": "the site answered 504 to the archive's crawler",
    "error:too-many-redirects": "the page redirects too many times",
    "error:too-many-requests": "the site rate-limited the archive's crawler",
    "error:browsing-timeout": "the archive's browser timed out on the page",
    "error:capture-location-error": "the archive could not store the capture (its side)",
    "error:cannot-fetch": "the archive is overloaded and could not fetch the page",
    "error:celery": "the archive could not start the capture (its side)",
    "error:invalid-url-syntax": "the archive refused the URL as malformed",
    "error:invalid-host-resolution": "the archive could not resolve the host",
    "error:unauthorized": "the archive refused the keys (check IA_ACCESS_KEY / IA_SECRET_KEY)",
    "error:proxy-error": "the archive's proxy failed (its side)",
    "error:soft-time-limit-exceeded": "the capture took too long (its side)",
    "error:read-timeout": "the site was too slow for the archive's crawler",
    "error:filesize-limit": "the page is larger than the archive captures",
    "error:ftp-access-denied": "FTP access denied",
    "error:method-not-allowed": "the site refused the archive's request method",
    "error:network-authentication-required": "the site needs network authentication",
    "error:no-browsers-available": "the archive has no browser free (its side)",
}
DAILY_LIMIT = frozenset({"error:too-many-daily-captures"})
STOP_SAVES = DAILY_LIMIT | {"error:unauthorized", "error:blocked-client-ip"}


def explain(status_ext: str | None, fallback: str = "") -> str:
    if not status_ext:
        return fallback or "unknown error"
    return f"{status_ext}: {STATUS_EXT.get(status_ext, fallback or 'see the SPN2 documentation')}"


class WaybackError(Exception):
    """A Wayback request that failed after retries (outage, malformed answer): reported per link."""


class Transient(Exception):
    def __init__(self, message: str, wait: float | None = None) -> None:
        super().__init__(message)
        self.wait = wait


@dataclass(frozen=True)
class Endpoints:
    wayback_url: str = "https://web.archive.org"
    availability_url: str = "https://archive.org/wayback/available"


@dataclass
class SaveOutcome:
    status: str  # success, error, pending (gave up waiting), refused (anonymous/keys refused)
    snapshot: Snapshot | None = None
    status_ext: str | None = None
    message: str = ""


class WaybackClient:
    def __init__(self, session: aiohttp.ClientSession, endpoints: Endpoints, access_key: str | None = None,
                 secret_key: str | None = None, retries: int = 3, backoff: float = 1.0, poll_interval: float = 5.0,
                 poll_timeout: float = 180.0, sleep: Callable[[float], object] = asyncio.sleep) -> None:
        self.session, self.endpoints = session, endpoints
        self._auth = f"LOW {access_key}:{secret_key}" if access_key and secret_key else None
        self.retries, self.backoff = retries, backoff
        self.poll_interval, self.poll_timeout = poll_interval, poll_timeout
        self.requests = 0  # every request made, for summaries and benchmarks

    @property
    def keyed(self) -> bool:
        return self._auth is not None

    # --- plumbing
    async def _json(self, method: str, url: str, *, params: dict[str, str] | None = None,
                    data: dict[str, str] | None = None, auth: bool = False, retry_429: bool = True,
                    parse: bool = True) -> tuple[int, object]:
        """(status, parsed JSON) with retries on 429/5xx/timeouts (Retry-After honoured); `retry_429=False`
        returns a 429 as an answer (anonymous saves: a refusal, not a hiccup)."""
        headers = {"Accept": "application/json", "User-Agent": "linkguard (+https://github.com/linkguard/linkguard)"}
        if auth and self._auth:
            headers["Authorization"] = self._auth

        async def attempt() -> tuple[int, object]:
            self.requests += 1
            try:
                async with self.session.request(method, url, params=params, data=data, headers=headers,
                                                allow_redirects=False) as resp:
                    text = await resp.text(errors="replace")
                    if (resp.status == 429 and retry_429) or resp.status >= 500:
                        wait = retry_after(resp.headers.get("Retry-After"), time.time())
                        raise Transient(f"HTTP {resp.status}", wait)
                    if not parse or not text.strip() or resp.status == 429:
                        return resp.status, None
                    try:
                        return resp.status, json.loads(text)
                    except json.JSONDecodeError:
                        raise WaybackError(f"malformed answer from {_where(url)} (HTTP {resp.status})") from None
            except (TimeoutError, aiohttp.ClientError) as e:
                raise Transient(f"{type(e).__name__} talking to {_where(url)}") from None

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            base = wait_exponential_jitter(multiplier=self.backoff, max=60, jitter=self.backoff)(state)
            return max(base, min(exc.wait, 120.0)) if isinstance(exc, Transient) and exc.wait else base

        try:
            async for a in AsyncRetrying(stop=stop_after_attempt(self.retries), wait=wait, reraise=True,
                                         retry=retry_if_exception_type(Transient)):
                with a:
                    return await attempt()
        except Transient as e:
            raise WaybackError(f"the Wayback Machine is not answering ({e})") from None
        raise AssertionError("unreachable")

    # --- lookups
    async def cdx(self, url: str, accessed: str | None = None, limit: int = 25) -> list[Snapshot]:
        """Captures of `url` from the CDX server: those closest to `accessed`, else the newest."""
        params = {"url": url, "output": "json", "fl": "timestamp,original,statuscode,digest", "limit": str(limit)}
        if accessed:
            params |= {"closest": accessed[:10].replace("-", ""), "sort": "closest"}
        else:
            params["limit"] = str(-limit)  # negative: the last `limit` captures
        status, data = await self._json("GET", f"{self.endpoints.wayback_url.rstrip('/')}/cdx/search/cdx",
                                        params=params)
        if status != 200 or not data:
            return []
        if not isinstance(data, list) or not all(isinstance(r, list) for r in data):
            raise WaybackError("malformed CDX answer")
        header, rows = data[0], data[1:]
        col = {name: i for i, name in enumerate(header)}
        out = []
        for row in rows:
            ts, original = row[col["timestamp"]], row[col["original"]]
            code = row[col["statuscode"]] if "statuscode" in col else "-"
            out.append(Snapshot(url, ts, archived_url(self.endpoints.wayback_url, ts, original),
                                int(code) if str(code).isdigit() else None,
                                row[col["digest"]] if "digest" in col else None, "cdx"))
        return out

    async def available(self, url: str, accessed: str | None = None) -> Snapshot | None:
        """The Availability API's closest capture (a fallback when the CDX server fails)."""
        params = {"url": url}
        if accessed:
            params["timestamp"] = accessed[:10].replace("-", "")
        status, data = await self._json("GET", self.endpoints.availability_url, params=params)
        closest = (data or {}).get("archived_snapshots", {}).get("closest") if isinstance(data, dict) else None
        if status != 200 or not closest or not closest.get("available"):
            return None
        ts = str(closest["timestamp"])
        code = str(closest.get("status", ""))
        return Snapshot(url, ts, archived_url(self.endpoints.wayback_url, ts, url),
                        int(code) if code.isdigit() else None, None, "availability")

    # --- saves
    async def save(self, url: str, if_not_archived_within: str = "30d") -> SaveOutcome:
        """Save Page Now 2 with keys, polling the job; the legacy anonymous endpoint without them."""
        base = self.endpoints.wayback_url.rstrip("/")
        if not self.keyed:
            status, _ = await self._json("GET", f"{base}/save/{quote(url, safe=':/?&=%#')}", retry_429=False,
                                         parse=False)
            if status in (401, 403, 429):
                return SaveOutcome("refused", message=f"anonymous saves refused (HTTP {status})")
            if status >= 400:
                return SaveOutcome("error", message=f"HTTP {status}")
            return SaveOutcome("success", Snapshot(url, time.strftime("%Y%m%d%H%M%S", time.gmtime()),
                                                   archived_url(base, time.strftime("%Y%m%d%H%M%S", time.gmtime()),
                                                                url), 200, None, "spn"))
        status, data = await self._json("POST", f"{base}/save", auth=True, data={
            "url": url, "capture_outlinks": "0", "skip_first_archive": "1",
            "if_not_archived_within": if_not_archived_within})
        if status in (401, 403):
            return SaveOutcome("refused", status_ext="error:unauthorized", message=explain("error:unauthorized"))
        answer = data if isinstance(data, dict) else {}
        if answer.get("status") == "error" or not answer.get("job_id"):
            ext = answer.get("status_ext")
            return SaveOutcome("error", status_ext=ext, message=explain(ext, str(answer.get("message", ""))[:200]))
        return await self._poll(url, str(answer["job_id"]))

    async def _poll(self, url: str, job_id: str) -> SaveOutcome:
        base = self.endpoints.wayback_url.rstrip("/")
        deadline = time.monotonic() + self.poll_timeout
        while True:
            _, data = await self._json("GET", f"{base}/save/status/{quote(job_id)}", auth=True)
            job = data if isinstance(data, dict) else {}
            state = job.get("status")
            if state == "success":
                ts = str(job.get("timestamp", ""))
                original = str(job.get("original_url") or url)
                return SaveOutcome("success", Snapshot(url, ts, archived_url(base, ts, original), 200, None, "spn"))
            if state == "error":
                ext = job.get("status_ext")
                return SaveOutcome("error", status_ext=ext, message=explain(ext, str(job.get("message", ""))[:200]))
            if time.monotonic() > deadline:
                return SaveOutcome("pending", message=f"job {job_id} still pending after {self.poll_timeout:.0f} s")
            await asyncio.sleep(self.poll_interval)


def _where(url: str) -> str:
    return url.split("?", 1)[0]
