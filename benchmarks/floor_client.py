#!/usr/bin/env python3
"""The least an aiohttp checker can do on the web farm: a reference for check_bench.py, not a checker.

    python benchmarks/floor_client.py URLS_FILE PER_HOST CONCURRENCY

Reads the cited URLs from a flat file (no extraction, no canonicalization beyond dropping the query, no
database, no output), and HEADs each once with aiohttp, per-host semaphores of PER_HOST, redirects followed
by aiohttp, GET only where HEAD is refused (403/405). Its whole-process wall time is the floor that any
aiohttp-based checker's start-up, scheduling and HTTP stack cannot go below on this machine and farm.
"""

import asyncio
import sys
from collections import defaultdict

import aiohttp


async def main(path: str, per_host: int, concurrency: int) -> None:
    with open(path) as f:
        urls = list(dict.fromkeys(line.split("?")[0] for line in f.read().split()))
    sems: defaultdict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(per_host))
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=per_host)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(url: str) -> int:
            async with sems[url.split("/")[2]]:
                async with session.head(url, allow_redirects=True) as r:
                    status = r.status
                if status in (403, 405):
                    async with session.get(url) as r:
                        status = r.status
                return status

        statuses = await asyncio.gather(*(one(u) for u in urls))
    print(sum(1 for s in statuses if s in (404, 410)), "dead")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
