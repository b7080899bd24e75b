#!/usr/bin/env python3
"""Report rendering on a large database, and a screenshot of the HTML report in headless Chromium.

    python benchmarks/report_bench.py [--links 10000] [--screenshot docs/report.png]

Fills a database with N links (each cited twice, a mix of states and verdicts over three runs, some with
archived copies), then times `build` + `render` for every format and prints the figures. With
`--screenshot`, renders a small report (60 links) in Debian's `chromium --headless`, saves the PNG, and
checks that the page shows the table (the DOM Chromium dumps has the rows).
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from linkguard.check.policy import Confirmation  # noqa: E402
from linkguard.models import CheckResult, Citation, Context, DateKind, Verdict  # noqa: E402
from linkguard.report import FORMATS, build, render  # noqa: E402
from linkguard.store import Store  # noqa: E402

MIX = [(Verdict.ALIVE, 200, 80), (Verdict.REDIRECTED, 200, 6), (Verdict.DEAD, 404, 8), (Verdict.SOFT_404, 200, 1),
       (Verdict.BLOCKED, 403, 3), (Verdict.TIMEOUT, None, 2)]


def fill(path: Path, n: int, seed: int = 3) -> Store:
    rng = random.Random(seed)
    clock = [1_767_225_600.0]
    store = Store(path, lambda: clock[0])
    urls = [f"https://site{i % 300}.example/articles/{i}/story-{rng.randrange(10**6)}" for i in range(n)]
    cites = []
    for i, u in enumerate(urls):
        for k in range(2):
            archived = f"https://web.archive.org/web/20250601000000/{u}" if i % 5 == 0 else None
            cites.append(Citation(url=u, original=u, source=f"papers/paper-{(i + k * 7) % 120:03}.md",
                                  line=10 + i % 400, context=Context.FOOTNOTE, label=str(1 + i % 60),
                                  accessed="2025-05-22", date_kind=DateKind.CITED, archived_url=archived,
                                  archived_at="2025-06-01" if archived else None))
    store.record_citations(cites, {c.source for c in cites})
    kinds = [(v, s) for v, s, w in MIX for _ in range(w)]
    fate = {u: rng.choice(kinds) for u in urls}
    for _ in range(3):
        run = store.begin_run(["papers"])
        store.record_checks([CheckResult(u, v, clock[0], s) for u, (v, s) in fate.items()], Confirmation(3, 1), run)
        store.finish_run(run, "completed", {})
        clock[0] += 86400
    return store


def screenshot(out: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("chromium is not installed (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        store = fill(Path(tmp) / "small.db", 60)
        html = Path(tmp) / "report.html"
        html.write_text(render(build(store), "html"), encoding="utf-8")
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp}/profile", "--hide-scrollbars", "--window-size=1280,900"]
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([chromium, *flags, f"--screenshot={out.resolve()}", html.as_uri()], capture_output=True,
                       timeout=120, check=True)
        dom = subprocess.run([chromium, *flags, "--dump-dom", html.as_uri()], capture_output=True, text=True,
                             timeout=120, check=True).stdout
    rows = dom.count("<tr data-state=")
    assert out.exists() and out.stat().st_size > 10_000, "no screenshot"
    assert rows == 60 and 'id="links"' in dom, f"the table is not there ({rows} rows)"
    print(f"screenshot: {out} ({out.stat().st_size // 1024} KB); Chromium's DOM shows the table with {rows} rows")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--links", type=int, default=10_000)
    ap.add_argument("--screenshot", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        store = fill(Path(tmp) / "big.db", args.links)
        print(f"database: {args.links} links, {2 * args.links} citations, 3 runs ({time.perf_counter() - t0:.1f} s)")
        t0 = time.perf_counter()
        report = build(store)
        built = time.perf_counter() - t0
        print(f"{'build (read the database)':<28}{built:>7.2f} s")
        for fmt in FORMATS:
            t0 = time.perf_counter()
            text = render(report, fmt)
            dt = time.perf_counter() - t0
            print(f"{'render ' + fmt:<28}{dt:>7.2f} s   {len(text) / 1e6:>6.1f} MB   total {built + dt:.2f} s")
    if args.screenshot:
        screenshot(args.screenshot)


if __name__ == "__main__":
    main()
