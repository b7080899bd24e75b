r"""BibTeX / BibLaTeX: each entry is one `reference` citation, labelled with its key.

- URL fields: `url`, and `\url{...}` / `\href{...}` / bare URLs inside `howpublished` and `note`.
- `urldate` (BibLaTeX) is the access date; a `note` such as "Accessed 22 May 2025" also counts. Without
  one, a full `date` (YYYY-MM-DD) is the cited date.
- `archiveurl`/`archive-url` (+ `archivedate`) is the entry's existing archive copy.
- `title` is the citation's title (braces and simple macros removed).
Entries are found with a brace-aware scanner (values in `{...}`, `"..."` or bare words, `#` concatenation
ignored); `@comment`, `@preamble` and `@string` are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..models import Context, DateKind, RawLink
from .dates import citation_date, parse_date
from .lines import LineIndex
from .tex import group_end
from .urls import classify_dest, find_urls

_ENTRY = re.compile(r"@(?P<type>\w+)\s*[{(]\s*", re.IGNORECASE)
_FIELD = re.compile(r"\s*(?P<name>[\w:.+-]+)\s*=\s*")
_URL_MACRO = re.compile(r"\\(?:url|href)\s*\{([^}]*)\}")


def _value(text: str, i: int) -> tuple[str, int, int]:
    """(value, start of its content, offset after it) for a field value starting at `i`."""
    n = len(text)
    if i < n and text[i] in "{\"":
        closing = "}" if text[i] == "{" else '"'
        end = group_end(text, i, None if closing == "}" else '"')
        closed = end > i + 1 and text[end - 1] == closing
        return text[i + 1:end - 1 if closed else end], i + 1, end
    m = re.compile(r"[^,})\s]*").match(text, i)
    assert m is not None
    return m.group(), i, m.end()


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _fields(text: str, start: int) -> tuple[str, dict[str, tuple[str, int]], int]:
    """(key, {field: (value, offset)}, end) of the entry body starting at `start`."""
    m = re.compile(r"([^,\s{}()]*)\s*,?").match(text, start)
    assert m is not None
    key, i = m.group(1), m.end()
    fields: dict[str, tuple[str, int]] = {}
    n = len(text)
    while i < n:
        while i < n and text[i] in " \t\r\n,":
            i += 1
        if i >= n or text[i] in "})":
            return key, fields, i + 1
        fm = _FIELD.match(text, i)
        if not fm:
            nxt = text.find("\n@", i)
            return key, fields, (n if nxt < 0 else nxt + 1)
        value, vstart, i = _value(text, fm.end())
        while (k := _skip_ws(text, i)) < n and text[k] == "#":  # "a" # "b": keep the first part
            _, _, i = _value(text, _skip_ws(text, k + 1))
        fields[fm.group("name").lower()] = (value, vstart)
    return key, fields, n


def _clean(s: str) -> str:
    s = re.sub(r"\\[a-zA-Z]+\s*", "", s)
    return re.sub(r"\s+", " ", s.replace("{", "").replace("}", "")).strip()


def extract(text: str) -> Iterator[RawLink]:
    lines = LineIndex(text)
    pos = 0
    while (m := _ENTRY.search(text, pos)) is not None:
        etype = m.group("type").lower()
        if etype in ("comment", "preamble", "string"):
            pos = m.end()
            continue
        key, fields, pos = _fields(text, m.end())
        yield from _entry(key, fields, lines)


def _entry(key: str, fields: dict[str, tuple[str, int]], lines: LineIndex[str]) -> Iterator[RawLink]:
    accessed = kind = None
    if "urldate" in fields:
        accessed = parse_date(fields["urldate"][0])
        kind = DateKind.ACCESSED if accessed else None
    if accessed is None and "note" in fields:
        acc, k = citation_date(fields["note"][0])
        if k is DateKind.ACCESSED:
            accessed, kind = acc, k
    if accessed is None and "date" in fields:
        accessed = parse_date(fields["date"][0])
        kind = DateKind.CITED if accessed else None
    title = _clean(fields["title"][0]) or None if "title" in fields else None
    archived = fields.get("archiveurl") or fields.get("archive-url") or fields.get("archive_url")
    archived_at = None
    if archived:
        archived_at = parse_date((fields.get("archivedate") or fields.get("archive-date") or ("", 0))[0])
    group = f"bib:{key}"
    seen: set[str] = set()
    for name in ("url", "howpublished", "note"):
        if name not in fields:
            continue
        value, off = fields[name]
        if name == "url":
            found = [(value.strip(), off + len(value) - len(value.lstrip()))]
        else:
            found = [(mm.group(1).strip(), off + mm.start(1)) for mm in _URL_MACRO.finditer(value)]
            if not found:
                found = [(f.text, off + f.start) for f in find_urls(value)]
        for url, at in found:
            url = re.sub(r"\\([#%_&~$])", r"\1", url)
            verdict = classify_dest(url)
            if verdict == "" or url in seen:
                continue
            seen.add(url)
            yield RawLink(url, lines.line(at), Context.REFERENCE, label=key, title=title, accessed=accessed,
                          date_kind=kind, archived_url=archived[0].strip() if archived else None,
                          archived_at=archived_at, column=lines.column(at), group=group, invalid_reason=verdict)
