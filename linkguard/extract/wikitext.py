"""MediaWiki wikitext through mwparserfromhell.

- `{{cite web|url=…|title=…|access-date=…|date=…|archive-url=…|archive-date=…}}` (every `cite …` and
  `citation` template): one citation with its title, access date (or `date` as the cited date) and
  existing archive copy. `chapter-url`, `contribution-url`, `section-url` are read too.
- `[https://… label]` is `inline` with its label as title; a bare `https://…` is `bare`.
- Inside `<ref>…</ref>` everything is a `footnote`, labelled with the ref's `name` or its number.
- `{{webarchive|url=…|date=…}}` after a link is that link's archive copy.
- Nothing in comments, `<nowiki>`, `<pre>`, `<syntaxhighlight>`, `<source>`, `<code>`, `<math>`.
Lines come from node offsets: mwparserfromhell round-trips the source exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import mwparserfromhell
from mwparserfromhell.nodes import Comment, ExternalLink, Heading, Tag, Template, Text, Wikilink
from mwparserfromhell.wikicode import Wikicode

from ..models import Context, DateKind, RawLink
from .dates import citation_date, parse_date
from .lines import LineIndex
from .urls import MAYBE_URL_RE, classify_dest, find_urls

_SKIP_TAGS = frozenset({"nowiki", "pre", "syntaxhighlight", "source", "code", "math", "chem", "score",
                        "templatedata", "graph", "timeline"})
_URL_FIELDS = ("url", "chapter-url", "chapterurl", "contribution-url", "section-url", "conference-url",
               "transcript-url", "lay-url")
_ARCHIVE_TEMPLATES = frozenset({"webarchive", "wayback", "webcite", "archive.today", "cite archive"})


@dataclass
class _Ref:
    label: str
    group: str
    text: str


class _Walker:
    def __init__(self, source: str) -> None:
        self.lines = LineIndex(source)
        self.refs = 0
        self.out: list[RawLink] = []

    def visit(self, code: Wikicode, base: int, ref: _Ref | None) -> None:
        pos = base
        for node in code.nodes:
            s = str(node)
            start, pos = pos, pos + len(s)
            if isinstance(node, Comment):
                continue
            if isinstance(node, Tag):
                self._tag(node, s, start, ref)
            elif isinstance(node, Template):
                self._template(node, s, start, ref)
            elif isinstance(node, ExternalLink):
                self._external(node, start, ref)
            elif isinstance(node, Heading):
                self.visit(node.title, start + s.find(str(node.title)), ref)
            elif isinstance(node, Wikilink) and node.text is not None:
                self.visit(node.text, start + s.rfind(str(node.text)), ref)
            elif isinstance(node, Text) and MAYBE_URL_RE.search(s):
                for f in find_urls(s):  # mwparserfromhell already made valid bare URLs ExternalLinks
                    if f.problem:
                        self._add(f.text, start + f.start, Context.BARE, ref, invalid=f.problem)

    def _tag(self, node: Tag, s: str, start: int, ref: _Ref | None) -> None:
        name = str(node.tag).strip().lower()
        if name in _SKIP_TAGS or node.contents is None or node.self_closing:
            return
        contents = str(node.contents)
        at = start + s.rfind(contents) if contents else start
        if name == "ref":
            self.refs += 1
            label = str(node.get("name").value).strip() if node.has("name") else str(self.refs)
            ref = _Ref(label, f"ref:{start}", contents)
        self.visit(node.contents, at, ref)

    def _template(self, node: Template, s: str, start: int, ref: _Ref | None) -> None:
        name = str(node.name).strip().lower().replace("_", " ")
        cursor = len(str(node.name)) + 2
        params: dict[str, tuple[str, int]] = {}
        for p in node.params:
            ps = str(p)
            at = s.find(ps, cursor)
            at = cursor if at < 0 else at
            cursor = at + len(ps)
            value = str(p.value)
            params[str(p.name).strip().lower()] = (value, start + at + len(ps) - len(value))
        if name.startswith("cite ") or name in ("cite", "citation", "citation/core", "vcite web"):
            self._cite(params, start, ref)
        elif name in _ARCHIVE_TEMPLATES:
            if "url" in params:
                value, at = params["url"]
                self._add(value.strip(), at + len(value) - len(value.lstrip()), _ctx(ref, Context.REFERENCE),
                          ref, group=ref.group if ref else f"line:{self.lines.line(start)}")
        else:
            for p in node.params:  # other templates ({{URL|…}}, {{Official website|…}}) may hold links
                self.visit(p.value, params[str(p.name).strip().lower()][1], ref)

    def _cite(self, params: dict[str, tuple[str, int]], start: int, ref: _Ref | None) -> None:
        def field(*names: str) -> str | None:
            for n in names:
                if n in params and params[n][0].strip():
                    return params[n][0].strip()
            return None

        accessed = parse_date(field("access-date", "accessdate") or "")
        kind: DateKind | None = DateKind.ACCESSED if accessed else None
        if accessed is None:
            accessed = parse_date(field("date", "publication-date") or "")
            kind = DateKind.CITED if accessed else None
        title = field("title", "chapter", "trans-title")
        archived = field("archive-url", "archiveurl")
        archived_at = parse_date(field("archive-date", "archivedate") or "") if archived else None
        group = f"cite:{start}"
        for n in _URL_FIELDS:
            if n in params and params[n][0].strip():
                value, at = params[n]
                self._add(value.strip(), at + len(value) - len(value.lstrip()), _ctx(ref, Context.REFERENCE),
                          ref, title=_plain(title), accessed=accessed, kind=kind, archived=archived,
                          archived_at=archived_at, group=ref.group if ref else group)

    def _external(self, node: ExternalLink, start: int, ref: _Ref | None) -> None:
        url = str(node.url).strip()
        title = str(node.title).strip() if node.title is not None else None
        ctx = Context.INLINE if node.brackets else Context.BARE
        acc, kind = citation_date(ref.text) if ref else (None, None)
        self._add(url, start + (1 if node.brackets else 0), _ctx(ref, ctx), ref, title=_plain(title),
                  accessed=acc, kind=kind, group=ref.group if ref else f"line:{self.lines.line(start)}")

    def _add(self, url: str, at: int, ctx: Context, ref: _Ref | None, *, title: str | None = None,
             accessed: str | None = None, kind: DateKind | None = None, archived: str | None = None,
             archived_at: str | None = None, group: str | None = None, invalid: str | None = None) -> None:
        verdict = invalid if invalid else classify_dest(url)
        if verdict == "":
            return
        self.out.append(RawLink(url, self.lines.line(at), ctx, label=ref.label if ref else None, title=title,
                                accessed=accessed, date_kind=kind, archived_url=archived,
                                archived_at=archived_at, column=self.lines.column(at), group=group,
                                invalid_reason=verdict))


def _ctx(ref: _Ref | None, ctx: Context) -> Context:
    return Context.FOOTNOTE if ref is not None else ctx


def _plain(s: str | None) -> str | None:
    if not s:
        return None
    return str(mwparserfromhell.parse(s).strip_code()).strip() or None


def extract(text: str) -> Iterator[RawLink]:
    walker = _Walker(text)
    walker.visit(mwparserfromhell.parse(text), 0, None)
    return iter(walker.out)
