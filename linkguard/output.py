"""Rendering `extract` results for the terminal and for JSON. Pure functions: records in, text out."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .models import Citation, ExtractError, ExtractItem, InvalidLink, Skipped, Unit

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def safe(s: str) -> str:
    """Make a document-controlled string harmless on a terminal (no escape sequences, no bidi tricks)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else
                        f"\\u{ord(m.group()):04x}", s)


@dataclass
class Collected:
    """Everything one extraction run produced, in the order found."""

    citations: list[Citation] = field(default_factory=list)
    invalid: list[InvalidLink] = field(default_factory=list)
    errors: list[ExtractError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @classmethod
    def of(cls, items: Iterable[ExtractItem]) -> Collected:
        c = cls()
        for item in items:
            if isinstance(item, Citation):
                c.citations.append(item)
            elif isinstance(item, InvalidLink):
                c.invalid.append(item)
            elif isinstance(item, ExtractError):
                c.errors.append(item)
            else:
                c.skipped.append(item)
        return c

    def by_url(self) -> dict[str, list[Citation]]:
        grouped: dict[str, list[Citation]] = {}
        for cit in self.citations:
            grouped.setdefault(cit.url, []).append(cit)
        return grouped

    def summary(self) -> dict[str, int]:
        return {
            "links": len(self.by_url()),
            "citations": len(self.citations),
            "files": len({c.source for c in self.citations} | {i.source for i in self.invalid}),
            "invalid": len(self.invalid),
            "errors": len(self.errors),
            "skipped": len(self.skipped),
        }


def to_json(c: Collected) -> str:
    return json.dumps({
        "links": [x.to_dict() for x in c.citations],
        "invalid": [x.to_dict() for x in c.invalid],
        "errors": [x.to_dict() for x in c.errors],
        "skipped": [x.to_dict() for x in c.skipped],
        "summary": c.summary(),
    }, ensure_ascii=False, indent=2)


def _where(source: str, line: int, unit: Unit) -> str:
    if unit is Unit.PAGE:
        return f"{source} p.{line}"
    if unit is Unit.PARAGRAPH:
        return f"{source} ¶{line}"
    return f"{source}:{line}"


def _n(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def to_text(c: Collected) -> str:
    out: list[str] = []
    for url, cits in c.by_url().items():
        n = len(cits)
        out.append(f"{safe(url)}  ({_n(n, 'citation')})")
        for cit in cits:
            bits = [_where(safe(cit.source), cit.line, cit.unit), cit.context.value]
            if cit.label is not None:
                bits.append(f"[{safe(cit.label)}]")
            if cit.accessed:
                bits.append(f"{cit.date_kind.value if cit.date_kind else 'date'} {cit.accessed}")
            if cit.archived_url:
                bits.append(f"archived {cit.archived_at or ''} {safe(cit.archived_url)}".replace("  ", " "))
            if cit.original != cit.url:
                bits.append(f"as written: {safe(cit.original)}")
            out.append("    " + "  ".join(bits))
    if c.invalid:
        out += ["", *_invalid_lines(c.invalid)]
    if c.skipped:
        out.append("")
        out.append(f"Skipped ({len(c.skipped)}):")
        out.extend(f"    {safe(s.source)}  -- {s.reason}" for s in c.skipped)
    if c.errors:
        out.append("")
        out.append(f"Errors ({len(c.errors)}):")
        out.extend(f"    {safe(e.source)}  -- {safe(e.error)}" for e in c.errors)
    s = c.summary()
    out.append("")
    out.append(f"{_n(s['links'], 'link')} ({_n(s['citations'], 'citation')}) in {_n(s['files'], 'file')}; "
               f"{s['invalid']} invalid, {s['skipped']} skipped, {_n(s['errors'], 'error')}.")
    return "\n".join(out)


# --- check --------------------------------------------------------------------------------------------------------
def check_link_json(link: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": link["url"],
        "status": link["verdict"] or "unchecked",
        "state": link["state"],
        "http_status": link["http_status"],
        "final_url": link["final_url"],
        "permanent_redirect": bool(link["permanent"]),
        "redirects": link.get("redirects", []),
        "error": link["error"],
        "checked_at": link["last_checked_at"],
        "consecutive_failures": link["consecutive_failures"],
        "failing_since": link["first_failed_at"],
        "last_ok_at": link["last_ok_at"],
        "archive_url": link["archive_url"],
        "archived_at": link["archived_at"],
        "archive_distance_days": _distance(link),
        "citations": [{"source": c["source"], "line": c["line"], "label": c["label"], "accessed": c["accessed"]}
                      for c in link["citations"]],
    }


def _distance(link: dict[str, Any]) -> int | None:
    """Days between the archived copy and the earliest access date its citations state."""
    from .report import days_between, earliest_access

    return days_between(link["archived_at"], earliest_access(link))


def check_summary(states: dict[str, int], verdicts: dict[str, int], run: dict[str, Any]) -> dict[str, Any]:
    return {"links": sum(states.values()), "states": states, "verdicts": verdicts, **run}


def check_to_json(links: Iterable[dict[str, Any]], summary: dict[str, Any], invalid: Iterable[InvalidLink] = ()
                  ) -> Iterator[str]:
    """The JSON document in pieces, one link at a time (a run of 100 000 links is never one string)."""
    yield '{"links": ['
    sep = ""
    for link in links:
        yield sep + json.dumps(check_link_json(link), ensure_ascii=False)
        sep = ", "
    yield ('], "invalid": ' + json.dumps([i.to_dict() for i in invalid], ensure_ascii=False)
           + ', "summary": ' + json.dumps(summary, ensure_ascii=False) + "}\n")


def _what(link: dict[str, Any]) -> str:
    verdict = link["verdict"] or "unchecked"
    bits = [verdict]
    if link["http_status"]:
        bits.append(f"HTTP {link['http_status']}")
    if link["error"] and not str(link["error"]).startswith("HTTP "):
        bits.append(str(link["error"]))
    return ", ".join(bits)


def _invalid_lines(invalid: list[InvalidLink]) -> list[str]:
    out = [f"Not valid URLs ({len(invalid)}):"] if invalid else []
    for inv in invalid:
        label = f" [{safe(inv.label)}]" if inv.label else ""
        where = _where(safe(inv.source), inv.line, inv.unit)
        out.append(f"    {where}{label}  {safe(inv.original)}  -- {safe(inv.reason)}")
    return out


def check_to_text(links: Iterable[dict[str, Any]], summary: dict[str, Any], invalid: Iterable[InvalidLink] = ()
                  ) -> Iterator[str]:
    """Lines of the readable report (links come failing first)."""
    for link in links:
        line = f"{link['state'].upper():<9} {safe(link['url'])}  {safe(_what(link))}"
        if link["final_url"]:
            line += f" -> {safe(link['final_url'])}"
        if link["first_failed_at"]:
            line += f"  (failing since {link['first_failed_at'][:10]}, {link['consecutive_failures']} checks)"
        yield line + "\n"
        if link["state"] in ("rotten", "suspect", "unknown", "refused"):
            for c in link["citations"]:
                label = f" [{safe(c['label'])}]" if c["label"] else ""
                yield f"          {_where(safe(c['source']), c['line'], Unit(c['unit']))}{label}\n"
    bad = _invalid_lines(list(invalid))
    if bad:
        yield "\n" + "\n".join(bad) + "\n"
    states = ", ".join(f"{n} {s}" for s, n in summary["states"].items())
    verdicts = ", ".join(f"{n} {v}" for v, n in summary["verdicts"].items())
    yield f"\n{_n(summary['links'], 'link')}: {states}; latest checks: {verdicts}.\n"
    if summary.get("offline"):
        yield "Offline: citations recorded, nothing checked.\n"
    elif "checked" in summary:
        yield (f"This run checked {summary['checked']} of {summary['due']} due "
               f"({summary['links'] - summary['due']} fresh enough to skip)."
               + (" Interrupted: the rest will be checked next run." if summary.get("interrupted") else "") + "\n")


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")


def md_text(s: str) -> str:
    """Text that renders as itself in Markdown (tables included): specials escaped, no raw HTML, one line."""
    s = safe(s).replace("\r", " ").replace("\n", " ")
    return _MD_SPECIAL.sub(r"\\\1", s).replace("&", "&amp;")


def md_url(url: str) -> str:
    """A URL usable as a Markdown link target."""
    return "".join(c if c.isalnum() or c in "-._~:/?#@!$&'*+,;=%" else f"%{ord(c):02X}" if ord(c) < 128
                   else c for c in url)


def check_to_markdown(links: Iterable[dict[str, Any]], summary: dict[str, Any]) -> Iterator[str]:
    yield "| state | link | result | cited at |\n|---|---|---|---|\n"
    for link in links:
        cited = "<br>".join(
            f"{md_text(c['source'])}:{c['line']}" + (f" \\[{md_text(c['label'])}\\]" if c["label"] else "")
            for c in link["citations"])
        yield (f"| {link['state']} | [{md_text(link['url'])}]({md_url(link['url'])}) | {md_text(_what(link))} "
               f"| {cited} |\n")
    states = ", ".join(f"{n} {s}" for s, n in summary["states"].items())
    yield f"\n**{summary['links']} links**: {states}.\n"
