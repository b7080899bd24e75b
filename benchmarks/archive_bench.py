#!/usr/bin/env python3
"""Archiving against the fake Wayback Machine (tests/fake_wayback.py): pace and economy.

    python benchmarks/archive_bench.py [--links 500] [--need 60] [--per-minute 30] [--latency-ms 200]

N cited links, all alive; all but NEED have a capture from ten days ago (nothing to save), NEED have none.
With a limit of PER_MINUTE captures a minute, the saves must run at the limit without exceeding it in any
60-second window (60 at 30/min: about two minutes), every other link must be settled by one lookup, and
no link may be looked up twice. Prints the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fake_wayback import FakeWayback  # noqa: E402

from linkguard.archive import ArchiveOptions, archive_links  # noqa: E402
from linkguard.archive.wayback import Endpoints  # noqa: E402
from linkguard.check.policy import Confirmation  # noqa: E402
from linkguard.models import CheckResult, Citation, Context, Verdict  # noqa: E402
from linkguard.store import Store  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--links", type=int, default=500)
    ap.add_argument("--need", type=int, default=60)
    ap.add_argument("--per-minute", type=float, default=30)
    ap.add_argument("--latency-ms", type=float, default=200)
    args = ap.parse_args()
    wayback = FakeWayback(latency=args.latency_ms / 1000)
    recent = time.strftime("%Y%m%d%H%M%S", time.gmtime(time.time() - 10 * 86400))
    urls = [f"https://site{i % 37}.example/articles/{i}" for i in range(args.links)]
    need = set(urls[:: max(1, args.links // args.need)][: args.need])
    wayback.captures = {u: [(recent, "200", f"D{i}")] for i, u in enumerate(urls) if u not in need}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        store.record_citations([Citation(url=u, original=u, source="paper.md", line=i + 1, context=Context.FOOTNOTE)
                                for i, u in enumerate(urls)], ["paper.md"])
        store.record_checks([CheckResult(u, Verdict.ALIVE, time.time(), 200) for u in urls], Confirmation(), None)
        opts = ArchiveOptions(Endpoints(wayback.base, wayback.availability), "ACCESS", "SECRET",
                              captures_per_minute=args.per_minute, jobs_in_flight=3, poll_interval=1.0)
        start = time.monotonic()
        summary = asyncio.run(archive_links(store, opts, "all"))
        secs = time.monotonic() - start
    wayback.stop()
    saves = sorted(t for t, _ in wayback.saves)
    gaps = [b - a for a, b in itertools.pairwise(saves)]
    window = max((sum(1 for t in saves if s <= t < s + 60) for s in saves), default=0)
    ideal = (len(saves) - 1) * 60 / args.per_minute if saves else 0
    print(f"{args.links} links, {len(need)} needing a capture, limit {args.per_minute:g}/min, "
          f"{args.latency_ms:.0f} ms per answer")
    print(f"wall time {secs:.1f} s (the limit allows the saves in {ideal:.1f} s at best)")
    print(f"saved {summary.saved}/{len(need)}; smallest gap between captures {min(gaps, default=0):.2f} s "
          f"(limit {60 / args.per_minute:.2f} s); most captures in any 60 s: {window} (limit {args.per_minute:g})")
    print(f"lookups: {summary.looked_up} for {args.links} links; most lookups of one URL: "
          f"{max(wayback.lookups.values(), default=0)}; failed: {dict(summary.failed) or 'none'}; "
          f"requests to the archive: {wayback.requests}")


if __name__ == "__main__":
    main()
