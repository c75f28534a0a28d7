"""Canonical URLs: one spelling per article, so tracking, AMP, mobile and case variants collapse.

Built on courlan's URL normaliser (the one trafilatura uses): lower-cased scheme and host, the
scheme's default port dropped, repeated slashes collapsed, unsafe path characters
percent-encoded. Our rules on top, each for a variant that reaches us in feeds:

* credentials, the fragment and a trailing dot on the host are dropped; the host is written in
  its ASCII (IDNA) form; percent-escapes are upper-cased and escapes of unreserved characters
  decoded (RFC 3986 §6.2.2); ``.`` and ``..`` path segments resolved; a trailing ``index.html``
  becomes ``/``;
* tracking parameters are dropped (``utm_*``, ``fbclid``, ``gclid``, ``mc_*``, ``ref``, …; an
  explicit list rather than courlan's broad pattern, which also drops parameters that pick the
  article, such as ``game=`` or ``source_id=``), and the rest sorted;
* AMP variants point at the article itself: an ``amp`` path segment, an ``.amp`` suffix,
  ``?amp=1`` / ``?outputType=amp``, ``amp.`` hosts, and Google's AMP cache and viewer URLs;
* mobile and ``www`` hosts (``m.``, ``mobile.``, ``www.``) are folded into the bare site, so
  ``m.example.com``, ``www.example.com`` and ``example.com`` name one article.

Paths keep their case: servers treat them case-sensitively. The scheme is kept as well.

``prefer_rel_canonical`` then lets a page's own ``<link rel="canonical">`` win when it points at
the same registered site (``news.example.co.uk`` and ``www.example.co.uk`` are one site;
``example.com`` and ``other.com`` are not), unless it points at the site's home page, a common
misconfiguration that would merge every article of a site into one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from courlan import normalize_url
from tld import get_fld

# Query parameters that only say where a click came from (matched case-insensitively).
_TRACKING_PARAMS = """
    fbclid gclid gclsrc dclid gbraid wbraid msclkid twclid yclid ysclid ttclid li_fat_id sc_cid igshid igsh
    mc_cid mc_eid _ga _gl _hsenc _hsmi _openstat ref ref_src ref_url referrer referer cmpid cmp intcmp icid ncid
    ocid xtor sr_share smid smtyp emc partner spm ito s_cid soc_src soc_trk ftag guccounter guce_referrer
    guce_referrer_sig trk trkcampaign mbid cvid __twitter_impression share shared fromrss rss feature at_medium
    at_campaign
"""
_TRACKING_PREFIXES = (
    "utm_ pk_ mtm_ matomo_ hsa_ __hs oly_ vero_ at_ mc_ ns_ ga_ itm_ mkt_ trk_ ref_ fb_ wt. _bta_ piwik_"
)
TRACKING_PARAMS = frozenset(_TRACKING_PARAMS.split())
TRACKING_PREFIXES = tuple(_TRACKING_PREFIXES.split())
AMP_PARAMS = frozenset({"amp", "amp_js_v", "amp_gsa", "usqp", "amp_lite", "ampshare", "_gsa", "amp_r", "amp_tf"})
_OUTPUT_TYPE_PARAMS = frozenset({"outputtype", "output", "format", "view"})
HOST_PREFIXES = ("www", "m", "mobile", "amp", "touch")  # dropped when the registered site remains

_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_AMP_CACHE_HOST = re.compile(r"(?:^|\.)cdn\.ampproject\.org$|^amp\.cloudflare\.com$|^bing-amp\.com$")
_AMP_CACHE_PATH = re.compile(r"^/(?:c|v|i|ii|r|wp)/(?P<secure>s/)?(?P<rest>[^/]+\.[^/]+(?:/.*)?)$")
_GOOGLE_AMP_VIEWER = re.compile(r"^/amp/(?P<secure>s/)?(?P<rest>[^/]+\.[^/]+(?:/.*)?)$")
_INDEX_PAGE = re.compile(r"/(?:index|default)\.(?:html?|php|aspx?)$", re.IGNORECASE)
_AMP_SUFFIX = re.compile(r"\.amp(?=\.html?$|$)", re.IGNORECASE)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _is_amp_param(name: str, value: str) -> bool:
    lowered = name.lower()
    return lowered in AMP_PARAMS or (lowered in _OUTPUT_TYPE_PARAMS and value.lower() in ("amp", "amp.html"))


def _fix_escapes(text: str) -> str:
    """Upper-case percent-escapes and decode the ones that stand for unreserved characters."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return _ESCAPE.sub(fix, text)


def _resolve_dots(path: str) -> str:
    """RFC 3986 remove_dot_segments: ``/a/./b/../c`` is ``/a/c``; the trailing slash is kept."""
    out: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == ".":
            if last:
                out.append("")
        elif segment == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(segment)
    resolved = "/".join(out)
    return resolved if resolved.startswith("/") else "/" + resolved


def _drop_amp_segments(path: str) -> str:
    """``/news/story/amp/``, ``/news/story/amp`` and ``/amp/news/story`` name ``/news/story/`` or ``/news/story``."""
    segments = path.split("/")[1:]
    if any(s.lower() == "amp" for s in segments):
        below_article = segments[-1].lower() == "amp" or segments[-1] == ""
        kept = [s for s in segments if s and s.lower() != "amp"]
        path = "/" + "/".join(kept) + ("/" if below_article and kept else "")
    return _AMP_SUFFIX.sub("", path)


def _ascii_host(host: str) -> str:
    if ":" in host:  # IPv6 literal
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


@lru_cache(maxsize=65536)
def registered_site(host: str) -> str:
    """The registrable domain of a host (``news.bbc.co.uk`` → ``bbc.co.uk``); IPs and local names as given."""
    host = host.lower().rstrip(".")
    found = get_fld(host, fail_silently=True, fix_protocol=True)
    if found:
        return str(found)
    labels = host.split(".")
    if ":" in host or labels[-1].isdigit() or len(labels) < 2:
        return host  # an IP address or a single-label name
    return ".".join(labels[-2:])  # a suffix the public list does not know (.example, .internal): assume one label


def _fold_host(host: str) -> str:
    """Drop ``www.``/``m.``/``mobile.``/``amp.`` prefixes while the registered site remains."""
    site = registered_site(host)
    while True:
        label, _, rest = host.partition(".")
        if label not in HOST_PREFIXES or not rest or len(rest) < len(site) or not rest.endswith(site):
            return host
        host = rest


def _unwrap_amp_cache(scheme: str, host: str, path: str) -> tuple[str, str] | None:
    """The publisher URL behind an AMP cache or Google AMP viewer URL, as (scheme, rest-of-URL)."""
    match = None
    if _AMP_CACHE_HOST.search(host):
        match = _AMP_CACHE_PATH.match(path)
    elif host in ("www.google.com", "google.com") and path.startswith("/amp/"):
        match = _GOOGLE_AMP_VIEWER.match(path)
    if not match:
        return None
    return ("https" if match.group("secure") else "http"), match.group("rest")


def canonical_url(url: str) -> str:
    """The canonical spelling of an http(s) URL; raises ``ValueError`` for anything else."""
    if not isinstance(url, str):
        raise ValueError("URL must be a string")
    text = "".join(url.split())  # feeds wrap long links; no URL contains literal whitespace
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"not an http(s) URL: {url[:200]!r}")
    if not parts.hostname:
        raise ValueError(f"URL without a host: {url[:200]!r}")
    _ = parts.port  # raises ValueError for a port that is not a number in range
    unwrapped = _unwrap_amp_cache(scheme, parts.hostname.lower(), parts.path)
    if unwrapped is not None:
        return canonical_url(f"{unwrapped[0]}://{unwrapped[1]}" + (f"?{parts.query}" if parts.query else ""))
    netloc = _netloc(parts.hostname.rstrip("."), parts.port)
    normal = urlsplit(normalize_url(parts._replace(netloc=netloc, query="", fragment="")))
    host = _fold_host(_ascii_host(normal.hostname or ""))
    if not host:
        raise ValueError(f"URL without a host: {url[:200]!r}")
    if not _HOST_CHARS.fullmatch(host) and not (":" in host and _IPV6_CHARS.fullmatch(host)):
        raise ValueError(f"not a valid host name: {host[:200]!r} in {url[:200]!r}")
    port = normal.port
    netloc = _netloc(host, None if (scheme, port) in (("http", 80), ("https", 443)) else port)
    path = _resolve_dots(_fix_escapes(normal.path or "/"))
    path = _INDEX_PAGE.sub("/", _drop_amp_segments(path))
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(k) and not _is_amp_param(k, v)
    )
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


# What a host may hold once it is in ASCII (IDNA): letters, digits, hyphens, dots, underscores.
_HOST_CHARS = re.compile(r"[a-z0-9_.-]+")
_IPV6_CHARS = re.compile(r"[0-9a-f:.]+")


def _netloc(host: str, port: int | None) -> str:
    host = f"[{host}]" if ":" in host else host
    return host if port is None else f"{host}:{port}"


def is_same_site(a: str, b: str) -> bool:
    """Whether two http(s) URLs belong to the same registered site (``news.x.co.uk`` ~ ``www.x.co.uk``)."""
    host_a, host_b = urlsplit(a).hostname, urlsplit(b).hostname
    return bool(host_a and host_b) and registered_site(host_a or "") == registered_site(host_b or "")


def prefer_rel_canonical(page_url: str, rel_canonical: str | None) -> str:
    """The page's own ``rel=canonical`` (resolved against the page) when it is usable, else our canonical.

    Usable means: an http(s) URL on the same registered site, and not the site's home page
    standing in for an article. ``page_url`` must itself be a valid http(s) URL (``ValueError``).
    """
    ours = canonical_url(page_url)
    if not rel_canonical or not rel_canonical.strip():
        return ours
    try:
        theirs = canonical_url(urljoin(page_url.strip(), rel_canonical.strip()))
    except ValueError:
        return ours
    if not is_same_site(ours, theirs):
        return ours
    if urlsplit(theirs).path == "/" and not urlsplit(theirs).query and urlsplit(ours).path != "/":
        return ours
    return theirs
