"""linkguard: keep the sources behind footnotes alive.

The public API; everything else is private and may change.
"""

from __future__ import annotations

from .canonical import InvalidURL, Rules, canonicalize, load_rules, validate
from .extract import Options, extract_document, extract_path, extract_paths, extract_text
from .models import (
    CheckResult,
    Citation,
    Context,
    DateKind,
    Document,
    ExtractError,
    Hop,
    InvalidLink,
    Link,
    RawLink,
    Skipped,
    State,
    Unit,
    Verdict,
)

__version__ = "0.1.0"

__all__ = [
    "CheckResult",
    "Citation",
    "Context",
    "DateKind",
    "Document",
    "ExtractError",
    "Hop",
    "InvalidLink",
    "InvalidURL",
    "Link",
    "Options",
    "RawLink",
    "Rules",
    "Skipped",
    "State",
    "Unit",
    "Verdict",
    "__version__",
    "canonicalize",
    "extract_document",
    "extract_path",
    "extract_paths",
    "extract_text",
    "load_rules",
    "validate",
]


def __getattr__(name: str) -> object:
    """The check stage's API, imported on first use (aiohttp is heavy; extraction does not need it)."""
    if name in ("check_urls", "CheckOptions", "FetchOptions"):
        from . import check

        return getattr(check, name)
    if name in ("Store", "Freshness"):
        from . import store

        return getattr(store, name)
    raise AttributeError(name)
