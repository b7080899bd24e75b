from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
ROOT = HERE.parent
SAMPLE = ROOT / "examples" / "aras-2025-commentary.txt"
sys.path.insert(0, str(HERE))  # for docgen


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


def by_url(items):
    """{canonical url: citation} for the Citations among `items` (the last one wins on duplicates)."""
    from linkguard import Citation

    return {c.url: c for c in items if isinstance(c, Citation)}


def invalid(items):
    from linkguard import InvalidLink

    return {i.original: i for i in items if isinstance(i, InvalidLink)}


@pytest.fixture(scope="session")
def server():
    from servers import Server

    s = Server().start()
    yield s
    s.stop()


LOOPBACK_ONLY = ("127.0.0.1/32",)  # tests allow the test server's address, and nothing else private
