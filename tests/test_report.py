"""The status report in every format, on a local database filled by the test (no network: the Wayback URLs
in it are data, never fetched), hostile values included."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import lxml.html
import pytest
from conftest import HERE

from linkguard.check.policy import Confirmation
from linkguard.models import CheckResult, Citation, Context, DateKind, Unit, Verdict
from linkguard.report import build, render
from linkguard.report.markdown import render as render_markdown
from linkguard.store import Store

DAY = 86400.0
EVIL_URL = 'https://evil.example/x"><script>alert(1)</script>?q=|*_[a](b)`'
EVIL_LABEL = "<img src=x onerror=alert(2)>|"


def cite(url: str, source: str, line: int, label: str | None = "1", accessed: str | None = "2025-05-22",
         archived: str | None = None, unit: Unit = Unit.LINE) -> Citation:
    return Citation(url=url, original=url, source=source, line=line, context=Context.FOOTNOTE, label=label,
                    accessed=accessed, date_kind=DateKind.CITED, archived_url=archived,
                    archived_at="2025-06-01" if archived else None, unit=unit)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    t = [1_767_225_600.0]
    s = Store(tmp_path / "r.db", lambda: t[0])
    s.record_citations([
        cite("https://ok.example/a", "docs/a.md", 3),
        cite("https://gone.example/p", "docs/a.md", 9, "2", archived="https://web.archive.org/web/20250601/https://gone.example/p"),
        cite("https://gone.example/p", "docs/b.md", 4, "7"),
        cite("https://flaky.example/", "docs/b.md", 12, "3"),
        cite(EVIL_URL, "docs/evil=1.md", 5, EVIL_LABEL),
        cite("https://paged.example/", "docs/paper.pdf", 2, None, unit=Unit.PAGE),
    ], ["docs/a.md", "docs/b.md", "docs/evil=1.md", "docs/paper.pdf"])
    policy = Confirmation(checks=2, days=1)
    for day in range(3):
        run = s.begin_run(["docs"])
        results = [CheckResult("https://ok.example/a", Verdict.ALIVE, t[0], 200),
                   CheckResult("https://gone.example/p", Verdict.DEAD, t[0], 404),
                   CheckResult("https://flaky.example/", Verdict.ALIVE if day < 2 else Verdict.DEAD, t[0],
                               200 if day < 2 else 410),
                   CheckResult(EVIL_URL, Verdict.DEAD, t[0], 404),
                   CheckResult("https://paged.example/", Verdict.TIMEOUT, t[0])]
        s.record_checks(results, policy, run)
        s.finish_run(run, "completed", {})
        t[0] += DAY
    return s


def test_summary_and_changes(store: Store) -> None:
    r = build(store)
    assert r.summary == {"links": 5, "alive": 1, "suspect": 1, "rotten": 2, "unknown": 1, "unchecked": 0,
                         "archived": 1, "not_archived": 4}
    assert r.changes["newly_rotten"] == []  # both rotten links were already rotten before the last run
    assert [len(h["verdicts"]) for h in r.history] == [3, 3, 3]
    gone = next(link for link in r.links if link["url"] == "https://gone.example/p")
    assert gone["archive"] == {"url": "https://web.archive.org/web/20250601/https://gone.example/p",
                               "date": "2025-06-01", "distance_days": 10}
    assert [link["state"] for link in r.links][:3] == ["rotten", "rotten", "suspect"]
    assert [link["url"] for link in build(store, only="suspect").links] == ["https://flaky.example/"]


def test_markdown(store: Store) -> None:
    text = render(build(store), "markdown")
    assert text.startswith("# Link rot report\n\n**5 links**: 1 alive, 1 suspect, 2 rotten")
    assert not re.search(r"(?<!\\)<", text)  # every '<' is escaped: no markup from a URL or a label
    assert "[archived copy](https://web.archive.org/web/20250601/https://gone.example/p) of 2025-06-01 " \
           "(10 days from the access date)" in text
    assert "cited at `docs/a.md`:9 \\[2\\], `docs/b.md`:4 \\[7\\]" in text
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert all(line.count(" | ") == 3 for line in table)  # escaped pipes do not break the table
    by_source = render(build(store, by="source"), "markdown")
    assert "## `docs/b.md`" in by_source and "`docs/b.md`:12 \\[3\\]: **suspect**" in by_source


def test_markdown_fits_githubs_limit(store: Store) -> None:
    r = build(store)
    r.links = r.links * 2000
    text = render_markdown(r)
    assert len(text) <= 65_536 and "more entries left out to fit GitHub's limit" in text


def test_html_is_self_contained_and_inert(store: Store) -> None:
    text = render(build(store), "html")
    doc = lxml.html.document_fromstring(text)
    assert not doc.xpath("//script[@src] | //link[@href] | //img")  # nothing loaded from anywhere
    assert len(doc.xpath("//script")) == 1 and "alert" not in doc.xpath("string(//script)")
    rows = doc.xpath("//table[@id='links']/tbody/tr")
    assert [r.get("data-state") for r in rows] == ["rotten", "rotten", "suspect", "unknown", "ok"]
    evil = next(r for r in rows if "evil.example" in r.text_content())
    assert evil.xpath(".//a/@href")[0] == EVIL_URL  # an attribute value, not markup
    assert EVIL_LABEL in evil.text_content()
    assert doc.xpath("//select[@id='f-source']/option/@value")[1:] == [
        "docs/a.md", "docs/b.md", "docs/evil=1.md", "docs/paper.pdf"]
    assert doc.xpath("//svg//rect")  # the chart of verdicts over runs


def test_json_schema(store: Store) -> None:
    schema = json.loads((HERE.parent / "linkguard" / "data" / "report-1.schema.json").read_text())
    for by in ("link", "source"):
        jsonschema.validate(json.loads(render(build(store, by=by), "json")), schema)
    doc = json.loads(render(build(store, by="source"), "json"))
    assert doc["schema"] == "linkguard-report/1" and doc["summary"]["rotten"] == 2
    link = doc["links"][0]
    assert set(link) == {"url", "state", "verdict", "http_status", "failing_since", "checked_at", "final_url",
                         "error", "archive", "citations"}
    assert {s["source"] for s in doc["sources"]} >= {"docs/a.md", "docs/b.md"}


def test_csv_one_row_per_citation_and_no_formulas(store: Store) -> None:
    rows = list(csv.DictReader(io.StringIO(render(build(store), "csv"))))
    assert len(rows) == 6
    evil = next(r for r in rows if "evil" in r["url"])
    assert evil["source"] == "docs/evil=1.md" and evil["label"] == EVIL_LABEL
    r = build(store)
    r.links[0]["citations"][0]["label"] = "=HYPERLINK(\"x\")"
    assert "'=HYPERLINK" in render(r, "csv")


def test_sarif_is_valid_and_points_at_lines(store: Store) -> None:
    doc = json.loads(render(build(store), "sarif"))
    schema = json.loads((HERE / "schemas" / "sarif-2.1.0-rtm.5.json").read_text())
    jsonschema.validate(doc, schema)
    results = doc["runs"][0]["results"]
    where = sorted((r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                    r["locations"][0]["physicalLocation"].get("region", {}).get("startLine"), r["level"])
                   for r in results)
    assert where == [("docs/a.md", 9, "error"), ("docs/b.md", 4, "error"), ("docs/b.md", 12, "warning"),
                     ("docs/evil=1.md", 5, "error")]


def test_report_cli(tmp_path: Path, store: Store) -> None:
    db = store.path
    out = tmp_path / "report.html"
    r = subprocess.run([sys.executable, "-m", "linkguard", "report", "--db", db, "--format", "html", "-o", str(out)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and out.read_text().startswith("<!doctype html>")
    r = subprocess.run([sys.executable, "-m", "linkguard", "report", "--db", db, "--only", "rotten"],
                       capture_output=True, text=True, timeout=60)
    assert "**rotten**" in r.stdout and "**suspect**" not in r.stdout
    missing = subprocess.run([sys.executable, "-m", "linkguard", "report", "--db", str(tmp_path / "none.db")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "run `linkguard check` first" in missing.stderr


def test_changes_since_the_previous_run(tmp_path: Path) -> None:
    t = [1_767_225_600.0]
    s = Store(tmp_path / "c.db", lambda: t[0])
    urls = ["https://rots.example/", "https://heals.example/", "https://steady.example/"]
    s.record_citations([cite(u, "doc.md", i) for i, u in enumerate(urls, 1)], ["doc.md"])
    script = [(Verdict.DEAD, Verdict.DEAD, Verdict.ALIVE), (Verdict.DEAD, Verdict.DEAD, Verdict.ALIVE),
              (Verdict.DEAD, Verdict.ALIVE, Verdict.ALIVE)]
    for verdicts in script:
        run = s.begin_run(["doc.md"])
        s.record_checks([CheckResult(u, v, t[0]) for u, v in zip(urls, verdicts, strict=True)],
                        Confirmation(checks=3, days=1), run)
        t[0] += DAY
    changes = build(s).changes
    assert changes == {"newly_rotten": ["https://rots.example/"], "recovered": ["https://heals.example/"],
                       "newly_archived": []}
    text = render(build(s), "markdown")
    assert "## Changes since the previous run" in text and "- Newly rotten: [https://rots.example/]" in text
