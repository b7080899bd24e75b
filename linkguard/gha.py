"""GitHub Actions: the job summary, annotations, step outputs, and the one "Link rot report" issue.

Everything written to a workflow-command stream is escaped by GitHub's rules (`%`, CR, LF in messages; also
`:` and `,` in properties), so a hostile URL cannot start a command of its own. The issue is found by
label, updated in place, opened when links rot and closed when all is clear; it talks to the REST API at
`GITHUB_API_URL` with `GITHUB_TOKEN` (never printed).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .report import Report


def escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def annotations(report: Report, limit: int = 50) -> Iterator[str]:
    """`::warning` lines for rotten citations, `::notice` for suspect ones (GitHub shows at most 10 a step per
    type, and 50 a job; `limit` keeps the log readable)."""
    n = 0
    for link in report.links:
        if link["state"] not in ("rotten", "suspect"):
            continue
        level = "warning" if link["state"] == "rotten" else "notice"
        for c in link["citations"]:
            if n >= limit:
                return
            props = [f"file={escape_property(c['source'])}"]
            if c["unit"] == "line" and c["line"]:
                props.append(f"line={int(c['line'])}")
            props.append(f"title={escape_property('Link ' + link['state'])}")
            archive = link["archive"]
            msg = f"{link['url']} is {link['state']} ({link['verdict']}"
            msg += f", HTTP {link['http_status']})" if link["http_status"] else ")"
            if archive:
                msg += f"; archived copy: {archive['url']}"
            yield f"::{level} {','.join(props)}::{escape_data(msg)}"
            n += 1


def outputs(report: Report, report_path: str | None) -> dict[str, str]:
    s = report.summary
    out = {k: str(s[k]) for k in ("links", "alive", "suspect", "rotten", "archived", "not_archived")}
    if report_path:
        out["report-path"] = report_path
    return out


def write_outputs(values: Mapping[str, str], path: str) -> None:
    """Append `name=value` lines to $GITHUB_OUTPUT (values here never contain newlines)."""
    with open(path, "a", encoding="utf-8") as f:
        for k, v in values.items():
            f.write(f"{k}={v.replace(chr(10), ' ').replace(chr(13), ' ')}\n")


@dataclass
class IssueResult:
    action: str  # created, updated, closed, none
    number: int | None = None


class GitHub:
    """The few REST calls the issue needs."""

    def __init__(self, repo: str, token: str, api: str = "https://api.github.com") -> None:
        self.repo, self.token, self.api = repo, token, api.rstrip("/")

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        req = urllib.request.Request(
            f"{self.api}{path}", method=method, data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self.token}", "Accept": "application/vnd.github+json",
                     "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "linkguard",
                     **({"Content-Type": "application/json"} if body is not None else {})})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"GitHub API {method} {path}: HTTP {e.code}") from None

    def find_issue(self, label: str) -> dict[str, Any] | None:
        q = urllib.parse.urlencode({"labels": label, "state": "open", "per_page": 10})
        issues = [i for i in self._call("GET", f"/repos/{self.repo}/issues?{q}") if "pull_request" not in i]
        return issues[0] if issues else None

    def sync_issue(self, title: str, label: str, body: str, failing: bool) -> IssueResult:
        """Open, update or close the one issue carrying `label`."""
        issue = self.find_issue(label)
        if issue is None:
            if not failing:
                return IssueResult("none")
            made = self._call("POST", f"/repos/{self.repo}/issues", {"title": title, "body": body, "labels": [label]})
            return IssueResult("created", made["number"])
        number = issue["number"]
        if failing:
            self._call("PATCH", f"/repos/{self.repo}/issues/{number}", {"title": title, "body": body})
            return IssueResult("updated", number)
        self._call("PATCH", f"/repos/{self.repo}/issues/{number}",
                   {"body": body, "state": "closed", "state_reason": "completed"})
        return IssueResult("closed", number)


def from_env(env: Mapping[str, str] = os.environ) -> GitHub:
    missing = [k for k in ("GITHUB_REPOSITORY", "GITHUB_TOKEN") if not env.get(k)]
    if missing:
        raise RuntimeError(f"missing environment: {', '.join(missing)}")
    return GitHub(env["GITHUB_REPOSITORY"], env["GITHUB_TOKEN"], env.get("GITHUB_API_URL", "https://api.github.com"))
