"""Offsets to 1-based line numbers without indexing every line: counts newlines between queries."""

from __future__ import annotations

from typing import Generic, TypeVar

S = TypeVar("S", str, bytes)


class LineIndex(Generic[S]):
    """`line(offset)` for a str or bytes buffer. Cheap when queries come in (roughly) increasing order."""

    __slots__ = ("_buf", "_line", "_nl", "_pos")

    def __init__(self, buf: S) -> None:
        self._buf = buf
        self._nl: S = "\n" if isinstance(buf, str) else b"\n"  # type: ignore[assignment]
        self._pos = 0
        self._line = 1

    def line(self, offset: int) -> int:
        if offset >= self._pos:
            self._line += self._buf.count(self._nl, self._pos, offset)
        else:
            self._line -= self._buf.count(self._nl, offset, self._pos)
        self._pos = offset
        return self._line

    def column(self, offset: int) -> int:
        """1-based column (in characters of the buffer) of `offset`."""
        return offset - (self._buf.rfind(self._nl, 0, offset) + 1) + 1
