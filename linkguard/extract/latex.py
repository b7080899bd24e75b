r"""LaTeX: `\url{...}`, `\href{url}{text}`, `\nolinkurl{...}`, and URLs in `\footnote{...}`.

- Links inside `\footnote{...}` (or `\footnotetext`, `\endnote`) are `footnote` citations labelled with the
  footnote's number in order of appearance; their dates come from the footnote's text.
- hyperref's escapes in `\href` (`\#`, `\%`, `\_`, `\&`, `\~`) are undone; `\url` takes its text verbatim.
- Comments (`%` to end of line) and verbatim environments (verbatim, lstlisting, minted, comment) are
  skipped. Bare URLs in running text are not read (they do not compile without `\url`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..models import Context, DateKind, RawLink
from .dates import describe
from .lines import LineIndex
from .tex import group_end
from .urls import classify_dest

_CMD = re.compile(r"\\(?P<cmd>url|nolinkurl|href|footnote|footnotetext|endnote)\*?\s*(?:\[[^\]]*\]\s*)?\{")
_VERBATIM = re.compile(r"\\begin\{(verbatim\*?|lstlisting|minted|comment|Verbatim)\}.*?\\end\{\1\}", re.DOTALL)
_INLINE_VERB = re.compile(r"\\(?:verb|lstinline)\*?(?P<d>[^\s\w{])(?:(?!(?P=d)).)*(?P=d)")
_ESCAPES = re.compile(r"\\([#%_&~$])")


def _mask(text: str) -> str:
    """Blank out comments and verbatim material, keeping every offset (and newline) in place."""
    def blank(m: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", m.group())

    text = _VERBATIM.sub(blank, text)
    text = _INLINE_VERB.sub(blank, text)
    out = []
    for line in text.split("\n"):
        i = 0
        while True:
            i = line.find("%", i)
            if i < 0:
                break
            if i > 0 and line[i - 1] == "\\":
                i += 1
                continue
            # a '%' inside \url{...} / \href{...} is part of the URL, not a comment
            opened = max(line.rfind("\\url{", 0, i), line.rfind("\\href{", 0, i), line.rfind("\\nolinkurl{", 0, i))
            if opened >= 0 and line.find("}", opened) > i:
                i += 1
                continue
            line = line[:i] + " " * (len(line) - i)
            break
        out.append(line)
    return "\n".join(out)


def extract(text: str) -> Iterator[RawLink]:
    masked = _mask(text)
    lines = LineIndex(masked)
    footnotes: list[tuple[int, int, str]] = []  # start, end, label
    links: list[tuple[int, int, str, str | None, str]] = []  # start, end, url, title, command
    n_fn = 0
    for m in _CMD.finditer(masked):
        cmd = m.group("cmd")
        brace = m.end() - 1
        end = group_end(masked, brace)
        arg = masked[brace + 1:end - 1]
        if cmd in ("footnote", "footnotetext", "endnote"):
            n_fn += 1
            footnotes.append((m.start(), end, str(n_fn)))
        elif cmd == "href":
            url = _ESCAPES.sub(r"\1", arg.strip())
            title = None
            j = end
            while j < len(masked) and masked[j] in " \t\n":
                j += 1
            if j < len(masked) and masked[j] == "{":
                tend = group_end(masked, j)
                title = re.sub(r"\s+", " ", masked[j + 1:tend - 1]).strip() or None
            links.append((brace + 1, end - 1, url, title, cmd))
        else:
            links.append((brace + 1, end - 1, arg.strip(), None, cmd))
    by_note: dict[int, list[tuple[int, int, str, str | None, str]]] = {}
    for link in links:
        owner = next((k for k, (s, e, _) in enumerate(footnotes) if s <= link[0] < e), None)
        if owner is None:
            raw = _raw(link, lines, Context.INLINE, None, (None, None), None, group=f"line:{lines.line(link[0])}")
            if raw is not None:
                yield raw
        else:
            by_note.setdefault(owner, []).append(link)
    for k, note_links in sorted(by_note.items()):
        s, e, label = footnotes[k]
        body = masked[s:e]
        spans = [(a - s, b - s) for a, b, *_ in note_links]
        plain = re.sub(r"\\\w+\*?|[{}]", lambda m: " " * len(m.group()), body)  # macros out, offsets kept
        for link, (acc, kind, before) in zip(note_links, describe(plain, spans), strict=True):
            raw = _raw(link, lines, Context.FOOTNOTE, label, (acc, kind), link[3] or before, group=f"fn:{s}")
            if raw is not None:
                yield raw


def _raw(link: tuple[int, int, str, str | None, str], lines: LineIndex[str], ctx: Context, label: str | None,
         dates: tuple[str | None, DateKind | None], title: str | None, group: str | None = None) -> RawLink | None:
    start, _end, url, link_title, _cmd = link
    verdict = classify_dest(url)
    if verdict == "":
        return None  # relative, mailto: ...
    acc, kind = dates
    return RawLink(url, lines.line(start), ctx, label=label, title=title or link_title, accessed=acc,
                   date_kind=kind, column=lines.column(start), group=group, invalid_reason=verdict)
