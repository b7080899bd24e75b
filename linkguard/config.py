"""Settings: defaults, then `[tool.linkguard]` in pyproject.toml or `linkguard.toml`, then the CLI.

Keys understood so far (unknown keys are reported, not silently ignored):

    exclude = ["drafts/**", "*.bak"]     # gitignore-style globs skipped when walking directories
    base_url = "https://example.org/"    # resolves relative links in HTML
    strip_params = ["ref_id", "xtor"]    # extra tracking parameters (names, or regexes)
    keep_params = ["ref"]                # parameters never stripped
    # check (README, "linkguard check")
    db = "linkguard.db"
    concurrency = 64
    per_host = 4
    per_host_rps = 2.0
    timeout = "20s"
    max_age = "7d"
    recheck_after = "12h"
    confirm_checks = 3
    confirm_days = 3
    allow_private = false
    allow_networks = ["10.20.0.0/16"]
    exclude_urls = ["^https://internal\\."]
    method = "head"                      # or "get"
    max_redirects = 10
    retries = 3
    user_agent = "..."
    fail_on = "rotten"
    [headers."example.org"]              # per-host headers / cookies for sites that need them
    Authorization = "Bearer ..."
    [cookies."example.org"]
    consent = "yes"
    [resolve]                            # host -> IP, like curl --resolve
    "docs.internal" = "10.20.0.5"
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KNOWN_KEYS = frozenset({
    "exclude", "base_url", "strip_params", "keep_params", "db", "concurrency", "per_host", "per_host_rps",
    "timeout", "max_age", "recheck_after", "confirm_checks", "confirm_days", "allow_private", "allow_networks",
    "exclude_urls", "method", "max_redirects", "retries", "user_agent", "fail_on", "headers", "cookies",
    "resolve", "wayback_url", "availability_url", "captures_per_minute", "jobs_in_flight", "lookup_concurrency",
    "max_age_days", "ia_access_key", "ia_secret_key", "anonymous_per_minute",
})
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$", re.IGNORECASE)
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(value: str | float | int) -> float:
    """Seconds from `90`, `90s`, `15m`, `12h`, `7d`, `2w`, `500ms`; ValueError otherwise."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    m = _DURATION.match(str(value))
    if not m:
        raise ValueError(f"not a duration: {value!r} (use e.g. 90s, 15m, 12h, 7d)")
    return float(m.group(1)) * _UNITS[(m.group(2) or "s").lower()]


class ConfigError(ValueError):
    """A config file that cannot be read or holds a bad value."""


@dataclass(frozen=True)
class Config:
    exclude: tuple[str, ...] = ()
    base_url: str | None = None
    strip_params: tuple[str, ...] = ()
    keep_params: tuple[str, ...] = ()
    check: dict[str, Any] = field(default_factory=dict)  # check settings, validated by the check command
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
        check=_check_table(table, path),
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


_CHECK_TYPES: dict[str, tuple[type, ...]] = {
    "db": (str,), "concurrency": (int,), "per_host": (int,), "per_host_rps": (int, float), "timeout": (str, int, float),
    "max_age": (str, int, float), "recheck_after": (str, int, float), "confirm_checks": (int,),
    "confirm_days": (int, float), "allow_private": (bool,), "allow_networks": (list,), "exclude_urls": (list,),
    "method": (str,), "max_redirects": (int,), "retries": (int,), "user_agent": (str,), "fail_on": (str,),
    "headers": (dict,), "cookies": (dict,), "resolve": (dict,), "wayback_url": (str,), "availability_url": (str,),
    "captures_per_minute": (int, float), "jobs_in_flight": (int,), "lookup_concurrency": (int,),
    "max_age_days": (int, float), "ia_access_key": (str,), "ia_secret_key": (str,),
    "anonymous_per_minute": (int, float),
}


def _check_table(table: dict[str, Any], path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, types in _CHECK_TYPES.items():
        if key not in table:
            continue
        value = table[key]
        if not isinstance(value, types) or (bool in types) != isinstance(value, bool):
            raise ConfigError(f"{path}: '{key}' has the wrong type ({type(value).__name__})")
        if key in ("timeout", "max_age", "recheck_after"):
            try:
                value = parse_duration(value)
            except ValueError as e:
                raise ConfigError(f"{path}: '{key}': {e}") from e
        out[key] = value
    return out
