"""Markdown report, fit for a GitHub issue body or job summary (at most 65,536 characters)."""

from __future__ import annotations

from typing import Any

from ..output import md_text, md_url
from . import Report, by_source

GITHUB_LIMIT = 65_536


def _link(url: str) -> str:
    return f"[{md_text(url)}]({md_url(url)})"


def _where(c: dict[str, Any]) -> str:
    unit = {"page": " p.", "paragraph": " ¶"}.get(c["unit"], ":")
    label = f" \\[{md_text(c['label'])}\\]" if c["label"] else ""
    return f"`{c['source'].replace('`', '')}`{unit}{c['line']}{label}"


def _archive(link: dict[str, Any]) -> str:
    a = link["archive"]
    if not a:
        return "not archived"
    bits = [f"[archived copy]({md_url(a['url'])})"]
    if a["date"]:
        bits.append(f"of {a['date']}")
    if a["distance_days"] is not None:
        bits.append(f"({a['distance_days']} days from the access date)")
    return " ".join(bits)


def _entry(link: dict[str, Any]) -> str:
    what = md_text(link["verdict"] or "unchecked") + (f", HTTP {link['http_status']}" if link["http_status"] else "")
    lines = [f"- **{link['state']}** {_link(link['url'])}: {what}"
             + (f", failing since {link['first_failed_at'][:10]}" if link["first_failed_at"] else "")]
    if link["final_url"]:
        lines.append(f"  - now at {_link(link['final_url'])}")
    lines.append(f"  - {_archive(link)}")
    lines.append("  - cited at " + ", ".join(_where(c) for c in link["citations"]))
    return "\n".join(lines)


def render(report: Report, limit: int = GITHUB_LIMIT) -> str:
    s = report.summary
    head = [
        "# Link rot report", "",
        f"**{s['links']} links**: {s['alive']} alive, {s['suspect']} suspect, {s['rotten']} rotten, "
        f"{s['unknown']} unknown, {s['unchecked']} unchecked; {s['archived']} archived, "
        f"{s['not_archived']} not archived. Generated {report.generated_at}.", "",
    ]
    body: list[str] = []
    if report.by == "source":
        for source, items in by_source([lk for lk in report.links if lk["state"] in ("rotten", "suspect")]).items():
            body.append(f"## `{source.replace('`', '')}`\n")
            body += [f"- {_where(c)}: **{link['state']}** {_link(link['url'])} — {_archive(link)}" for link, c in items]
            body.append("")
    else:
        failing = [lk for lk in report.links if lk["state"] in ("rotten", "suspect")]
        if failing:
            body.append("## Rotten and suspect links\n")
            body += [_entry(link) for link in failing]
            body.append("")
        others = [lk for lk in report.links if lk["state"] not in ("rotten", "suspect")]
        if others and report.only == "all":
            body.append("## Other links\n")
            body.append("| state | link | result | archive |")
            body.append("|---|---|---|---|")
            body += [f"| {lk['state']} | {_link(lk['url'])} | {md_text(lk['verdict'] or 'unchecked')} "
                     f"| {_archive(lk)} |" for lk in others]
            body.append("")
    changes = report.changes
    if any(changes.values()):
        body.append("## Changes since the previous run\n")
        for key, title in (("newly_rotten", "Newly rotten"), ("recovered", "Recovered"),
                           ("newly_archived", "Newly archived")):
            if changes.get(key):
                body.append(f"- {title}: " + ", ".join(_link(u) for u in changes[key]))
        body.append("")
    return _fit("\n".join(head), body, limit)


def _fit(head: str, body: list[str], limit: int) -> str:
    """Head plus as many body lines as fit in `limit` characters, with a count of what was left out."""
    text = head + "\n" + "\n".join(body) + "\n"
    if len(text) <= limit:
        return text
    kept: list[str] = []
    size = len(head) + 200  # room for the note
    for line in body:
        if size + len(line) + 1 > limit:
            break
        kept.append(line)
        size += len(line) + 1
    left = sum(1 for line in body[len(kept):] if line.startswith(("- ", "| ", "## ")))
    return head + "\n" + "\n".join(kept) + f"\n\n*… {left} more entries left out to fit GitHub's limit of " \
        f"{limit:,} characters: see the HTML or JSON report for everything.*\n"
