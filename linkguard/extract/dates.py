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
from collections.abc import Iterator, Sequence
from datetime import date
from functools import lru_cache

from ..models import DateKind

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}
# Dates are found from their year (1800-2199): str.find for its first two digits (C speed, ~5x a regex scan,
# which matters: this runs over every citation), then the day and month are read around it.
_CENTURIES = ("18", "19", "20", "21")


def _year_starts(text: str) -> list[int]:
    """Offsets of every run `18dd`..`21dd` (overlapping included: `2019` in `20190` too), in order."""
    out: list[int] = []
    for c in _CENTURIES:
        i = text.find(c)
        while i >= 0:
            if text[i + 2:i + 4].isdecimal() and i + 4 <= len(text):  # isdecimal: what a regex \d matches
                out.append(i)
            i = text.find(c, i + 1)
    if len(out) > 1:
        out.sort()
    return out

_ISO_TAIL = re.compile(r"[-/](\d{1,2})[-/](\d{1,2})(?![\w/-])")
_HINT_WORDS = ("acces", "retriev", "view", "visit", "consult", "abgeruf", "erişim", "urldate")  # lowercased
_ACCESS_HINT = re.compile("|".join(_HINT_WORDS))
_ACCESS_RE = re.compile(  # matched from an access word up to the date (the end of the window)
    r"(?:accessed|retrieved|viewed|visited|consulted|consulté|abgerufen|erişim(?:\s+tarihi)?|"
    r"access(?:-|\s)?date|urldate)(?:\s+(?:on|am|le|at))?\s*[:,]?\s*(?:from\s+[^,;]{0,40}?\s+on\s+)?$",
    re.IGNORECASE,
)
_NOT_BEFORE = frozenset("/.-_") | frozenset("0123456789")


@lru_cache(maxsize=8192)
def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def iter_dates(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, ISO date) of every real calendar date written in `text`."""
    n = len(text)
    for ys in _year_starts(text):
        ye = ys + 4
        if (ys and text[ys - 1].isdigit()) or (ye < n and text[ye].isdigit()):
            continue
        year = int(text[ys:ye])
        if ye < n and text[ye] in "-/":
            m = _ISO_TAIL.match(text, ye)
            if m and not (ys and (text[ys - 1].isalnum() or text[ys - 1] in _NOT_BEFORE)):
                iso = _iso(year, int(m.group(1)), int(m.group(2)))
                if iso:
                    yield ys, m.end(), iso
            continue
        if ye < n and (text[ye].isalnum() or text[ye] in "/-_"):
            continue
        if not ys:
            continue
        if text[ys - 1] == ".":  # 22.05.2025
            m = _DOTTED.search(text, max(0, ys - 6), ys)
            if m and not (m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] in _NOT_BEFORE)):
                iso = _iso(year, int(m.group(2)), int(m.group(1)))
                if iso:
                    yield m.start(), ye, iso
            continue
        if not text[ys - 1].isspace():
            continue
        found = _words_before(text, ys)
        if found is not None:
            start, month, day = found
            iso = _iso(year, month, day)
            if iso:
                yield start, ye, iso


_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.$")
_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\.?,?", re.IGNORECASE)


@lru_cache(maxsize=4096)  # citations repeat their date words ("22 May", "May 22,"): read each pair once
def _month_day(prev: str, last: str) -> tuple[int, int] | None:
    """(month, day) when two words are `22 May` or `May 22,` (with variants), else None."""
    month = _MONTHS.get(last.rstrip(",.").lower())
    if month is not None:  # 22 May 2025, 22nd May, 2025
        m = _DAY.fullmatch(prev)
        if m is None:
            return None
        return month, int(m.group(1))
    m = _DAY.fullmatch(last)  # May 22, 2025
    month = _MONTHS.get(prev.rstrip(".").lower())
    if m is None or month is None:
        return None
    return month, int(m.group(1))


def _words_before(text: str, ys: int) -> tuple[int, int, int] | None:
    """(start, month, day) when the two words before a year are `22 May` or `May 22,` (with variants)."""
    lo = max(0, ys - 32)
    window = text[lo:ys]
    words = window.rsplit(None, 2)  # the last two words are all we read
    if len(words) < 2:
        return None
    last, prev = words[-1], words[-2]
    md = _month_day(prev, last)
    if md is None:
        return None
    start = lo + window.rfind(prev, 0, window.rfind(last))
    if start > 0 and (text[start - 1].isalnum() or text[start - 1] in _NOT_BEFORE):
        return None
    return start, md[0], md[1]


def parse_date(text: str) -> str | None:
    """The first real date in `text`, as ISO `YYYY-MM-DD` (for template fields such as `access-date=`)."""
    return next((iso for _, _, iso in iter_dates(text)), None)


def _is_access(text: str, start: int) -> bool:
    """Whether the date at `start` is introduced by an access word ("Accessed", "Retrieved on" ...)."""
    lo = max(0, start - 60)
    low = text[lo:start].lower()
    if len(low) != start - lo:  # lowercasing changed the length (e.g. 'İ'): offsets would not carry over
        return any(_ACCESS_RE.match(text, i, start) for i in range(lo, start))
    return any(_ACCESS_RE.match(text, lo + m.start(), start) for m in _ACCESS_HINT.finditer(low))


def find_dates(text: str) -> list[tuple[int, int, str, bool]]:
    """Every date in `text`: (start, end, iso, is_access_date)."""
    dates = list(iter_dates(text))
    if not dates:
        return []
    low = text.lower()
    if len(low) != len(text):  # lowercasing changed the length: look date by date
        return [(s, e, iso, _is_access(text, s)) for s, e, iso in dates]
    hints: list[int] = []  # where an access word starts: found once per text with str.find (C speed)
    for w in _HINT_WORDS:
        i = low.find(w)
        while i >= 0:
            hints.append(i)
            i = low.find(w, i + len(w))
    if not hints:  # most citations
        return [(s, e, iso, False) for s, e, iso in dates]
    out = []
    for s, e, iso in dates:
        access = False
        for h in hints:
            if s - 60 <= h < s and _ACCESS_RE.match(text, h, s):
                access = True
                break
        out.append((s, e, iso, access))
    return out


def citation_date(text: str) -> tuple[str | None, DateKind | None]:
    """The date a whole citation states, by the rules above."""
    return _choose(find_dates(text))


def _choose(dates: Sequence[tuple[int, int, str, bool]]) -> tuple[str | None, DateKind | None]:
    accessed = [d for d in dates if d[3]]
    if accessed:
        return accessed[0][2], DateKind.ACCESSED
    if dates:
        return max(d[2] for d in dates), DateKind.CITED
    return None, None


_FROM_AFTER = re.compile(r"[,;]?\s*(?:from|at|via|on|:)\b", re.IGNORECASE)


def dates_for_links(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str | None, DateKind | None]]:
    """Dates for several links cited in one piece of text (one footnote citing two sources).

    With one link, every date in the text is its own. With several, each date goes to one link:
    - an access date belongs to the link on its left ("URL. Accessed 1 May 2025"), unless it is followed by
      "from" ("Retrieved 1 May 2025, from URL") or no link stands on its left: then to the link on its right;
    - any other date belongs to the link on its right ("Title, 22 May 2025, URL"), or to the one on its
      left when none follows.
    A link left without a date of its own takes an access date stated for the citation as a whole.
    """
    return [(acc, kind) for acc, kind, _ in describe(text, spans, titles=False)]


def describe(text: str, spans: Sequence[tuple[int, int]], titles: bool = True
             ) -> list[tuple[str | None, DateKind | None, str | None]]:
    """(accessed, date_kind, title) for each link at `spans` of one citation's text, reading its dates once.

    Dates by the rules of `dates_for_links`; the title is the text between the previous link and this one,
    less label, dates and connecting words (`title_before`).
    """
    if not spans:
        return []
    dates = find_dates(text)
    if len(spans) == 1:
        chosen = [_choose(dates)]
    else:
        owned: list[list[tuple[int, int, str, bool]]] = [[] for _ in spans]
        for d in dates:
            left = max((i for i, (_s, e) in enumerate(spans) if e <= d[0]), default=None)
            right = min((i for i, (s, _e) in enumerate(spans) if s >= d[1]), default=None)
            if d[3]:
                to_right = right is not None and (left is None or _FROM_AFTER.match(text, d[1]) is not None)
                owner = right if to_right else left
            else:
                owner = right if right is not None else left
            if owner is not None:
                owned[owner].append(d)
        whole_access = next(((d[2], DateKind.ACCESSED) for d in dates if d[3]), (None, None))
        chosen = []
        for own in owned:
            c = _choose(own)
            chosen.append(c if c[0] else whole_access)
    out: list[tuple[str | None, DateKind | None, str | None]] = []
    prev = 0
    for (s, e), (acc, kind) in zip(spans, chosen, strict=True):
        title = None
        if titles:
            cut = [(ds - prev, de - prev) for ds, de, _, _ in dates if prev <= ds and de <= s]
            title = title_before(text[prev:s], cut)
        prev = max(prev, e)
        out.append((acc, kind, title))
    return out


_LABEL_PREFIX = re.compile(r"^\s*(?:\|\s*)?(?:\[\^?[^\]]{1,20}\]:?|\(?\d{1,4}[.)]|\^?\d{1,4}\s)\s*")


_TRAILING_WORDS = re.compile(r"\b(?:accessed|retrieved|available at|available from|from|online|url|at)\s*:?\s*$",
                             re.IGNORECASE)


def title_before(text: str, date_spans: Sequence[tuple[int, int]] | None = None) -> str | None:
    """Cheap citation title: the text before the URL, less its label, dates and connecting punctuation.

    `date_spans` are the dates already found in `text` (found again when not given)."""
    spans = date_spans if date_spans is not None else [(s, e) for s, e, _ in iter_dates(text)]
    if spans:
        parts, at = [], 0
        for s, e in spans:
            parts.append(text[at:s])
            at = e
        parts.append(text[at:])
        text = "".join(parts)
    t = _LABEL_PREFIX.sub("", text).rstrip(" ,;:.|-–—\t\n")
    tail = len(t) - 24 if len(t) > 24 else 0  # connecting words sit at the end: search only there
    m = _TRAILING_WORDS.search(t, tail)
    if m:
        t = t[:m.start()]
    t = " ".join(t.split()).strip(" ,;:.|-–—\t")
    return t[:300] if t else None
