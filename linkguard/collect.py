"""Walk the input paths, honour ignore files and excludes, detect each file's format, decode its text.

Rules (see README, "Which files are read"):
- a file named on the command line is always read; directories are walked recursively, following
  symlinks but never entering a directory twice (symlink loops end);
- `.git`, `.hg`, `.svn`, `node_modules`, `__pycache__`, `.venv` are not entered; `.gitignore` and
  `.linkguardignore` files found while walking apply to their directory and below (gitignore syntax);
  `--exclude GLOB` patterns (gitignore syntax, matched against the path relative to the walked root) too;
- the format comes from the extension, and from the content when the extension says nothing;
- binary files are skipped with a note; text is decoded as UTF-8 (with or without BOM), UTF-16/32 with a
  BOM, or else by charset detection (cp1251, latin-1 ...).
"""

from __future__ import annotations

import codecs
import contextlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .models import Document, ExtractError, Skipped

EXTENSIONS = {
    ".md": "markdown", ".markdown": "markdown", ".mdown": "markdown", ".mkd": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".txt": "text", ".text": "text",
    ".pdf": "pdf",
    ".tex": "latex", ".latex": "latex", ".ltx": "latex",
    ".bib": "bibtex",
    ".wiki": "wikitext", ".mediawiki": "wikitext", ".wikitext": "wikitext",
    ".rst": "rst", ".rest": "rst",
    ".docx": "docx",
}
BINARY_FORMATS = frozenset({"pdf", "docx"})
# Known binary extensions are skipped without reading them.
_BINARY_EXT = frozenset((
    ".png .jpg .jpeg .gif .webp .ico .bmp .tif .tiff .zip .gz .tgz .bz2 .xz .7z .rar .tar .exe .dll .so "
    ".dylib .bin .class .jar .pyc .o .a .woff .woff2 .ttf .otf .eot .mp3 .mp4 .mov .avi .mkv .wav .flac "
    ".ogg .webm .sqlite .db .doc .xls .xlsx .ppt .pptx .odt .epub"
).split())
_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", ".tox", ".mypy_cache"})
_IGNORE_FILES = (".gitignore", ".linkguardignore")
MAX_FILE_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class _Ignore:
    base: Path
    spec: Any  # pathspec.GitIgnoreSpec (imported when a walk needs it)

    def matches(self, path: Path, is_dir: bool) -> bool:
        try:
            rel = path.relative_to(self.base).as_posix()
        except ValueError:
            return False
        return self.spec.match_file(rel + "/" if is_dir else rel)


def iter_files(paths: Iterable[str | Path], exclude: Iterable[str] = ()) -> Iterator[Path | ExtractError]:
    """Files to read, in a stable order; a path that does not exist is an ExtractError."""
    excl = list(exclude)
    for p in map(Path, paths):
        if p.is_dir():
            yield from _walk(p, excl)
        elif p.exists() or p.is_symlink():
            yield p
        else:
            yield ExtractError(str(p), "no such file or directory")


def _walk(root: Path, exclude: list[str]) -> Iterator[Path | ExtractError]:
    import pathspec

    seen: set[tuple[int, int]] = set()
    user = _Ignore(root, pathspec.GitIgnoreSpec.from_lines(exclude)) if exclude else None

    def walk(d: Path, ignores: tuple[_Ignore, ...]) -> Iterator[Path | ExtractError]:
        try:
            st = d.stat()
        except OSError as e:
            yield ExtractError(str(d), f"cannot open directory: {e.strerror or e}")
            return
        key = (st.st_dev, st.st_ino)
        if key in seen:
            return
        seen.add(key)
        local = list(ignores)
        for name in _IGNORE_FILES:
            f = d / name
            if f.is_file():
                with contextlib.suppress(OSError):
                    local.append(_Ignore(d, pathspec.GitIgnoreSpec.from_lines(
                        f.read_text(encoding="utf-8", errors="replace").splitlines())))
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as e:
            yield ExtractError(str(d), f"cannot list directory: {e.strerror or e}")
            return
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()  # follows symlinks
            except OSError:
                is_dir = False
            if is_dir and entry.name in _SKIP_DIRS:
                continue
            if any(i.matches(path, is_dir) for i in local) or (user and user.matches(path, is_dir)):
                continue
            if is_dir:
                yield from walk(path, tuple(local))
            elif entry.name in _IGNORE_FILES:
                continue
            else:
                yield path

    yield from walk(root, ())


def sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in head[:4096] or b"[Content_Types].xml" in head[:4096] else None
    if _looks_binary(head):
        return None
    text = head[:4096].decode("utf-8", errors="ignore").lstrip("\ufeff").lstrip().lower()
    if text.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in text or "<a href" in text:
        return "html"
    if text.startswith(("\\documentclass", "\\begin{", "\\section")) or "\\usepackage" in text:
        return "latex"
    if text.startswith("@") and any(k in text[:200] for k in ("@article", "@misc", "@book", "@online",
                                                              "@inproceedings", "@techreport", "@report")):
        return "bibtex"
    if "{{cite" in text or "<ref>" in text or "<ref name" in text or text.startswith(("== ", "'''")):
        return "wikitext"
    if ".. [" in text or ".. _" in text or ("\n====" in text and "`_" in text):
        return "rst"
    if "[^" in text or text.startswith("# ") or "](http" in text:
        return "markdown"
    return "text"


def _looks_binary(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return False
    return b"\x00" in head[:8192]


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding). Never raises: undecodable bytes become U+FFFD as a last resort."""
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # imported lazily: only non-UTF-8 input pays for it

    best = from_bytes(data[:65536], cp_isolation=None).best()
    enc = best.encoding if best is not None else "latin-1"
    try:
        return data.decode(enc), enc
    except (UnicodeDecodeError, LookupError):
        return data.decode("latin-1"), "latin-1"


def load(path: Path, forced_format: str | None = None) -> Document | ExtractError | Skipped:
    """Read one file into a Document; an unreadable file is an ExtractError, a binary one Skipped."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Skipped(str(path), f"larger than {MAX_FILE_BYTES // 2**20} MiB")
        if not path.is_file():
            return Skipped(str(path), "not a regular file")
        fmt = forced_format or EXTENSIONS.get(path.suffix.lower())
        if fmt is None and path.suffix.lower() in _BINARY_EXT:
            return Skipped(str(path), "binary file")
        data = path.read_bytes()
    except OSError as e:
        return ExtractError(str(path), f"cannot read: {e.strerror or e}")
    fmt = fmt or sniff(data[:8192])
    if fmt is None:
        return Skipped(str(path), "binary file")
    if fmt in BINARY_FORMATS:
        return Document(path, fmt, data=data)
    if _looks_binary(data[:8192]):
        return Skipped(str(path), "binary file")
    text, enc = decode(data)
    return Document(path, fmt, text=text, encoding=enc)
