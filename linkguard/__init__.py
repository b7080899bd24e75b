"""linkguard: keep the sources behind footnotes alive.

The public API; everything else is private and may change.
"""

from __future__ import annotations

from .canonical import InvalidURL, Rules, canonicalize, load_rules, validate
from .extract import Options, extract_document, extract_path, extract_paths, extract_text
from .models import (
    Citation,
    Context,
    DateKind,
    Document,
    ExtractError,
    InvalidLink,
    Link,
    RawLink,
    Skipped,
    Unit,
)

__version__ = "0.1.0"

__all__ = [
    "Citation",
    "Context",
    "DateKind",
    "Document",
    "ExtractError",
    "InvalidLink",
    "InvalidURL",
    "Link",
    "Options",
    "RawLink",
    "Rules",
    "Skipped",
    "Unit",
    "__version__",
    "canonicalize",
    "extract_document",
    "extract_path",
    "extract_paths",
    "extract_text",
    "load_rules",
    "validate",
]
