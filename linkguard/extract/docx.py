"""DOCX (Office Open XML) read directly from its zip parts: body, footnotes, endnotes.

- Hyperlinks (`<w:hyperlink r:id>` resolved through the part's relationships, and `HYPERLINK "…"` field
  codes) are `inline` with their text as title; URLs typed as text are `bare`.
- Links in `word/footnotes.xml` / `word/endnotes.xml` are `footnote` citations labelled with the note's
  number (its order among the real notes, as Word shows it) and dated from the note's text.
- `line` is the paragraph number: in the body, counted from the start of the document; in a footnote, the
  paragraph within the note part. The JSON `unit` says `paragraph`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from xml.etree import ElementTree as ET

from ..models import Context, RawLink, Unit
from .dates import describe
from .urls import classify_dest, find_urls

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_HYPERLINK_FIELD = re.compile(r'HYPERLINK\s+"([^"]+)"')
_MAX_PART = 64 * 1024 * 1024


def _read(z: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = z.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _MAX_PART:
        raise ValueError(f"{name} is larger than {_MAX_PART // 2**20} MiB uncompressed")
    return z.read(name)


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    folder, _, name = part.rpartition("/")
    data = _read(z, f"{folder}/_rels/{name}.rels")
    if data is None:
        return {}
    return {r.get("Id", ""): r.get("Target", "") for r in ET.fromstring(data).iter(f"{_REL}Relationship")
            if r.get("TargetMode") == "External"}


def _paragraph(p: ET.Element, rels: dict[str, str]) -> tuple[str, list[tuple[str, str]]]:
    """(text, [(url, link text)]) of one paragraph."""
    parts: list[str] = []
    links: list[tuple[str, str]] = []

    def walk(el: ET.Element, link: list[str] | None) -> None:
        for child in el:
            tag = child.tag
            if tag == f"{_W}t":
                parts.append(child.text or "")
                if link is not None:
                    link.append(child.text or "")
            elif tag == f"{_W}tab":
                parts.append("\t")
            elif tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
            elif tag == f"{_W}instrText":
                m = _HYPERLINK_FIELD.search(child.text or "")
                if m:
                    links.append((m.group(1), ""))
            elif tag == f"{_W}hyperlink":
                target = rels.get(child.get(f"{_R}id", ""))
                text: list[str] = []
                walk(child, text)
                if target:
                    links.append((target, "".join(text)))
            else:
                walk(child, link)

    walk(p, None)
    return "".join(parts), links


def extract(data: bytes) -> Iterator[RawLink]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = _read(z, "word/document.xml")
        if body is None:
            raise ValueError("not a Word document (no word/document.xml)")
        yield from _part(z, "word/document.xml", body, None)
        for name, tag in (("word/footnotes.xml", "footnote"), ("word/endnotes.xml", "endnote")):
            data_ = _read(z, name)
            if data_ is not None:
                yield from _part(z, name, data_, tag)


def _part(z: zipfile.ZipFile, name: str, data: bytes, note_tag: str | None) -> Iterator[RawLink]:
    rels = _rels(z, name)
    root = ET.fromstring(data)
    if note_tag is None:
        for n, p in enumerate(root.iter(f"{_W}p"), 1):
            text, links = _paragraph(p, rels)
            yield from _links(text, links, n, None, None)
        return
    number = 0
    n = 0
    for note in root.iter(f"{_W}{note_tag}"):
        if note.get(f"{_W}type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        number += 1
        texts, all_links, first = [], [], n + 1
        for p in note.iter(f"{_W}p"):
            n += 1
            text, links = _paragraph(p, rels)
            texts.append(text)
            all_links.extend(links)
        yield from _links("\n".join(texts), all_links, first, str(number), f"{note_tag}:{number}")


def _links(text: str, links: list[tuple[str, str]], line: int, label: str | None, group: str | None
           ) -> Iterator[RawLink]:
    found: list[tuple[str, int, int, str | None, str | None, Context]] = []
    for f in find_urls(text):
        found.append((f.text, f.start, f.end, None, f.problem, Context.BARE))
    typed = {f[0] for f in found}
    for url, title in links:
        if url in typed:
            continue
        verdict = classify_dest(url)
        if verdict == "":
            continue
        at = text.find(title) if title else -1
        found.append((url, at if at >= 0 else len(text), at + len(title) if at >= 0 else len(text),
                      title or None, verdict, Context.INLINE))
    found.sort(key=lambda f: f[1])
    if label is not None:
        described = describe(text, [(s, e) for _, s, e, *_ in found])
    else:
        described = [(None, None, None)] * len(found)
    for (url, _s, _e, title, problem, ctx), (acc, kind, before) in zip(found, described, strict=True):
        title = title or before
        yield RawLink(url, line, Context.FOOTNOTE if label else ctx, label=label, title=title, accessed=acc,
                      date_kind=kind, unit=Unit.PARAGRAPH, group=group or f"p:{line}", invalid_reason=problem)
