"""SARIF 2.1.0: each rotten (and suspect) citation is a result at its file and line, so GitHub code
scanning shows it in pull requests."""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from . import Report

RULES = [
    {"id": "LG001", "name": "RottenLink",
     "shortDescription": {"text": "A cited source is gone (dead or soft 404, confirmed over several checks)."},
     "helpUri": "https://github.com/linkguard/linkguard#verdicts", "defaultConfiguration": {"level": "error"}},
    {"id": "LG002", "name": "SuspectLink",
     "shortDescription": {"text": "A cited source failed, not yet for long enough to be called rotten."},
     "helpUri": "https://github.com/linkguard/linkguard#verdicts", "defaultConfiguration": {"level": "warning"}},
]


def _result(link: dict[str, Any], c: dict[str, Any]) -> dict[str, Any]:
    rotten = link["state"] == "rotten"
    what = f"{link['verdict']}" + (f" (HTTP {link['http_status']})" if link["http_status"] else "")
    archive = link["archive"]
    text = f"Cited link {link['url']} is {link['state']}: {what}."
    if archive:
        text += f" Archived copy: {archive['url']}"
    region = {"startLine": c["line"]} if c["unit"] == "line" and c["line"] else None
    location: dict[str, Any] = {"artifactLocation": {"uri": c["source"]}}
    if region:
        location["region"] = region
    return {"ruleId": "LG001" if rotten else "LG002", "ruleIndex": 0 if rotten else 1,
            "level": "error" if rotten else "warning", "message": {"text": text},
            "locations": [{"physicalLocation": location}],
            "partialFingerprints": {"linkguard/url": link["url"]}}


def render(report: Report) -> str:
    results = [_result(link, c) for link in report.links if link["state"] in ("rotten", "suspect")
               for c in link["citations"]]
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "linkguard", "version": __version__,
                                         "informationUri": "https://github.com/linkguard/linkguard", "rules": RULES}},
                     "results": results}]}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
