"""store: every link, citation, check and snapshot in one SQLite file, through sqlite-utils.

- WAL mode, a 30 s busy timeout and short `BEGIN IMMEDIATE` transactions: two runs on one database wait
  for each other instead of failing, and a run killed at any moment (even `kill -9`) leaves the last
  committed batch intact.
- The schema is created and migrated by `migrate()`; `PRAGMA user_version` and the `migrations` table
  record what was applied. Browse it with `datasette linkguard.db` or `sqlite-utils tables linkguard.db`.
- Times are ISO 8601 UTC strings (`2026-11-25T15:31:00.000000Z`), which sort as text.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from .check.policy import Confirmation, Standing, judge
from .models import CheckResult, Citation, State

SCHEMA_VERSION = 3


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_iso(value: str) -> float:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()


def _v1(db: sqlite_utils.Database) -> None:
    db["links"].create({
        "url": str, "first_seen": str, "last_seen": str, "verdict": str, "state": str, "http_status": int,
        "final_url": str, "permanent": int, "error": str, "consecutive_failures": int, "first_failed_at": str,
        "last_checked_at": str, "last_ok_at": str, "archive_url": str, "archived_at": str,
    }, pk="url", not_null={"state", "first_seen", "last_seen", "consecutive_failures"},
        defaults={"state": State.UNCHECKED.value, "consecutive_failures": 0})
    db["runs"].create({
        "id": int, "started_at": str, "finished_at": str, "status": str, "paths": str, "summary": str,
    }, pk="id")
    db["citations"].create({
        "id": int, "url": str, "source": str, "line": int, "col": int, "unit": str, "label": str,
        "context": str, "accessed": str, "date_kind": str, "title": str, "original": str,
        "archived_url": str, "archived_at": str, "seen_at": str,
    }, pk="id", foreign_keys=[("url", "links", "url")], not_null={"url", "source"})
    db["checks"].create({
        "id": int, "url": str, "run_id": int, "checked_at": str, "verdict": str, "http_status": int,
        "final_url": str, "permanent": int, "redirects": str, "error": str, "duration_ms": int, "attempts": int,
    }, pk="id", foreign_keys=[("url", "links", "url"), ("run_id", "runs", "id")],
        not_null={"url", "checked_at", "verdict"})
    db["snapshots"].create({
        "id": int, "url": str, "timestamp": str, "archived_url": str, "status": int, "digest": str,
        "source": str, "recorded_at": str,
    }, pk="id", foreign_keys=[("url", "links", "url")], not_null={"url", "archived_url"})
    db["citations"].create_index(["url"])
    db["citations"].create_index(["source"])
    db["checks"].create_index(["url", "checked_at"])
    db["checks"].create_index(["run_id"])
    db["links"].create_index(["state"])
    db["links"].create_index(["last_checked_at"])
    db["snapshots"].create_index(["url", "timestamp"])


def _v2(db: sqlite_utils.Database) -> None:
    db["checks"].add_column("state", str)  # the link's state after the check: reports show what changed


def _v3(db: sqlite_utils.Database) -> None:
    db["lookups"].create({"url": str, "looked_up_at": str, "found": int, "error": str}, pk="url")
    db["snapshots"].create_index(["url", "timestamp", "source"], unique=True, if_not_exists=True)


MIGRATIONS: list[tuple[int, str, Callable[[sqlite_utils.Database], None]]] = [
    (1, "links, citations, checks, snapshots, runs", _v1),
    (2, "checks.state", _v2),
    (3, "lookups (Wayback lookup cache), unique snapshots", _v3),
]


@dataclass(frozen=True)
class Freshness:
    """When a link is due for another check."""

    max_age: float = 7 * 86400  # a link that was fine is checked again after this long (0: always)
    recheck_after: float = 12 * 3600  # a failing one after this long


class Store:
    def __init__(self, path: str | Path, clock: Callable[[], float] = time.time) -> None:
        self.path = str(path)
        self.clock = clock
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 30000")
        self.db = sqlite_utils.Database(conn)
        _patiently(self._setup)

    def _setup(self) -> None:
        conn = self.db.conn
        if self.path != ":memory:" and conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            self.db.enable_wal()  # needs a moment alone with the file: retried while another run holds it
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        self.migrate()

    def close(self) -> None:
        self.db.conn.close()

    # --- transactions and schema
    @contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """A short write transaction, taken up front so two runs queue instead of deadlocking."""
        self.db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            if self.db.conn.in_transaction:
                self.db.conn.execute("ROLLBACK")
            raise
        self.db.conn.execute("COMMIT")

    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        if self.version >= SCHEMA_VERSION:
            return
        with self.write() as db:
            current = int(db.execute("PRAGMA user_version").fetchone()[0])  # re-read under the lock
            if "migrations" not in db.table_names():
                db["migrations"].create({"version": int, "name": str, "applied_at": str}, pk="version")
            for version, name, apply in MIGRATIONS:
                if version > current:
                    apply(db)
                    db["migrations"].insert({"version": version, "name": name, "applied_at": iso(self.clock())})
                    db.execute(f"PRAGMA user_version = {version}")

    # --- runs
    def begin_run(self, paths: Sequence[str]) -> int:
        with self.write() as db:
            table = db["runs"]
            table.insert({"started_at": iso(self.clock()), "status": "running", "paths": json.dumps(list(paths))})
            return int(table.last_pk)  # type: ignore[arg-type]

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any]) -> None:
        with self.write() as db:
            db["runs"].update(run_id, {"finished_at": iso(self.clock()), "status": status,
                                       "summary": json.dumps(summary)})

    # --- citations
    def record_citations(self, citations: Sequence[Citation], sources: Iterable[str], roots: Iterable[str] = ()
                         ) -> None:
        """Replace the citations of the scanned sources (and of vanished files under scanned directories)
        with `citations`; add new links, mark every cited link as seen now."""
        sources = list(sources)
        self.replace_citations(citations, sources)
        self.drop_vanished(sources, roots)

    def replace_citations(self, citations: Sequence[Citation], sources: Iterable[str]) -> None:
        """The citations of `sources` (files read completely) become `citations`, in one transaction."""
        now = iso(self.clock())
        with self.write() as db:
            urls = sorted({c.url for c in citations})
            db.conn.executemany(
                "INSERT INTO links (url, first_seen, last_seen, state, consecutive_failures) "
                "VALUES (?, ?, ?, 'unchecked', 0) ON CONFLICT(url) DO UPDATE SET last_seen = excluded.last_seen",
                [(u, now, now) for u in urls])
            db.conn.executemany("DELETE FROM citations WHERE source = ?", [(s,) for s in sources])
            db.conn.executemany(
                "INSERT INTO citations (url, source, line, col, unit, label, context, accessed, date_kind, title, "
                "original, archived_url, archived_at, seen_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(c.url, c.source, c.line, c.column, c.unit.value, c.label, c.context.value, c.accessed,
                  c.date_kind.value if c.date_kind else None, c.title, c.original, c.archived_url, c.archived_at,
                  now) for c in citations])

    def drop_vanished(self, read: Iterable[str], roots: Iterable[str]) -> None:
        """Citations of files under the scanned directories `roots` that were not read this time: the
        files are gone (or now excluded), and so are their citations."""
        roots = [r.rstrip("/") + "/" for r in roots]
        if not roots:
            return
        with self.write() as db:
            db.execute("CREATE TEMP TABLE IF NOT EXISTS read_sources (source TEXT PRIMARY KEY)")
            db.execute("DELETE FROM temp.read_sources")
            db.conn.executemany("INSERT OR IGNORE INTO temp.read_sources VALUES (?)", [(s,) for s in read])
            for prefix in roots:
                db.execute("DELETE FROM citations WHERE substr(source, 1, ?) = ? "
                           "AND source NOT IN (SELECT source FROM temp.read_sources)", [len(prefix), prefix])

    # --- checks
    def due(self, urls: Iterable[str], freshness: Freshness) -> list[str]:
        """Which of `urls` need a check now: never checked, fine but older than max_age, failing and older
        than recheck_after."""
        now = self.clock()
        fresh_ok = iso(now - freshness.max_age)
        fresh_fail = iso(now - freshness.recheck_after)
        wanted = list(dict.fromkeys(urls))
        out: list[str] = []
        for chunk in _chunks(wanted, 500):
            rows = {r[0]: r for r in self.db.execute(
                f"SELECT url, state, last_checked_at FROM links WHERE url IN ({','.join('?' * len(chunk))})",
                chunk).fetchall()}
            for url in chunk:
                row = rows.get(url)
                if row is None or row[2] is None or freshness.max_age <= 0:
                    out.append(url)
                elif row[1] == State.OK.value:
                    if row[2] < fresh_ok:
                        out.append(url)
                elif row[2] < fresh_fail:
                    out.append(url)
        return out

    def failing(self, urls: Sequence[str]) -> set[str]:
        """Those of `urls` whose latest check found rot (suspect or rotten links)."""
        return self._urls_where("state IN ('suspect', 'rotten')", urls)

    def redirecting(self, urls: Sequence[str]) -> set[str]:
        """Those of `urls` whose latest check went through redirects: they take longest, so start them first."""
        return self._urls_where("final_url IS NOT NULL", urls)

    def _urls_where(self, condition: str, urls: Sequence[str]) -> set[str]:
        out: set[str] = set()
        for chunk in _chunks(list(urls), 500):
            out.update(r[0] for r in self.db.execute(
                f"SELECT url FROM links WHERE {condition} AND url IN ({','.join('?' * len(chunk))})", chunk))
        return out

    def record_checks(self, results: Sequence[CheckResult], policy: Confirmation, run_id: int | None) -> None:
        """Store a batch of checks and move each link's standing on, in one transaction: one query reads
        the batch's standings, three `executemany` write it (a statement per result would hold the event
        loop for milliseconds per batch while responses wait)."""
        if not results:
            return
        with self.write() as db:
            standing: dict[str, tuple[str, int, str | None]] = {}
            for chunk in _chunks(list(dict.fromkeys(r.url for r in results)), 500):
                for url, state, failures, failed_at in db.execute(
                        "SELECT url, state, consecutive_failures, first_failed_at FROM links "
                        f"WHERE url IN ({','.join('?' * len(chunk))})", chunk):
                    standing[url] = (state, int(failures or 0), failed_at)
            new_links, updates, checks = [], [], []
            for r in results:  # in order: a link checked twice in one batch moves on twice
                at = iso(r.checked_at)
                row = standing.get(r.url)
                if row is None:
                    new_links.append((r.url, at, at))
                    row = (State.UNCHECKED.value, 0, None)
                before = Standing(State(row[0]), row[1], from_iso(row[2]) if row[2] else None)
                after = judge(before, r.verdict, r.checked_at, policy)
                failed_at = iso(after.first_failed_at) if after.first_failed_at else None
                standing[r.url] = (after.state.value, after.consecutive_failures, failed_at)
                updates.append((r.verdict.value, after.state.value, r.http_status, r.final_url, int(r.permanent),
                                r.error, after.consecutive_failures, failed_at, at, int(r.verdict.is_ok), at, r.url))
                checks.append((r.url, run_id, at, r.verdict.value, r.http_status, r.final_url, int(r.permanent),
                               json.dumps([{"url": h.url, "method": h.method, "status": h.status} for h in r.hops]),
                               r.error, r.duration_ms, r.attempts, after.state.value))
            db.conn.executemany("INSERT OR IGNORE INTO links (url, first_seen, last_seen, state, "
                                "consecutive_failures) VALUES (?, ?, ?, 'unchecked', 0)", new_links)
            db.conn.executemany(
                "UPDATE links SET verdict = ?, state = ?, http_status = ?, final_url = ?, permanent = ?, "
                "error = ?, consecutive_failures = ?, first_failed_at = ?, last_checked_at = ?, "
                "last_ok_at = CASE WHEN ? THEN ? ELSE last_ok_at END WHERE url = ?", updates)
            db.conn.executemany(
                "INSERT INTO checks (url, run_id, checked_at, verdict, http_status, final_url, permanent, "
                "redirects, error, duration_ms, attempts, state) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", checks)

    # --- the links of one run (kept in a temporary table: 100 000 URLs cost no Python memory)
    def set_run_urls(self, urls: Iterable[str]) -> None:
        with self.write() as db:
            db.execute("CREATE TEMP TABLE IF NOT EXISTS run_urls (url TEXT PRIMARY KEY)")
            db.execute("DELETE FROM temp.run_urls")
            db.conn.executemany("INSERT OR IGNORE INTO temp.run_urls VALUES (?)", ((u,) for u in urls))

    def run_counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """({state: n}, {verdict: n}) over the run's links."""
        states: dict[str, int] = {}
        verdicts: dict[str, int] = {}
        for state, verdict, n in self.db.execute(
                "SELECT state, coalesce(verdict, 'unchecked'), count(*) FROM links JOIN temp.run_urls USING (url) "
                "GROUP BY 1, 2"):
            states[state] = states.get(state, 0) + n
            verdicts[verdict] = verdicts.get(verdict, 0) + n
        return dict(sorted(states.items())), dict(sorted(verdicts.items()))

    def run_failing(self, fail_on: str) -> int:
        """How many of the run's links fail under `--fail-on`."""
        where = {"rotten": "state = 'rotten'", "suspect": "state IN ('suspect', 'rotten')",
                 "dead": "verdict IN ('dead', 'soft-404')"}.get(fail_on)
        if where is None:
            return 0
        return int(self.db.execute(
            f"SELECT count(*) FROM links JOIN temp.run_urls USING (url) WHERE {where}").fetchone()[0])

    def iter_run_links(self, failing_first: bool = True) -> Iterator[dict[str, Any]]:
        """The run's links with their citations, failing ones first, read in chunks."""
        order = ("CASE state WHEN 'rotten' THEN 0 WHEN 'suspect' THEN 1 WHEN 'unknown' THEN 2 WHEN 'refused' THEN 3 "
                 "WHEN 'ok' THEN 4 WHEN 'skipped' THEN 5 ELSE 6 END, url") if failing_first else "url"
        cursor = self.db.conn.execute(
            "SELECT links.*, (SELECT redirects FROM checks WHERE checks.url = links.url "
            "ORDER BY checked_at DESC, id DESC LIMIT 1) AS redirects "
            f"FROM links JOIN temp.run_urls USING (url) ORDER BY {order}")
        names = [d[0] for d in cursor.description]
        while rows := cursor.fetchmany(500):
            chunk = [dict(zip(names, r, strict=True)) for r in rows]
            yield from self._with_citations(chunk)

    def _with_citations(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        cites: dict[str, list[dict[str, Any]]] = {}
        urls = [r["url"] for r in rows]
        for c in self.db.query(
                "SELECT url, source, line, unit, label, accessed, date_kind, context, original, title, archived_url, "
                "archived_at FROM citations "
                f"WHERE url IN ({','.join('?' * len(urls))}) ORDER BY source, line", urls):
            cites.setdefault(c.pop("url"), []).append(c)
        for r in rows:
            r["citations"] = cites.get(r["url"], [])
            r["redirects"] = json.loads(r["redirects"]) if r.get("redirects") else []
        return rows

    # --- queries the reports need
    def links(self, urls: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Links (all, or those given, in that order) with their citations, as plain dicts."""
        select = ("SELECT links.*, (SELECT redirects FROM checks WHERE checks.url = links.url "
                  "ORDER BY checked_at DESC, id DESC LIMIT 1) AS redirects FROM links")
        if urls is None:
            rows = list(self.db.query(f"{select} ORDER BY url"))
        else:
            wanted = list(dict.fromkeys(urls))
            rows = []
            for chunk in _chunks(wanted, 500):
                rows += list(self.db.query(f"{select} WHERE url IN ({','.join('?' * len(chunk))})", chunk))
            order = {u: i for i, u in enumerate(wanted)}
            rows.sort(key=lambda r: order[r["url"]])
        out: list[dict[str, Any]] = []
        for i in range(0, len(rows), 500):
            out += self._with_citations(rows[i:i + 500])
        return out

    # --- archive
    def archive_candidates(self, only: str, limit: int | None = None) -> list[dict[str, Any]]:
        """Cited links to look up / save: `unarchived` (no archived copy yet), `alive` (fine ones), `all`;
        with the earliest access date their citations state and when they were last looked up."""
        where = {"unarchived": "AND links.archive_url IS NULL", "alive": "AND links.state = 'ok'", "all": ""}[only]
        sql = ("SELECT links.url, links.state, links.verdict, links.archive_url, links.archived_at, "
               "(SELECT min(accessed) FROM citations c WHERE c.url = links.url) AS accessed, "
               "lookups.looked_up_at FROM links LEFT JOIN lookups USING (url) "
               f"WHERE links.url IN (SELECT url FROM citations) {where} ORDER BY links.url")
        if limit:
            sql += f" LIMIT {int(limit)}"
        return list(self.db.query(sql))

    def record_lookup(self, url: str, snapshots: Sequence[Any], best: Any, error: str | None = None) -> None:
        """Store what a lookup found (snapshots, the best one on the link) or why it failed."""
        now = iso(self.clock())
        with self.write() as db:
            db.conn.executemany(
                "INSERT OR IGNORE INTO snapshots (url, timestamp, archived_url, status, digest, source, recorded_at) "
                "VALUES (?,?,?,?,?,?,?)",
                [(s.url, s.timestamp, s.archived_url, s.status, s.digest, s.source, now) for s in snapshots])
            if error is None:
                db.execute("INSERT INTO lookups (url, looked_up_at, found, error) VALUES (?,?,?,NULL) "
                           "ON CONFLICT(url) DO UPDATE SET looked_up_at = excluded.looked_up_at, "
                           "found = excluded.found, error = NULL", [url, now, int(best is not None)])
            if best is not None:
                db.execute("UPDATE links SET archive_url = ?, archived_at = ? WHERE url = ?",
                           [best.archived_url, best.day, url])

    def snapshots_of(self, url: str) -> list[Any]:
        from .archive.choose import Snapshot

        return [Snapshot(url, *row) for row in self.db.execute(
            "SELECT timestamp, archived_url, status, digest, source FROM snapshots WHERE url = ?", [url])]

    def newest_snapshot(self, url: str) -> Any:
        """The newest good capture recorded for `url` (a Snapshot), or None."""
        from .archive.choose import Snapshot

        row = self.db.execute("SELECT timestamp, archived_url, status, digest, source FROM snapshots WHERE url = ? "
                              "AND status BETWEEN 200 AND 299 ORDER BY timestamp DESC LIMIT 1", [url]).fetchone()
        return Snapshot(url, row[0], row[1], row[2], row[3], row[4]) if row else None

    # --- reports
    def report_links(self, states: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Every cited link (or those in `states`), failing first, with citations."""
        where = ""
        params: list[Any] = []
        if states is not None:
            states = list(states)
            where = f"AND links.state IN ({','.join('?' * len(states))})"
            params = states
        rows = list(self.db.query(
            "SELECT links.*, NULL AS redirects FROM links WHERE url IN (SELECT url FROM citations) " + where +
            " ORDER BY CASE state WHEN 'rotten' THEN 0 WHEN 'suspect' THEN 1 WHEN 'unknown' THEN 2 "
            "WHEN 'refused' THEN 3 WHEN 'ok' THEN 4 ELSE 5 END, url", params))
        out: list[dict[str, Any]] = []
        for i in range(0, len(rows), 500):
            out += self._with_citations(rows[i:i + 500])
        return out

    def run_history(self, limit: int = 10) -> list[dict[str, Any]]:
        """The last `limit` runs that checked something: id, start, and {verdict: count}."""
        runs = list(self.db.query(
            "SELECT runs.id, runs.started_at FROM runs WHERE EXISTS (SELECT 1 FROM checks WHERE run_id = runs.id) "
            "ORDER BY runs.id DESC LIMIT ?", [limit]))
        for run in runs:
            run["verdicts"] = {r["verdict"]: r["n"] for r in self.db.query(
                "SELECT verdict, count(*) AS n FROM checks WHERE run_id = ? GROUP BY verdict", [run["id"]])}
        return list(reversed(runs))

    def changes(self) -> dict[str, list[str]]:
        """What the latest run that checked something changed: newly rotten, recovered, newly archived."""
        history = self.run_history(2)
        if not history:
            return {"newly_rotten": [], "recovered": [], "newly_archived": []}
        latest = history[-1]
        since = history[0]["started_at"] if len(history) == 2 else "0000"
        rows = self.db.execute(  # the state each link was left in by the latest run, and before it
            "WITH latest AS (SELECT url, state FROM checks WHERE id IN "
            "  (SELECT max(id) FROM checks WHERE run_id = :run GROUP BY url)), "
            "before AS (SELECT url, state FROM checks WHERE id IN "
            "  (SELECT max(id) FROM checks WHERE run_id < :run GROUP BY url)) "
            "SELECT latest.url, latest.state, before.state FROM latest LEFT JOIN before USING (url)",
            {"run": latest["id"]}).fetchall()
        newly_rotten = sorted(u for u, now, before in rows if now == "rotten" and before != "rotten")
        recovered = sorted(u for u, now, before in rows if now == "ok" and before in ("suspect", "rotten"))
        archived = sorted({r[0] for r in self.db.execute(
            "SELECT url FROM snapshots WHERE recorded_at >= ? AND source != 'citation'", [since])})
        return {"newly_rotten": newly_rotten, "recovered": recovered, "newly_archived": archived}

    def checks_of(self, url: str) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT * FROM checks WHERE url = ? ORDER BY checked_at, id", [url]))


def _patiently(fn: Callable[[], None], seconds: float = 30.0) -> None:
    """Run `fn`, retrying while another process has the database locked (SQLite does not always wait)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            fn()
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
