"""TeX's brace groups, shared by the LaTeX and BibTeX extractors."""

from __future__ import annotations


def group_end(text: str, start: int, quote: str | None = None) -> int:
    """Offset just past the group that starts at `start`: the `}` matching the `{` there or, with `quote`
    (BibTeX's `"…"` values), the next `quote` outside braces. Backslash escapes are skipped. An unclosed
    group runs to the end of the text."""
    depth = 0
    i = start + (1 if quote else 0)
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0 and quote is None:
                return i + 1
        elif c == quote and depth == 0:
            return i + 1
        i += 1
    return n
