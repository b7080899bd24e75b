"""One test module for every format's extractor, on local documents in tests/fixtures/ (expected values inline).

Extraction only: no URL in these fixtures (Wayback ones included) is ever fetched.
"""

from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES, by_url, invalid
from docgen import make_docx, make_pdf

from linkguard import Context, DateKind, Options, Unit, extract_paths, extract_text


def run(name: str, **kw):
    return list(extract_paths([FIXTURES / name], Options(**kw)))


# --- plain text ---------------------------------------------------------------------------------------------------
def test_text_footnote_table_numbered_lines_and_bare_urls() -> None:
    items = run("footnotes.txt")
    links = by_url(items)
    wiki = links["https://en.wikipedia.org/wiki/Aras_(river)"]
    assert (wiki.line, wiki.context, wiki.label) == (3, Context.BARE, None)
    row = links["https://mod.gov.az/az/news/x-54772.html"]
    assert (row.line, row.label, row.accessed, row.date_kind) == (6, "1", "2025-05-22", DateKind.CITED)
    assert row.title == "Araz-2025 birgə təliminin açılış mərasimi keçirilib"
    assert links["https://tr.mehrnews.com/news/1"].original.endswith("?utm_source=chatgpt.com")
    one = links["https://numbered.example/one"]
    assert (one.label, one.accessed, one.title) == ("1", "2025-05-22", 'Doe, J., "A Title," Site')
    two = links["https://numbered.example/two"]
    assert (two.label, two.accessed, two.date_kind) == ("2", "2025-08-20", DateKind.ACCESSED)
    retrieved = links["https://retrieved.example/page"]
    assert (retrieved.accessed, retrieved.date_kind) == ("2025-05-22", DateKind.ACCESSED)
    assert links["http://www.example.net/path"].original == "www.example.net/path"
    assert "https://quoted.example/q" in links and "https://example.org/a" in links


def test_text_joins_url_broken_by_pdf_conversion() -> None:
    links = by_url(run("footnotes.txt"))
    joined = links["https://az.sputniknews.ru/20250521/politika-balansa-pochemu-ucheniya-471383678.html"]
    assert (joined.line, joined.label, joined.accessed) == (15, "3", "2025-05-22")


def test_text_does_not_join_prose_after_a_url() -> None:
    items = extract_text("See https://example.org/news/\nThis is the next sentence.\n")
    assert [c.url for c in items] == ["https://example.org/news/"]
    items = extract_text("Slug https://example.org/a-very-long-\ntitle-of-page\n")
    assert [c.url for c in items] == ["https://example.org/a-very-long-title-of-page"]
    items = extract_text("End https://example.org/a.\nreport.html is a file\n")
    assert [c.url for c in items] == ["https://example.org/a"]


def test_text_invalid_links_are_kept_with_reasons() -> None:
    bad = invalid(run("footnotes.txt"))
    assert set(bad) == {"fttps://www.facebook.com/avr", "http//missing-colon.example/", "www.",
                        "https:/one-slash.example/"}
    assert all(b.line == 18 for b in bad.values())
    assert "typo" in bad["fttps://www.facebook.com/avr"].reason


def test_text_archive_copy_beside_a_citation_attaches_to_it() -> None:
    story = by_url(run("footnotes.txt"))["https://example.com/story"]
    assert story.archived_url == "https://web.archive.org/web/20240101000000/https://example.com/story"
    assert story.archived_at == "2024-01-01"
    assert not any("web.archive.org" in c.url for c in by_url(run("footnotes.txt")).values())


def test_archive_url_alone_becomes_a_citation_of_its_original() -> None:
    [c] = extract_text("[1] Gone page, https://web.archive.org/web/20200102030405id_/http://gone.example/p\n")
    assert (c.url, c.archived_url, c.archived_at) == (
        "http://gone.example/p", "https://web.archive.org/web/20200102030405id_/http://gone.example/p", "2020-01-02")
    [c] = extract_text("[1] Saved https://example.org/x https://archive.ph/2024.01.02-030405/https://example.org/x\n")
    assert (c.url, c.archived_at) == ("https://example.org/x", "2024-01-02")
    [c] = extract_text("[2] Only https://example.org/y and its copy https://perma.cc/ABCD-1234\n")
    assert c.archived_url == "https://perma.cc/ABCD-1234" and c.archived_at is None


# --- Markdown -----------------------------------------------------------------------------------------------------
def test_markdown() -> None:
    items = run("footnotes.md")
    links = by_url(items)
    assert links["https://bare.example/x"].context == Context.BARE
    inline = links["https://in.example/a"]
    assert (inline.context, inline.title, inline.line) == (Context.INLINE, "link", 3)
    assert links["https://img.example/i.png"].context == Context.INLINE
    assert links["https://auto.example/"].line == 4
    fn = links["https://fn.example/a"]
    assert (fn.context, fn.label, fn.line, fn.accessed, fn.date_kind) == (
        Context.FOOTNOTE, "1", 11, "2025-05-22", DateKind.CITED)
    fn2 = links["https://fn2.example/"]  # second line of a multi-line footnote, with its archive copy
    assert (fn2.label, fn2.line, fn2.accessed, fn2.date_kind) == ("1", 12, "2025-06-02", DateKind.ACCESSED)
    assert fn2.archived_url == "https://web.archive.org/web/20250601000000/https://fn2.example/"
    gone = links["http://gone.example/page"]
    assert (gone.label, gone.archived_at) == ("note", "2024-01-01")
    ref = links["https://ref.example/p"]
    assert (ref.context, ref.label, ref.line, ref.accessed) == (Context.REFERENCE, "r1", 8, "2025-06-03")
    assert links["https://unused.example/"].context == Context.REFERENCE
    assert links["https://list.example/report"].accessed == "2024-04-04"
    for absent in ("https://code.example/", "https://fenced.example/", "https://indented.example/"):
        assert absent not in links
    assert not any(u.startswith("mailto") or "about" in u for u in links)
    assert set(invalid(items)) == {"http//broken.example", "www.nohost"}
    # the reference link [ref][r1] is counted once, at its definition
    assert sum(1 for c in items if getattr(c, "url", None) == "https://ref.example/p") == 1


def test_markdown_lines_after_multibyte_text() -> None:
    text = "# Başlık\n\nİlk paragraf. Ünlü söz.\n\n[^1]: Kaynak, 22 May 2025, https://tr.example/ö\n\nSon [x](https://z.example/).\n"
    links = by_url(extract_text(text, "markdown"))
    assert links["https://tr.example/ö"].line == 5
    assert links["https://z.example/"].line == 7


# --- HTML ---------------------------------------------------------------------------------------------------------
def test_html() -> None:
    items = run("footnotes.html", base_url="https://site.example/docs/")
    links = by_url(items)
    a = links["https://in.example/a?x=1&b=2"]  # &amp; decoded, utm_source stripped
    assert (a.original, a.title, a.line, a.context) == (
        "https://in.example/a?x=1&utm_source=y&b=2", "the report", 4, Context.INLINE)
    assert links["https://bare.example/p"].context == Context.BARE
    assert links["https://site.example/rel"].line == 5
    assert links["https://cite.example/q"].context == Context.REFERENCE
    one = links["https://fn.example/one"]
    assert (one.context, one.label, one.accessed, one.date_kind, one.line) == (
        Context.FOOTNOTE, "1", "2025-06-01", DateKind.ACCESSED, 11)
    two = links["https://fn.example/two"]
    assert (two.label, two.accessed, two.archived_at) == ("two", "2025-06-03", "2025-06-03")
    assert "https://script.example/" not in links and "https://code.example/" not in links
    assert links["https://bücher.example/"].original in ("https://xn--bcher-kva.example/", "https://BÜCHER.example/")
    assert set(invalid(items)) == {"fttps://typo.example/"}


def test_html_relative_links_need_a_base_url() -> None:
    assert not by_url(run("footnotes.html")).get("https://site.example/rel")


def test_html_line_numbers_beyond_65535() -> None:
    html = "<p>x</p>\n" * 70000 + '<p><a href="https://far.example/?a=1&amp;b=2">far</a> https://far-bare.example/</p>\n'
    links = by_url(extract_text(html, "html"))
    assert links["https://far.example/?a=1&b=2"].line == 70001
    assert links["https://far-bare.example/"].line == 70001


def test_html_escaped_markup_is_text_not_markup() -> None:
    html = '<p>&lt;a href="https://not-a-link.example/"&gt; and <a href="https://real.example/">r</a></p>'
    links = by_url(extract_text(html, "html"))
    assert set(links) == {"https://not-a-link.example/", "https://real.example/"}
    assert links["https://not-a-link.example/"].context == Context.BARE


def test_html_bare_www_urls_are_found_however_they_are_written() -> None:
    """The text scan skips the `www.` test when the source cannot contain it; these documents can."""
    for html in ('<p>See www.plain.example/page and <a href="#fn1">1</a></p>',
                 "<p>See &#119;ww.plain.example/page.</p>",  # spelt with a character reference
                 "<p>See WWW.PLAIN.EXAMPLE/page.</p>"):
        links = by_url(extract_text(html, "html"))
        assert list(links) == ["http://www.plain.example/page"], html
        assert links["http://www.plain.example/page"].context == Context.BARE
    assert list(by_url(extract_text("<p>Only https://slash.example/x here.</p>", "html"))) == [
        "https://slash.example/x"]


# --- LaTeX / BibTeX -----------------------------------------------------------------------------------------------
def test_latex() -> None:
    links = by_url(run("paper.tex"))
    assert set(links) == {"https://in.example/a_b#sec", "https://tr.example/%C4%B0ran", "https://fn.example/one",
                          "https://fn.example/two"}
    assert links["https://in.example/a_b#sec"].title == "the report"
    one = links["https://fn.example/one"]
    assert (one.context, one.label, one.line, one.accessed) == (Context.FOOTNOTE, "1", 6, "2025-06-01")
    two = links["https://fn.example/two"]
    assert (two.label, two.accessed, two.archived_at) == ("2", "2025-06-03", "2025-06-03")


def test_bibtex() -> None:
    links = by_url(run("refs.bib"))
    mod = links["https://mod.gov.az/az/news/x-54772.html"]
    assert (mod.context, mod.label, mod.line, mod.accessed, mod.date_kind) == (
        Context.REFERENCE, "mod2025", 6, "2025-05-22", DateKind.ACCESSED)
    assert mod.title == "Araz-2025 birgə təliminin açılış mərasimi"
    assert mod.archived_url.startswith("https://web.archive.org/web/20250522000000/")
    how = links["https://how.example/p_q"]
    assert (how.label, how.accessed, how.title) == ("other", "2025-06-03", "Some thing")
    assert len(links) == 2


# --- wikitext / reStructuredText ---------------------------------------------------------------------------------
def test_wikitext() -> None:
    items = run("article.wiki")
    links = by_url(items)
    cite = links["https://x.example/a"]
    assert (cite.context, cite.label, cite.accessed, cite.date_kind, cite.title, cite.line) == (
        Context.FOOTNOTE, "a", "2025-05-22", DateKind.ACCESSED, "X t", 2)
    assert (cite.archived_url, cite.archived_at) == (
        "https://web.archive.org/web/20250523/https://x.example/a", "2025-05-23")
    assert (links["https://ext.example/"].context, links["https://ext.example/"].title) == (Context.INLINE, "label")
    assert links["https://bare.example/"].context == Context.BARE
    r = links["https://r.example/"]  # {{webarchive}} after a link in a <ref>
    assert (r.label, r.accessed, r.archived_at) == ("2", "2025-06-02", "2025-06-02")
    news = links["https://news.example/n"]
    assert (news.context, news.accessed, news.date_kind) == (Context.REFERENCE, "2024-03-01", DateKind.CITED)
    assert "https://official.example/" in links
    for absent in ("https://nowiki.example/", "https://comment.example/", "https://pre.example"):
        assert absent not in links
    assert set(invalid(items)) == {"fttps://typo.example/"}


def test_rst() -> None:
    links = by_url(run("notes.rst"))
    inline = links["https://in.example/a"]
    assert (inline.context, inline.title) == (Context.INLINE, "the report")
    assert links["https://anon.example/"].line == 5
    one = links["https://fn.example/one"]
    assert (one.label, one.accessed, one.date_kind, one.line) == ("1", "2025-06-01", DateKind.ACCESSED, 17)
    assert links["https://fn.example/two"].label == "2"  # auto-numbered, after the manual [1]
    assert links["https://fn.example/three"].label == "named"
    assert links["https://cit.example/"].label == "CIT2002"
    target = links["https://target.example/long/continued"]
    assert (target.context, target.label) == (Context.REFERENCE, "target")
    for absent in ("https://literal.example/", "https://literal-block.example/", "https://code.example/",
                   "https://comment.example/"):
        assert absent not in links


# --- PDF / DOCX ---------------------------------------------------------------------------------------------------
def test_pdf(tmp_path: Path) -> None:
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(make_pdf(
        [["Intro https://page1.example/a", "[1] Title, 22 May 2025, https://pdf.example/very-long-",
          "path-continues.html"], ["Page two https://p2.example/"]],
        {0: ["https://annot.example/x?utm_source=y", "https://page1.example/a"], 1: ["mailto:a@b.c"]}))
    items = list(extract_paths([pdf]))
    links = by_url(items)
    assert set(links) == {"https://page1.example/a", "https://pdf.example/very-long-path-continues.html",
                          "https://annot.example/x", "https://p2.example/"}
    assert all(c.unit == Unit.PAGE for c in links.values())
    assert links["https://p2.example/"].line == 2
    fn = links["https://pdf.example/very-long-path-continues.html"]
    assert (fn.line, fn.label, fn.accessed) == (1, "1", "2025-05-22")
    assert links["https://annot.example/x"].context == Context.INLINE
    assert sum(1 for c in items if getattr(c, "url", "") == "https://page1.example/a") == 1


def test_docx(tmp_path: Path) -> None:
    doc = tmp_path / "paper.docx"
    doc.write_bytes(make_docx(
        ["Body https://body.example/ text", ("See ", "https://link.example/?fbclid=1", "the link")],
        [["Author, Title, 22 May 2025, https://fn.example/one"],
         [("Second ", "https://fn.example/two", "Two"), "Accessed 3 June 2025."]]))
    links = by_url(extract_paths([doc]))
    assert links["https://body.example/"].line == 1
    link = links["https://link.example/"]
    assert (link.context, link.title) == (Context.INLINE, "the link")
    one = links["https://fn.example/one"]
    assert (one.context, one.label, one.accessed, one.unit) == (Context.FOOTNOTE, "1", "2025-05-22", Unit.PARAGRAPH)
    two = links["https://fn.example/two"]
    assert (two.label, two.accessed, two.date_kind, two.title) == ("2", "2025-06-03", DateKind.ACCESSED, "Two")
