"""extract: documents in, citations out.

    extract_paths(paths) -> Iterator[Citation | InvalidLink | ExtractError | Skipped]

One module per format, each `extract(...) -> Iterator[RawLink]`; `FORMATS` is the registry. This module
turns RawLinks into Citations: it attaches web-archive copies written beside a citation to that citation,
canonicalizes, and sends what is not a usable URL to InvalidLink with the reason.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..canonical import InvalidURL, Rules, canonicalize, default_rules
from ..collect import iter_files, load
from ..models import Citation, Context, Document, ExtractError, ExtractItem, InvalidLink, RawLink, Skipped
from .archives import parse_archive_url


@dataclass(frozen=True)
class Options:
    base_url: str | None = None  # resolves relative links (HTML) when given
    rules: Rules | None = None  # tracking-parameter rules; the bundled ones by default
    exclude: tuple[str, ...] = ()  # gitignore-style globs, for directory walks


# format name -> module in this package; each module has `extract(text_or_document, ...)`.
FORMATS: dict[str, str] = {
    "markdown": "markdown",
    "html": "html",
    "text": "text",
    "pdf": "pdf",
    "latex": "latex",
    "bibtex": "bibtex",
    "wikitext": "wikitext",
    "rst": "rst",
    "docx": "docx",
}


def _extractor(fmt: str) -> Callable[..., Iterator[RawLink]]:
    mod = importlib.import_module(f"{__name__}.{FORMATS[fmt]}")  # lazy: a run pays only for its formats
    return mod.extract  # type: ignore[no-any-return]


def raw_links(doc: Document, options: Options = Options()) -> Iterator[RawLink]:
    """RawLinks of one loaded document, in document order."""
    fn = _extractor(doc.format)
    if doc.format in ("pdf", "docx"):
        return fn(doc.data)
    if doc.format == "html":
        return fn(doc.text, base_url=options.base_url)
    return fn(doc.text)


def extract_document(doc: Document, options: Options = Options()) -> Iterator[Citation | InvalidLink]:
    """Citations and invalid links of one loaded document."""
    return resolve(list(raw_links(doc, options)), str(doc.path), options.rules or default_rules())


def extract_text(text: str, fmt: str = "text", source: str = "<string>", options: Options = Options()
                 ) -> list[Citation | InvalidLink]:
    """Citations in a string of the given format (a convenience for embedding and tests)."""
    return list(extract_document(Document(Path(source), fmt, text=text), options))


def extract_paths(paths: Iterable[str | Path], options: Options = Options(),
                  read: list[str] | None = None) -> Iterator[ExtractItem]:
    """Walk `paths` and yield every Citation, InvalidLink, ExtractError and Skipped, file by file.

    Streaming: one document is in memory at a time. A file that cannot be read or parsed is an
    ExtractError and the walk goes on. `read`, when given, collects the path of every file read (with or
    without links), so that a store can drop citations that left those files.
    """
    for item in iter_files(paths, options.exclude):
        if isinstance(item, ExtractError):
            yield item
            continue
        doc = load(item)
        if read is not None and isinstance(doc, Document):
            read.append(str(item))
        if isinstance(doc, ExtractError | Skipped):
            yield doc
            continue
        try:
            results = list(extract_document(doc, options))
        except Exception as e:  # a parser choking on one hostile file must not end the run
            yield ExtractError(str(item), f"cannot parse as {doc.format}: {type(e).__name__}: {e}")
            continue
        yield from results


def extract_path(path: str | Path, options: Options = Options()) -> Iterator[Citation]:
    """The Citations of one file or directory (invalid links and errors left out)."""
    for item in extract_paths([path], options):
        if isinstance(item, Citation):
            yield item


def resolve(raws: Sequence[RawLink], source: str, rules: Rules) -> Iterator[Citation | InvalidLink]:
    """Attach archive copies to their citations, canonicalize, split valid from invalid."""
    bare = (Context.BARE, Context.FOOTNOTE)
    for raw in attach_archives(raws, rules):
        if raw.invalid_reason is None:
            original = raw.original
            try:  # a bare `www.example.org/...` in prose means `http://www...` (as GFM autolinks it)
                url = canonicalize("http://" + original if original[:4].lower() == "www." and raw.context in bare
                                   else original, rules)
            except InvalidURL as e:
                yield _invalid(raw, source, str(e))
                continue
            # positional: this runs once per link, and keywords cost a third more
            yield Citation(url, original, source, raw.line, raw.context, raw.label, raw.accessed, raw.date_kind,
                           raw.title, raw.archived_url, raw.archived_at, raw.column, raw.unit)
        else:
            yield _invalid(raw, source, raw.invalid_reason)


def _invalid(raw: RawLink, source: str, reason: str) -> InvalidLink:
    return InvalidLink(raw.original, source, raw.line, reason, raw.label, raw.unit)


def _key(url: str, rules: Rules) -> str | None:
    try:
        return canonicalize(url, rules)
    except InvalidURL:
        return None


def attach_archives(raws: Sequence[RawLink], rules: Rules) -> list[RawLink]:
    """A web-archive URL written beside a citation becomes that citation's `archived_url`.

    Within one citation (same `group`), an archive URL attaches to the link whose URL it embeds, or to
    the only other link. Alone, an archive URL that embeds its original becomes a citation of the
    original with the archive copy recorded; a short one (archive.ph/abcd, perma.cc) stays a link.
    """
    out = list(raws)
    refs = {i: parse_archive_url(r.original) for i, r in enumerate(out) if r.invalid_reason is None}
    archive_idx = [i for i, ref in refs.items() if ref is not None]
    if not archive_idx:
        return out
    drop: set[int] = set()
    for i in archive_idx:
        ref = refs[i]
        assert ref is not None
        raw = out[i]
        partners = [j for j, r in enumerate(out) if j not in drop and refs.get(j) is None
                    and r.invalid_reason is None and r.group is not None and r.group == raw.group]
        target = None
        if ref.original:
            want = _key(ref.original, rules)
            target = next((j for j in partners if _key(out[j].original, rules) == want), None)
        if target is None and len(partners) == 1:
            target = partners[0]
        if target is not None:
            if out[target].archived_url is None:
                out[target] = replace(out[target], archived_url=raw.original, archived_at=ref.captured)
            drop.add(i)
        elif ref.original:
            out[i] = replace(raw, original=ref.original, archived_url=raw.original, archived_at=ref.captured)
    return [r for i, r in enumerate(out) if i not in drop]
