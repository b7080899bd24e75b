"""Markdown (CommonMark + GFM footnotes and tables) through pyromark, the pulldown-cmark binding.

- `[^label]:` footnote definitions (multi-line too): every link inside is a `footnote` citation with that
  label; its dates come from the definition's text.
- Inline links and images are `inline`; autolinks `<https://...>` too; bare URLs in text are `bare`.
- Reference definitions `[name]: url "title"` are `reference` citations at the definition's line, used or
  not; the places that use them are not counted again.
- A list item is a citation unit for dates (a "References" list written as `1. Author, Title, date, URL`).
- Nothing in fenced/indented code blocks or inline code. URLs in raw HTML are read as bare text.
pyromark reports UTF-8 byte ranges, so lines are counted over the encoded source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import pyromark

from ..models import Context, RawLink
from .dates import citation_date, dates_for_links, title_before
from .lines import LineIndex
from .urls import classify_dest, find_urls

_OPTIONS = (pyromark.Options.ENABLE_FOOTNOTES | pyromark.Options.ENABLE_TABLES
            | pyromark.Options.ENABLE_STRIKETHROUGH | pyromark.Options.ENABLE_TASKLISTS)
_MAYBE = ("//", "www.", "WWW.", "http:/", "https:/")


@dataclass
class _Unit:
    """An open footnote definition or list item: links gathered until it ends."""

    start: int  # byte offset
    end: int
    label: str | None
    links: list[tuple[RawLink, int, int]] = field(default_factory=list)  # link, byte start, byte end


def _maybe_url(s: str) -> bool:
    return any(m in s for m in _MAYBE)


def extract(text: str) -> Iterator[RawLink]:
    src = text.encode("utf-8")
    lines = LineIndex(src)
    units: list[_Unit] = []
    in_code = 0
    link_depth = 0
    link_text: list[str] = []
    pending_link: tuple[str, int, int, Context] | None = None  # dest, start, end, context

    def emit(raw: RawLink, start: int, end: int) -> Iterator[RawLink]:
        if units:
            units[-1].links.append((raw, start, end))
        else:
            yield raw

    for ev, rng in pyromark.events_with_range(text, options=_OPTIONS):
        if type(ev) is dict:
            (kind, val), = ev.items()
            if kind == "Text":
                if link_depth:
                    link_text.append(val)
                elif not in_code and _maybe_url(val):
                    yield from _text_urls(val, rng["start"], src, lines, emit)
            elif kind == "Start":
                if type(val) is dict:
                    (tag, attrs), = val.items()
                    if tag in ("Link", "Image"):
                        link_depth += 1
                        if link_depth == 1:
                            link_text = []
                            lt = attrs["link_type"]
                            if lt in ("Inline", "Autolink"):
                                pending_link = (attrs["dest_url"], rng["start"], rng["end"], Context.INLINE)
                            else:
                                pending_link = None  # reference uses, e-mail autolinks: not counted here
                    elif tag == "FootnoteDefinition":
                        units.append(_Unit(rng["start"], rng["end"], str(attrs)))
                    elif tag == "CodeBlock":
                        in_code += 1
                    elif tag == "Item":
                        units.append(_Unit(rng["start"], rng["end"], None))
                elif val == "Item":
                    units.append(_Unit(rng["start"], rng["end"], None))
                elif val == "CodeBlock":
                    in_code += 1
            elif kind == "End":
                if val in ("Link", "Image"):
                    link_depth -= 1
                    if link_depth == 0 and pending_link is not None:
                        dest, s, e, ctx = pending_link
                        verdict = classify_dest(dest)
                        if verdict != "":
                            raw = RawLink(dest, lines.line(s), ctx, title=("".join(link_text).strip() or None),
                                          invalid_reason=verdict)
                            yield from emit(raw, s, e)
                        pending_link = None
                elif val in ("FootnoteDefinition", "Item") and units:
                    yield from _close(units.pop(), src, units)
                elif val == "CodeBlock":
                    in_code -= 1
            elif kind in ("Html", "InlineHtml") and not in_code and _maybe_url(val):
                yield from _text_urls(val, rng["start"], src, lines, emit)
    while units:
        yield from _close(units.pop(), src, units)
    yield from _definitions(text, src, lines)


Emit = Callable[[RawLink, int, int], Iterator[RawLink]]


def _text_urls(val: str, start: int, src: bytes, lines: LineIndex[bytes], emit: Emit) -> Iterator[RawLink]:
    seg = src[start:start + len(val.encode("utf-8")) + 64].decode("utf-8", errors="ignore")
    for f in find_urls(val):
        off = start + len(val[:f.start].encode("utf-8"))
        pos = seg.find(f.text)  # locate in the source when the text event matches it (no escapes)
        if pos >= 0:
            off = start + len(seg[:pos].encode("utf-8"))
        line = lines.line(off)
        raw = RawLink(f.text, line, Context.BARE, invalid_reason=f.problem)
        yield from emit(raw, off, off + len(f.text.encode("utf-8")))


def _close(unit: _Unit, src: bytes, outer: list[_Unit]) -> Iterator[RawLink]:
    """Give the links of a finished footnote or list item their label, dates, title, group."""
    if not unit.links:
        return
    body = src[unit.start:unit.end].decode("utf-8", errors="replace")

    def char(off: int) -> int:
        return len(src[unit.start:max(unit.start, off)].decode("utf-8", errors="replace"))

    spans = [(char(s), char(e)) for _, s, e in unit.links]
    dates = dates_for_links(body, spans)
    group = f"{'fn' if unit.label is not None else 'li'}:{unit.start}"
    prev = 0
    for (raw, s, e), (cs, ce), (acc, kind) in zip(unit.links, spans, dates, strict=True):
        title = raw.title
        if unit.label is not None:
            raw = replace(raw, label=unit.label, context=Context.FOOTNOTE)
            title = title_before(body[prev:cs]) if raw.title is None or raw.title == raw.original else title
        prev = ce
        raw = replace(raw, title=title, accessed=acc, date_kind=kind,
                      group=raw.group or group)
        if outer:  # a list inside a footnote: the footnote decides the label when it closes
            outer[-1].links.append((raw, s, e))
        else:
            yield raw


def _definitions(text: str, src: bytes, lines: LineIndex[bytes]) -> Iterator[RawLink]:
    defs = pyromark.reference_definitions(text, options=_OPTIONS)
    for label, d in defs.items():
        start = d["span"]["start"]
        body = src[start:d["span"]["end"]].decode("utf-8", errors="replace")
        acc, kind = citation_date(body)
        title = d.get("title") or None
        dest = d["dest"]
        verdict = classify_dest(dest)
        if verdict == "":
            continue
        yield RawLink(dest, lines.line(start), Context.REFERENCE, label=label, title=title, accessed=acc,
                      date_kind=kind, group=f"def:{start}", invalid_reason=verdict)

