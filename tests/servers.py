"""Real HTTP servers on loopback for the checker's tests: an aiohttp app in a thread of its own.

Routes (ID is any token):
  /ok/ID  /status/CODE/ID  /redirect/N/ID (N hops then /ok)  /moved/ID (301 -> /ok)  /moved-dead/ID
  /loop/ID  /nohead/ID (405 to HEAD)  /headlies/ID (404 to HEAD, 200 to GET)  /soft404/ID  /home/ID (-> /)
  /slow/ID (sleeps 5 s)  /drip/ID (one byte a second)  /big/ID (20 MB)  /gzipbomb/ID  /reset/ID
  /ratelimit/ID (429 Retry-After: 1 once, then 200)  /ratelimit-date/ID (HTTP-date form)
  /always429/ID  /flaky/ID (503 once, then 200)  /forbidden/ID (403)  /to/ID?url=U (302 to U)
  /count/ID (sleeps 0.2 s; counts requests in flight)  /hugeheader/ID (a 60 KB header)
"""

from __future__ import annotations

import asyncio
import email.utils
import time
import zlib
from collections import Counter

from aiohttp import web
from loopback import Loopback

BODY_OK = b"<!doctype html><html><head><title>A cited page</title></head><body><p>Content</p></body></html>"
BODY_SOFT404 = (b"<!doctype html><html><head><title>Page not found | Site</title></head>"
                b"<body><h1>Sorry</h1></body></html>")


def _bomb(megabytes: int = 50) -> bytes:
    """gzip of `megabytes` MB of zeros (about 50 KB), made without holding the zeros in memory."""
    z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"\0" * (1024 * 1024)
    return b"".join([*(z.compress(chunk) for _ in range(megabytes)), z.flush()])


BOMB = _bomb()


class Server:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.methods: list[tuple[str, str]] = []
        self.headers: dict[str, dict[str, str]] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.seen_once: set[str] = set()
        self.port = 0
        self.served: Loopback | None = None

    # ---- lifecycle
    def start(self) -> Server:
        app = web.Application(middlewares=[self._count])
        app.router.add_route("*", "/{kind}/{rest:.*}", self._handle)
        app.router.add_route("*", "/", self._home)
        self.served = Loopback(app)
        self.port = self.served.port
        return self

    def stop(self) -> None:
        if self.served is not None:
            self.served.stop()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    @property
    def requests(self) -> int:
        return sum(self.hits.values())

    # ---- handlers
    @web.middleware
    async def _count(self, request: web.Request, handler):  # type: ignore[no-untyped-def]
        self.hits[request.path] += 1
        self.headers[request.path] = dict(request.headers)
        self.methods.append((request.method, request.path))
        return await handler(request)

    async def _home(self, request: web.Request) -> web.Response:
        return web.Response(body=BODY_OK, content_type="text/html")

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        kind, rest = request.match_info["kind"], request.match_info["rest"]
        html = {"content_type": "text/html"}
        if kind in ("ok", "echo"):
            return web.Response(body=BODY_OK, **html)
        if kind == "status":
            code = int(rest.split("/")[0])
            return web.Response(status=code, body=b"status", **html)
        if kind == "redirect":
            n, _, tail = rest.partition("/")
            target = f"/redirect/{int(n) - 1}/{tail}" if int(n) > 1 else f"/ok/{tail}"
            raise web.HTTPFound(target)
        if kind == "moved":
            raise web.HTTPMovedPermanently(f"/ok/{rest}")
        if kind == "moved-dead":
            raise web.HTTPMovedPermanently(f"/status/404/{rest}")
        if kind == "loop":
            raise web.HTTPFound(f"/loop/{rest}")
        if kind == "nohead":
            if request.method == "HEAD":
                return web.Response(status=405)
            return web.Response(body=BODY_OK, **html)
        if kind == "headlies":
            if request.method == "HEAD":
                return web.Response(status=404)
            return web.Response(body=BODY_OK, **html)
        if kind == "soft404":
            return web.Response(body=BODY_SOFT404, **html)
        if kind == "home":
            raise web.HTTPFound("/")
        if kind == "to":
            raise web.HTTPFound(request.query["url"])
        if kind == "slow":
            await asyncio.sleep(5)
            return web.Response(body=BODY_OK, **html)
        if kind == "drip":
            resp = web.StreamResponse(headers={"Content-Type": "text/html", "Content-Length": "1000"})
            await resp.prepare(request)
            for _ in range(1000):
                await resp.write(b"x")
                await asyncio.sleep(1)
            return resp
        if kind == "big":
            resp = web.StreamResponse(headers={"Content-Type": "text/html"})
            await resp.prepare(request)
            if request.method == "GET":
                try:
                    for _ in range(320):
                        await resp.write(b"y" * 65536)
                except (ConnectionError, RuntimeError):
                    pass
            return resp
        if kind == "gzipbomb":
            return web.Response(body=BOMB, headers={"Content-Encoding": "gzip", "Content-Type": "text/html"})
        if kind == "reset":
            assert request.transport is not None
            request.transport.abort()
            await asyncio.sleep(0.1)
            return web.Response(body=b"")
        if kind in ("ratelimit", "ratelimit-date", "flaky"):
            if request.path not in self.seen_once:
                self.seen_once.add(request.path)
                if kind == "flaky":
                    return web.Response(status=503)
                value = "1" if kind == "ratelimit" else email.utils.formatdate(time.time() + 2, usegmt=True)
                return web.Response(status=429, headers={"Retry-After": value})
            return web.Response(body=BODY_OK, **html)
        if kind == "always429":
            return web.Response(status=429, headers={"Retry-After": "3600"})
        if kind == "forbidden":
            return web.Response(status=403)
        if kind == "hugeheader":
            return web.Response(body=BODY_OK, headers={"X-Junk": "j" * 60000}, **html)
        if kind == "count":
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                await asyncio.sleep(0.2)
            finally:
                self.in_flight -= 1
            return web.Response(body=BODY_OK, **html)
        return web.Response(status=404)
