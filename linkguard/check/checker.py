"""check_urls: one aiohttp session (pooled, keep-alive), `concurrency` workers, at most `per_host` requests
in flight per host, the address guard on every connection. The resolver and the clock can be injected."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable, Container, Iterable, Sequence

import aiohttp
from aiohttp.abc import AbstractResolver

from ..models import CheckResult, Verdict
from .client import check_url
from .guard import Guard
from .options import CheckOptions
from .resolver import GuardedResolver
from .scheduler import Dispatcher, Hosts


async def check_urls(urls: Iterable[str], options: CheckOptions | None = None, *,
                     resolver: AbstractResolver | None = None, clock: Callable[[], float] = time.time,
                     hosts: Hosts | None = None, use_get: Container[str] = ()) -> AsyncIterator[CheckResult]:
    """Yield one CheckResult per URL, in the order they finish. URLs in `use_get` are asked with GET."""
    options = options or CheckOptions()
    excluded = [re.compile(p) for p in options.exclude]
    todo: list[str] = []
    for url in urls:
        if any(p.search(url) for p in excluded):
            yield CheckResult(url, Verdict.SKIPPED, clock(), error="excluded by exclude_url")
        elif not url.lower().startswith(("http://", "https://")):
            yield CheckResult(url, Verdict.SKIPPED, clock(), error="not an http(s) URL")
        else:
            todo.append(url)
    if not todo:
        return
    guard = Guard.of(options.allow_private, options.allow_networks)
    hosts = hosts or Hosts(options.per_host, options.per_host_rps)
    dispatcher = Dispatcher(todo, hosts)
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

        tasks = [asyncio.create_task(worker()) for _ in range(min(options.concurrency, len(todo)))]
        runner = asyncio.create_task(run_workers(tasks))
        try:
            while (item := await results.get()) is not None:
                yield item
            await runner  # surfaces a worker's unexpected exception
        finally:
            for t in tasks:
                t.cancel()
            runner.cancel()
            await asyncio.gather(*tasks, runner, return_exceptions=True)
