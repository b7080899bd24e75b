"""Walking directories, ignore files, formats, decoding, and bad input that must not stop a run."""

from __future__ import annotations

import os
from pathlib import Path

from linkguard import Citation, ExtractError, Options, Skipped, extract_paths
from linkguard.collect import decode, iter_files, load, sniff


def names(items) -> list[str]:
    return sorted(Path(i).name for i in items if isinstance(i, Path))


def test_walk_respects_gitignore_and_excludes(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("x")
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "d.md").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "keep.txt").write_text("x")
    (tmp_path / "sub" / "skip.log").write_text("x")
    (tmp_path / "sub" / ".gitignore").write_text("*.log\n")
    (tmp_path / ".gitignore").write_text("drafts/\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD.md").write_text("x")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "n.md").write_text("x")
    assert names(iter_files([tmp_path])) == ["a.md", "keep.txt"]
    assert names(iter_files([tmp_path], exclude=["sub/"])) == ["a.md"]
    assert names(iter_files([tmp_path], exclude=["*.md"])) == ["keep.txt"]
    # a file named explicitly is read even when ignored
    assert names(iter_files([tmp_path / "drafts" / "d.md"])) == ["d.md"]


def test_symlink_loop_ends(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "f.txt").write_text("https://example.org/")
    os.symlink(tmp_path, tmp_path / "d" / "loop")
    items = list(extract_paths([tmp_path]))
    assert [c.url for c in items if isinstance(c, Citation)] == ["https://example.org/"]


def test_missing_and_unreadable_files_are_errors_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("https://good.example/")
    os.symlink(tmp_path / "nowhere", tmp_path / "broken.md")
    items = list(extract_paths([tmp_path, tmp_path / "absent.md"]))
    errors = {Path(e.source).name: e.error for e in items if isinstance(e, ExtractError)}
    assert set(errors) == {"broken.md", "absent.md"}
    assert "cannot read" in errors["broken.md"] and "no such file" in errors["absent.md"]
    assert [c.url for c in items if isinstance(c, Citation)] == ["https://good.example/"]


def test_parser_failure_is_an_error_for_that_file_only(tmp_path: Path) -> None:
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 garbage that is not a pdf")
    (tmp_path / "bad.docx").write_bytes(b"PK\x03\x04 not a zip")
    (tmp_path / "ok.md").write_text("[a](https://ok.example/)")
    items = list(extract_paths([tmp_path]))
    assert sorted(Path(e.source).name for e in items if isinstance(e, ExtractError)) == ["bad.docx", "bad.pdf"]
    assert [c.url for c in items if isinstance(c, Citation)] == ["https://ok.example/"]


def test_binary_files_are_skipped_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "blob").write_bytes(b"\x00\x01\x02https://inside.example/\x00")
    items = list(extract_paths([tmp_path]))
    skipped = {Path(s.source).name: s.reason for s in items if isinstance(s, Skipped)}
    assert skipped == {"img.png": "binary file", "blob": "binary file"}


def test_encodings(tmp_path: Path) -> None:
    text = "Источник: https://ru.example/статья, доступ 22.05.2025 — проверено\n" * 3
    (tmp_path / "cp1251.txt").write_bytes(text.encode("cp1251"))
    (tmp_path / "utf16.txt").write_bytes(text.encode("utf-16"))
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    latin = "Café crème: https://fr.example/café, consulté le 22.05.2025. Très bien.\n" * 3
    (tmp_path / "latin1.txt").write_bytes(latin.encode("latin-1"))
    urls = {Path(c.source).name: c.url for c in extract_paths([tmp_path]) if isinstance(c, Citation)}
    assert urls == {"cp1251.txt": "https://ru.example/статья", "utf16.txt": "https://ru.example/статья",
                    "bom.txt": "https://ru.example/статья", "latin1.txt": "https://fr.example/café"}
    assert decode(text.encode("utf-16"))[1] == "utf-16"


def test_format_by_extension_then_content(tmp_path: Path) -> None:
    cases = {
        "page": b"<!doctype html><p><a href='https://h.example/'>x</a>",
        "notes": b"Text[^1].\n\n[^1]: Source https://m.example/\n",
        "refs": b"@misc{k, url={https://b.example/}}\n",
        "article": b"{{cite web|url=https://w.example/}}\n",
        "paper": b"\\documentclass{article}\\url{https://l.example/}",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    got = {load(tmp_path / n).format for n in cases}
    assert got == {"html", "markdown", "bibtex", "wikitext", "latex"}
    assert sniff(b"%PDF-1.7") == "pdf"
    assert sniff(b"plain words https://t.example/") == "text"
    urls = {c.url for c in extract_paths([tmp_path], Options()) if isinstance(c, Citation)}
    assert urls == {"https://h.example/", "https://m.example/", "https://b.example/", "https://w.example/",
                    "https://l.example/"}
