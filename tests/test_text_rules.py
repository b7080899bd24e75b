"""URL finding in prose and date parsing: the rules shared by every extractor."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkguard import DateKind
from linkguard.extract.dates import citation_date, dates_for_links, parse_date
from linkguard.extract.urls import find_urls


def texts(s: str) -> list[str]:
    return [f.text for f in find_urls(s) if f.problem is None]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See https://en.wikipedia.org/wiki/Aras_(river).", ["https://en.wikipedia.org/wiki/Aras_(river)"]),
        ("(see https://example.org/a)", ["https://example.org/a"]),
        ("(https://en.wikipedia.org/wiki/Aras_(river))", ["https://en.wikipedia.org/wiki/Aras_(river)"]),
        ("URL: https://example.org/a, then", ["https://example.org/a"]),
        ('"https://example.org/q"; and', ["https://example.org/q"]),
        ("end https://example.org/x?a=1&b=2!", ["https://example.org/x?a=1&b=2"]),
        ("<https://example.org/angle>", ["https://example.org/angle"]),
        ("[https://example.org/sq]", ["https://example.org/sq"]),
        ("https://example.org/a…", ["https://example.org/a"]),
        ("two https://a.example/ https://b.example/", ["https://a.example/", "https://b.example/"]),
        ("mail info@avim.org.tr and user@www.example.com", []),
        ("ssh://git@host/x ftp://files.example/ s3://bucket/key", []),
        ("unicode https://ru.example/путь/слово, yes", ["https://ru.example/путь/слово"]),
        ("cjk https://jp.example/a。次", ["https://jp.example/a"]),
    ],
)
def test_find_urls(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


@pytest.mark.parametrize(
    ("text", "original", "reason"),
    [
        ("fttps://www.facebook.com/x", "fttps://www.facebook.com/x", "typo"),
        ("htps://example.org/", "htps://example.org/", "typo"),
        ("http//example.org/", "http//example.org/", "missing ':'"),
        ("https:/example.org/", "https:/example.org/", "two slashes"),
        ("visit www. today", "www.", "without a host"),
        ("visit www.example today", "www.example", "without a host"),
    ],
)
def test_find_urls_reports_broken_links(text: str, original: str, reason: str) -> None:
    found = [f for f in find_urls(text) if f.problem]
    assert [f.text for f in found] == [original]
    assert reason in found[0].problem


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("22 May 2025", "2025-05-22"),
        ("May 22, 2025", "2025-05-22"),
        ("2025-05-22", "2025-05-22"),
        ("22.05.2025", "2025-05-22"),
        ("Sept. 3, 2024", "2024-09-03"),
        ("3rd June 2024", "2024-06-03"),
        ("2025/05/22", "2025-05-22"),
        ("31 February 2025", None),
        ("May 2025", None),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Title, 22 May 2025, URL", ("2025-05-22", DateKind.CITED)),
        ("Published 1 May 2025. Accessed August 20, 2025.", ("2025-08-20", DateKind.ACCESSED)),
        ("Accessed August 20, 2025. Published 1 May 2025.", ("2025-08-20", DateKind.ACCESSED)),
        ("Retrieved May 22, 2025, from URL", ("2025-05-22", DateKind.ACCESSED)),
        ("abgerufen am 22.05.2025", ("2025-05-22", DateKind.ACCESSED)),
        ("Updated 2 May 2025; first 1 March 2024", ("2025-05-02", DateKind.CITED)),
        ("no date here", (None, None)),
    ],
)
def test_citation_date(text: str, expected: tuple) -> None:
    assert citation_date(text) == expected


def test_dates_for_several_links_in_one_footnote() -> None:
    text = "A, 1 May 2025, URL1. Accessed 3 May 2025; B, 2 May 2025, URL2. Retrieved 9 May 2025, from URL3"
    spans = [(text.index(u), text.index(u) + 4) for u in ("URL1", "URL2", "URL3")]
    assert dates_for_links(text, spans) == [
        ("2025-05-03", DateKind.ACCESSED),
        ("2025-05-02", DateKind.CITED),
        ("2025-05-09", DateKind.ACCESSED),
    ]


def test_shared_access_date_reaches_every_link() -> None:
    text = "See A, URL1; and B, URL2. Accessed 1 June 2025."
    spans = [(text.index(u), text.index(u) + 4) for u in ("URL1", "URL2")]
    assert [d[0] for d in dates_for_links(text, spans)] == ["2025-06-01", "2025-06-01"]


_SLASH_RE = re.compile(r"[:/]/")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=":/wW. ax1", max_size=40), st.integers(0, 5), st.integers(0, 45))
def test_fast_hit_scan_equals_the_regex_definition(text: str, start: int, stop: int) -> None:
    """The str.find scan finds exactly what `[:/]/` and a non-overlapping `www` search would."""
    from linkguard.extract.urls import _hits

    stop = min(stop, len(text))
    want = [m.start() for m in _SLASH_RE.finditer(text, start, stop)]
    extra = []
    for needle in ("www", "WWW"):
        i = text.find(needle, start, stop)
        while i >= 0:
            if i == 0 or text[i - 1] != "/":
                extra.append(i)
            i = text.find(needle, i + 3, stop)
    assert _hits(text, start, stop) == sorted(want + extra)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789 ./-a", max_size=30))
def test_year_scan_finds_what_the_year_regex_finds(text: str) -> None:
    """Every standalone year the regex `(?:1[89]|2[01])\\d\\d` finds, the str.find scan finds too."""
    from linkguard.extract.dates import _year_starts

    regex = {m.start() for m in re.finditer(r"(?:1[89]|2[01])\d\d", text)}
    fast = _year_starts(text)
    assert fast == sorted(fast)
    assert regex <= set(fast)
    assert {i for i in fast if re.match(r"(?:1[89]|2[01])\d\d", text[i:])} == set(fast)


_PIECES = ["Accessed ", "accessed on ", "Retrieved ", "retrieved from Reuters on ", "viewed ", "Abgerufen am ",
           "access-date: ", "22 May 2025", "May 22, 2025", "2025-05-22", "22.05.2025", "3 June 2024", ", ", ". ",
           "Title words", " https://x.example/2025-05-22 ", "review ", "visitors ", "\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12))
def test_access_words_found_once_per_text_agree_with_the_reference(pieces: list[str]) -> None:
    """find_dates locates access words once per text; `_is_access` (the per-date reference) must agree."""
    from linkguard.extract.dates import _is_access, find_dates

    text = "".join(pieces)
    assert [(s, a) for s, _e, _iso, a in find_dates(text)] == [(s, _is_access(text, s))
                                                               for s, _e, _iso, _a in find_dates(text)]
