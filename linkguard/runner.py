"""One `linkguard check` run: extract -> store citations -> check what is due -> store results, overlapped.

Checking starts with the first file's links while the next files are read. Results are committed in
batches as they arrive (every `batch` results or `flush_every` seconds), so a run stopped at any moment
keeps what it learnt, and the next run does not check it again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .check.options import CheckOptions
from .check.policy import Confirmation
from .extract import Options, extract_paths
from .models import CheckResult, Citation, ExtractError, ExtractItem, InvalidLink, Skipped
from .store import Freshness, Store


@dataclass(frozen=True)
class RunOptions:
    check: CheckOptions = field(default_factory=CheckOptions)
    confirmation: Confirmation = field(default_factory=Confirmation)
    freshness: Freshness = field(default_factory=Freshness)
    offline: bool = False
    batch: int = 100
    flush_every: float = 1.0


@dataclass
class RunState:
    """What a run found and did, updated as it goes (so an interrupted run can still report). Citations are
    not kept here: they go to the store file by file, so a run's memory does not grow with its corpus."""

    run_id: int
    urls: list[str] = field(default_factory=list)
    citations: int = 0
    files: int = 0
    invalid: list[InvalidLink] = field(default_factory=list)
    errors: list[ExtractError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    due: list[str] = field(default_factory=list)
    checked: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    interrupted: bool = False

    def summary(self) -> dict[str, Any]:
        return {"links": len(self.urls), "citations": self.citations, "files": self.files, "due": len(self.due),
                "checked": self.checked, "verdicts": dict(sorted(self.verdicts.items())),
                "interrupted": self.interrupted, "invalid": len(self.invalid), "errors": len(self.errors),
                "skipped": len(self.skipped)}


class Collector:
    """Extraction into the store, a batch of whole files at a time: the citations of every file read are
    replaced; those of files gone from scanned directories are dropped at the end."""

    def __init__(self, paths: Sequence[str | Path], store: Store, state: RunState, flush_at: int = 5000,
                 on_error: Callable[[ExtractError], None] | None = None) -> None:
        self.paths, self.store, self.state, self.flush_at = paths, store, state, flush_at
        self.on_error = on_error  # told of each unreadable file as it is met
        self.read: list[str] = []
        self.urls: dict[str, None] = {}
        self.pending: list[Citation] = []
        self.done = 0  # read[:done] are stored

    def add(self, item: ExtractItem) -> str | None:
        """Take one extracted item; return its URL when it is a citation of a URL not seen before."""
        state = self.state
        if isinstance(item, Citation):
            self.pending.append(item)
            state.citations += 1
            if len(self.pending) >= self.flush_at and len(self.read) - 1 > self.done:
                self.flush(final=False)
            if item.url not in self.urls:
                self.urls[item.url] = None
                return item.url
        elif isinstance(item, InvalidLink):
            state.invalid.append(item)
        elif isinstance(item, ExtractError):
            state.errors.append(item)
            if self.on_error is not None:
                self.on_error(item)
        else:
            state.skipped.append(item)
        return None

    def flush(self, final: bool) -> None:
        upto = len(self.read) if final else len(self.read) - 1  # the last file read may still be yielding
        sources = set(self.read[self.done:upto])
        if sources:
            self.store.replace_citations([c for c in self.pending if c.source in sources], sources)
            self.pending = [c for c in self.pending if c.source not in sources]
        self.done = upto

    def finish(self, complete: bool = True) -> RunState:
        """Store what is pending. Only a complete walk may drop the citations of files it did not read; a
        stopped one also leaves alone the file it was reading (its citations may have come in part)."""
        self.flush(final=complete)
        if complete:
            self.store.drop_vanished(self.read, [str(p) for p in self.paths if Path(p).is_dir()])
        self.state.urls = list(self.urls)
        self.state.files = len(self.read)
        self.store.set_run_urls(self.state.urls)
        return self.state


def start(store: Store, paths: Sequence[str | Path]) -> RunState:
    """A new run in the store; its state fills in as the run goes (and survives an interruption)."""
    return RunState(store.begin_run([str(p) for p in paths]))


async def collect_and_check(state: RunState, paths: Sequence[str | Path], extract_options: Options,
                            store: Store, options: RunOptions,
                            progress: Callable[[int, int, bool], None] | None = None,
                            clock: Callable[[], float] = time.time,
                            on_error: Callable[[ExtractError], None] | None = None) -> RunState:
    """A whole `check` run, extraction and checking overlapped: the links of the first files are being
    checked while the next files are read (a file at a time, giving the event loop a turn between files),
    so a large corpus costs its extraction time only once. Offline, it only collects."""
    collector = Collector(paths, store, state, on_error=on_error)
    if options.offline:
        complete = False
        try:
            for item in extract_paths(paths, extract_options, collector.read):
                collector.add(item)
            complete = True
        finally:
            collector.finish(complete)  # stopped halfway: keep what was read, drop nothing
        return state
    from .check import check_urls  # aiohttp is imported only by runs that use the network

    use_get: set[str] = set()  # links found failing before: rot is confirmed by GET, never on HEAD's word alone
    first: set[str] = set()  # links known to redirect: multi-hop, started first or they finish the run late
    collected = False

    def release(batch: list[str]) -> list[str]:
        due = store.due(batch, options.freshness)
        if due:
            use_get.update(store.failing(due))
            first.update(store.redirecting(due))
        state.due.extend(due)
        return due

    async def due_urls() -> AsyncIterator[str]:
        nonlocal collected
        batch: list[str] = []
        files = 0
        released = 0.0  # the first file's links go at once; then batches of 500 or 20 ms, whichever first
        for item in extract_paths(paths, extract_options, collector.read):
            url = collector.add(item)
            if url is not None:
                batch.append(url)
            if len(collector.read) != files or len(batch) >= 500:  # a file done (or a big one going on)
                files = len(collector.read)
                now = time.monotonic()
                if batch and (len(batch) >= 500 or now - released >= 0.02):
                    for u in release(batch):  # a few queries per batch, not per file of a many-file corpus
                        yield u
                    batch, released = [], now
                await asyncio.sleep(0)  # let responses in
        collector.finish()
        collected = True
        for u in release(batch):
            yield u

    pending: list[CheckResult] = []
    last = time.monotonic()
    try:
        async for result in check_urls(due_urls(), options.check, clock=clock, use_get=use_get, first=first):
            pending.append(result)
            state.checked += 1
            state.verdicts[result.verdict.value] = state.verdicts.get(result.verdict.value, 0) + 1
            if progress:
                progress(state.checked, len(state.due), not collected)
            if len(pending) >= options.batch or time.monotonic() - last >= options.flush_every:
                store.record_checks(pending, options.confirmation, state.run_id)
                pending, last = [], time.monotonic()
        if progress:
            progress(state.checked, len(state.due), False)  # the last checks may have come before the last file
    finally:
        store.record_checks(pending, options.confirmation, state.run_id)  # even when interrupted
        if not collected:  # interrupted while reading: keep the citations of the files read so far
            collector.finish(complete=False)
    return state
