"""A fake Wayback Machine on loopback: CDX server, Availability API and Save Page Now 2, with the response
shapes of their documentation, and the faults a real one has (pending jobs, status_ext errors, 429 with
Retry-After, 5xx, malformed JSON, slow answers). Behaviour is chosen by words in the cited URL:

  cdx-down      the CDX server answers 503 (the Availability API still works)
  all-down      both lookup APIs answer 503
  cdx-garbage   the CDX server answers malformed JSON
  cdx-429       the first CDX request gets 429 with Retry-After: 1
  slow          lookups take `slow_s` seconds
  blocked       SPN2 job ends with status_ext error:blocked-url
  daily         SPN2 refuses at once with error:too-many-daily-captures
  pending       SPN2 job is pending for two polls, then succeeds
  /status-ext/E SPN2 job ends with status_ext E
Anonymous saves (GET /save/<url>) answer `anonymous_status` (429 by default: refused, as reported in 2026).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from urllib.parse import unquote

from aiohttp import web
from loopback import Loopback


class FakeWayback:
    def __init__(self, key: str = "ACCESS", secret: str = "SECRET", latency: float = 0.0, slow_s: float = 3.0,
                 anonymous_status: int = 429) -> None:
        self.auth = f"LOW {key}:{secret}"
        self.latency, self.slow_s, self.anonymous_status = latency, slow_s, anonymous_status
        self.captures: dict[str, list[tuple[str, str, str]]] = {}  # url -> (timestamp, status, digest)
        self.lookups: Counter[str] = Counter()
        self.saves: list[tuple[float, str]] = []
        self.jobs: dict[str, dict] = {}
        self.polls: Counter[str] = Counter()
        self.seen_429: set[str] = set()
        self.requests = 0
        self.in_flight = 0
        self.max_in_flight_saves = 0
        self._ids = itertools.count(1)
        app = web.Application(middlewares=[self._delay])
        app.router.add_get("/cdx/search/cdx", self.cdx)
        app.router.add_get("/wayback/available", self.available)
        app.router.add_post("/save", self.save)
        app.router.add_get("/save/status/{job}", self.status)
        app.router.add_get("/save/{url:.*}", self.anonymous)
        self.served = Loopback(app)
        self.port = self.served.port

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def availability(self) -> str:
        return f"{self.base}/wayback/available"

    def stop(self) -> None:
        self.served.stop()

    @web.middleware
    async def _delay(self, request: web.Request, handler):  # type: ignore[no-untyped-def]
        self.requests += 1
        if self.latency:
            await asyncio.sleep(self.latency)
        return await handler(request)

    # --- lookups
    async def cdx(self, request: web.Request) -> web.StreamResponse:
        url = request.query["url"]
        self.lookups[url] += 1
        if "slow" in url:
            await asyncio.sleep(self.slow_s)
        if "cdx-down" in url or "all-down" in url:
            return web.Response(status=503, text="Service Unavailable")
        if "cdx-garbage" in url:
            return web.Response(text="<html>oops", content_type="application/json")
        if "cdx-429" in url and url not in self.seen_429:
            self.seen_429.add(url)
            return web.Response(status=429, headers={"Retry-After": "1"})
        caps = sorted(self.captures.get(url, []))
        if not caps:
            return web.json_response([])
        limit = int(request.query.get("limit", "25"))
        if "closest" in request.query:
            target = request.query["closest"]
            caps.sort(key=lambda c: abs(int(c[0][:8]) - int(target[:8])))
            caps = caps[:abs(limit)]
        else:
            caps = caps[limit:] if limit < 0 else caps[:limit]
        rows = [["timestamp", "original", "statuscode", "digest"]]
        rows += [[ts, url, status, digest] for ts, status, digest in caps]
        return web.json_response(rows)

    async def available(self, request: web.Request) -> web.Response:
        url = request.query["url"]
        self.lookups[url] += 1
        if "all-down" in url:
            return web.Response(status=503)
        good = [c for c in self.captures.get(url, []) if c[1].startswith("2")]
        if not good:
            return web.json_response({"url": url, "archived_snapshots": {}})
        target = request.query.get("timestamp", "99999999")
        ts, status, _ = min(good, key=lambda c: abs(int(c[0][:8]) - int(target[:8])))
        return web.json_response({"url": url, "archived_snapshots": {"closest": {
            "status": status, "available": True, "url": f"http://web.archive.org/web/{ts}/{url}", "timestamp": ts}}})

    # --- Save Page Now 2
    async def save(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != self.auth:
            return web.json_response({"status": "error", "status_ext": "error:unauthorized",
                                      "message": "You need to be logged in to use Save Page Now."}, status=401)
        form = await request.post()
        url = str(form["url"])
        self.saves.append((time.monotonic(), url))
        if "daily" in url:
            return web.json_response({"status": "error", "status_ext": "error:too-many-daily-captures",
                                      "message": "This URL has been already captured 10 times today."})
        job = f"spn2-{next(self._ids):08x}"
        self.jobs[job] = {"url": url, "started": time.monotonic()}
        self.in_flight += 1
        self.max_in_flight_saves = max(self.max_in_flight_saves, self.in_flight)
        return web.json_response({"url": url, "job_id": job})

    async def status(self, request: web.Request) -> web.Response:
        job = request.match_info["job"]
        info = self.jobs.get(job)
        if info is None:
            return web.json_response({"status": "error", "status_ext": "error:not-found", "message": "no such job"})
        self.polls[job] += 1
        url = info["url"]
        if "pending" in url and self.polls[job] <= 2:
            return web.json_response({"status": "pending", "job_id": job, "resources": []})
        if not info.get("done"):
            info["done"] = True
            self.in_flight -= 1
        if "/status-ext/" in url:  # https://x.example/status-ext/error:browsing-timeout
            ext = url.split("/status-ext/", 1)[1]
            return web.json_response({"status": "error", "job_id": job, "status_ext": ext, "message": "failed"})
        if "blocked" in url:
            return web.json_response({"status": "error", "job_id": job, "status_ext": "error:blocked-url",
                                      "message": "This URL is in the Save Page Now service block list."})
        ts = time.strftime("%Y%m%d%H%M%S", time.gmtime())
        self.captures.setdefault(url, []).append((ts, "200", "NEW"))
        return web.json_response({"status": "success", "job_id": job, "original_url": url, "timestamp": ts,
                                  "duration_sec": 0.1, "resources": [url], "outlinks": {}})

    async def anonymous(self, request: web.Request) -> web.Response:
        url = unquote(request.match_info["url"])
        self.saves.append((time.monotonic(), url))
        return web.Response(status=self.anonymous_status)
