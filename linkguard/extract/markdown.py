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
from dataclasses import dataclass, field

import pyromark

from ..models import Context, RawLink
from .dates import citation_date, describe
from .lines import LineIndex
from .urls import classify_dest, find_urls

_OPTIONS = (pyromark.Options.ENABLE_FOOTNOTES | pyromark.Options.ENABLE_TABLES
            | pyromark.Options.ENABLE_STRIKETHROUGH | pyromark.Options.ENABLE_TASKLISTS)


@dataclass
class _Unit:
    """An open footnote definition or list item: links gathered until it ends."""

    start: int  # byte offset
    end: int
    label: str | None
    links: list[tuple[RawLink, int, int]] = field(default_factory=list)  # link, byte start, byte end


def _maybe_url(s: str) -> bool:
    return "//" in s or ":/" in s or "www" in s or "WWW" in s


def extract(text: str) -> Iterator[RawLink]:
    src = text.encode("utf-8")
    lines = LineIndex(src)
    units: list[_Unit] = []
    in_code = 0
    link_depth = 0
    link_text: list[str] = []
    pending_link: tuple[str, int, int] | None = None  # dest, start, end of an inline link or autolink

    def emit(raw: RawLink, start: int, end: int) -> Iterator[RawLink]:
        if units:
            units[-1].links.append((raw, start, end))
        else:  # outside footnotes and list items, a line is the citation (an archive copy beside it attaches)
            raw.group = f"line:{raw.line}"  # still this extractor's own record: completed in place
            yield raw

    for ev, rng in pyromark.events_with_range(text, options=_OPTIONS, merge_text=True):
        if type(ev) is not dict:
            continue  # SoftBreak, HardBreak, Rule
        val = ev.get("Text")
        if val is not None:  # the most frequent event first
            if link_depth:
                link_text.append(val)
            elif not in_code and _maybe_url(val):
                yield from _text_urls(val, rng["start"], src, lines, emit)
            continue
        start = ev.get("Start")
        if start is not None:
            tag, attrs = next(iter(start.items())) if type(start) is dict else (start, None)
            if tag == "Link" or tag == "Image":
                link_depth += 1
                if link_depth == 1:
                    link_text = []
                    inline = attrs is not None and attrs["link_type"] in ("Inline", "Autolink")
                    # reference uses are counted at their definition; e-mail autolinks never
                    pending_link = (attrs["dest_url"], rng["start"], rng["end"]) if inline else None
            elif tag == "FootnoteDefinition":
                units.append(_Unit(rng["start"], rng["end"], str(attrs)))
            elif tag == "Item":
                units.append(_Unit(rng["start"], rng["end"], None))
            elif tag == "CodeBlock":
                in_code += 1
            continue
        end = ev.get("End")
        if end is not None:
            if end == "Link" or end == "Image":
                link_depth -= 1
                if link_depth == 0 and pending_link is not None:
                    dest, s, e = pending_link
                    verdict = classify_dest(dest)
                    if verdict != "":
                        title = "".join(link_text).strip()
                        raw = RawLink(dest, lines.line(s), Context.INLINE,
                                      title=title if title and title != dest else None, invalid_reason=verdict)
                        yield from emit(raw, s, e)
                    pending_link = None
            elif (end == "FootnoteDefinition" or end == "Item") and units:
                yield from _close(units.pop(), src, units)
            elif end == "CodeBlock":
                in_code -= 1
            continue
        html = ev.get("Html") or ev.get("InlineHtml")
        if html and not in_code and _maybe_url(html):
            yield from _text_urls(html, rng["start"], src, lines, emit)
    while units:
        yield from _close(units.pop(), src, units)
    yield from _definitions(text, src, lines)


Emit = Callable[[RawLink, int, int], Iterator[RawLink]]


def _text_urls(val: str, start: int, src: bytes, lines: LineIndex[bytes], emit: Emit) -> Iterator[RawLink]:
    ascii_ = val.isascii()  # then characters are bytes: no encoding to convert offsets
    nbytes = len(val) if ascii_ else len(val.encode("utf-8"))
    seg = src[start:start + nbytes + 64].decode("utf-8", errors="ignore")
    seg_ascii = seg.isascii()
    for f in find_urls(val):
        off = start + (f.start if ascii_ else len(val[:f.start].encode("utf-8")))
        pos = seg.find(f.text)  # locate in the source when the text event matches it (no escapes)
        if pos >= 0:
            off = start + (pos if seg_ascii else len(seg[:pos].encode("utf-8")))
        line = lines.line(off)
        raw = RawLink(f.text, line, Context.BARE, invalid_reason=f.problem)
        yield from emit(raw, off, off + len(f.text.encode("utf-8")))


def _close(unit: _Unit, src: bytes, outer: list[_Unit]) -> Iterator[RawLink]:
    """Give the links of a finished footnote or list item their label, dates, title, group."""
    if not unit.links:
        return
    body = src[unit.start:unit.end].decode("utf-8", errors="replace")
    ascii_ = len(body) == unit.end - unit.start  # one byte per character: offsets carry over

    def char(off: int) -> int:
        if ascii_:
            return max(0, off - unit.start)
        return len(src[unit.start:max(unit.start, off)].decode("utf-8", errors="replace"))

    spans = [(char(s), char(e)) for _, s, e in unit.links]
    footnote = unit.label is not None
    described = describe(body, spans, titles=footnote)
    group = f"{'fn' if footnote else 'li'}:{unit.start}"
    for (raw, s, e), (acc, kind, title) in zip(unit.links, described, strict=True):
        # completed in place: the record is this extractor's own until it is yielded (a copy per link
        # would cost a third of this function)
        if footnote:
            raw.context, raw.label = Context.FOOTNOTE, unit.label
        raw.title = raw.title or title
        raw.accessed, raw.date_kind = acc, kind
        raw.group = raw.group or group
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

