"""Plain text, including PDF-to-text output: bare URLs, footnote tables, numbered footnote lines.

A *citation unit* is the text a URL's date and title are read from:
- a footnote that starts with a label at the start of a line (`[1] ...`, `| [1] ... |`, `1. ...`, `1) ...`,
  `^1 ...`, `12 ...`), running on over the following lines until a blank line or the next label
  (at most 8 lines); its label is the citation's `label` and its context `footnote`;
- otherwise the URL's own line (context `bare`).
URLs broken across lines are joined by the rule in `urls.continuation`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..models import Context, RawLink
from .dates import describe
from .lines import LineIndex
from .urls import Found, continuation, find_urls

_LABEL_LINE = re.compile(
    r"[ \t]*(?:\|[ \t]*)?(?:"
    r"\[\^?(?P<b>[A-Za-z]?\d{1,4}[a-z]?|[A-Za-z][\w-]{0,11})\]:?"
    r"|(?P<n>\d{1,3})[.)](?=\s)"
    r"|\^(?P<c>\d{1,3})(?=\s)"
    r"|(?P<p>\d{1,3})[ \t]+(?=\S)"
    r")"
)
_MAX_UNIT_LINES = 8


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    s = text.rfind("\n", 0, pos) + 1
    e = text.find("\n", pos)
    return s, (len(text) if e < 0 else e)


def _label_at(text: str, line_start: int, line_end: int) -> str | None:
    m = _LABEL_LINE.match(text, line_start, line_end)
    if not m:
        return None
    return m.group("b") or m.group("n") or m.group("c") or m.group("p")


def _unit(text: str, pos: int) -> tuple[int, int, str | None]:
    """(start, end, label) of the citation unit holding offset `pos`."""
    ls, le = _line_bounds(text, pos)
    label = _label_at(text, ls, le)
    start = ls
    if label is None:
        s = ls
        for _ in range(_MAX_UNIT_LINES):
            if s == 0:
                break
            ps, pe = _line_bounds(text, s - 1)
            if not text[ps:pe].strip() or text[ps:pe].lstrip().startswith("|"):
                break
            lab = _label_at(text, ps, pe)
            if lab is not None:
                label, start = lab, ps
                break
            s = ps
    if label is None:
        return ls, le, None
    end = le
    if not text[ls:le].lstrip().startswith("|"):
        for _ in range(_MAX_UNIT_LINES):
            if end >= len(text):
                break
            ns, ne = _line_bounds(text, end + 1)
            if not text[ns:ne].strip() or _label_at(text, ns, ne) is not None or text[ns:ne].lstrip().startswith("|"):
                break
            end = ne
    return start, end, label


def _links(text: str) -> Iterator[Found]:
    """Found URLs, with URLs broken across lines by a PDF conversion joined."""
    for f in find_urls(text):
        joined, end = f.text, f.end
        if f.problem is None:
            while (cont := continuation(text, end)) is not None:
                joined += cont[0]
                end = cont[1]
        yield Found(joined, f.start, end, f.problem) if end != f.end else f


def extract(text: str) -> Iterator[RawLink]:
    lines = LineIndex(text)
    pending: list[Found] = []
    unit: tuple[int, int, str | None] | None = None
    for found in _links(text):
        if unit is None or not (unit[0] <= found.start < unit[1]):
            if unit is not None:
                yield from _emit(text, unit, pending, lines)
            unit, pending = _unit(text, found.start), []
        pending.append(found)
    if unit is not None:
        yield from _emit(text, unit, pending, lines)


def _emit(text: str, unit: tuple[int, int, str | None], found: list[Found], lines: LineIndex[str]
          ) -> Iterator[RawLink]:
    start, end, label = unit
    body = text[start:end]
    valid = [f for f in found if f.problem is None]
    described = iter(describe(body, [(f.start - start, f.end - start) for f in valid], titles=label is not None))
    context = Context.FOOTNOTE if label is not None else Context.BARE
    for f in found:
        line = lines.line(f.start)
        if f.problem is not None:
            yield RawLink(f.text, line, context, label=label, invalid_reason=f.problem, group=str(start))
            continue
        accessed, kind, title = next(described)
        yield RawLink(f.text, line, context, label=label, title=title, accessed=accessed, date_kind=kind,
                      column=lines.column(f.start), group=str(start))
