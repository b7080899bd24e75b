"""HTML through lxml (libxml2's HTML parser): `<a href>`, `cite` attributes, footnote sections, bare URLs.

- Links inside a footnote section (`<section class="footnotes">`, `role="doc-endnotes"`/`doc-footnotes`,
  `<aside role="doc-footnote">`, `<li id="fn…">`) are `footnote` citations; the label comes from the
  `<li>`'s id (`fn1`, `fn:1`, `fn-note` -> `1`, `1`, `note`) or its position in the list, and the dates from
  the footnote's text. Other `<a href>` are `inline`, `cite="…"` is `reference`, URLs in text are `bare`.
- Relative hrefs only with `base_url`; `mailto:`/`javascript:`/fragments never; entities are decoded by
  the parser. Nothing inside `<script>`, `<style>`, `<code>`, `<pre>`, `<template>`.
- libxml2 stops counting lines at 65535, so lines come from locating each value in the raw source, in
  document order (exact when the value is written as parsed or with `&amp;`, else the element's line).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin

import lxml.etree

from ..models import Context, RawLink
from .dates import dates_for_links
from .lines import LineIndex
from .urls import classify_dest, find_urls

_LINKS = "//a/@href[not(starts-with(normalize-space(.), '#'))] | //area/@href | //@cite"  # no same-page anchors
_XPATH = lxml.etree.XPath(_LINKS + " | //text()[contains(., '//') or contains(., 'www.') or contains(., 'WWW.')]")
# Without 'www' anywhere in the source (and no numeric character reference that could spell it), no text can
# contain 'www.': testing text nodes for '//' alone takes half the time of the full XPath.
_XPATH_NO_WWW = lxml.etree.XPath(_LINKS + " | //text()[contains(., '//')]")
_PARSER = lxml.etree.HTMLParser(encoding="utf-8", recover=True, no_network=True, huge_tree=True)
_SKIP_XPATH = lxml.etree.XPath("boolean(//script|//style|//code|//pre|//template|//noscript|//textarea)")
_TEXT = lxml.etree.XPath("string()")
_SKIP_TAGS = frozenset({"script", "style", "code", "pre", "template", "noscript", "textarea"})
_FN_ID = re.compile(r"^(?:fn|footnote|endnote|note|en|cite[_-]note)[:_-]?(.+)$", re.IGNORECASE)
_FN_ROLES = frozenset({"doc-endnotes", "doc-footnote", "doc-footnotes", "doc-endnote", "doc-bibliography"})


def _footnote_of(el: lxml.etree._Element) -> tuple[lxml.etree._Element, str | None] | None:
    """(the footnote element, its label) when `el` sits in a footnote, else None."""
    item: lxml.etree._Element | None = None
    node: lxml.etree._Element | None = el
    while node is not None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag == "li" and item is None:
            item = node
            m = _FN_ID.match(node.get("id") or "")
            if m:
                return node, m.group(1)
        role = node.get("role") or ""
        cls = f" {node.get('class') or ''} "
        if role in _FN_ROLES or " footnotes " in cls or " endnotes " in cls or " references " in cls \
                or (tag in ("section", "aside", "div", "ol") and " footnote " in cls):
            if item is not None:
                parent = item.getparent()
                siblings = [c for c in parent if getattr(c, "tag", None) == "li"] if parent is not None else [item]
                return item, str(siblings.index(item) + 1)
            return node, None
        node = node.getparent()
    return None


def _text(el: lxml.etree._Element) -> str:
    return str(_TEXT(el))


def _skipped(el: lxml.etree._Element) -> bool:
    node: lxml.etree._Element | None = el
    while node is not None:
        if node.tag in _SKIP_TAGS:
            return True
        node = node.getparent()
    return False


def _in_link(el: lxml.etree._Element) -> bool:
    node: lxml.etree._Element | None = el
    while node is not None:
        if node.tag == "a" and node.get("href"):
            return True
        node = node.getparent()
    return False


class _Locator:
    """Finds values in the raw source, moving forward in document order."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.lines = LineIndex(source)

    def line(self, value: str, fallback: int | None) -> tuple[int, int | None]:
        for form in (value, value.replace("&", "&amp;")):
            i = self.src.find(form, self.pos)
            if i >= 0:
                self.pos = i + len(form)
                return self.lines.line(i), self.lines.column(i)
        return (fallback or 1), None


def extract(text: str, base_url: str | None = None) -> Iterator[RawLink]:
    if not text.strip():
        return
    # plain etree elements: lxml.html's element classes cost a Python call per element
    root = lxml.etree.fromstring(text.encode("utf-8"), _PARSER)
    if root is None:
        return
    skips = bool(_SKIP_XPATH(root))
    xpath = _XPATH_NO_WWW if "&#" not in text and "www" not in text.lower() else _XPATH
    loc = _Locator(text)
    # footnote element -> list of (RawLink, char start of its URL in the footnote text)
    notes: dict[int, tuple[lxml.etree._Element, str | None, list[RawLink], list[str]]] = {}
    order: list[int] = []
    for node in xpath(root):
        el = node.getparent()
        if el is not None and getattr(node, "is_tail", False):
            el = el.getparent()  # a tail's container is the parent of the element it follows
        if el is None or (skips and _skipped(el)):
            continue
        if getattr(node, "is_attribute", False):
            name = node.attrname
            value = str(node).strip()
            verdict = classify_dest(value)
            if verdict == "" and base_url and not value.startswith(("#", "mailto:", "javascript:")):
                value, verdict = urljoin(base_url, value), None
            if verdict == "":
                continue
            line, col = loc.line(str(node), el.sourceline)
            ctx = Context.REFERENCE if name == "cite" else Context.INLINE
            title = (_text(el).strip() or None) if name == "href" else None
            raw = RawLink(value, line, ctx, title=title and title[:300], column=col, invalid_reason=verdict)
            founds: list[tuple[RawLink, str]] = [(raw, value)]
        else:
            if _in_link(el):
                continue
            founds = []
            for f in find_urls(str(node)):
                line, col = loc.line(f.text, el.sourceline)
                founds.append((RawLink(f.text, line, Context.BARE, column=col, invalid_reason=f.problem), f.text))
        fn = _footnote_of(el)
        for raw, value in founds:
            if fn is None:
                yield raw
                continue
            key = id(fn[0])
            if key not in notes:
                notes[key] = (fn[0], fn[1], [], [])
                order.append(key)
            notes[key][2].append(raw)
            notes[key][3].append(value)
    for key in order:
        yield from _footnote_links(*notes[key])


def _footnote_links(el: lxml.etree._Element, label: str | None, raws: list[RawLink], values: list[str]
                    ) -> Iterator[RawLink]:
    body = _text(el)
    spans, at = [], 0
    for v in values:
        i = body.find(v, at)
        if i < 0:
            i = at
        spans.append((i, i + len(v)))
        at = i + len(v)
    group = f"fn:{id(el)}"
    for raw, (acc, kind) in zip(raws, dates_for_links(body, spans), strict=True):
        # completed in place: the record is this extractor's own until it is yielded
        raw.context, raw.label, raw.accessed, raw.date_kind, raw.group = Context.FOOTNOTE, label, acc, kind, group
        yield raw
