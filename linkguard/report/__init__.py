"""report: the database in, a status report out (Markdown, HTML, JSON, CSV, SARIF).

    report = build(store, only="all")
    text = render(report, "markdown")

`build` reads the store once into plain data (`Report`); each format is one module with a pure
`render(report) -> str`, registered in `FORMATS`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from ..store import Store

FORMATS = {"markdown": "markdown", "html": "html", "json": "jsonfmt", "csv": "csvfmt", "sarif": "sarif"}
ONLY = {"rotten": ("rotten",), "suspect": ("suspect",), "failing": ("rotten", "suspect"), "all": None}
SCHEMA = "https://linkguard.dev/schemas/report-1.json"


@dataclass
class Report:
    generated_at: str
    only: str
    by: str
    links: list[dict[str, Any]]
    summary: dict[str, int]
    changes: dict[str, list[str]] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)


def days_between(a: str | None, b: str | None) -> int | None:
    """Whole days between two ISO dates (or date-times), None when either is missing or malformed."""
    try:
        return abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days) if a and b else None
    except ValueError:
        return None


def best_archive(link: dict[str, Any]) -> dict[str, Any] | None:
    """The archived copy to show: the archive stage's choice, else one written beside a citation; with how
    far it is from the citation's access date."""
    url, when = link.get("archive_url"), link.get("archived_at")
    if not url:
        written = [c for c in link["citations"] if c.get("archived_url")]
        if not written:
            return None
        url, when = written[0]["archived_url"], written[0].get("archived_at")
    return {"url": url, "date": when[:10] if when else None, "distance_days": days_between(when, earliest_access(link))}


def earliest_access(link: dict[str, Any]) -> str | None:
    """The earliest access date the link's citations state (the version an author read first)."""
    return min((c["accessed"] for c in link["citations"] if c.get("accessed")), default=None)


def build(store: Store, only: str = "all", by: str = "link", now: float | None = None) -> Report:
    everything = store.report_links()
    counts = {"links": len(everything), "alive": 0, "suspect": 0, "rotten": 0, "unknown": 0, "unchecked": 0,
              "archived": 0, "not_archived": 0}
    for link in everything:
        link["archive"] = best_archive(link)
        state = link["state"]
        key = "alive" if state == "ok" else state if state in counts else "unknown"
        counts[key] += 1
        counts["archived" if link["archive"] else "not_archived"] += 1
    wanted = ONLY[only]
    links = everything if wanted is None else [link for link in everything if link["state"] in wanted]
    stamp = datetime.fromtimestamp(now, UTC) if now is not None else datetime.now(UTC)
    return Report(stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), only, by, links, counts, store.changes(),
                  store.run_history(10))


def render(report: Report, fmt: str) -> str:
    module = importlib.import_module(f"{__name__}.{FORMATS[fmt]}")
    return module.render(report)  # type: ignore[no-any-return]


def by_source(links: list[dict[str, Any]]) -> dict[str, list[tuple[dict[str, Any], dict[str, Any]]]]:
    """{source: [(link, citation)…]} for the per-document view, sources sorted, citations by line."""
    out: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for link in links:
        for c in link["citations"]:
            out.setdefault(c["source"], []).append((link, c))
    return {s: sorted(v, key=lambda lc: lc[1]["line"] or 0) for s, v in sorted(out.items())}
