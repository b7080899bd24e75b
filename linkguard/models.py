"""The records that flow between pipeline stages.

    paths --collect--> Document --extract/<format>--> RawLink --canonical--> Citation | InvalidLink

Every record is a frozen dataclass; stages are functions that take records and return records.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class Context(StrEnum):
    """Where in the document a link sits."""

    FOOTNOTE = "footnote"  # inside a footnote/endnote definition (or a numbered footnote line/table row)
    REFERENCE = "reference"  # a reference definition, bibliography entry, citation template, cite attribute
    INLINE = "inline"  # an explicit link in running text: [text](url), <a href>, \href, [url label]
    BARE = "bare"  # a URL written as plain text


class DateKind(StrEnum):
    """How sure we are that a citation's date is the day the author read the page."""

    ACCESSED = "accessed"  # stated as accessed/retrieved (or a template's access-date/urldate field)
    CITED = "cited"  # the only date the citation gives (e.g. a publication date): best evidence we have


class Unit(StrEnum):
    """What `line` counts in a record."""

    LINE = "line"
    PAGE = "page"  # PDF: `line` holds the 1-based page number
    PARAGRAPH = "paragraph"  # DOCX: `line` holds the 1-based paragraph number


@dataclass(frozen=True, slots=True)
class Document:
    """One input file, decoded. Binary formats (PDF, DOCX) carry `data` instead of `text`."""

    path: Path
    format: str
    text: str = ""
    data: bytes = b""
    encoding: str | None = None


# RawLink and Citation are made once per link found (tens of thousands a second), so they are plain slotted
# dataclasses: a frozen one costs three times as much to build (object.__setattr__ per field), a third of
# the extract stage's budget. Treat them as immutable all the same (`dataclasses.replace` to derive one);
# they stay hashable (`unsafe_hash`) for sets and dict keys.
@dataclass(slots=True, unsafe_hash=True)
class RawLink:
    """What the text says: a link-like string as written, where it is, and what its citation states.

    It may not be a valid URL yet; canonicalization decides.
    """

    original: str
    line: int
    context: Context
    label: str | None = None
    title: str | None = None
    accessed: str | None = None
    date_kind: DateKind | None = None
    archived_url: str | None = None
    archived_at: str | None = None
    column: int | None = None
    unit: Unit = Unit.LINE
    # Links in the same citation (one footnote, one template, one table row) share a group key; it lets an
    # archive copy written beside a citation attach to that citation instead of standing alone.
    group: str | None = None
    # Set by an extractor that already knows the string is not a usable URL (e.g. a relative href).
    invalid_reason: str | None = None


@dataclass(slots=True, unsafe_hash=True)
class Citation:
    """A valid, canonical URL and the place that cites it."""

    url: str
    original: str
    source: str
    line: int
    context: Context
    label: str | None = None
    accessed: str | None = None
    date_kind: DateKind | None = None
    title: str | None = None
    archived_url: str | None = None
    archived_at: str | None = None
    column: int | None = None
    unit: Unit = Unit.LINE

    def to_dict(self) -> dict[str, Any]:
        return _plain(asdict(self))


@dataclass(frozen=True, slots=True)
class InvalidLink:
    """Something that looks like a link but is not a valid URL; reported, never silently dropped."""

    original: str
    source: str
    line: int
    reason: str
    label: str | None = None
    unit: Unit = Unit.LINE

    def to_dict(self) -> dict[str, Any]:
        return _plain(asdict(self))


@dataclass(frozen=True, slots=True)
class ExtractError:
    """An input that could not be read at all. The rest of the run goes on."""

    source: str
    error: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input deliberately not read (binary, unsupported), with the reason."""

    source: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Link:
    """One canonical URL with every place it is cited."""

    url: str
    citations: tuple[Citation, ...] = field(default_factory=tuple)


ExtractItem = Citation | InvalidLink | ExtractError | Skipped


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, StrEnum) else v) for k, v in d.items()}


# --- check ------------------------------------------------------------------------------------------------------
class Verdict(StrEnum):
    """What one check of a URL found (README, "Verdicts")."""

    ALIVE = "alive"
    REDIRECTED = "redirected"  # alive at another URL
    DEAD = "dead"  # 404, 410, NXDOMAIN, a redirect chain ending dead
    SOFT_404 = "soft-404"  # 200 whose page says "not found", or a deep link redirected to the home page
    BLOCKED = "blocked"  # 401/403/451, bot walls: the site answered, we cannot tell
    RATE_LIMITED = "rate-limited"  # 429 after retries
    TIMEOUT = "timeout"
    ERROR = "error"  # TLS, connection refused/reset, protocol, redirect loop
    REFUSED = "refused"  # the address is private/loopback/metadata and not allowed
    SKIPPED = "skipped"  # excluded by config, or not an http(s) URL

    @property
    def is_rot(self) -> bool:
        return self in (Verdict.DEAD, Verdict.SOFT_404)

    @property
    def is_ok(self) -> bool:
        return self in (Verdict.ALIVE, Verdict.REDIRECTED)

    @property
    def is_unknown(self) -> bool:
        return self in (Verdict.BLOCKED, Verdict.RATE_LIMITED, Verdict.TIMEOUT, Verdict.ERROR)


class State(StrEnum):
    """A link's standing over its history of checks (README, "Rot is a judgement over time")."""

    UNCHECKED = "unchecked"
    OK = "ok"
    SUSPECT = "suspect"  # failed (dead/soft-404), not yet for long enough to be called rotten
    ROTTEN = "rotten"  # failed in at least N checks spanning at least D days
    UNKNOWN = "unknown"  # only unknown verdicts (blocked, timeout ...) since it was last fine
    REFUSED = "refused"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Hop:
    """One request of a check: a redirect answer or the final one."""

    url: str
    method: str
    status: int | None


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check of one canonical URL."""

    url: str
    verdict: Verdict
    checked_at: float  # Unix time
    http_status: int | None = None
    final_url: str | None = None
    permanent: bool = False  # every redirect was permanent (301/308)
    hops: tuple[Hop, ...] = ()
    error: str | None = None
    duration_ms: int = 0
    attempts: int = 1
