"""Archiving against a fake Wayback Machine on loopback (tests/fake_wayback.py): lookups, the best snapshot,
saves, every failure the archive has, and keys that never leak."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fake_wayback import FakeWayback

from linkguard.archive import ArchiveOptions, archive_links
from linkguard.archive.choose import Snapshot, best, distance_days
from linkguard.archive.wayback import STATUS_EXT, Endpoints, explain
from linkguard.check.policy import Confirmation
from linkguard.models import CheckResult, Citation, Context, DateKind, Verdict
from linkguard.store import Store

NOW = time.time()


@pytest.fixture
def wayback():
    w = FakeWayback()
    yield w
    w.stop()


def snap(ts: str, status: int | None = 200) -> Snapshot:
    return Snapshot("https://a.example/", ts, f"https://web.archive.org/web/{ts}/https://a.example/", status)


def test_best_snapshot_is_the_good_capture_closest_to_the_access_date() -> None:
    caps = [snap("20250101000000"), snap("20250520000000", 404), snap("20250524000000", 302),
            snap("20250526000000"), snap("20250601000000"), snap("20250523000000", None)]
    chosen = best(caps, "2025-05-22")
    assert chosen.timestamp == "20250526000000" and distance_days(chosen, "2025-05-22") == 4
    assert best(caps, None).timestamp == "20250601000000"  # no access date: the newest good one
    assert best([snap("20250101000000", 500)], None) is None


def db_with(tmp_path: Path, links: dict[str, tuple[Verdict, str | None]]) -> Path:
    path = tmp_path / "a.db"
    store = Store(path)
    store.record_citations([Citation(url=u, original=u, source="doc.md", line=i, context=Context.FOOTNOTE,
                                     label=str(i), accessed=acc, date_kind=DateKind.CITED)
                            for i, (u, (_v, acc)) in enumerate(links.items(), 1)], ["doc.md"])
    store.record_checks([CheckResult(u, v, NOW) for u, (v, _acc) in links.items()], Confirmation(), None)
    store.close()
    return path


def run_archive(db: Path, wayback: FakeWayback, *args: str, keys: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "LINKGUARD_WAYBACK_URL": wayback.base, "LINKGUARD_AVAILABILITY_URL": wayback.availability}
    env.pop("IA_ACCESS_KEY", None)
    env.pop("IA_SECRET_KEY", None)
    if keys:
        env |= {"IA_ACCESS_KEY": "ACCESS", "IA_SECRET_KEY": "SECRET"}
    with open(db.parent / "linkguard.toml", "w") as f:
        f.write("captures_per_minute = 600\n")
    return subprocess.run([sys.executable, "-m", "linkguard", "archive", "--db", str(db), "--format", "json",
                           "--config", str(db.parent / "linkguard.toml"), *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_archive_end_to_end(tmp_path: Path, wayback: FakeWayback) -> None:
    stamp = time.strftime("%Y%m%d000000", time.gmtime(NOW - 10 * 86400))
    wayback.captures = {
        "https://cited.example/a": [("20250101000000", "200", "D1"), ("20250521000000", "200", "D2"),
                                    ("20250522000000", "302", "D3"), (stamp, "200", "D4")],
        "https://gone.example/old": [("20200101000000", "200", "D5")],
        "https://stale.example/": [("20200101000000", "200", "D6")],
        "https://fresh.example/": [(stamp, "200", "D7")],
    }
    db = db_with(tmp_path, {
        "https://cited.example/a": (Verdict.ALIVE, "2025-05-22"),
        "https://gone.example/old": (Verdict.DEAD, None),
        "https://stale.example/": (Verdict.ALIVE, None),
        "https://fresh.example/": (Verdict.ALIVE, None),
        "https://never.example/": (Verdict.ALIVE, None),
        "https://dead-unarchived.example/": (Verdict.DEAD, None),
    })
    r = run_archive(db, wayback)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert (summary["looked_up"], summary["found"], summary["saved"]) == (6, 4, 2)  # stale + never
    assert sorted(u for _, u in wayback.saves) == ["https://never.example/", "https://stale.example/"]
    store = Store(db)
    links = {x["url"]: x for x in store.links()}
    assert links["https://cited.example/a"]["archived_at"] == "2025-05-21"  # closest good capture to 22 May
    assert links["https://gone.example/old"]["archived_at"] == "2020-01-01"  # dead: old copy, no save
    assert links["https://never.example/"]["archive_url"].startswith(wayback.base + "/web/")
    assert store.db["snapshots"].count >= 7
    # a second run settles everything from the database: no lookup is repeated
    before = sum(wayback.lookups.values())
    again = json.loads(run_archive(db, wayback, "--only", "all").stdout)
    assert sum(wayback.lookups.values()) == before and again["cached"] == 6 and again["looked_up"] == 0


def test_status_ext_errors_and_the_daily_limit(tmp_path: Path, wayback: FakeWayback) -> None:
    db = db_with(tmp_path, {"https://blocked.example/": (Verdict.ALIVE, None),
                            "https://a-daily.example/": (Verdict.ALIVE, None),
                            "https://z-after.example/": (Verdict.ALIVE, None),
                            "https://pending.example/": (Verdict.ALIVE, None)})
    store = Store(db)
    opts = ArchiveOptions(Endpoints(wayback.base, wayback.availability), "ACCESS", "SECRET", captures_per_minute=6000,
                          jobs_in_flight=1, poll_interval=0.05)
    import asyncio

    summary = asyncio.run(archive_links(store, opts))
    assert summary.failed["save: error:too-many-daily-captures"] == 1
    assert any("daily capture limit" in n for n in summary.notes)
    # after the daily limit nothing more is submitted; what came before is recorded
    submitted = [u for _, u in wayback.saves]
    assert submitted[submitted.index("https://a-daily.example/") + 1:] == []
    assert summary.failed.get("save: error:blocked-url", 0) + summary.saved + sum(
        n for k, n in summary.failed.items() if "not tried" in k) >= 2


def test_pending_jobs_are_polled_until_done(tmp_path: Path, wayback: FakeWayback) -> None:
    db = db_with(tmp_path, {"https://pending.example/": (Verdict.ALIVE, None)})
    import asyncio

    opts = ArchiveOptions(Endpoints(wayback.base, wayback.availability), "ACCESS", "SECRET", poll_interval=0.05)
    summary = asyncio.run(archive_links(Store(db), opts))
    assert summary.saved == 1 and max(wayback.polls.values()) == 3


def test_anonymous_saves_refused_are_said_once_and_lookups_go_on(tmp_path: Path, wayback: FakeWayback) -> None:
    db = db_with(tmp_path, {f"https://anon{i}.example/": (Verdict.ALIVE, None) for i in range(4)})
    r = run_archive(db, wayback, keys=False)
    summary = json.loads(r.stdout)
    assert summary["looked_up"] == 4 and summary["saved"] == 0
    assert r.stderr.count("refused anonymous saves") == 1 and "archive.org/account/s3.php" in r.stderr
    assert len(wayback.saves) == 1  # after the first refusal, no more tries this run


def test_outages_malformed_answers_and_429(tmp_path: Path, wayback: FakeWayback) -> None:
    wayback.captures = {"https://cdx-down.example/": [("20250101000000", "200", "X")],
                        "https://cdx-garbage.example/": [("20250101000000", "200", "Y")],
                        "https://cdx-429.example/": [("20250101000000", "200", "Z")]}
    db = db_with(tmp_path, {"https://cdx-down.example/": (Verdict.DEAD, None),
                            "https://cdx-garbage.example/": (Verdict.DEAD, None),
                            "https://cdx-429.example/": (Verdict.DEAD, None),
                            "https://all-down.example/": (Verdict.DEAD, None)})
    import asyncio

    opts = ArchiveOptions(Endpoints(wayback.base, wayback.availability), "ACCESS", "SECRET", backoff=0.05, retries=2)
    start = time.monotonic()
    summary = asyncio.run(archive_links(Store(db), opts))
    assert summary.found == 3  # two through the Availability API, one after waiting out the 429
    assert time.monotonic() - start >= 1  # Retry-After: 1 was honoured
    assert summary.failed == {"lookup: the Wayback Machine is not answering": 1}
    links = {x["url"]: x for x in Store(db).links()}
    assert links["https://cdx-down.example/"]["archived_at"] == "2025-01-01"


def test_saves_keep_to_the_rate(tmp_path: Path, wayback: FakeWayback) -> None:
    db = db_with(tmp_path, {f"https://r{i}.example/": (Verdict.ALIVE, None) for i in range(6)})
    import asyncio

    opts = ArchiveOptions(Endpoints(wayback.base, wayback.availability), "ACCESS", "SECRET", captures_per_minute=300,
                          jobs_in_flight=3, poll_interval=0.05)
    asyncio.run(archive_links(Store(db), opts))
    times = sorted(t for t, _ in wayback.saves)
    assert len(times) == 6 and all(b - a >= 0.19 for a, b in itertools.pairwise(times))  # 300/min: 0.2 s apart


def test_keys_never_leak(tmp_path: Path, wayback: FakeWayback) -> None:
    db = db_with(tmp_path, {"https://leak.example/": (Verdict.ALIVE, None),
                            "https://blocked.example/": (Verdict.ALIVE, None)})
    env_keys = {"IA_ACCESS_KEY": "ACCESS", "IA_SECRET_KEY": "SECRET"}
    r = run_archive(db, wayback)
    outputs = r.stdout + r.stderr
    for fmt in ("markdown", "json", "html", "csv", "sarif"):
        outputs += subprocess.run([sys.executable, "-m", "linkguard", "report", "--db", str(db), "--format", fmt],
                                  capture_output=True, text=True, timeout=60).stdout
    dump = "\n".join(Store(db).db.iterdump())
    for secret in env_keys.values():
        assert secret not in outputs and secret not in dump
    # wrong keys: the refusal names the problem, not the keys
    env = {**os.environ, "LINKGUARD_WAYBACK_URL": wayback.base, "LINKGUARD_AVAILABILITY_URL": wayback.availability,
           "IA_ACCESS_KEY": "WRONGACCESS", "IA_SECRET_KEY": "WRONGSECRET"}
    r = subprocess.run([sys.executable, "-m", "linkguard", "archive", "--db", str(db), "--only", "all"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert "WRONGSECRET" not in r.stdout + r.stderr and "WRONGACCESS" not in r.stdout + r.stderr


def test_anonymous_save_that_works(tmp_path: Path) -> None:
    w = FakeWayback(anonymous_status=200)
    try:
        db = db_with(tmp_path, {"https://anon-ok.example/": (Verdict.ALIVE, None)})
        r = run_archive(db, w, keys=False)
        assert json.loads(r.stdout)["saved"] == 1
    finally:
        w.stop()


def test_check_archive_adds_archive_fields_to_the_json(tmp_path: Path, wayback: FakeWayback, server) -> None:
    url = server.url("/ok/arch")
    wayback.captures = {url: [("20250520000000", "200", "A")]}
    (tmp_path / "linkguard.toml").write_text('allow_networks = ["127.0.0.1/32"]\n')
    (tmp_path / "doc.md").write_text(f"Claim.[^1]\n\n[^1]: Source, 22 May 2025, {url}\n")
    env = {**os.environ, "LINKGUARD_WAYBACK_URL": wayback.base, "LINKGUARD_AVAILABILITY_URL": wayback.availability,
           "IA_ACCESS_KEY": "ACCESS", "IA_SECRET_KEY": "SECRET"}
    r = subprocess.run([sys.executable, "-m", "linkguard", "check", ".", "--archive", "--format", "json"],
                       cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    link = json.loads(r.stdout)["links"][0]
    assert (link["archive_url"], link["archived_at"], link["archive_distance_days"]) == (
        f"{wayback.base}/web/20250520000000/{url}", "2025-05-20", 2)


@pytest.mark.parametrize("ext", sorted(STATUS_EXT))
def test_every_status_ext_error_is_recorded_with_its_meaning(tmp_path: Path, wayback: FakeWayback, ext: str) -> None:
    url = f"https://x.example/status-ext/{ext}"
    db = db_with(tmp_path, {url: (Verdict.ALIVE, None)})
    import asyncio

    opts = ArchiveOptions(Endpoints(wayback.base, wayback.availability), "ACCESS", "SECRET", poll_interval=0.01)
    summary = asyncio.run(archive_links(Store(db), opts))
    assert summary.failed == {f"save: {ext}": 1}
    assert explain(ext).startswith(f"{ext}: ") and STATUS_EXT[ext] in explain(ext)


def test_slow_lookups_time_out_and_fall_back(tmp_path: Path) -> None:
    w = FakeWayback(slow_s=3)
    try:
        w.captures = {"https://slow.example/": [("20250101000000", "200", "S")]}
        db = db_with(tmp_path, {"https://slow.example/": (Verdict.DEAD, None)})
        import asyncio

        opts = ArchiveOptions(Endpoints(w.base, w.availability), timeout=0.5, retries=2, backoff=0.05)
        start = time.monotonic()
        summary = asyncio.run(archive_links(Store(db), opts))
        assert summary.found == 1 and time.monotonic() - start < 3  # the Availability API answered
    finally:
        w.stop()
