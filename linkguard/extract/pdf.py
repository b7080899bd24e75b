"""PDF through pypdf: link annotations and URLs in the text layer. `line` holds the page number.

The text layer of each page goes through the plain-text extractor (so footnote lines, tables and URLs
broken across lines are handled as in `.txt`); a link annotation whose URI the page's text already
shows is not counted twice. Encrypted PDFs are read when they open with an empty password.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace

from ..models import Context, RawLink, Unit
from . import text as text_extractor
from .urls import classify_dest


def extract(data: bytes) -> Iterator[RawLink]:
    from pypdf import PdfReader  # imported lazily: only runs with PDFs pay for it

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("encrypted PDF (needs a password)")
    for pno, page in enumerate(reader.pages, 1):
        try:
            page_text = page.extract_text() or ""
        except Exception:  # a broken content stream must not hide the page's annotations
            page_text = ""
        seen: set[str] = set()
        for raw in text_extractor.extract(page_text):
            seen.add(raw.original)
            yield replace(raw, line=pno, column=None, unit=Unit.PAGE, group=f"p{pno}:{raw.group}")
        for uri in _annotation_uris(page):
            if uri in seen:
                continue
            seen.add(uri)
            verdict = classify_dest(uri)
            if verdict != "":
                yield RawLink(uri, pno, Context.INLINE, unit=Unit.PAGE, group=f"p{pno}:annot",
                              invalid_reason=verdict)


def _annotation_uris(page: object) -> Iterator[str]:
    annots = page.get("/Annots")  # type: ignore[attr-defined]
    if annots is None:
        return
    for ref in annots.get_object():
        try:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            action = action.get_object() if action is not None else None
            if action is None or action.get("/S") != "/URI":
                continue
            uri = action.get("/URI")
        except Exception:
            continue
        if uri is None:
            continue
        value = uri.decode("utf-8", "replace") if isinstance(uri, bytes) else str(uri)
        value = value.strip()
        if value:
            yield value
