"""CSV report: one row per citation. Cells that a spreadsheet would run as a formula are defused."""

from __future__ import annotations

import csv
import io

from . import Report

COLUMNS = ["url", "state", "verdict", "http_status", "failing_since", "final_url", "archive_url", "archive_date",
           "source", "line", "unit", "label", "accessed", "context"]


def _cell(value: object) -> str:
    s = "" if value is None else str(value)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def render(report: Report) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for link in report.links:
        archive = link["archive"] or {}
        for c in link["citations"]:
            w.writerow([_cell(v) for v in (
                link["url"], link["state"], link["verdict"] or "unchecked", link["http_status"],
                link["first_failed_at"], link["final_url"], archive.get("url"), archive.get("date"), c["source"],
                c["line"], c["unit"], c["label"], c["accessed"], c["context"])])
    return out.getvalue()
