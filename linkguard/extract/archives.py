"""Recognise web-archive URLs (Wayback Machine, archive.today, perma.cc, ...) written beside a citation."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ArchiveRef:
    archived_url: str
    original: str | None  # the archived page's own URL, when the archive URL embeds it
    captured: str | None  # capture date, ISO YYYY-MM-DD, when the archive URL states it


# <archive host>/<14-digit timestamp, optionally with a flag like id_ or if_>/<original URL>
_TIMESTAMPED = re.compile(
    r"^https?://(?:"
    r"(?:web\.|wayback\.|www\.)?archive\.org/web"
    r"|wayback\.archive-it\.org/\d+"
    r"|(?:www\.)?webarchive\.org\.uk/wayback/archive"
    r"|webarchive\.nationalarchives\.gov\.uk(?:/ukgwa)?"
    r"|(?:www\.)?webarchive\.loc\.gov/all"
    r"|arquivo\.pt/wayback"
    r"|(?:www\.)?webcitation\.org"
    r")/(?P<ts>\d{4,14})(?:[a-z]{2}_)?/(?P<orig>.+)$",
    re.IGNORECASE,
)
_ARCHIVE_TODAY_HOSTS = r"archive\.(?:today|ph|is|li|vn|fo|md)"
_ARCHIVE_TODAY_LONG = re.compile(
    r"^https?://(?:www\.)?" + _ARCHIVE_TODAY_HOSTS +
    r"/(?P<ts>\d{4}\.\d{2}\.\d{2}-\d{6}|\d{14})/(?P<orig>.+)$",
    re.IGNORECASE,
)
_ARCHIVE_TODAY_SHORT = re.compile(r"^https?://(?:www\.)?" + _ARCHIVE_TODAY_HOSTS + r"/\w{4,8}/?$", re.IGNORECASE)
_PERMA = re.compile(r"^https?://(?:www\.)?perma\.cc/[A-Z0-9]{4}-[A-Z0-9]{4}/?$", re.IGNORECASE)
_GHOST = re.compile(r"^https?://(?:www\.)?ghostarchive\.org/archive/\w+/?$", re.IGNORECASE)


def _ts_date(ts: str) -> str | None:
    digits = ts.replace(".", "").replace("-", "")
    if len(digits) < 8:
        return None
    y, m, d = digits[:4], digits[4:6], digits[6:8]
    if not ("1990" <= y <= "2100" and "01" <= m <= "12" and "01" <= d <= "31"):
        return None
    return f"{y}-{m}-{d}"


def parse_archive_url(url: str) -> ArchiveRef | None:
    """An ArchiveRef when `url` points into a public web archive, else None."""
    low = url[:40].lower()
    if "archive" not in low and "perma.cc" not in low and "webcitation" not in low and "arquivo" not in low:
        return None
    m = _TIMESTAMPED.match(url) or _ARCHIVE_TODAY_LONG.match(url)
    if m:
        orig = m.group("orig")
        if not re.match(r"^[a-z][a-z0-9+.-]*:", orig, re.IGNORECASE):
            orig = "http://" + orig
        elif re.match(r"^https?:/[^/]", orig, re.IGNORECASE):  # some archives collapse '//' to '/'
            orig = orig.replace(":/", "://", 1)
        return ArchiveRef(url, orig, _ts_date(m.group("ts")))
    if _ARCHIVE_TODAY_SHORT.match(url) or _PERMA.match(url) or _GHOST.match(url):
        return ArchiveRef(url, None, None)
    return None
