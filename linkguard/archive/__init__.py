"""archive: find the best Wayback snapshot of every cited link, and save the pages that need one.

    summary = await archive_links(store, ArchiveOptions(...), only="unarchived")

- Lookups (CDX server, the Availability API as a fallback) are cached in the database: a link looked up
  within `lookup_max_age` is not asked again. They run `lookup_concurrency` at a time.
- Saves (Save Page Now 2 with keys, the legacy endpoint without) only for alive links whose best snapshot is
  missing or older than `max_age_days`; at most `captures_per_minute`, evenly spaced (never a burst), and
  `jobs_in_flight` at once. A daily-limit error, refused keys or refused anonymous saves stop further saves
  for the run (said once); lookups go on. A Wayback outage fails the lookups it hits, nothing else.
"""

from __future__ import annotations

import asyncio
import calendar
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from ..store import Store, from_iso
from .choose import Snapshot, best, distance_days
from .wayback import DAILY_LIMIT, STOP_SAVES, Endpoints, WaybackClient, WaybackError

__all__ = ["ArchiveOptions", "ArchiveSummary", "Snapshot", "archive_links", "best", "distance_days"]

KEYS_HELP = ("get Internet Archive keys at https://archive.org/account/s3.php and set IA_ACCESS_KEY and "
             "IA_SECRET_KEY")


@dataclass(frozen=True)
class ArchiveOptions:
    endpoints: Endpoints = field(default_factory=Endpoints)
    access_key: str | None = None
    secret_key: str | None = None
    captures_per_minute: float = 6.0  # SPN2 (2025): about 7 a minute with keys; far fewer anonymously
    anonymous_per_minute: float = 2.0  # the pace without keys (the lower of the two applies)
    jobs_in_flight: int = 3
    lookup_concurrency: int = 4
    max_age_days: float = 180.0  # save again when the best snapshot is older than this
    lookup_max_age: float = 7 * 86400  # a lookup younger than this is not repeated
    if_not_archived_within: str = "30d"
    dry_run: bool = False  # look up, but save nothing (say what would be saved)
    timeout: float = 60.0
    poll_interval: float = 5.0
    poll_timeout: float = 180.0
    retries: int = 3
    backoff: float = 1.0

    @classmethod
    def from_env(cls, config: dict[str, Any] | None = None, **overrides: Any) -> ArchiveOptions:
        """Keys and endpoints from the environment (then the config), never from the command line."""
        c = config or {}
        endpoints = Endpoints(
            os.environ.get("LINKGUARD_WAYBACK_URL") or c.get("wayback_url") or Endpoints.wayback_url,
            os.environ.get("LINKGUARD_AVAILABILITY_URL") or c.get("availability_url") or Endpoints.availability_url)
        access = os.environ.get("IA_ACCESS_KEY") or c.get("ia_access_key")
        secret = os.environ.get("IA_SECRET_KEY") or c.get("ia_secret_key")
        known = {k: c[k] for k in ("captures_per_minute", "anonymous_per_minute", "jobs_in_flight",
                                   "lookup_concurrency", "max_age_days") if k in c}
        return cls(endpoints=endpoints, access_key=access, secret_key=secret, **{**known, **overrides})


@dataclass
class ArchiveSummary:
    looked_up: int = 0
    cached: int = 0  # settled by a fresh lookup in the database
    found: int = 0
    saved: int = 0
    would_save: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    requests: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"looked_up": self.looked_up, "cached": self.cached, "found": self.found, "saved": self.saved,
                "would_save": self.would_save, "failed": dict(self.failed), "notes": self.notes,
                "requests": self.requests}


class _Saves:
    """Captures evenly spaced at `per_minute`, `in_flight` at a time, stoppable for the rest of the run."""

    def __init__(self, per_minute: float, in_flight: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 60.0 / per_minute
        self.sem = asyncio.Semaphore(in_flight)
        self.lock = asyncio.Lock()
        self.next_at = 0.0
        self.clock = clock
        self.stopped: str | None = None

    async def turn(self) -> None:
        async with self.lock:
            wait = self.next_at - self.clock()
            if wait > 0:
                await asyncio.sleep(wait)
            self.next_at = max(self.clock(), self.next_at) + self.interval


async def archive_links(store: Store, options: ArchiveOptions, only: str = "unarchived", limit: int | None = None,
                        progress: Callable[[int, int], None] | None = None) -> ArchiveSummary:
    summary = ArchiveSummary()
    links = store.archive_candidates(only, limit)
    now = store.clock()
    timeout = aiohttp.ClientTimeout(total=options.timeout)
    async with aiohttp.ClientSession(timeout=timeout, trust_env=False) as session:
        client = WaybackClient(session, options.endpoints, options.access_key, options.secret_key,
                               retries=options.retries, backoff=options.backoff, poll_interval=options.poll_interval,
                               poll_timeout=options.poll_timeout)
        keyed = bool(options.access_key and options.secret_key)
        per_minute = options.captures_per_minute if keyed else min(options.captures_per_minute,
                                                                    options.anonymous_per_minute)
        saves = _Saves(per_minute, options.jobs_in_flight if keyed else 1)
        lookups = asyncio.Semaphore(options.lookup_concurrency)
        done = 0

        async def one(link: dict[str, Any]) -> None:
            nonlocal done
            newest = await _lookup(link, store, client, lookups, options, summary, now)
            if _needs_save(link, newest, options, now):
                await _save(link, store, client, saves, options, summary)
            done += 1
            if progress:
                progress(done, len(links))

        await asyncio.gather(*(one(link) for link in links))
        summary.requests = client.requests
    return summary


async def _lookup(link: dict[str, Any], store: Store, client: WaybackClient, sem: asyncio.Semaphore,
                  options: ArchiveOptions, summary: ArchiveSummary, now: float) -> Snapshot | None:
    """Look the link up (or take a fresh lookup from the database); record the best snapshot; return the
    newest good capture (which decides whether to save again)."""
    url, accessed = link["url"], link["accessed"]
    if link["looked_up_at"] and now - from_iso(link["looked_up_at"]) < options.lookup_max_age:
        summary.cached += 1
        return store.newest_snapshot(url)
    async with sem:
        try:
            snaps = await client.cdx(url, accessed)
        except WaybackError:
            try:  # the CDX server is down or confused: ask the Availability API instead
                one = await client.available(url, accessed)
                snaps = [one] if one else []
            except WaybackError as e:
                summary.failed["lookup: " + str(e).split(" (", 1)[0]] += 1
                return None
    summary.looked_up += 1
    chosen = best(snaps, accessed)
    if chosen:
        summary.found += 1
    store.record_lookup(url, snaps, chosen)
    return best(snaps, None)


def _needs_save(link: dict[str, Any], newest: Snapshot | None, options: ArchiveOptions, now: float) -> bool:
    """Alive links with no good capture, or whose newest one is older than max_age_days: never a URL
    captured recently, never a dead one (nothing left to save; its best old snapshot was looked up)."""
    alive = link["state"] == "ok" or link["verdict"] in ("alive", "redirected")
    if not alive:
        return False
    if newest is None:
        return True
    age_days = (now - calendar.timegm(time.strptime(newest.day, "%Y-%m-%d"))) / 86400
    return age_days > options.max_age_days


async def _save(link: dict[str, Any], store: Store, client: WaybackClient, saves: _Saves, options: ArchiveOptions,
                summary: ArchiveSummary) -> None:
    if options.dry_run:
        summary.would_save += 1
        return
    if saves.stopped:
        summary.failed["save: not tried (" + saves.stopped + ")"] += 1
        return
    async with saves.sem:
        if saves.stopped:  # stopped while this one waited for a slot
            summary.failed["save: not tried (" + saves.stopped + ")"] += 1
            return
        await saves.turn()
        if saves.stopped:  # ... or while it waited for its turn
            summary.failed["save: not tried (" + saves.stopped + ")"] += 1
            return
        try:
            outcome = await client.save(link["url"], options.if_not_archived_within)
        except WaybackError as e:
            summary.failed["save: " + str(e).split(" (", 1)[0]] += 1
            return
    if outcome.status == "success" and outcome.snapshot:
        summary.saved += 1
        # the new capture is kept; the link's best copy stays the one closest to the citation's access date
        known = [*store.snapshots_of(link["url"]), outcome.snapshot]
        store.record_lookup(link["url"], [outcome.snapshot], best(known, link["accessed"]))
        return
    if outcome.status == "refused" and not client.keyed:
        if not saves.stopped:
            saves.stopped = "anonymous saves refused"
            summary.notes.append(f"The archive refused anonymous saves ({outcome.message}); lookups went on. To "
                                 f"save pages, {KEYS_HELP}.")
        summary.failed["save: anonymous saves refused"] += 1
        return
    ext = outcome.status_ext or ""
    if ext in STOP_SAVES and not saves.stopped:
        saves.stopped = "daily capture limit reached" if ext in DAILY_LIMIT else ext
        summary.notes.append(f"Saves stopped for this run: {outcome.message}.")
    summary.failed[f"save: {ext or outcome.status}"] += 1
