"""One canonical form per cited URL, so the same source cited twice is checked and archived once.

Pure functions. What changes (see README, "Canonical URLs"):
- tracking parameters are removed, from the query and from a fragment that carries parameters;
  the rules come from ClearURLs' data (bundled, `data/clearurls.json`, version in `data/RULES.md`),
  linkguard's own list (`data/linkguard-rules.json`) and the user's config;
- the scheme and host are lowercased, a trailing dot and a default port are removed, an IDN host is
  written in its readable Unicode form whether the author wrote Unicode or punycode (so both compare equal);
- an empty path becomes `/`, and a `?` whose query emptied is dropped.
What never changes: percent-escapes (never decoded or re-encoded), the order and spelling of kept parameters,
`http` vs `https`, the path, the fragment (less tracking parameters), user info.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from urllib.parse import unquote

# RFC 3986, appendix B.
_URI_RE = re.compile(r"^(?P<scheme>[^:/?#]+):(?://(?P<authority>[^/?#]*))?(?P<path>[^?#]*)"
                     r"(?:\?(?P<query>[^#]*))?(?:#(?P<fragment>.*))?$", re.DOTALL)
_DEFAULT_PORTS = {"http": "80", "https": "443", "ftp": "21"}
_LABEL_RE = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)$")
_IPV4_RE = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
# ClearURLs' global rules that also match parameters which carry meaning in cited URLs; not applied
# (e.g. `?ref=main` on code hosts, `?mc=...` anywhere). Site-scoped rules of ClearURLs are applied as is.
_CLEARURLS_GLOBAL_SKIPPED = frozenset({"(?:%3F)?ref_?", "(?:%3F)?referrer", "(?:%3F)?[a-z]?mc"})


class InvalidURL(ValueError):
    """A string that is not a usable http(s) URL; the message says why."""


@dataclass(frozen=True, slots=True)
class Parts:
    scheme: str
    userinfo: str | None
    host: str
    port: str | None
    path: str
    query: str | None
    fragment: str | None

    def unsplit(self) -> str:
        out = [self.scheme, "://"]
        if self.userinfo is not None:
            out += [self.userinfo, "@"]
        out.append(self.host)
        if self.port:
            out += [":", self.port]
        out.append(self.path)
        if self.query is not None:
            out += ["?", self.query]
        if self.fragment is not None:
            out += ["#", self.fragment]
        return "".join(out)


def split(url: str) -> Parts:
    """Split an absolute http(s) URL without decoding anything; raise InvalidURL with a reason."""
    if not url or url != url.strip():
        raise InvalidURL("empty or surrounded by whitespace")
    if any(c in url for c in " \t\r\n\x00"):
        raise InvalidURL("contains whitespace or control characters")
    m = _URI_RE.match(url)
    if not m:
        if re.match(r"^https?//", url, re.IGNORECASE):
            raise InvalidURL("missing ':' after the scheme")
        raise InvalidURL("not an absolute URL (no scheme)")
    scheme = m.group("scheme").lower()
    if scheme not in ("http", "https"):
        raise InvalidURL(f"unsupported scheme '{m.group('scheme')}:' (only http and https are checked)")
    authority = m.group("authority")
    if authority is None:
        raise InvalidURL(f"'{m.group('scheme')}:' must be followed by '//' and a host")
    userinfo, _, hostport = authority.rpartition("@")
    if hostport.startswith("["):
        host, _, rest = hostport[1:].partition("]")
        if not re.fullmatch(r"[0-9A-Fa-f:.]+", host or "-"):
            raise InvalidURL("malformed IPv6 host")
        host = f"[{host.lower()}]"
        if rest and not rest.startswith(":"):
            raise InvalidURL("junk after the IPv6 host")
        port = rest[1:] if rest else None
    else:
        host, sep, port_s = hostport.partition(":")
        port = port_s if sep else None
        host = _check_host(host)
    if port is not None and port != "" and (not port.isdigit() or int(port) > 65535):
        raise InvalidURL(f"bad port '{port}'")
    return Parts(scheme, userinfo if "@" in authority else None, host, port, m.group("path"),
                 m.group("query"), m.group("fragment"))


def _check_host(host: str) -> str:
    h = host.rstrip(".").lower() if host not in (".", "") else ""
    if not h:
        raise InvalidURL("no host")
    if "%" in h:
        try:
            h = unquote(h, errors="strict")
        except UnicodeDecodeError as e:
            raise InvalidURL("undecodable percent-escapes in the host") from e
    if _IPV4_RE.match(h):
        if any(int(o) > 255 for o in h.split(".")):
            raise InvalidURL(f"bad IPv4 address '{host}'")
        return h
    labels = h.split(".")
    if len(h) > 253 or not all(_LABEL_RE.match(label) for label in labels):
        raise InvalidURL(f"bad host name '{host}'")
    if len(labels) == 1 and h != "localhost":
        raise InvalidURL(f"host '{host}' has no domain (no dot)")
    if labels[-1].isdigit():
        raise InvalidURL(f"bad host name '{host}'")
    return _readable_host(h)


@lru_cache(maxsize=4096)
def _readable_host(h: str) -> str:
    """Unicode form of an IDN host (from punycode or from mixed case Unicode); ASCII hosts unchanged."""
    if h.isascii() and "xn--" not in h:
        return h
    import idna  # imported on first IDN host: its tables are large

    try:
        return idna.decode(idna.encode(h, uts46=True))
    except idna.IDNAError:
        return h


def ascii_host(host: str) -> str:
    """The punycode (wire) form of a host, for connecting and for comparison with other tools."""
    if host.isascii():
        return host
    import idna

    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        return host


def validate(url: str) -> str | None:
    """None when `url` is a usable http(s) URL, else the reason it is not."""
    try:
        split(url)
    except InvalidURL as e:
        return str(e)
    return None


@dataclass(frozen=True)
class Provider:
    """A site's rules, compiled on first use (most runs meet few of ClearURLs' 160 sites)."""

    name: str
    url_patterns: tuple[str, ...]
    param_patterns: tuple[str, ...]
    exception_patterns: tuple[str, ...]

    @cached_property
    def url_pattern(self) -> re.Pattern[str]:
        return _alternation(self.url_patterns, anchored=True)

    @cached_property
    def params(self) -> re.Pattern[str]:
        return _alternation(self.param_patterns)

    @cached_property
    def exceptions(self) -> re.Pattern[str] | None:
        return _alternation(self.exception_patterns, anchored=True) if self.exception_patterns else None


def _required_literal(pattern: str) -> str | None:
    """The longest literal (3+ chars) that every URL matching `pattern` contains, when easy to prove.

    Only runs of plain characters (letters, digits, `_`, `-`, escaped `.` `/` `-`) outside any group count,
    and only when not followed by a quantifier; a pattern with `|` outside groups has none.
    """
    runs: list[str] = []
    cur: list[str] = []
    depth = 0
    i, n = (1 if pattern.startswith("^") else 0), len(pattern)

    def close(optional: bool) -> None:
        if optional and cur:
            cur.pop()
        if cur:
            runs.append("".join(cur))
        cur.clear()

    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            if pattern[i + 1] in "./-" and depth == 0:
                cur.append(pattern[i + 1])
            else:
                close(False)
            i += 2
            continue
        if c == "[":
            close(False)
            j = pattern.find("]", i + 2)
            i = n if j < 0 else j + 1
            continue
        if c in "?*{":
            close(True)
        elif c == "+" or c == "(" or c == ")" or c == "|" or c == "." or c == "^" or c == "$":
            close(False)
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif c == "|" and depth == 0:
                return None
        elif depth == 0 and (c.isalnum() or c in "_-"):
            cur.append(c.lower())
        else:
            close(False)
        i += 1
    close(False)
    runs = [r for r in runs if len(r) >= 3 and r not in ("http", "https")]
    return max(runs, key=len) if runs else None


@dataclass(frozen=True)
class Exceptions:
    """URL patterns exempt from the global rules. Most require a literal (a site name) that a few substring
    tests rule out, so the full patterns rarely run. Literals that start with `//` (a host, mostly) are
    tested together where the URL has a `//` (one `str.startswith` with a tuple), the rest one by one:
    several times faster than one regex alternation searched at every position."""

    slash_literals: tuple[str, ...]  # required literals starting with '//', lowercased
    other_literals: tuple[str, ...]
    with_literal_patterns: tuple[str, ...]
    without_literal: re.Pattern[str] | None

    @classmethod
    def of(cls, patterns: list[str]) -> Exceptions:
        lits = {p: _required_literal(p) for p in patterns}
        with_lit = tuple(p for p, lit in lits.items() if lit)
        without = [p for p, lit in lits.items() if not lit]
        plain = sorted({lit for lit in lits.values() if lit})  # plain text, lowercase
        return cls(
            tuple(lit for lit in plain if lit.startswith("//")),
            tuple(lit for lit in plain if not lit.startswith("//")),
            with_lit,
            _alternation(without, anchored=True) if without else None,
        )

    @cached_property
    def with_literal(self) -> re.Pattern[str]:
        return _alternation(self.with_literal_patterns, anchored=True)  # compiled when a literal first matches

    def _has_literal(self, url: str) -> bool:
        low = url.lower()
        if self.slash_literals:
            i = low.find("//")
            while i >= 0:
                if low.startswith(self.slash_literals, i):
                    return True
                i = low.find("//", i + 1)
        for lit in self.other_literals:  # noqa: SIM110 (a loop costs half of any(genexpr); runs per URL)
            if lit in low:
                return True
        return False

    def match(self, url: str) -> bool:
        if self.without_literal is not None and self.without_literal.match(url):
            return True
        return bool(self.with_literal_patterns and self._has_literal(url) and self.with_literal.match(url))


@dataclass(frozen=True, eq=False)  # hashed by identity: it keys the canonicalization cache
class Rules:
    """Tracking-parameter rules: global names (regexes, case-insensitive, matched against the whole name),
    site-scoped providers, and names that are always kept."""

    global_params: Names
    global_exceptions: Exceptions
    providers: tuple[Provider, ...]
    provider_params: Names  # union of every provider's parameter names: a fast first test
    keep: frozenset[str]
    version: str
    # name -> (matches a global rule, may match a provider rule); rules are immutable, so this only grows
    _names: dict[str, tuple[bool, bool]] = field(default_factory=dict, repr=False)

    def _name(self, key: str) -> tuple[bool, bool]:
        hit = self._names.get(key)
        if hit is None:
            hit = (self.global_params.match(key), self.provider_params.match(key))
            if len(self._names) < 100_000:
                self._names[key] = hit
        return hit

    def is_tracking(self, name: str, url: str) -> bool:
        """Whether parameter `name` is a tracker in `url` (the URL decides site-scoped rules and exceptions)."""
        return _Judge(self, url).tracking(name)


class _Judge:
    """Decides the parameters of one URL, working out the URL-wide facts (exceptions, matching sites) once."""

    __slots__ = ("_exempt", "_providers", "rules", "url")

    def __init__(self, rules: Rules, url: str) -> None:
        self.rules, self.url = rules, url
        self._exempt: bool | None = None
        self._providers: list[Provider] | None = None

    def tracking(self, name: str) -> bool:
        rules = self.rules
        raw = name.lower()
        if "%" not in raw:  # the common case, spelt out: this runs for every parameter of every URL
            glob, prov = rules._name(raw)
            if not (glob or prov) or raw in rules.keep:
                return False
            if glob:
                if self._exempt is None:
                    self._exempt = rules.global_exceptions.match(self.url)
                if not self._exempt:
                    return True
            return prov and self._provider_match((raw,))
        keys = (raw, unquote(raw))
        hits = [rules._name(k) for k in keys]
        if not any(g or p for g, p in hits) or any(k in rules.keep for k in keys):
            return False
        if any(g for g, _ in hits):
            if self._exempt is None:
                self._exempt = rules.global_exceptions.match(self.url)
            if not self._exempt:
                return True
        if not any(p for _, p in hits):
            return False
        return self._provider_match(keys)

    def _provider_match(self, keys: tuple[str, ...]) -> bool:
        if self._providers is None:
            rules = self.rules
            self._providers = [p for p in rules.providers if p.url_pattern.match(self.url)
                               and not (p.exceptions and p.exceptions.match(self.url))]
        return any(p.params.fullmatch(k) for p in self._providers for k in keys)


_PLAIN_NAME = re.compile(r"[\w-]+")


@dataclass(frozen=True)
class Names:
    """Parameter-name rules: plain names in a set (most of them), the rest as one case-insensitive regex."""

    plain: frozenset[str]
    pattern: re.Pattern[str]

    @classmethod
    def of(cls, rules: Iterable[str]) -> Names:
        rules = list(rules)
        plain = frozenset(r.lower() for r in rules if _PLAIN_NAME.fullmatch(r))
        return cls(plain, _alternation(r for r in rules if not _PLAIN_NAME.fullmatch(r)))

    def match(self, key: str) -> bool:
        """Whether a lowercased parameter name matches a rule (regexes match the whole name)."""
        return key in self.plain or self.pattern.fullmatch(key) is not None


def _alternation(patterns: Iterable[str], anchored: bool = False) -> re.Pattern[str]:
    """One regex for many; `anchored` ones (URL patterns, used with `.match`) lose their leading `^`: a URL
    always starts with its scheme, and `.match` then tries one position instead of every one."""
    pats = [(p[1:] if anchored and p.startswith("^") else p) for p in patterns if p]
    return re.compile("(?:" + "|".join(f"(?:{p})" for p in pats) + ")" if pats else "(?!)", re.IGNORECASE)


def load_rules(extra_strip: Iterable[str] = (), keep: Iterable[str] = ()) -> Rules:
    """Bundled rules plus the user's: `extra_strip` are parameter names or regexes, `keep` plain names."""
    data = resources.files("linkguard") / "data"
    clear = json.loads((data / "clearurls.json").read_text(encoding="utf-8"))["providers"]
    own = json.loads((data / "linkguard-rules.json").read_text(encoding="utf-8"))
    glob = clear.pop("globalRules")
    global_params = [r for r in glob["rules"] if r not in _CLEARURLS_GLOBAL_SKIPPED]
    global_params += own["global"] + [_name_or_regex(x) for x in extra_strip]
    providers: list[Provider] = []
    for name, prov in {**clear, **own["providers"]}.items():
        if not prov.get("rules") or prov.get("completeProvider"):
            continue
        providers.append(Provider(name, (prov["urlPattern"],), tuple(prov["rules"]),
                                  tuple(prov.get("exceptions") or ())))
    return Rules(
        global_params=Names.of(global_params),
        global_exceptions=Exceptions.of(glob.get("exceptions", [])),
        providers=tuple(providers),
        provider_params=Names.of(p for prov in providers for p in prov.param_patterns),
        keep=frozenset(k.lower() for k in [*own.get("keep", []), *keep]),
        version=own["clearurls_version"],
    )


def _name_or_regex(x: str) -> str:
    return x if any(c in x for c in "*?[]()|\\^$+{}") else re.escape(x)


@lru_cache(maxsize=1)
def default_rules() -> Rules:
    return load_rules()


def _strip_params(query: str, rules: Rules, url: str) -> tuple[str, bool]:
    """Remove tracking parameters from an `a=1&b=2` string; return (new query, changed)."""
    parts = query.split("&")
    judge = _Judge(rules, url)
    kept = [p for p in parts if not (p and judge.tracking(p.partition("=")[0]))]
    if len(kept) == len(parts):
        return query, False
    return "&".join(p for p in kept if p), True


def _clean_fragment(fragment: str, rules: Rules, url: str) -> str | None:
    """Strip tracking parameters carried in a fragment (`#top?utm_source=x`, `#utm_source=x&...`)."""
    if "=" not in fragment:
        return fragment
    head, sep, q = fragment.partition("?")
    if not sep:
        if not re.match(r"^[^=&/#]+=", fragment):
            return fragment
        head, q = "", fragment
    new_q, changed = _strip_params(q, rules, url)
    if not changed:
        return fragment
    if new_q:
        return f"{head}{sep}{new_q}"
    return head if head else None


def canonicalize(url: str, rules: Rules | None = None) -> str:
    """The canonical form of a valid http(s) URL (raise InvalidURL otherwise). Idempotent."""
    return _canonicalize(url, rules or default_rules())


# The common case, already canonical up to its query: lowercase ASCII host, no port, user info or dot at the end.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_FAST_RE = re.compile(r"(https?)://((?:" + _LABEL + r"\.)+[a-z][a-z0-9-]*[a-z0-9])(/[^?#\s\x00-\x1f]*)"
                      r"(?:\?([^#\s\x00-\x1f]*))?(?:#([^\s\x00-\x1f]*))?")


@lru_cache(maxsize=16384)  # bounded: memory stays flat on large corpora
def _canonicalize(url: str, rules: Rules) -> str:
    m = _FAST_RE.fullmatch(url)
    if m is not None and "xn--" not in m.group(2):
        query, fragment = m.group(4), m.group(5)
        if (query is None or "=" not in query) and (fragment is None or "=" not in fragment):
            return url
        base = url[:m.start(4) - 1] if query is not None else url[:m.end(3)]  # scheme://host/path, as written
    else:
        p = split(url)
        port = None if p.port == "" or p.port == _DEFAULT_PORTS.get(p.scheme) else p.port
        base = Parts(p.scheme, p.userinfo, p.host, port, p.path or "/", None, None).unsplit()
        query, fragment = p.query, p.fragment
    if query and "=" in query:
        new_q, changed = _strip_params(query, rules, base + "?" + query)
        if changed:
            query = new_q or None
    if fragment and "=" in fragment:
        fragment = _clean_fragment(fragment, rules, base)
    return base + ("" if query is None else "?" + query) + ("" if fragment is None else "#" + fragment)
