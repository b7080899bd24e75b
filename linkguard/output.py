"""Rendering `extract` results for the terminal and for JSON. Pure functions: records in, text out."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

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
        out.append("")
        out.append(f"Not valid URLs ({len(c.invalid)}):")
        for inv in c.invalid:
            label = f" [{safe(inv.label)}]" if inv.label else ""
            out.append(f"    {_where(safe(inv.source), inv.line, inv.unit)}{label}  {safe(inv.original)}  "
                       f"-- {safe(inv.reason)}")
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
