"""Options of the check stage (plain data: importing them costs nothing)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_USER_AGENT = ("Mozilla/5.0 (compatible; linkguard/0.1; +https://github.com/linkguard/linkguard) "
                      "like Gecko")


@dataclass(frozen=True)
class FetchOptions:
    timeout: float = 20.0
    max_redirects: int = 10
    method: str = "head"  # "head": HEAD first, GET when HEAD is refused or says dead; "get": GET only
    body_cap: int = 64 * 1024
    retries: int = 3  # attempts in all, for transient failures
    retry_after_cap: float = 60.0  # longer Retry-After: give up now (rate-limited) instead of waiting
    backoff: float = 0.5  # first backoff, seconds; exponential with jitter after that
    user_agent: str = DEFAULT_USER_AGENT
    headers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # host -> extra headers
    cookies: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # host -> cookies


@dataclass(frozen=True)
class CheckOptions:
    concurrency: int = 64
    per_host: int = 4
    per_host_rps: float | None = None
    allow_private: bool = False
    allow_networks: tuple[str, ...] = ()  # CIDRs allowed even when private (e.g. an intranet you own)
    exclude: tuple[str, ...] = ()  # regexes: matching URLs are `skipped`
    resolve: Mapping[str, str] = field(default_factory=dict)  # host -> IP, like curl --resolve
    fetch: FetchOptions = field(default_factory=FetchOptions)
