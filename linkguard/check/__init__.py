"""check: canonical URLs in, CheckResults out, concurrently and politely.

    async for result in check_urls(urls, CheckOptions()):
        ...

`check_urls` lives in `checker.py` and is imported on first use: aiohttp is heavy, and runs that do not
touch the network (`--offline`) should not pay for it.
"""

from __future__ import annotations

from typing import Any

from .options import CheckOptions, FetchOptions

__all__ = ["CheckOptions", "FetchOptions", "check_urls"]


def __getattr__(name: str) -> Any:
    if name == "check_urls":
        from .checker import check_urls

        return check_urls
    raise AttributeError(name)
