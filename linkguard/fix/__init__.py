"""fix: write each selected citation's best archived copy into the document, in the idiom of its format.

Only insertions: every byte outside the inserted text is unchanged (encoding, BOM and line endings kept).
Each file is read and extracted again right before it is patched, so a file edited since the last scan is
patched where its citations are now, never blindly. A citation that already carries an archive copy (from a
person or an earlier run) is left alone, which also makes a second `fix` change nothing.
"""

from __future__ import annotations

import codecs
import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..collect import BINARY_FORMATS, load
from ..extract import extract_document
from ..extract.tex import group_end
from ..models import Citation, Context, Document, ExtractError, Skipped
from ..store import Store

ONLY = {"rotten": ("rotten",), "suspect": ("rotten", "suspect"), "all": None}
# What is inserted, by format; `--style KEY=VALUE` (or [tool.linkguard] fix_style) overrides. {url} is the
# archived copy, {date} its capture date. BibTeX's style is "fields" (archiveurl/archivedate) or "note".
STYLES = {
    "markdown": " ([archived]({url}) {date})",
    "text": " [Archived: {url}]",
    "rst": " (`archived <{url}>`__ {date})",
    "latex": " (archived \\url{{{url}}}, {date})",
    "bibtex": "fields",
}


@dataclass(frozen=True)
class Archive:
    url: str
    date: str  # YYYY-MM-DD
    dead: bool = True  # the original is rotten or suspect (wikitext's url-status)


@dataclass
class FileFix:
    source: str
    fixed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    diff: str = ""
    paste: list[tuple[Citation, Archive]] = field(default_factory=list)  # PDF/DOCX: what to paste by hand
    error: str | None = None


def selected_archives(store: Store, only: str) -> dict[str, Archive | None]:
    """{url: its best archived copy, or None when it has none} for the links `only` selects."""
    states = ONLY[only]
    out: dict[str, Archive | None] = {}
    for link in store.report_links(states):
        out[link["url"]] = Archive(link["archive_url"], link["archived_at"][:10],
                                   link["state"] in ("rotten", "suspect")) \
            if link["archive_url"] and link["archived_at"] else None
    return out


def fix_paths(paths: list[Path], store: Store, only: str = "rotten", dry_run: bool = False,
              style: dict[str, str] | None = None) -> list[FileFix]:
    from ..collect import iter_files

    archives = selected_archives(store, only)
    results = []
    for item in iter_files(paths):
        if isinstance(item, ExtractError):
            results.append(FileFix(item.source, error=item.error))
            continue
        result = fix_file(item, archives, dry_run, style)
        if result.fixed or result.skipped or result.paste or result.error:
            results.append(result)
    return results


def fix_file(path: Path, archives: dict[str, Archive | None], dry_run: bool = False,
             style: dict[str, str] | None = None) -> FileFix:
    result = FileFix(str(path))
    styles = {**STYLES, **(style or {})}
    doc = load(path)
    if isinstance(doc, ExtractError):
        result.error = doc.error
        return result
    if isinstance(doc, Skipped):
        return result
    citations = [c for c in extract_document(doc) if isinstance(c, Citation) and c.url in archives]
    if doc.format in BINARY_FORMATS:
        for c in citations:
            archive = archives[c.url]
            if archive:
                result.paste.append((c, archive))
            else:
                result.skipped["no archived copy"] += 1
        return result
    edits: dict[int, str] = {}
    for c in citations:
        archive = archives[c.url]
        if archive is None:
            result.skipped["no archived copy"] += 1
            continue
        if c.archived_url:
            result.skipped["already archived"] += 1
            continue
        try:
            offset, text = _insertion(doc, c, archive, styles)
        except _CannotFix as e:
            result.skipped[str(e)] += 1
            continue
        if offset in edits:  # the same place cited twice (e.g. a BibTeX entry): one insertion
            result.skipped["already fixed in this run"] += 1
            continue
        edits[offset] = text
        result.fixed += 1
    if not edits:
        return result
    new_text = doc.text
    for offset in sorted(edits, reverse=True):
        new_text = new_text[:offset] + edits[offset] + new_text[offset:]
    result.diff = "".join(difflib.unified_diff(doc.text.splitlines(keepends=True), new_text.splitlines(keepends=True),
                                               fromfile=str(path), tofile=str(path)))
    if not dry_run:
        path.write_bytes(_encode(new_text, doc, path))
    return result


def _encode(text: str, doc: Document, path: Path) -> bytes:
    """The new text in the file's own encoding; UTF-16/32 keep the byte order of their BOM."""
    enc = doc.encoding or "utf-8"
    if enc in ("utf-16", "utf-32"):
        with path.open("rb") as f:
            original = f.read(4)
    if enc == "utf-16":
        bom = original[:2]
        body = text.encode("utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be")
        return bom + body
    if enc == "utf-32":
        bom = original[:4]
        return bom + text.encode("utf-32-le" if bom == codecs.BOM_UTF32_LE else "utf-32-be")
    return text.encode(enc)


class _CannotFix(Exception):
    pass


def _line_span(text: str, line: int) -> tuple[int, int]:
    start = 0
    for _ in range(line - 1):
        nl = text.find("\n", start)
        if nl < 0:
            raise _CannotFix("the citation is no longer where it was")
        start = nl + 1
    end = text.find("\n", start)
    return start, len(text) if end < 0 else end


def _find_url(text: str, c: Citation, forms: tuple[str, ...] = ()) -> tuple[int, int]:
    """(start, end) of the citation's URL as written, on its line (from its column when known)."""
    ls, le = _line_span(text, c.line)
    lo = ls + (c.column - 1 if c.column else 0)
    for form in (c.original, *forms):
        for start in (lo, ls):
            i = text.find(form, start, le)
            if i >= 0:
                return i, i + len(form)
    raise _CannotFix("the URL is not written where it was found (edited?)")


def _insertion(doc: Document, c: Citation, a: Archive, styles: dict[str, str]) -> tuple[int, str]:
    fmt, text = doc.format, doc.text
    if fmt == "markdown":
        return _markdown(text, c, a, styles["markdown"].format(url=a.url, date=a.date))
    if fmt == "html":
        return _html(text, c, a)
    if fmt == "wikitext":
        return _wikitext(text, c, a)
    if fmt == "rst":
        _s, e = _find_url(text, c)
        if text[e:e + 3] == ">`_":
            e += 4 if text[e + 3:e + 4] == "_" else 3
        return e, styles["rst"].format(url=a.url, date=a.date)
    if fmt == "latex":
        return _latex(text, c, a, styles["latex"].format(url=a.url, date=a.date))
    if fmt == "bibtex":
        return _bibtex(text, c, a, styles["bibtex"])
    _s, e = _find_url(text, c)  # plain text
    return e, styles["text"].format(url=a.url, date=a.date)


def _markdown(text: str, c: Citation, a: Archive, note: str) -> tuple[int, str]:
    if c.context is Context.REFERENCE:
        raise _CannotFix("a reference definition cannot hold more text")
    s, e = _find_url(text, c)
    if s >= 2 and text[s - 2:s] == "](":  # [text](url "title")
        close = text.find(")", e)
        return (close + 1 if close >= 0 else e), note
    if s >= 1 and text[s - 1] == "<" and text[e:e + 1] == ">":  # <autolink>
        return e + 1, note
    return e, note


_TAG_END = re.compile(r"""(?:[^>"']|"[^"]*"|'[^']*')*>""")


def _html(text: str, c: Citation, a: Archive) -> tuple[int, str]:
    forms = (c.original.replace("&", "&amp;"),)
    s, e = _find_url(text, c, forms)
    tag_start = text.rfind("<", 0, s)
    is_href = c.context is not Context.BARE and tag_start >= 0 and text[tag_start + 1:tag_start + 2] in "aA" \
        and ">" not in text[tag_start:s]
    if is_href:
        m = _TAG_END.match(text, tag_start + 2)
        if not m:
            raise _CannotFix("cannot find the end of the <a> tag")
        tag = text[tag_start:m.end()]
        if "data-versionurl" in tag.lower():
            raise _CannotFix("already archived")
        end = m.end() - 1
        if text[end - 1] == "/":
            end -= 1
        return end, f' data-versionurl="{_attr(a.url)}" data-versiondate="{a.date}"'
    if c.context is Context.BARE:
        if "data-originalurl=" in text[e:e + 400] and _attr(c.original) in text[e:e + 400]:
            raise _CannotFix("already archived")
        return e, (f' <a href="{_attr(a.url)}" data-originalurl="{_attr(c.original)}" '
                   f'data-versiondate="{a.date}">[archived]</a>')
    raise _CannotFix("a cite attribute cannot carry an archive link")


def _attr(s: str) -> str:
    return s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def _wikitext(text: str, c: Citation, a: Archive) -> tuple[int, str]:
    s, e = _find_url(text, c)
    if c.context in (Context.REFERENCE, Context.FOOTNOTE):
        start = text.rfind("{{", 0, s)
        if start >= 0 and "}}" not in text[start:s] and re.match(r"\{\{\s*[Cc]it", text[start:start + 12]):
            depth, i = 0, start
            while i < len(text) - 1:
                pair = text[i:i + 2]
                if pair == "{{":
                    depth, i = depth + 1, i + 2
                    continue
                if pair == "}}":
                    depth -= 1
                    if depth == 0:
                        status = "dead" if a.dead else "live"
                        return i, f" |archive-url={a.url} |archive-date={a.date} |url-status={status}"
                    i += 2
                    continue
                i += 1
            raise _CannotFix("unclosed citation template")
    opened = text.rfind("{{", 0, s)
    if opened >= 0 and text.rfind("}}", opened, s) < 0:
        raise _CannotFix("the link is inside a template")
    end = e
    if s >= 1 and text[s - 1] == "[":
        close = text.find("]", e)
        end = close + 1 if close >= 0 else e
    return end, f" {{{{webarchive |url={a.url} |date={a.date}}}}}"


def _latex(text: str, c: Citation, a: Archive, note: str) -> tuple[int, str]:
    s, _e = _find_url(text, c, (c.original.replace("#", "\\#").replace("%", "\\%").replace("_", "\\_"),))
    brace = text.rfind("{", 0, s + 1)
    end = group_end(text, brace)
    cmd_start = text.rfind("\\", 0, brace)
    if text[cmd_start:brace].rstrip().startswith("\\href"):
        j = end
        while j < len(text) and text[j] in " \t":
            j += 1
        if text[j:j + 1] == "{":
            end = group_end(text, j)
    return end, note


def _bibtex(text: str, c: Citation, a: Archive, style: str) -> tuple[int, str]:
    ls, _le = _line_span(text, c.line)
    at = text.rfind("@", 0, ls + 1)
    brace = text.find("{", at)
    if at < 0 or brace < 0:
        raise _CannotFix("cannot find the BibTeX entry")
    end = group_end(text, brace) - 1  # the closing brace
    body = text[brace:end]
    if re.search(r"\barchive-?url\s*=", body, re.IGNORECASE) or "web.archive.org" in body:
        raise _CannotFix("already archived")
    nl = "\r\n" if "\r\n" in text else "\n"
    j = end
    while j > brace and text[j - 1] in " \t\r\n":
        j -= 1
    sep = "" if text[j - 1] == "," else ","
    if style == "note":
        return j, f"{sep}{nl}  note = {{Archived at \\url{{{a.url}}} on {a.date}}}"
    return j, f"{sep}{nl}  archiveurl = {{{a.url}}},{nl}  archivedate = {{{a.date}}}"
