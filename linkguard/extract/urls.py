"""Finding URLs in running text: candidates, trailing punctuation, bracket balance, PDF line breaks.

Pure functions over strings. Every format's extractor uses `find_urls` for URLs written as plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

# A candidate starts with something scheme-like followed by slashes (which catches typos such as `fttps://`),
# `http//` with its colon missing, or `www.`. The body runs to whitespace or a character that cannot be in a
# URL written in prose. `(` `)` are allowed and balanced afterwards (Wikipedia's `/Aras_(river)`).
_BODY = r"[^\s<>\"`{}|\\^\[\]\u3000-\u303f\uff08\uff09\uff0c\uff0e\uff1a\uff1b\u00ab\u00bb\u201c\u201d\u2018\u2019]*"
CANDIDATE_RE = re.compile(
    r"(?<![\w@/.+-])(?:"
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]{1,15}):(?P<slashes>/+)"
    r"|(?P<nocolon>[Hh][Tt][Tt][Pp][Ss]?)//"
    r"|(?P<www>[Ww][Ww][Ww]\d{0,3}\.)"
    r")" + _BODY
)
# Cheap test used before running the full scanner over a piece of text.
MAYBE_URL_RE = re.compile(r"://|//|www\d{0,3}\.", re.IGNORECASE)

WEB_SCHEMES = frozenset({"http", "https"})
# Schemes that are real and may appear in prose but are not web pages to check; never reported.
OTHER_SCHEMES = frozenset({
    "ftp", "ftps", "sftp", "file", "ssh", "git", "svn", "s3", "gs", "ws", "wss", "irc", "ircs", "rtsp", "rtmp",
    "smb", "nfs", "ldap", "ldaps", "telnet", "gopher", "news", "nntp", "magnet", "ipfs", "ipns", "hdfs",
    "jdbc", "mongodb", "postgres", "postgresql", "mysql", "redis", "amqp", "mqtt", "sip", "xmpp", "spotify",
    "steam", "chrome", "about", "data", "blob", "urn", "doi", "hxxp", "hxxps", "content", "android-app",
})
_TRAILING = set(".,:;!?'\"*") | {"\u2026"}
_PAIRS = {")": "(", "]": "[", "}": "{"}


class Found(NamedTuple):
    """A URL-like string in a text: its text as written, offsets, and what is wrong with it if anything.
    (A named tuple: made once per URL in prose, it costs a third of a frozen dataclass.)"""

    text: str
    start: int
    end: int
    problem: str | None = None


def trim(candidate: str) -> str:
    """Drop trailing punctuation that belongs to the sentence, keeping balanced closing brackets."""
    s = candidate
    while s:
        last = s[-1]
        if last in _TRAILING or (last in _PAIRS and s.count(last) > s.count(_PAIRS[last])):
            s = s[:-1]
        else:
            break
    return s


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def scheme_problem(scheme: str) -> str | None:
    """None for a web scheme, a reason for a typo of one, '' for a real non-web scheme (ignored)."""
    s = scheme.lower()
    if s in WEB_SCHEMES:
        return None
    if s in OTHER_SCHEMES:
        return ""
    if min(_distance(s, "http"), _distance(s, "https")) <= 2 and len(s) >= 3:
        return f"unknown scheme '{scheme}:' (a typo of 'https:'?)"
    return ""


_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")


def _all(text: str, needle: str, start: int, stop: int, step: int = 1) -> list[int]:
    out = []
    i = text.find(needle, start, stop)
    while i >= 0:
        out.append(i)
        i = text.find(needle, i + step, stop)
    return out


def _hits(text: str, start: int, stop: int) -> list[int]:
    """Offsets worth trying, in order: each `:/` or `//` (leftmost, not overlapping, as a regex `[:/]/`
    would find them), and each `www`/`WWW` not right after a slash. str.find runs at memchr speed, ~7x a
    regex scan: this is most of the cost of prose without links."""
    slashes = _all(text, ":/", start, stop)
    doubles = _all(text, "//", start, stop)
    if doubles:
        merged = sorted(slashes + doubles) if slashes else doubles
        hits, cursor = [], -2
        for i in merged:
            if i >= cursor:
                hits.append(i)
                cursor = i + 2
    else:
        hits = slashes
    extra = [i for needle in ("www", "WWW") for i in _all(text, needle, start, stop, 3) if i == 0 or text[i - 1] != "/"]
    if extra:
        hits = sorted(hits + extra)
    return hits


def _candidate_start(text: str, hit: int, lo: int) -> int:
    """Where a candidate around a hit begins (the scheme's first letter, or `www`), or -1."""
    c = text[hit]
    if c == ":":  # scheme:// or scheme:/ (one slash: reported)
        i = hit
        while i > lo and hit - i <= 16 and text[i - 1] in _SCHEME_CHARS:
            i -= 1
        if i == hit:
            return -1
        if text.startswith("://", hit) or text[i:hit].lower() in ("http", "https"):
            return i
        return -1
    if c == "/":  # '//' without a colon before it: http//host
        if hit - 4 >= lo and text[hit - 4:hit].lower() == "http":
            return hit - 4
        if hit - 5 >= lo and text[hit - 5:hit].lower() == "https":
            return hit - 5
        return -1
    return hit if hit + 3 < len(text) and text[hit + 3] in ".0123456789" else -1


def find_urls(text: str, start: int = 0, end: int | None = None) -> Iterator[Found]:
    """Yield every URL-like string in `text[start:end]`, trimmed, with a `problem` when it is not usable.

    Real non-web schemes (`ftp:`, `ssh:`, `mailto:` ...) and e-mail addresses are not yielded.
    A fast literal scan for `//` and `www.` finds the places worth the full pattern.
    """
    stop = len(text) if end is None else end
    covered = start
    for h in _hits(text, start, stop):
        if h < covered:
            continue
        s = _candidate_start(text, h, start)
        if s < 0 or s < covered:
            continue
        m = CANDIDATE_RE.match(text, s, stop)
        if m is None:
            continue
        covered = m.end()
        found = _judge(m)
        if found is not None:
            yield found


def _judge(m: re.Match[str]) -> Found | None:
    raw = trim(m.group())
    if not raw:
        return None
    problem: str | None = None
    if m.group("scheme"):
        problem = scheme_problem(m.group("scheme"))
        if problem == "":
            return None
        slashes = m.group("slashes")
        if problem is None and len(slashes) != 2:
            problem = f"'{m.group('scheme')}:' must be followed by exactly two slashes"
        if problem is None and len(raw) <= len(m.group("scheme")) + 3:
            problem = "no host after the scheme"
    elif m.group("nocolon"):
        problem = f"missing ':' after '{m.group('nocolon')}'"
    else:
        host = raw[len(m.group("www")):].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        if "." not in host.strip(".") or not re.fullmatch(r"[\w.-]+(?::\d+)?", host):
            problem = "'www.' without a host name"
            if raw.lower() == m.group("www").lower().rstrip("."):
                raw = m.group("www")
    return Found(raw, m.start(), m.start() + len(raw), problem)


# PDF-to-text conversions break long URLs across lines. We join a URL with the start of the next line only
# when the join is unambiguous (see README, "URLs broken across lines"):
#   1. the URL runs to the end of its line (nothing but spaces after it, no sentence punctuation trimmed);
#   2. the next line starts at column 0 with a run of URL characters that is not itself a URL;
#   3. that run looks like the rest of a URL: it contains one of / ? = & % # ~ _, a file extension
#      (.html, .pdf ...); or the URL ended in '-' or '_' (a slug cut in the middle)
#      and the run is made of letters, digits and hyphens.
# A plain word after a URL that ends in '/' is not joined: that is a sentence going on.
_CONT_RE = re.compile(r"[^\s<>\"`{}|\\^\[\]]+")
_CONT_URLISH = re.compile(r"[/?=&%#~_]|\.[A-Za-z0-9]{2,5}\b")
_SLUG = re.compile(r"[\w-]+")


def continuation(text: str, url_end: int) -> tuple[str, int] | None:
    """If the URL ending at `url_end` continues on the next line (PDF break), return (rest, new_end)."""
    n = len(text)
    i = url_end
    while i < n and text[i] in " \t":
        i += 1
    if i >= n or text[i] not in "\r\n":
        return None
    j = i + 1 if text[i] == "\n" else (i + 2 if text.startswith("\r\n", i) else i + 1)
    m = _CONT_RE.match(text, j)
    if not m:
        return None
    rest = trim(m.group())
    if not rest or "://" in rest or rest.lower().startswith("www."):
        return None
    if _CONT_URLISH.search(rest) or (text[url_end - 1] in "-_" and _SLUG.fullmatch(rest)):
        return rest, j + len(rest)
    return None


_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def classify_dest(dest: str) -> str | None:
    """For a link target from markup (href, \\url, [text](dest)): None to check it, "" to ignore it
    (relative, fragment, mailto:, ftp: ...), or the reason it is a broken URL."""
    d = dest.strip()
    if not d:
        return ""
    m = _SCHEME_RE.match(d)
    if m:
        scheme = m.group(1)
        if scheme.lower() in ("mailto", "tel", "javascript", "data", "sms", "callto", "urn", "news"):
            return ""
        return scheme_problem(scheme)
    low = d.lower()
    if re.match(r"^https?//", low):
        return "missing ':' after the scheme"
    if low.startswith("www.") and "." in low[4:].split("/", 1)[0]:
        return "no scheme (starts with 'www.'); write it with https://"
    return ""
