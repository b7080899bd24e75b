"""Choosing the best snapshot: pure functions over capture records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One capture in a web archive."""

    url: str  # the canonical URL it is a copy of
    timestamp: str  # 14 digits, YYYYMMDDhhmmss
    archived_url: str  # https://web.archive.org/web/<timestamp>/<original>
    status: int | None  # HTTP status of the capture (None: unknown, e.g. a revisit record)
    digest: str | None = None
    source: str = "cdx"  # cdx, availability, spn, citation

    @property
    def day(self) -> str:
        t = self.timestamp
        return f"{t[:4]}-{t[4:6]}-{t[6:8]}"

    @property
    def ok(self) -> bool:
        """A successful capture: 2xx (not an error page, not a redirect)."""
        return self.status is not None and 200 <= self.status < 300


def archived_url(base: str, timestamp: str, original: str) -> str:
    return f"{base.rstrip('/')}/web/{timestamp}/{original}"


def distance_days(snapshot: Snapshot, accessed: str | None) -> int | None:
    if not accessed:
        return None
    try:
        return abs((date.fromisoformat(snapshot.day) - date.fromisoformat(accessed[:10])).days)
    except ValueError:
        return None


def best(snapshots: list[Snapshot], accessed: str | None) -> Snapshot | None:
    """The successful capture closest to the citation's access date (the version the author read), else the
    newest successful one; None when there is no successful capture."""
    good = [s for s in snapshots if s.ok]
    if not good:
        return None
    if accessed:
        def key(s: Snapshot) -> tuple[int, str]:
            d = distance_days(s, accessed)
            return (10**9 if d is None else d, _invert(s.timestamp))  # ties: the later capture

        return min(good, key=key)
    return max(good, key=lambda s: s.timestamp)


def _invert(timestamp: str) -> str:
    return "".join(str(9 - int(c)) if c.isdigit() else c for c in timestamp)
