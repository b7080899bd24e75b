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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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
