"""Politeness and flow: per-host slots, pauses and rates, and a dispatcher that keeps every worker busy.

- `Hosts.slot(host)` is held for every single request (each redirect hop too, on the hop's own host), so a
  host never has more than `per_host` requests in flight, however the URLs are ordered.
- A host that answered 429/503 with Retry-After is paused: nobody sends it anything until then.
- `Dispatcher` hands each free worker a URL of a host that has room right now, round-robin over hosts, so a
  slow or paused host holds up only its own URLs (no head-of-line blocking).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from urllib.parse import urlsplit


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class Hosts:
    """Per-host concurrency limit, optional requests-per-second, and Retry-After pauses."""

    def __init__(self, per_host: int, rps: float | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.per_host = per_host
        self.rps = rps
        self.now = monotonic
        self._sems: dict[str, asyncio.Semaphore] = {}
        self._limiters: dict[str, object] = {}
        self._not_before: dict[str, float] = {}
        self.max_in_flight: Counter[str] = Counter()  # observed, for tests and benchmarks
        self._in_flight: Counter[str] = Counter()

    def not_before(self, host: str) -> float:
        return self._not_before.get(host, 0.0)

    def pause(self, host: str, seconds: float) -> None:
        until = self.now() + seconds
        if until > self._not_before.get(host, 0.0):
            self._not_before[host] = until

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        sem = self._sems.get(host)
        if sem is None:
            sem = self._sems[host] = asyncio.Semaphore(self.per_host)
        while (wait := self.not_before(host) - self.now()) > 0:
            await asyncio.sleep(wait)
        async with sem:
            if self.rps:
                limiter = self._limiters.get(host)
                if limiter is None:
                    from aiolimiter import AsyncLimiter

                    limiter = self._limiters[host] = AsyncLimiter(self.rps, 1.0)
                await limiter.acquire()  # type: ignore[attr-defined]
            self._in_flight[host] += 1
            if self._in_flight[host] > self.max_in_flight[host]:
                self.max_in_flight[host] = self._in_flight[host]
            try:
                yield
            finally:
                self._in_flight[host] -= 1


class Dispatcher:
    """Hands out URLs to workers, choosing hosts that have a free slot and are not paused.

    URLs may keep arriving while workers run (`add`, then `close` when there are no more): a run starts
    checking the first file's links while it is still reading the others. A freed slot or a new URL wakes
    only as many waiting workers as can use it, so hundreds of idle workers cost nothing at the tail.
    """

    def __init__(self, urls: Iterable[str], hosts: Hosts, closed: bool = True) -> None:
        self.hosts = hosts
        self.queues: dict[str, deque[str]] = {}
        self.ring: deque[str] = deque()
        self.active: Counter[str] = Counter()
        self.cond = asyncio.Condition()
        self.closed = closed
        self._put(urls, first=False)

    def _put(self, urls: Iterable[str], first: bool) -> int:
        n = 0
        for url in urls:
            host = host_of(url)
            queue = self.queues.get(host)
            if queue is None:
                queue = self.queues[host] = deque()
                self.ring.append(host)
            if first:
                queue.appendleft(url)
            else:
                queue.append(url)
            n += 1
        return n

    async def add(self, urls: Iterable[str], first: bool = False) -> None:
        """Queue more URLs (`first`: ahead of those already queued on their hosts)."""
        async with self.cond:
            n = self._put(urls, first)
            if n:
                self.cond.notify(n)

    async def close(self) -> None:
        """No more URLs will come: workers stop once the queues are empty."""
        async with self.cond:
            self.closed = True
            self.cond.notify_all()

    async def take(self) -> tuple[str, str] | None:
        """(url, host) for a worker, or None when everything has been handed out and no more will come."""
        async with self.cond:
            while True:
                if not self.ring and self.closed:
                    self.cond.notify_all()  # the others are done too
                    return None
                now = self.hosts.now()
                soonest = None
                for _ in range(len(self.ring)):
                    host = self.ring[0]
                    self.ring.rotate(-1)
                    nb = self.hosts.not_before(host)
                    if self.active[host] < self.hosts.per_host and nb <= now:
                        queue = self.queues[host]
                        url = queue.popleft()
                        if not queue:
                            self.ring.pop()  # just rotated to the end
                            del self.queues[host]
                            if not self.ring and self.closed:
                                self.cond.notify_all()  # nothing left for the waiting ones: let them end
                        self.active[host] += 1
                        return url, host
                    if nb > now:
                        soonest = nb if soonest is None else min(soonest, nb)
                try:
                    timeout = None if soonest is None else max(0.0, soonest - now)
                    await asyncio.wait_for(self.cond.wait(), timeout)
                except TimeoutError:
                    pass

    async def done(self, host: str) -> None:
        async with self.cond:
            self.active[host] -= 1
            if host in self.queues:
                self.cond.notify(1)  # one worker can use the freed slot
