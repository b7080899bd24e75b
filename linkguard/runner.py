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
from .models import CheckResult, Verdict
from .output import Collected
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
    """What a run found and did, updated as it goes (so an interrupted run can still report)."""

    collected: Collected
    run_id: int
    urls: list[str]
    due: list[str] = field(default_factory=list)
    checked: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    interrupted: bool = False

    def summary(self) -> dict[str, Any]:
        return {"links": len(self.urls), "due": len(self.due), "checked": self.checked,
                "verdicts": dict(sorted(self.verdicts.items())), "interrupted": self.interrupted,
                **{k: v for k, v in self.collected.summary().items() if k != "links"}}


def collect(paths: Sequence[str | Path], extract_options: Options, store: Store) -> RunState:
    """Extract citations from `paths` and record them (the citations of every file read are replaced)."""
    read: list[str] = []
    collected = Collected.of(extract_paths(paths, extract_options, read))
    roots = [str(p) for p in paths if Path(p).is_dir()]
    run_id = store.begin_run([str(p) for p in paths])
    store.record_citations(collected.citations, read, roots)
    return RunState(collected, run_id, list(collected.by_url()))


async def check(state: RunState, store: Store, options: RunOptions,
                progress: Callable[[int, int], None] | None = None,
                clock: Callable[[], float] = time.time) -> RunState:
    """Check the due links of a collected run, storing results in batches as they arrive."""
    if options.offline:
        return state
    from .check import check_urls  # aiohttp is imported only by runs that use the network

    state.due = store.due(state.urls, options.freshness)
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


def failing(links: Sequence[dict[str, Any]], fail_on: str) -> list[dict[str, Any]]:
    """The links that make the run fail under `--fail-on`."""
    if fail_on == "never":
        return []
    if fail_on == "rotten":
        return [link for link in links if link["state"] == "rotten"]
    if fail_on == "suspect":
        return [link for link in links if link["state"] in ("suspect", "rotten")]
    rot = {Verdict.DEAD.value, Verdict.SOFT_404.value}
    return [link for link in links if link["verdict"] in rot]  # "dead": the latest check found rot
