"""Build small PDF and DOCX files for tests, from scratch (no office suite needed)."""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape, quoteattr


def make_pdf(pages: list[list[str]], links: dict[int, list[str]] | None = None) -> bytes:
    """A PDF whose page i shows the lines pages[i] (Helvetica) and has URI link annotations links[i]."""
    links = links or {}
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    pages_id = len(objects) + 1 + 0  # reserved below
    objects.append(b"")  # placeholder for /Pages
    kids = []
    for i, lines in enumerate(pages):
        ops = [b"BT /F1 10 Tf 14 TL 40 800 Td"]
        for line in lines:
            s = line.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
            ops.append(b"(" + s + b") Tj T*")
        ops.append(b"ET")
        stream = b"\n".join(ops)
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        annots = []
        for j, uri in enumerate(links.get(i, [])):
            action = b"<< /S /URI /URI (" + uri.encode() + b") >>"
            annots.append(add(b"<< /Type /Annot /Subtype /Link /Rect [40 %d 300 %d] /Border [0 0 0] /A "
                              % (700 - 20 * j, 712 - 20 * j) + action + b" >>"))
        annot_refs = b" ".join(b"%d 0 R" % a for a in annots)
        page = add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                   b"/Resources << /Font << /F1 %d 0 R >> >> /Annots [%s] >>" % (pages_id, content, font, annot_refs))
        kids.append(page)
    objects[pages_id - 1] = (b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids)
                             + b"] /Count %d >>" % len(kids))
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref))
    return out.getvalue()


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ' \
     'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def _para(item: str | tuple[str, str, str], rels: list[str]) -> str:
    """A paragraph: plain text, or (before, (url, link text)...) as ("text", url, link_text)."""
    if isinstance(item, str):
        return f"<w:p><w:r><w:t xml:space=\"preserve\">{escape(item)}</w:t></w:r></w:p>"
    before, url, label = item
    rels.append(url)
    rid = f"rId{len(rels) + 10}"
    return (f"<w:p><w:r><w:t xml:space=\"preserve\">{escape(before)}</w:t></w:r>"
            f"<w:hyperlink r:id=\"{rid}\"><w:r><w:t>{escape(label)}</w:t></w:r></w:hyperlink></w:p>")


def _rels_xml(urls: list[str]) -> str:
    items = "".join(
        f'<Relationship Id="rId{i + 11}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/hyperlink" Target={quoteattr(u)} TargetMode="External"/>' for i, u in enumerate(urls))
    return ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
            f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{items}</Relationships>')


def make_docx(body: list, footnotes: list[list] | None = None) -> bytes:
    """A .docx with body paragraphs and footnotes (each a list of paragraphs), see `_para`."""
    body_rels: list[str] = []
    paras = "".join(_para(p, body_rels) for p in body)
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document {_W}><w:body>{paras}</w:body></w:document>'
    fn_rels: list[str] = []
    notes = ('<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
             '<w:footnote w:type="continuationSeparator" w:id="0"><w:p/></w:footnote>')
    for i, note in enumerate(footnotes or [], 1):
        notes += f'<w:footnote w:id="{i}">' + "".join(_para(p, fn_rels) for p in note) + "</w:footnote>"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("word/document.xml", document)
        z.writestr("word/_rels/document.xml.rels", _rels_xml(body_rels))
        if footnotes is not None:
            z.writestr("word/footnotes.xml", f'<?xml version="1.0" encoding="UTF-8"?><w:footnotes {_W}>{notes}'
                       "</w:footnotes>")
            z.writestr("word/_rels/footnotes.xml.rels", _rels_xml(fn_rels))
    return buf.getvalue()
