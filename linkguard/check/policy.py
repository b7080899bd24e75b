"""Pure decisions: the verdict of an answer, soft-404s, what to retry, and rot as a judgement over time."""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..models import State, Verdict

BLOCKED_STATUSES = frozenset({401, 402, 403, 407, 451, 999})  # 999: LinkedIn's bot wall
DEAD_STATUSES = frozenset({404, 410})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
# A HEAD answer that says nothing reliable about the page: ask with GET. (Not 429/503: wait, then retry.
# Not 404/410: taken as said on a first check; a failing link is re-checked with GET, so nothing is called
# rotten on the word of HEAD alone.)
HEAD_REFUSED = frozenset({400, 403, 405, 406, 409, 500, 501, 502})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})


def status_verdict(status: int) -> Verdict:
    """The verdict of a final (non-redirect) HTTP status."""
    if 200 <= status < 300:
        return Verdict.ALIVE
    if status in DEAD_STATUSES:
        return Verdict.DEAD
    if status == 429:
        return Verdict.RATE_LIMITED
    if status in BLOCKED_STATUSES:
        return Verdict.BLOCKED
    return Verdict.ERROR  # 5xx and other oddities: unknown, never rot from one check


_TITLE = re.compile(rb"<title[^>]*>(.{0,300}?)</title>", re.IGNORECASE | re.DOTALL)
_H1 = re.compile(rb"<h1[^>]*>(.{0,300}?)</h1>", re.IGNORECASE | re.DOTALL)
_NOT_FOUND = re.compile(
    r"\b(?:404|page not found|not found|page (?:does not|doesn't|no longer) exists?|"
    r"no longer (?:available|exists)|page (?:is )?unavailable|content (?:is )?not available|"
    r"seite nicht gefunden|page introuvable|página no encontrada|pagina non trovata|sayfa bulunamadı|"
    r"страница не найдена)\b",
    re.IGNORECASE,
)


def says_not_found(body: bytes) -> bool:
    """Whether an HTML page's title or first heading says the page is not there (a soft 404)."""
    for pattern in (_TITLE, _H1):
        m = pattern.search(body)
        if m:
            text = re.sub(rb"<[^>]+>", b" ", m.group(1)).decode("utf-8", "replace")
            if _NOT_FOUND.search(text):
                return True
    return False


_HOME_PATHS = frozenset({"", "/", "/index.html", "/index.htm", "/index.php", "/home", "/home/", "/default.aspx"})


def deep_link_sent_home(original: str, final: str) -> bool:
    """A deep link redirected to a site's home page: the page is gone, the site is polite about it."""
    a, b = urlsplit(original), urlsplit(final)
    deep = a.path not in _HOME_PATHS or bool(a.query)
    lang_home = re.fullmatch(r"/[a-z]{2}(?:-[a-z]{2})?/?", b.path, re.IGNORECASE) is not None
    return deep and (b.path in _HOME_PATHS or lang_home) and not b.query and _site(a.hostname) == _site(b.hostname)


def _site(host: str | None) -> str:
    h = (host or "").lower()
    return h[4:] if h.startswith("www.") else h


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    v = value.strip()
    if v.isdigit():
        return float(v)
    try:
        when = email.utils.parsedate_to_datetime(v)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now)


@dataclass(frozen=True)
class Confirmation:
    """Rot is declared only after `checks` failing checks spanning at least `days` days."""

    checks: int = 3
    days: float = 3.0
    now: bool = False  # --confirm-now: one failing check is enough


@dataclass(frozen=True)
class Standing:
    """A link's state and the counters it is judged by."""

    state: State
    consecutive_failures: int
    first_failed_at: float | None


def judge(previous: Standing, verdict: Verdict, at: float, policy: Confirmation) -> Standing:
    """The link's standing after a check with `verdict` at time `at` (Unix seconds)."""
    if verdict.is_ok:
        return Standing(State.OK, 0, None)
    if verdict is Verdict.REFUSED:
        return Standing(State.REFUSED, previous.consecutive_failures, previous.first_failed_at)
    if verdict is Verdict.SKIPPED:
        return Standing(State.SKIPPED, previous.consecutive_failures, previous.first_failed_at)
    if verdict.is_rot:
        n = previous.consecutive_failures + 1
        first = previous.first_failed_at if previous.first_failed_at is not None else at
        confirmed = policy.now or (n >= policy.checks and at - first >= policy.days * 86400)
        return Standing(State.ROTTEN if confirmed else State.SUSPECT, n, first)
    # unknown (blocked, rate-limited, timeout, error): no evidence either way; rot already seen stays
    if previous.state in (State.SUSPECT, State.ROTTEN):
        return previous
    return Standing(State.UNKNOWN, previous.consecutive_failures, previous.first_failed_at)
