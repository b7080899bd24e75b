"""The SQLite store: schema, citations refreshed per run, rot confirmed over simulated days, freshness."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from linkguard.check.policy import Confirmation
from linkguard.models import CheckResult, Citation, Context, Verdict
from linkguard.store import SCHEMA_VERSION, Freshness, Store

DAY = 86400.0


class Clock:
    def __init__(self, t: float = 1_767_225_600.0) -> None:  # 2026-01-01
        self.t = t

    def __call__(self) -> float:
        return self.t


def cite(url: str, source: str = "doc.md", line: int = 1) -> Citation:
    return Citation(url=url, original=url, source=source, line=line, context=Context.FOOTNOTE, label="1")


def test_schema_is_created_and_versioned(tmp_path: Path) -> None:
    store = Store(tmp_path / "lg.db")
    assert store.version == SCHEMA_VERSION
    assert {"links", "citations", "checks", "snapshots", "runs", "migrations"} <= set(store.db.table_names())
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
    again = Store(tmp_path / "lg.db")  # opening twice migrates nothing
    assert [r["version"] for r in again.db["migrations"].rows] == [1, 2, 3]


def test_a_version_1_database_is_migrated(tmp_path: Path) -> None:
    import sqlite_utils

    from linkguard.store import MIGRATIONS

    db = sqlite_utils.Database(tmp_path / "old.db")
    db["migrations"].create({"version": int, "name": str, "applied_at": str}, pk="version")
    MIGRATIONS[0][2](db)
    db["migrations"].insert({"version": 1, "name": "v1", "applied_at": "x"})
    db.execute("PRAGMA user_version = 1")
    db["links"].insert({"url": "https://kept.example/", "first_seen": "x", "last_seen": "x", "state": "ok"})
    db.conn.commit()
    db.close()
    store = Store(tmp_path / "old.db")
    assert store.version == SCHEMA_VERSION and "state" in store.db["checks"].columns_dict
    assert store.db["links"].count == 1


def test_citations_are_replaced_per_source_and_vanished_files_drop_out(tmp_path: Path) -> None:
    store = Store(tmp_path / "lg.db")
    store.record_citations([cite("https://a.example/", "docs/a.md"), cite("https://b.example/", "docs/b.md")],
                           ["docs/a.md", "docs/b.md"], ["docs"])
    store.record_citations([cite("https://c.example/", "docs/a.md", 5)], ["docs/a.md"], ["docs"])
    rows = list(store.db.query("SELECT url, source, line FROM citations ORDER BY url"))
    assert rows == [{"url": "https://c.example/", "source": "docs/a.md", "line": 5}]  # b.md vanished
    assert store.db["links"].count == 3  # links keep their history


def test_rot_needs_n_failures_over_d_days_and_recovery_resets(tmp_path: Path) -> None:
    clock = Clock()
    store = Store(tmp_path / "lg.db", clock)
    url = "https://gone.example/p"
    store.record_citations([cite(url)], ["doc.md"])
    policy = Confirmation(checks=3, days=3)

    def check(verdict: Verdict) -> str:
        store.record_checks([CheckResult(url, verdict, clock())], policy, None)
        return store.links([url])[0]["state"]

    assert check(Verdict.DEAD) == "suspect"
    clock.t += DAY
    assert check(Verdict.TIMEOUT) == "suspect"  # unknown: neither evidence of rot nor of life
    clock.t += DAY
    assert check(Verdict.DEAD) == "suspect"
    clock.t += 0.5 * DAY
    assert check(Verdict.DEAD) == "suspect"  # three failures, but only 2.5 days
    clock.t += 0.5 * DAY
    assert check(Verdict.SOFT_404) == "rotten"  # four failures over 3 days
    clock.t += DAY
    assert check(Verdict.ALIVE) == "ok"
    link = store.links([url])[0]
    assert (link["consecutive_failures"], link["first_failed_at"]) == (0, None)
    assert check(Verdict.DEAD) == "suspect"  # the count starts again
    assert len(store.checks_of(url)) == 7


def test_one_batch_holding_several_checks_of_a_link_moves_it_on_in_order(tmp_path: Path) -> None:
    """A batch is read and written in bulk; checks of the same link within it still count one by one."""
    clock = Clock()
    store = Store(tmp_path / "lg.db", clock)
    url, fresh = "https://gone.example/p", "https://never-cited.example/"
    t = clock()
    store.record_checks([CheckResult(url, Verdict.DEAD, t), CheckResult(url, Verdict.DEAD, t + 2 * DAY),
                         CheckResult(fresh, Verdict.ALIVE, t), CheckResult(url, Verdict.DEAD, t + 3 * DAY)],
                        Confirmation(checks=3, days=3), None)
    gone, new = store.links([url])[0], store.links([fresh])[0]
    assert (gone["state"], gone["consecutive_failures"], gone["verdict"]) == ("rotten", 3, "dead")
    assert [c["state"] for c in store.checks_of(url)] == ["suspect", "suspect", "rotten"]
    assert (new["state"], new["verdict"]) == ("ok", "alive")  # a link first seen by its check


def test_unknown_verdicts_never_make_rot(tmp_path: Path) -> None:
    clock = Clock()
    store = Store(tmp_path / "lg.db", clock)
    url = "https://flaky.example/"
    for verdict in (Verdict.BLOCKED, Verdict.RATE_LIMITED, Verdict.TIMEOUT, Verdict.ERROR) * 3:
        store.record_checks([CheckResult(url, verdict, clock())], Confirmation(1, 0), None)
        clock.t += DAY
    assert store.links([url])[0]["state"] == "unknown"


def test_confirm_now(tmp_path: Path) -> None:
    store = Store(tmp_path / "lg.db")
    store.record_checks([CheckResult("https://x.example/", Verdict.DEAD, 1e9)], Confirmation(now=True), None)
    assert store.links(["https://x.example/"])[0]["state"] == "rotten"


def test_freshness(tmp_path: Path) -> None:
    clock = Clock()
    store = Store(tmp_path / "lg.db", clock)
    ok, bad, new = "https://ok.example/", "https://bad.example/", "https://new.example/"
    store.record_checks([CheckResult(ok, Verdict.ALIVE, clock()), CheckResult(bad, Verdict.DEAD, clock())],
                        Confirmation(), None)
    fresh = Freshness(max_age=7 * DAY, recheck_after=12 * 3600)
    assert store.due([ok, bad, new], fresh) == [new]
    clock.t += 13 * 3600
    assert store.due([ok, bad, new], fresh) == [bad, new]
    clock.t += 7 * DAY
    assert store.due([ok, bad, new], fresh) == [ok, bad, new]
    assert store.due([ok], Freshness(max_age=0)) == [ok]


def test_a_killed_writer_leaves_a_consistent_database(tmp_path: Path) -> None:
    path = tmp_path / "lg.db"
    store = Store(path)
    try:
        with store.write() as db:
            db.execute("INSERT INTO links (url, first_seen, last_seen) VALUES ('https://half.example/', 'x', 'x')")
            raise RuntimeError("crash in the middle of a batch")
    except RuntimeError:
        pass
    assert store.db["links"].count == 0
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_links_that_redirected_are_known(tmp_path: Path) -> None:
    from linkguard.models import Hop

    store = Store(tmp_path / "lg.db")
    a, b = "https://a.example/", "https://b.example/"
    store.record_checks([CheckResult(a, Verdict.REDIRECTED, 1e9, 200, "https://a.example/new", True,
                                     (Hop(a, "HEAD", 301), Hop("https://a.example/new", "HEAD", 200))),
                         CheckResult(b, Verdict.ALIVE, 1e9, 200)], Confirmation(), None)
    assert store.redirecting([a, b]) == {a}
    assert store.links([a])[0]["redirects"][0] == {"url": a, "method": "HEAD", "status": 301}


def test_a_run_stopped_while_reading_keeps_the_citations_of_unread_files(tmp_path: Path, monkeypatch) -> None:
    """Checking starts while files are still being read; a run stopped then stores what it read and must
    not take the files it never reached for deleted ones."""
    import asyncio

    import pytest

    from linkguard import runner
    from linkguard.extract import Options

    docs = tmp_path / "docs"
    docs.mkdir()
    # loopback literals: the guard refuses them before any connection (nothing leaves the machine)
    (docs / "a.md").write_text("See http://127.0.0.2:9/one and http://127.0.0.2:9/two.\n")
    (docs / "b.md").write_text("See http://127.0.0.3:9/three.\n")
    store = Store(tmp_path / "lg.db")
    offline = runner.RunOptions(offline=True)

    def sources() -> dict[str, int]:
        return dict(store.db.execute("SELECT source, count(*) FROM citations GROUP BY source").fetchall())

    asyncio.run(runner.collect_and_check(runner.start(store, [docs]), [docs], Options(), store, offline))
    assert sources() == {str(docs / "a.md"): 2, str(docs / "b.md"): 1}

    (docs / "a.md").write_text("See http://127.0.0.2:9/one only.\n")
    (docs / "b.md").write_text("See http://127.0.0.3:9/three and http://127.0.0.3:9/four.\n")
    real = runner.extract_paths

    def stops_in_the_second_file(paths, options, read):  # type: ignore[no-untyped-def]
        for item in real(paths, options, read):
            yield item
            if len(read) == 2:  # b.md is being read: one of its two citations has come
                raise KeyboardInterrupt

    monkeypatch.setattr(runner, "extract_paths", stops_in_the_second_file)
    for opts in (offline, runner.RunOptions()):
        with pytest.raises(KeyboardInterrupt):
            asyncio.run(runner.collect_and_check(runner.start(store, [docs]), [docs], Options(), store, opts))
        # a.md, read whole, is up to date; b.md, read in part, keeps its citations until a run reads it whole
        assert sources() == {str(docs / "a.md"): 1, str(docs / "b.md"): 1}
