"""`linkguard fix`: golden results per format (byte-exact), encodings and line endings kept, idempotence,
documents edited between scan and fix, and the seed sample end to end against the fake Wayback Machine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE
from fake_wayback import FakeWayback

from linkguard.fix import Archive, fix_file
from linkguard.store import Store

W = "https://web.archive.org/web/20250601000000/"


def arch(*urls: str, dead: bool = True) -> dict[str, Archive]:
    return {u: Archive(W + u, "2025-06-01", dead) for u in urls}


def fixed(tmp_path: Path, name: str, content: bytes, archives: dict, **kw) -> tuple[bytes, object]:
    p = tmp_path / name
    p.write_bytes(content)
    result = fix_file(p, archives, **kw)
    return p.read_bytes(), result


GOLDEN = [
    ("doc.md",
     "Text [r](https://a.example/x) and <https://b.example/>.\n\n[^1]: Src, 22 May 2025, https://c.example/p.\n",
     ["https://a.example/x", "https://b.example/", "https://c.example/p"],
     f"Text [r](https://a.example/x) ([archived]({W}https://a.example/x) 2025-06-01) and <https://b.example/> "
     f"([archived]({W}https://b.example/) 2025-06-01).\n\n[^1]: Src, 22 May 2025, https://c.example/p "
     f"([archived]({W}https://c.example/p) 2025-06-01).\n"),
    ("doc.html",
     '<p><a class="x" href="https://a.example/?q=1&amp;r=2">a</a> see https://b.example/.</p>\n',
     ["https://a.example/?q=1&r=2", "https://b.example/"],
     f'<p><a class="x" href="https://a.example/?q=1&amp;r=2" data-versionurl="{W}https://a.example/?q=1&amp;r=2" '
     f'data-versiondate="2025-06-01">a</a> see https://b.example/ <a href="{W}https://b.example/" '
     f'data-originalurl="https://b.example/" data-versiondate="2025-06-01">[archived]</a>.</p>\n'),
    ("doc.wiki",
     "A<ref>{{cite web |url=https://a.example/ |title=T}}</ref> and [https://b.example/ B].\n",
     ["https://a.example/", "https://b.example/"],
     f"A<ref>{{{{cite web |url=https://a.example/ |title=T |archive-url={W}https://a.example/ "
     f"|archive-date=2025-06-01 |url-status=dead}}}}</ref> and [https://b.example/ B] "
     f"{{{{webarchive |url={W}https://b.example/ |date=2025-06-01}}}}.\n"),
    ("doc.rst",
     "See `a <https://a.example/>`_ and https://b.example/.\n",
     ["https://a.example/", "https://b.example/"],
     f"See `a <https://a.example/>`_ (`archived <{W}https://a.example/>`__ 2025-06-01) and https://b.example/ "
     f"(`archived <{W}https://b.example/>`__ 2025-06-01).\n"),
    ("doc.tex",
     "See \\href{https://a.example/}{a}.\\footnote{\\url{https://b.example/}.}\n",
     ["https://a.example/", "https://b.example/"],
     f"See \\href{{https://a.example/}}{{a}} (archived \\url{{{W}https://a.example/}}, 2025-06-01).\\footnote{{"
     f"\\url{{https://b.example/}} (archived \\url{{{W}https://b.example/}}, 2025-06-01).}}\n"),
    ("refs.bib",
     "@online{k,\n  title = {T},\n  url = {https://a.example/}\n}\n",
     ["https://a.example/"],
     f"@online{{k,\n  title = {{T}},\n  url = {{https://a.example/}},\n  archiveurl = {{{W}https://a.example/}},\n"
     f"  archivedate = {{2025-06-01}}\n}}\n"),
    ("doc.txt",
     "[1] Source, 22 May 2025, https://a.example/p. More.\n",
     ["https://a.example/p"],
     f"[1] Source, 22 May 2025, https://a.example/p [Archived: {W}https://a.example/p]. More.\n"),
]


@pytest.mark.parametrize(("name", "before", "urls", "after"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden(tmp_path: Path, name: str, before: str, urls: list[str], after: str) -> None:
    out, result = fixed(tmp_path, name, before.encode(), arch(*urls))
    assert out.decode() == after
    assert result.fixed == len(urls)
    again, second = fixed(tmp_path, name, out, arch(*urls))  # idempotent
    assert again == out and second.fixed == 0


def test_live_links_get_url_status_live(tmp_path: Path) -> None:
    live = arch("https://a.example/", dead=False)
    out, _ = fixed(tmp_path, "d.wiki", b"{{cite web |url=https://a.example/}}\n", live)
    assert b"|url-status=live}}" in out


def test_crlf_bom_and_cp1251_are_kept(tmp_path: Path) -> None:
    crlf = b"\xef\xbb\xbfLine one\r\n[1] Src, https://a.example/p\r\nEnd\r\n"
    out, _ = fixed(tmp_path, "a.txt", crlf, arch("https://a.example/p"))
    assert out == crlf.replace(b"https://a.example/p", f"https://a.example/p [Archived: {W}https://a.example/p]".encode())
    ru = "Источник: https://a.example/статья — проверено 22.05.2025\n" * 3
    out, _ = fixed(tmp_path, "ru.txt", ru.encode("cp1251"), arch("https://a.example/статья"))
    assert out.decode("cp1251").count("[Archived:") == 3 and out.startswith("Источник".encode("cp1251"))
    bib = b"@misc{k,\r\n  url = {https://a.example/},\r\n}\r\n"
    out, _ = fixed(tmp_path, "k.bib", bib, arch("https://a.example/"))
    assert out == (b"@misc{k,\r\n  url = {https://a.example/},\r\n  archiveurl = {" + (W + "https://a.example/").encode()
                   + b"},\r\n  archivedate = {2025-06-01}\r\n}\r\n")


def test_utf16_with_bom(tmp_path: Path) -> None:
    text = "[1] Src https://a.example/p\n"
    out, _ = fixed(tmp_path, "u.txt", text.encode("utf-16"), arch("https://a.example/p"))
    assert out[:2] == "\ufeff".encode("utf-16")[:2] and "[Archived:" in out.decode("utf-16")


def test_a_document_edited_between_scan_and_fix_is_patched_where_the_link_now_is(tmp_path: Path) -> None:
    p = tmp_path / "moved.md"
    p.write_text("[^1]: Src https://a.example/\n")
    # the scan happened on that text; now two paragraphs are added above the footnote
    p.write_text("New intro.\n\nMore.\n\n[^1]: Src https://a.example/\n")
    fix_file(p, arch("https://a.example/"))
    assert p.read_text() == ("New intro.\n\nMore.\n\n[^1]: Src https://a.example/ "
                             f"([archived]({W}https://a.example/) 2025-06-01)\n")


def test_a_source_cited_twice_and_adjacent_links(tmp_path: Path) -> None:
    text = "[1] A https://a.example/ and https://b.example/\n[2] Again https://a.example/\n"
    out, result = fixed(tmp_path, "t.txt", text.encode(), arch("https://a.example/", "https://b.example/"))
    assert result.fixed == 3 and out.decode().count(f"[Archived: {W}https://a.example/]") == 2
    assert f"https://a.example/ [Archived: {W}https://a.example/] and https://b.example/ [Archived: " in out.decode()


def test_links_without_a_snapshot_are_reported_never_invented(tmp_path: Path) -> None:
    out, result = fixed(tmp_path, "n.txt", b"[1] x https://none.example/\n", {"https://none.example/": None})
    assert out == b"[1] x https://none.example/\n" and result.skipped == {"no archived copy": 1}


def test_dry_run_prints_a_diff_and_changes_nothing(tmp_path: Path) -> None:
    out, result = fixed(tmp_path, "d.txt", b"[1] x https://a.example/\n", arch("https://a.example/"), dry_run=True)
    assert out == b"[1] x https://a.example/\n" and result.diff.startswith("---") and "+[1] x" in result.diff


def test_pdf_and_docx_are_listed_not_rewritten(tmp_path: Path) -> None:
    from docgen import make_docx

    p = tmp_path / "d.docx"
    data = make_docx(["Body https://a.example/ text"])
    p.write_bytes(data)
    result = fix_file(p, arch("https://a.example/"))
    assert p.read_bytes() == data and [a.url for _, a in result.paste] == [W + "https://a.example/"]


def test_the_seed_sample_end_to_end(tmp_path: Path) -> None:
    """check, then archive against the fake Wayback Machine, then fix --only all: each of the seven footnotes
    carries an archive link and nothing else in the file differs."""
    doc = tmp_path / "aras.txt"
    doc.write_bytes(SAMPLE.read_bytes())
    wayback = FakeWayback()
    try:
        env = {**os.environ, "LINKGUARD_WAYBACK_URL": wayback.base, "LINKGUARD_AVAILABILITY_URL": wayback.availability}
        from linkguard import extract_path

        cites = list(extract_path(doc))
        wayback.captures = {c.url: [("20250522120000", "200", "D")] for c in cites}
        run = lambda *a: subprocess.run([sys.executable, "-m", "linkguard", *a], cwd=tmp_path, env=env,  # noqa: E731
                                        capture_output=True, text=True, timeout=120)
        assert run("check", "aras.txt", "--offline").returncode == 0
        assert run("archive", "--only", "all").returncode == 0
        r = run("fix", "aras.txt", "--only", "all")
        assert r.returncode == 0, r.stderr
    finally:
        wayback.stop()
    after = doc.read_text(encoding="utf-8")
    footnotes = [line for line in after.splitlines() if line.startswith("| [")]
    assert len(footnotes) == 7 and all(f"[Archived: {wayback.base}/web/20250522120000/" in f for f in footnotes)
    import re

    assert re.sub(r" \[Archived: [^\]]+\]", "", after) == SAMPLE.read_text(encoding="utf-8")
    assert Store(tmp_path / "linkguard.db").db["snapshots"].count == 9


def test_styles(tmp_path: Path) -> None:
    out, _ = fixed(tmp_path, "s.md", b"[^1]: x https://a.example/\n", arch("https://a.example/"),
                   style={"markdown": " <{url}> (archived {date})"})
    assert out == f"[^1]: x https://a.example/ <{W}https://a.example/> (archived 2025-06-01)\n".encode()
    out, _ = fixed(tmp_path, "s.bib", b"@misc{k, url={https://a.example/}}\n", arch("https://a.example/"),
                   style={"bibtex": "note"})
    assert out == ("@misc{k, url={https://a.example/},\n  note = {Archived at \\url{" + W
                   + "https://a.example/} on 2025-06-01}}\n").encode()
