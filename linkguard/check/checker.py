"""check_urls: one aiohttp session (pooled, keep-alive), `concurrency` workers, at most `per_host` requests
in flight per host, the address guard on every connection. The resolver and the clock can be injected."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterable, AsyncIterator, Callable, Container, Iterable, Sequence

import aiohttp
from aiohttp.abc import AbstractResolver

from ..models import CheckResult, Verdict
from .client import check_url
from .guard import Guard
from .options import CheckOptions
from .resolver import GuardedResolver
from .scheduler import Dispatcher, Hosts


async def check_urls(urls: Iterable[str] | AsyncIterable[str], options: CheckOptions | None = None, *,
                     resolver: AbstractResolver | None = None, clock: Callable[[], float] = time.time,
                     hosts: Hosts | None = None, use_get: Container[str] = (), first: Container[str] = ()
                     ) -> AsyncIterator[CheckResult]:
    """Yield one CheckResult per URL, in the order they finish. URLs in `use_get` are asked with GET; URLs
    in `first` go ahead of the others of their host (links known to redirect: they take longest).

    `urls` may be an async iterable that is still producing (a run extracting its files): checking starts
    with the first URL, and `use_get`/`first` are consulted as each URL arrives."""
    options = options or CheckOptions()
    excluded = [re.compile(p) for p in options.exclude]

    def skip(url: str) -> CheckResult | None:
        if any(p.search(url) for p in excluded):
            return CheckResult(url, Verdict.SKIPPED, clock(), error="excluded by exclude_url")
        if not url.lower().startswith(("http://", "https://")):
            return CheckResult(url, Verdict.SKIPPED, clock(), error="not an http(s) URL")
        return None

    streaming = isinstance(urls, AsyncIterable)
    todo: list[str] = []
    if not streaming:
        for url in urls:  # type: ignore[union-attr]
            skipped = skip(url)
            if skipped is not None:
                yield skipped
            else:
                todo.append(url)
        if not todo:
            return
        todo = [u for u in todo if u in first] + [u for u in todo if u not in first] if first else todo
    guard = Guard.of(options.allow_private, options.allow_networks)
    hosts = hosts or Hosts(options.per_host, options.per_host_rps)
    dispatcher = Dispatcher(todo, hosts, closed=not streaming)
    connector = aiohttp.TCPConnector(
        limit=options.concurrency, limit_per_host=options.per_host, ttl_dns_cache=300,
        resolver=GuardedResolver(guard, {k.lower(): v for k, v in options.resolve.items()}, resolver),
        enable_cleanup_closed=True,
    )
    timeout = aiohttp.ClientTimeout(total=options.fetch.timeout, sock_connect=min(10.0, options.fetch.timeout))
    results: asyncio.Queue[CheckResult | None] = asyncio.Queue()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, auto_decompress=False,
                                     cookie_jar=aiohttp.DummyCookieJar(), trust_env=False,
                                     max_line_size=16384, max_field_size=16384) as session:

        async def worker() -> None:
            while (job := await dispatcher.take()) is not None:
                url, host = job
                try:
                    result = await check_url(session, url, options.fetch, hosts, guard, clock, url in use_get)
                finally:
                    await dispatcher.done(host)
                await results.put(result)

        async def run_workers(tasks: Sequence[asyncio.Task[None]]) -> None:
            try:
                await asyncio.gather(*tasks)
            finally:
                await results.put(None)

        async def feed(source: AsyncIterable[str]) -> None:
            try:
                async for url in source:
                    skipped = skip(url)
                    if skipped is not None:
                        await results.put(skipped)
                    else:
                        await dispatcher.add((url,), first=url in first)
            finally:
                await dispatcher.close()

        feeder = asyncio.create_task(feed(urls)) if streaming else None  # type: ignore[arg-type]
        n = options.concurrency if streaming else min(options.concurrency, len(todo))
        tasks = [asyncio.create_task(worker()) for _ in range(n)]
        runner = asyncio.create_task(run_workers(tasks))
        try:
            while (item := await results.get()) is not None:
                yield item
            if feeder is not None:
                await feeder  # surfaces the source's exception
            await runner  # surfaces a worker's unexpected exception
        finally:
            extra = [feeder] if feeder is not None else []
            for t in [*tasks, runner, *extra]:
                t.cancel()
            await asyncio.gather(*tasks, runner, *extra, return_exceptions=True)
