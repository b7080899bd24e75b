"""Access dates in citations: `22 May 2025`, `May 22, 2025`, `2025-05-22`, `22.05.2025`, `Accessed ...`.

Rules (documented in the README):
- a date preceded by an access word ("accessed", "retrieved", "viewed", "last visited", "consulted",
  "abgerufen am", "erişim tarihi") is an access date and always wins (`date_kind = "accessed"`);
- otherwise, if the citation gives dates, the latest of them is used with `date_kind = "cited"`: it is the
  closest evidence of which version of the page the author saw;
- only real calendar dates count; a month and year without a day are not a date here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from ..models import DateKind

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}
_MONTH = r"(?P<{g}>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_RE = re.compile(
    r"(?<![\w/.-])(?:"
    r"(?P<iy>\d{4})[-/](?P<im>\d{1,2})[-/](?P<id>\d{1,2})"
    r"|(?P<dd>\d{1,2})\.(?P<dm>\d{1,2})\.(?P<dy>\d{4})"
    r"|(?P<ed>\d{1,2})(?:st|nd|rd|th)?\.?\s+" + _MONTH.format(g="em") + r",?\s+(?P<ey>\d{4})"
    r"|" + _MONTH.format(g="am") + r"\s+(?P<ad>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<ay>\d{4})"
    r")(?![\w/-])",
    re.IGNORECASE,
)
_ACCESS_RE = re.compile(
    r"(?:accessed|retrieved|viewed|visited|consulted|consulté|abgerufen|erişim(?:\s+tarihi)?|"
    r"access(?:-|\s)?date|urldate)(?:\s+(?:on|am|le|at))?\s*[:,]?\s*(?:from\s+[^,;]{0,40}?\s+on\s+)?$",
    re.IGNORECASE,
)


def _to_iso(m: re.Match[str]) -> str | None:
    g = m.groupdict()
    try:
        if g["iy"]:
            d = date(int(g["iy"]), int(g["im"]), int(g["id"]))
        elif g["dy"]:
            d = date(int(g["dy"]), int(g["dm"]), int(g["dd"]))
        elif g["ey"]:
            d = date(int(g["ey"]), _MONTHS[g["em"].lower()], int(g["ed"]))
        else:
            d = date(int(g["ay"]), _MONTHS[g["am"].lower()], int(g["ad"]))
    except ValueError:
        return None
    return d.isoformat()


def parse_date(text: str) -> str | None:
    """The first real date in `text`, as ISO `YYYY-MM-DD` (for template fields such as `access-date=`)."""
    for m in _DATE_RE.finditer(text):
        iso = _to_iso(m)
        if iso:
            return iso
    return None


def find_dates(text: str) -> list[tuple[int, int, str, bool]]:
    """Every date in `text`: (start, end, iso, is_access_date)."""
    out = []
    for m in _DATE_RE.finditer(text):
        iso = _to_iso(m)
        if iso is None:
            continue
        before = text[max(0, m.start() - 60):m.start()]
        out.append((m.start(), m.end(), iso, bool(_ACCESS_RE.search(before))))
    return out


def citation_date(text: str) -> tuple[str | None, DateKind | None]:
    """The date a whole citation states, by the rules above."""
    dates = find_dates(text)
    return _choose(dates)


def _choose(dates: Sequence[tuple[int, int, str, bool]]) -> tuple[str | None, DateKind | None]:
    accessed = [d for d in dates if d[3]]
    if accessed:
        return accessed[0][2], DateKind.ACCESSED
    if dates:
        return max(d[2] for d in dates), DateKind.CITED
    return None, None


def dates_for_links(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str | None, DateKind | None]]:
    """Dates for several links cited in one piece of text (one footnote citing two sources).

    With one link the whole text is its citation. With several, link i owns the text from the end of link
    i-1 to its own end, plus any access date written between it and link i+1 (access dates follow the URL).
    A link whose own part states no date falls back to an access date stated for the whole text.
    """
    if len(spans) <= 1:
        return [citation_date(text)] * len(spans)
    dates = find_dates(text)
    whole_access = next(((d[2], DateKind.ACCESSED) for d in dates if d[3]), (None, None))
    out: list[tuple[str | None, DateKind | None]] = []
    for i, (_start, end) in enumerate(spans):
        lo = spans[i - 1][1] if i else 0
        hi = spans[i + 1][0] if i + 1 < len(spans) else len(text)
        own = [d for d in dates if lo <= d[0] < end or (end <= d[0] < hi and d[3])]
        chosen = _choose(own)
        out.append(chosen if chosen[0] else whole_access)
    return out


_LABEL_PREFIX = re.compile(r"^\s*(?:\|\s*)?(?:\[\^?[^\]]{1,20}\]:?|\(?\d{1,4}[.)]|\^?\d{1,4}\s)\s*")


def title_before(text: str) -> str | None:
    """Cheap citation title: the text before the URL, less its label, dates and connecting punctuation."""
    t = _LABEL_PREFIX.sub("", text)
    t = _DATE_RE.sub("", t)
    t = re.sub(r"\b(?:accessed|retrieved|available at|available from|from|online|url|at)\s*:?\s*$", "", t,
               flags=re.IGNORECASE)
    t = re.sub(r"\s+", " ", t).strip(" ,;:.|-–—\t")
    if not t:
        return None
    return t[:300]
