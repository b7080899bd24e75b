#!/usr/bin/env python3
"""Extraction throughput and memory: `python benchmarks/extract_bench.py [--mb 50]`.

Generates a corpus of footnoted Markdown, HTML and plain-text documents (about MB megabytes in all, a
third each) at the link density of the seed sample (examples/aras-2025-commentary.txt has 9 URLs in 7.8 KB,
one per 860 bytes; here one per 700-900 bytes: most in footnotes with dates, some inline, some bare, some
in code that must be skipped). Then, for each format, in fresh processes pinned to one core, it extracts
every citation through the public API (`linkguard.extract_paths`, canonicalization included) and prints
MB/s, links/s and peak RSS: the median of `--repeat` runs (5 by default; this machine's speed wanders by
10 % from run to run). Memory is measured on the whole corpus and on a fifth of it: streaming extraction
keeps the two close. If `lychee` is on PATH, its `--dump` over the same files is timed too.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("the of and to in a is that for on with as was by at from this his her military exercise border "
         "ministry defence cooperation region security agreement visit official minister talks joint policy "
         "balance relations south caucasus week meeting statement announced according report").split()
TRACKERS = ["", "", "", "?utm_source=chatgpt.com", "?id=7&utm_medium=email", "?fbclid=IwAR0abc"]
PROSE = 1  # --prose: words of running text per footnote, as a multiple of the sample's density
DATES = ["22 May 2025", "May 22, 2025", "2025-05-22", "22.05.2025", "3 June 2024"]


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def url(rng: random.Random) -> str:
    host = f"site{rng.randrange(400)}.org"  # not .example: lychee skips example domains
    return f"https://{host}/news/{rng.randrange(10**6)}/{words(rng, 3).replace(' ', '-')}{rng.choice(TRACKERS)}"


def markdown_doc(rng: random.Random, size: int) -> str:
    out, n, total = [f"# {words(rng, 6).title()}\n\n"], 0, 0
    while total < size:
        n += 1
        inline = f" [{words(rng, 2)}]({url(rng)})" if rng.random() < 0.3 else ""
        bare = f" See {url(rng)} too." if rng.random() < 0.1 else ""
        para = f"{words(rng, 100 * PROSE)}{inline} *{words(rng, 30)}*[^{n}].{bare}\n\n"
        if n % 9 == 0:
            para += f"```\ncode {url(rng)}\n```\n\n"
        out.append(para)
        total += len(para)
    for i in range(1, n + 1):
        out.append(f"[^{i}]: {words(rng, 6).title()}, {rng.choice(DATES)}, {url(rng)}. "
                   f"Accessed {rng.choice(DATES)}.\n")
    return "".join(out)


def html_doc(rng: random.Random, size: int) -> str:
    out, n, total = ["<!doctype html><html><head><title>Doc</title></head><body>\n"], 0, 0
    while total < size:
        n += 1
        inline = f' <a href="{url(rng).replace("&", "&amp;")}">{words(rng, 2)}</a>' if rng.random() < 0.3 else ""
        bare = f" See {url(rng)} too." if rng.random() < 0.1 else ""
        para = (f"<p>{words(rng, 100 * PROSE)}{inline} <em>{words(rng, 30)}</em>"
                f'<sup><a href="#fn{n}" id="fnref{n}">{n}</a></sup>.{bare}</p>\n')
        out.append(para)
        total += len(para)
    out.append('<section class="footnotes" role="doc-endnotes"><ol>\n')
    for i in range(1, n + 1):
        out.append(f'<li id="fn{i}"><p>{words(rng, 6).title()}, {rng.choice(DATES)}, '
                   f'<a href="{url(rng)}">{words(rng, 3)}</a>. Accessed {rng.choice(DATES)}. '
                   f'<a href="#fnref{i}">↩</a></p></li>\n')
    out.append("</ol></section></body></html>\n")
    return "".join(out)


def text_doc(rng: random.Random, size: int) -> str:
    out, n, total = [], 0, 0
    while total < size:
        n += 1
        bare = f" (see {url(rng)})" if rng.random() < 0.1 else ""
        para = f"{words(rng, 70 * PROSE)}{bare} {words(rng, 30)}[{n}].\n\n"
        out.append(para)
        total += len(para)
    for i in range(1, n + 1):
        out.append(f"| [{i}] {words(rng, 6).title()}, {rng.choice(DATES)}, {url(rng)} |\n")
    return "".join(out)


GENERATORS = {"markdown": (markdown_doc, ".md"), "html": (html_doc, ".html"), "text": (text_doc, ".txt")}


def generate(root: Path, mb: float, seed: int = 7) -> dict[str, list[Path]]:
    rng = random.Random(seed)
    files: dict[str, list[Path]] = {}
    per_format = int(mb * 1_000_000 / 3)
    for fmt, (gen, ext) in GENERATORS.items():
        d = root / fmt
        d.mkdir(parents=True, exist_ok=True)
        total, i, paths = 0, 0, []
        while total < per_format:
            p = d / f"doc-{i:04d}{ext}"
            data = gen(rng, rng.randrange(40_000, 160_000))
            p.write_text(data, encoding="utf-8")
            total += len(data.encode("utf-8"))
            paths.append(p)
            i += 1
        files[fmt] = paths
    return files


def measure(paths: list[str]) -> dict[str, float]:
    """Runs in a child process: time the extract stage alone (files read and decoded, RawLinks with their
    dates and titles), then the whole of `extract_paths` (canonicalization and Citation records included);
    report times, counts and peak RSS."""
    from pathlib import Path

    import linkguard
    from linkguard import Citation
    from linkguard.collect import load
    from linkguard.extract import raw_links

    size = sum(os.path.getsize(p) for p in paths)
    t0 = time.perf_counter()
    raw = 0
    for p in paths:
        doc = load(Path(p))
        raw += sum(1 for _ in raw_links(doc))  # type: ignore[arg-type]
    t_raw = time.perf_counter() - t0
    t0 = time.perf_counter()
    links = 0
    for item in linkguard.extract_paths(paths):
        links += isinstance(item, Citation)
    dt = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"mb": size / 1e6, "seconds": dt, "raw_seconds": t_raw, "raw": raw, "links": links, "peak_rss_mb": rss}


def floor(paths: list[str]) -> dict[str, float]:
    """Runs in a child process: the least a pure-Python extractor can do per URL, for reference. One regex
    for URLs, one for a `22 May 2025` date on the URL's line, urlsplit, a tuple: no other date forms, access
    words, titles, labels, invalid URLs, PDF line joins, tracking rules or line numbers."""
    import re
    from urllib.parse import urlsplit

    url_re = re.compile(r"https?://[^\s<>\"|]+")
    date_re = re.compile(r"\b(\d{1,2}) (January|February|March|April|May|June|July|August|September|October|"
                         r"November|December) (\d{4})\b")
    size, n = 0, 0
    t0 = time.perf_counter()
    for p in paths:
        with open(p, "rb") as f:
            data = f.read()
        size += len(data)
        text = data.decode("utf-8")
        for m in url_re.finditer(text):
            line_start = text.rfind("\n", 0, m.start()) + 1
            d = date_re.search(text, line_start, m.start())
            u = m.group().rstrip(".,;)")
            _ = (u, p, d and d.group(), urlsplit(u).netloc.lower())
            n += 1
    dt = time.perf_counter() - t0
    return {"mb": size / 1e6, "seconds": dt, "raw_seconds": dt, "raw": n, "links": n,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child(paths: list[Path], bare: bool = False) -> dict[str, float]:
    listfile = Path(tempfile.mkstemp(suffix=".json")[1])
    listfile.write_text(json.dumps([str(p) for p in paths]))
    cmd = [sys.executable, __file__, "--floor" if bare else "--child", str(listfile)]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]  # one core
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    listfile.unlink()
    return json.loads(out)


TARGETS = {"markdown": 20.0, "html": 20.0, "text": 50.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=50.0, help="corpus size in MB (default 50)")
    ap.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    ap.add_argument("--prose", type=int, default=1, help="running text per footnote as a multiple of the "
                    "seed sample's (default 1: a URL per 700-900 bytes; 3: one per ~2 KB)")
    ap.add_argument("--repeat", type=int, default=5, help="runs per format, each in a fresh process; the "
                    "median is printed (default 5)")
    ap.add_argument("--formats", default="markdown,html,text",
                    help="comma-separated formats to time (default all three, then all together)")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--floor", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child or args.floor:
        paths = json.loads((args.child or args.floor).read_text())
        print(json.dumps(measure(paths) if args.child else floor(paths)))
        return
    global PROSE
    PROSE = args.prose
    root = args.keep or Path(tempfile.mkdtemp(prefix="linkguard-bench-"))
    try:
        t0 = time.perf_counter()
        files = generate(root, args.mb)
        print(f"corpus: {args.mb:.0f} MB in {sum(map(len, files.values()))} files under {root} "
              f"({time.perf_counter() - t0:.1f} s to generate)\n")
        print("extract = the extract stage (read, decode, parse, RawLinks with dates and titles);")
        print("end-to-end = linkguard.extract_paths (extract + canonicalize + Citation records).\n")
        print(f"{'format':<10}{'MB':>6}{'links':>7}{'extract':>9}{'e2e':>7}{'target':>8}   {'links/s':>8}"
              f"{'RSS all':>9}{'RSS 1/5':>9}")
        print(f"{'':<10}{'':>6}{'':>7}{'MB/s':>9}{'MB/s':>7}{'MB/s':>8}   {'(e2e)':>8}")
        chosen = [f for f in args.formats.split(",") if f in files]
        rows = [(f, files[f]) for f in chosen]
        if len(chosen) == len(files):
            rows.append(("all", [p for ps in files.values() for p in ps]))
        for fmt, paths in rows:
            runs = [child(paths) for _ in range(args.repeat)]  # fresh processes: this machine's speed wanders
            r = {**runs[0], "seconds": statistics.median(x["seconds"] for x in runs),  # same corpus: same sizes
                 "raw_seconds": statistics.median(x["raw_seconds"] for x in runs),
                 "peak_rss_mb": max(x["peak_rss_mb"] for x in runs)}
            small = child(paths[: max(1, len(paths) // 5)])
            raw_mbps, mbps = r["mb"] / r["raw_seconds"], r["mb"] / r["seconds"]
            target = f"{TARGETS[fmt]:>5.0f} {'ok' if mbps >= TARGETS[fmt] else 'no'}" if fmt in TARGETS else ""
            print(f"{fmt:<10}{r['mb']:>6.1f}{r['links']:>7.0f}{raw_mbps:>9.1f}{mbps:>7.1f}{target:>8}   "
                  f"{r['links'] / r['seconds']:>8.0f}{r['peak_rss_mb']:>8.0f}M{small['peak_rss_mb']:>8.0f}M")
        if "text" in chosen:
            bare = statistics.median(child(files["text"], bare=True)["seconds"] for _ in range(args.repeat))
            mb = sum(p.stat().st_size for p in files["text"]) / 1e6
            print(f"{'text floor':<10}{mb:>6.1f}{'':>7}{'':>9}{mb / bare:>7.1f}{'':>8}   "
                  "(reference: a bare regex-and-urlsplit loop, see floor())")
        everything = rows[-1][1]
        lychee = shutil.which("lychee")
        if lychee and len(chosen) == len(files):
            t0 = time.perf_counter()
            out = subprocess.run([lychee, "--dump", "--no-progress", *map(str, everything)], capture_output=True,
                                 text=True)
            dt = time.perf_counter() - t0
            n = sum(1 for line in out.stdout.splitlines() if line.startswith("http"))
            print(f"{'lychee':<10}{r['mb']:>6.1f}{n:>7}{'':>9}{r['mb'] / dt:>7.1f}{'':>8}   {n / dt:>8.0f}"
                  "   (lychee --dump, all cores)")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
