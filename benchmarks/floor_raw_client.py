#!/usr/bin/env python3
"""The least any Python checker can do on the web farm: a reference for check_bench.py, not a checker.

    python benchmarks/floor_raw_client.py URLS_FILE PER_HOST

Like floor_client.py but without aiohttp: PER_HOST keep-alive connections per host on asyncio streams,
each taking the host's next URL in order, HEAD with the farm's redirects followed on the same connection,
GET where HEAD is refused (403/405). Not an HTTP client (no TLS, chunked bodies, proxies, or any of the
answers a real server may give): it measures what Python, the farm and the schedule cost with no HTTP
library at all.
"""

import asyncio
import sys
from collections import defaultdict


async def worker(hostport: str, queue: list[str]) -> None:
    host, port = hostport.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    while queue:
        path = "/" + queue.pop(0).split("/", 3)[3]
        method = "HEAD"
        while True:
            writer.write(f"{method} {path} HTTP/1.1\r\nHost: {hostport}\r\n\r\n".encode())
            lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            if method == "GET":
                await reader.readexactly(int(fields.get("content-length", "0")))
            if status in (301, 302) and "location" in fields:
                path = fields["location"]
            elif status in (403, 405) and method == "HEAD":
                method = "GET"
            else:
                break
    writer.close()


async def main(path: str, per_host: int) -> None:
    with open(path) as f:
        urls = list(dict.fromkeys(line.split("?")[0] for line in f.read().split()))
    queues: defaultdict[str, list[str]] = defaultdict(list)
    for url in urls:
        queues[url.split("/")[2]].append(url)
    await asyncio.gather(*(worker(hp, q) for hp, q in queues.items() for _ in range(per_host)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
