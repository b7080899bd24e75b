r"""reStructuredText, read line by line with the markup rules that matter for links.

- `.. [1] …`, `.. [#] …`, `.. [#label] …`, `.. [*] …` footnotes and `.. [CIT2002] …` citations, with their
  indented continuation lines: links inside are `footnote` citations with that label (auto-numbered `#`
  and `*` footnotes get their number in order of appearance) and the footnote's dates.
- `.. _name: URL` hyperlink targets (the URL may continue on indented lines) are `reference`.
- `` `text <URL>`_ `` and `` `text <URL>`__ `` are `inline` with `text` as title; standalone URLs `bare`.
- Nothing in literal blocks (after `::`, `.. code-block::`, `.. code::`, `.. sourcecode::`,
  `.. literalinclude::`, `.. highlight::`, `.. parsed-literal::`), in ``inline literals``, or comments.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..models import Context, RawLink
from .dates import citation_date, describe
from .urls import classify_dest, find_urls

_FOOTNOTE = re.compile(r"^\.\.\s+\[(?P<label>#?[\w.-]*|\*)\]\s+")
_TARGET = re.compile(r"^\.\.\s+_(?P<name>`[^`]+`|[^:]+):\s*(?P<url>.*)$")
_LITERAL_DIRECTIVE = re.compile(r"^\.\.\s+(?:code-block|code|sourcecode|literalinclude|highlight|parsed-literal|"
                                r"math|raw)::")
_COMMENT = re.compile(r"^\.\.(?:\s|$)(?!\s*\[)(?!\s*_)(?!\s*[\w-]+::)(?!\s*\|)")
_EMBEDDED = re.compile(r"`(?P<text>[^`<]*?)\s*<(?P<url>[^`>]+)>`__?")
_INLINE_LITERAL = re.compile(r"``.+?``")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group())


def extract(text: str) -> Iterator[RawLink]:
    lines = text.splitlines()
    n = len(lines)
    manual = {int(m.group(1)) for m in re.finditer(r"^\s*\.\.\s+\[(\d+)\]", text, re.MULTILINE)}
    auto = 0
    i = 0
    literal_after: int | None = None  # indentation of the paragraph that opened a literal block
    while i < n:
        line = lines[i]
        stripped = line.strip()
        ind = _indent(line)
        if literal_after is not None:
            if stripped and ind <= literal_after:
                literal_after = None
            else:
                i += 1
                continue
        if not stripped:
            i += 1
            continue
        body_start = stripped.startswith("..")
        if body_start and (_LITERAL_DIRECTIVE.match(stripped) or _COMMENT.match(stripped)):
            literal_after = ind
            i += 1
            continue
        # a block = this line and its indented continuation
        j = i + 1
        if body_start:
            while j < n and (not lines[j].strip() or _indent(lines[j]) > ind):
                j += 1
            while j > i + 1 and not lines[j - 1].strip():
                j -= 1
        fm = _FOOTNOTE.match(stripped) if body_start else None
        tm = _TARGET.match(stripped) if body_start and not fm else None
        if fm:
            label = fm.group("label")
            if label in ("#", "*") or not label:  # auto-numbered: the next number no manual footnote has
                auto += 1
                while auto in manual:
                    auto += 1
                label = str(auto)
            elif label.startswith("#"):
                label = label[1:]
            yield from _block(lines, i, j, Context.FOOTNOTE, label)
        elif tm:
            url = "".join([tm.group("url").strip(), *(lines[k].strip() for k in range(i + 1, j))])
            verdict = classify_dest(url)
            if verdict != "" and not url.endswith("_"):  # `.. _a: b_` is an alias of another target
                name = tm.group("name").strip("`")
                acc, kind = citation_date(" ".join(lines[i:j]))
                yield RawLink(url, i + 1, Context.REFERENCE, label=name, accessed=acc, date_kind=kind,
                              column=line.find(tm.group("url").strip()) + 1 if tm.group("url").strip() else None,
                              group=f"target:{i}", invalid_reason=verdict)
        else:
            yield from _block(lines, i, j, None, None)
        if stripped.endswith("::") and not body_start:
            literal_after = ind
        i = j


def _block(lines: list[str], i: int, j: int, ctx: Context | None, label: str | None) -> Iterator[RawLink]:
    """Links in lines[i:j]; with a label, they share the block's dates as one footnote."""
    found: list[tuple[RawLink, int, int]] = []
    offsets: list[int] = []
    pos = 0
    for k in range(i, j):
        offsets.append(pos)
        pos += len(lines[k]) + 1
    body = "\n".join(lines[i:j])
    masked = _INLINE_LITERAL.sub(_blank, body)
    for m in _EMBEDDED.finditer(masked):
        url = m.group("url").strip()
        verdict = classify_dest(url)
        if verdict == "":
            continue
        found.append((RawLink(url, 0, Context.INLINE, title=m.group("text").strip() or None,
                              invalid_reason=verdict), m.start("url"), m.end("url")))
    masked = _EMBEDDED.sub(_blank, masked)
    for f in find_urls(masked):
        found.append((RawLink(f.text, 0, Context.BARE, invalid_reason=f.problem), f.start, f.end))
    found.sort(key=lambda t: t[1])
    if label is not None:  # the footnote's own marker is not part of its title
        marker = re.match(r"^\s*\.\.\s+\[[^\]]*\]", body)
        plain = " " * marker.end() + body[marker.end():] if marker else body
        described = describe(plain, [(s, e) for _, s, e in found])
    else:
        described = [(None, None, None)] * len(found)
    for (raw, s, _e), (acc, kind, before) in zip(found, described, strict=True):
        k = max(idx for idx, off in enumerate(offsets) if off <= s)
        title = raw.title or before
        yield RawLink(raw.original, i + k + 1, ctx or raw.context, label=label, title=title, accessed=acc,
                      date_kind=kind, column=s - offsets[k] + 1,
                      group=f"fn:{i}" if label is not None else f"line:{i + k}", invalid_reason=raw.invalid_reason)

