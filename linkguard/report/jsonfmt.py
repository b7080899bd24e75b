"""JSON report, stable schema `linkguard-report/1` (README, "Report formats")."""

from __future__ import annotations

import json
from typing import Any

from . import SCHEMA, Report, by_source


def link_json(link: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": link["url"], "state": link["state"], "verdict": link["verdict"] or "unchecked",
        "http_status": link["http_status"], "failing_since": link["first_failed_at"],
        "checked_at": link["last_checked_at"], "final_url": link["final_url"], "error": link["error"],
        "archive": link["archive"],
        "citations": [{"source": c["source"], "line": c["line"], "unit": c["unit"], "label": c["label"],
                       "accessed": c["accessed"], "context": c["context"]} for c in link["citations"]],
    }


def render(report: Report) -> str:
    doc: dict[str, Any] = {
        "$schema": SCHEMA, "schema": "linkguard-report/1", "generated_at": report.generated_at,
        "only": report.only, "summary": report.summary, "changes": report.changes,
        "links": [link_json(link) for link in report.links],
    }
    if report.by == "source":
        doc["sources"] = [{"source": s, "citations": [{"line": c["line"], "label": c["label"], "url": link["url"],
                                                         "state": link["state"]} for link, c in items]}
                          for s, items in by_source(report.links).items()]
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
