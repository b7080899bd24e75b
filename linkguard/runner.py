"""One `linkguard check` run: extract -> store citations -> check what is due -> store results.

Results are committed in batches as they arrive (every `batch` results or `flush_every` seconds), so a run
stopped at any moment keeps what it learnt, and the next run does not check it again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .check.options import CheckOptions
from .check.policy import Confirmation
from .extract import Options, extract_paths
from .models import CheckResult, Citation, ExtractError, InvalidLink, Skipped
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


def collect(paths: Sequence[str | Path], extract_options: Options, store: Store, flush_at: int = 5000
            ) -> RunState:
    """Extract citations from `paths` into the store, a batch of whole files at a time (the citations of
    every file read are replaced; those of files gone from scanned directories are dropped)."""
    state = RunState(store.begin_run([str(p) for p in paths]))
    read: list[str] = []
    urls: dict[str, None] = {}
    pending: list[Citation] = []
    done = 0  # read[:done] are stored

    def flush(final: bool) -> None:
        nonlocal pending, done
        upto = len(read) if final else len(read) - 1  # the last file read may still be yielding citations
        sources = set(read[done:upto])
        store.replace_citations([c for c in pending if c.source in sources], sources)
        pending = [c for c in pending if c.source not in sources]
        done = upto

    for item in extract_paths(paths, extract_options, read):
        if isinstance(item, Citation):
            pending.append(item)
            urls[item.url] = None
            state.citations += 1
            if len(pending) >= flush_at and len(read) - 1 > done:
                flush(final=False)
        elif isinstance(item, InvalidLink):
            state.invalid.append(item)
        elif isinstance(item, ExtractError):
            state.errors.append(item)
        else:
            state.skipped.append(item)
    flush(final=True)
    store.drop_vanished(read, [str(p) for p in paths if Path(p).is_dir()])
    state.urls = list(urls)
    state.files = len(read)
    store.set_run_urls(state.urls)
    return state


async def check(state: RunState, store: Store, options: RunOptions,
                progress: Callable[[int, int], None] | None = None,
                clock: Callable[[], float] = time.time) -> RunState:
    """Check the due links of a collected run, storing results in batches as they arrive."""
    if options.offline:
        return state
    from .check import check_urls  # aiohttp is imported only by runs that use the network

    due = store.due(state.urls, options.freshness)
    slow = store.redirecting(due)  # multi-hop links first: started late, they would finish the run late
    state.due = [u for u in due if u in slow] + [u for u in due if u not in slow]
    pending: list[CheckResult] = []
    last = time.monotonic()
    total = len(state.due)
    if progress:
        progress(0, total)
    try:
        failing = store.failing(state.due)  # confirmed with GET: rot is never called on HEAD's word alone
        async for result in check_urls(state.due, options.check, clock=clock, use_get=failing):
            pending.append(result)
            state.checked += 1
            state.verdicts[result.verdict.value] = state.verdicts.get(result.verdict.value, 0) + 1
            if progress:
                progress(state.checked, total)
            if len(pending) >= options.batch or time.monotonic() - last >= options.flush_every:
                store.record_checks(pending, options.confirmation, state.run_id)
                pending, last = [], time.monotonic()
    finally:
        store.record_checks(pending, options.confirmation, state.run_id)  # even when interrupted
    return state
