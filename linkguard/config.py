"""Settings: defaults, then `[tool.linkguard]` in pyproject.toml or `linkguard.toml`, then the CLI.

Keys understood so far (unknown keys are reported, not silently ignored):

    exclude = ["drafts/**", "*.bak"]     # gitignore-style globs skipped when walking directories
    base_url = "https://example.org/"    # resolves relative links in HTML
    strip_params = ["ref_id", "xtor"]    # extra tracking parameters (names, or regexes)
    keep_params = ["ref"]                # parameters never stripped
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KNOWN_KEYS = frozenset({"exclude", "base_url", "strip_params", "keep_params"})


class ConfigError(ValueError):
    """A config file that cannot be read or holds a bad value."""


@dataclass(frozen=True)
class Config:
    exclude: tuple[str, ...] = ()
    base_url: str | None = None
    strip_params: tuple[str, ...] = ()
    keep_params: tuple[str, ...] = ()
    source: str | None = None  # the file it came from
    unknown: tuple[str, ...] = field(default=())


def find_config(start: Path | None = None) -> Path | None:
    """`linkguard.toml`, else a pyproject.toml with a [tool.linkguard] table, in `start` or its parents."""
    d = (start or Path.cwd()).resolve()
    for folder in (d, *d.parents):
        if (folder / "linkguard.toml").is_file():
            return folder / "linkguard.toml"
        pp = folder / "pyproject.toml"
        if pp.is_file():
            try:
                if "linkguard" in tomllib.loads(pp.read_text(encoding="utf-8")).get("tool", {}):
                    return pp
            except (OSError, tomllib.TOMLDecodeError):
                return None
            return None  # the project root: stop here
    return None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"cannot read {path}: {e.strerror or e}") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path} is not valid TOML: {e}") from e
    table: dict[str, Any] = data.get("tool", {}).get("linkguard", {}) if path.name == "pyproject.toml" else data
    return Config(
        exclude=_strings(table, "exclude", path),
        base_url=_string(table, "base_url", path),
        strip_params=_strings(table, "strip_params", path),
        keep_params=_strings(table, "keep_params", path),
        source=str(path),
        unknown=tuple(sorted(set(table) - KNOWN_KEYS)),
    )


def _strings(table: dict[str, Any], key: str, path: Path) -> tuple[str, ...]:
    v = table.get(key, [])
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ConfigError(f"{path}: '{key}' must be a list of strings")
    return tuple(v)


def _string(table: dict[str, Any], key: str, path: Path) -> str | None:
    v = table.get(key)
    if v is not None and not isinstance(v, str):
        raise ConfigError(f"{path}: '{key}' must be a string")
    return v
