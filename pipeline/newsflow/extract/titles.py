"""The title, reconciled between the feed and what the page says, with site-name decorations removed.

Order of trust (first usable one wins, each cleaned of site-name prefixes and suffixes first):

1. ``feed``: the feed entry's title, written by an editor for exactly this story;
2. ``jsonld``: the Article's ``headline``;
3. ``og``: ``og:title`` (then ``twitter:title``);
4. ``h1``: the page's single ``<h1>``, or the ``<h1>`` that agrees with another candidate;
5. ``html``: the ``<title>`` element, the most decorated of all ("Story – Site | Section").

A page candidate that is a decorated version of a more trusted one never wins over it. A feed title or
headline is skipped when empty, a bare site name, or cut short with an ellipsis where a less trusted
candidate has the whole title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from newsflow.extract.blocks import norm

_SEPARATORS = re.compile(r"\s+(?:[|–—·•»«:/~]|-{1,2}|::)\s+")
_ALNUM = re.compile(r"[\W_]+", re.UNICODE)
_ELLIPSIS = re.compile(r"(?:\.\.\.|…)\s*$")
_WORDS = re.compile(r"\w+", re.UNICODE)
MAX_SITE_SEGMENT_WORDS = 5
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "or", "ne", "go"})


def _key(text: str) -> str:
    return _ALNUM.sub("", text.casefold())


def site_keys(site_names: Iterable[str | None], url: str | None) -> set[str]:
    """Comparable forms of the site's names: declared names and the URL's host labels."""
    keys = {_key(n) for n in site_names if n and _key(n)}
    if url:
        host = (urlsplit(url).hostname or "").lower()
        labels = [p for p in host.split(".") if p not in ("www", "m", "amp", "mobile", "news", "edition")]
        if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL:
            labels = labels[:-1]  # bbc.co.uk -> bbc
        if len(labels) >= 2:
            keys.add(_key(labels[-2]))
            keys.add(_key("".join(labels[:-1])))
    return {k for k in keys if len(k) >= 3}


def _is_site_segment(segment: str, keys: set[str]) -> bool:
    seg = _key(segment)
    if not seg or len(segment.split()) > MAX_SITE_SEGMENT_WORDS:
        return False
    return any(seg == k or (len(k) >= 4 and k in seg) or (len(seg) >= 4 and seg in k) for k in keys)


def strip_site_name(title: str, keys: set[str]) -> str:
    """Drop leading/trailing separator-delimited segments that name the site ("Story – Site | Section")."""
    title = norm(title)
    parts = _SEPARATORS.split(title)
    if len(parts) < 2 or not keys:
        return title
    seps = _SEPARATORS.findall(title)
    start, end = 0, len(parts)
    # from the end: site name, and any short section label after it ("Story | Site | World")
    for i in range(len(parts) - 1, 0, -1):
        if _is_site_segment(parts[i], keys):
            end = i
            break
    if end == len(parts) and _is_site_segment(parts[0], keys):
        start = 1
    if end - start < 1:
        return title
    kept = parts[start]
    for i in range(start + 1, end):
        kept += seps[i - 1] + parts[i]
    return norm(kept) or title


def similarity(a: str, b: str) -> float:
    """Word-set overlap relative to the shorter title (1.0: one contains the other's words)."""
    wa, wb = set(_WORDS.findall(a.casefold())), set(_WORDS.findall(b.casefold()))
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def _strip_by_agreement(title: str, others: Sequence[str]) -> str:
    """``<title>`` = X + separator + decoration, where another candidate is X: keep X."""
    parts = _SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    keys = {_key(o) for o in others}
    seps = _SEPARATORS.findall(title)
    for end in range(len(parts) - 1, 0, -1):
        head = parts[0] + "".join(seps[i - 1] + parts[i] for i in range(1, end))
        if _key(head) in keys:
            return head
    return title


def reconcile_title(
    candidates: Sequence[tuple[str, str | None]],
    site_names: Iterable[str | None],
    url: str | None,
) -> tuple[str | None, str | None]:
    """``(title, source)`` from ``(source, raw title)`` pairs given in the order of trust."""
    keys = site_keys(site_names, url)
    cleaned: list[tuple[str, str]] = []
    for source, raw in candidates:
        text = norm(raw)
        if not text:
            continue
        stripped = strip_site_name(text, keys)
        if _key(stripped) in keys or not _WORDS.search(stripped):
            continue  # a bare site name is not a story title
        cleaned.append((source, stripped))
    if not cleaned:
        return None, None
    texts = [t for _, t in cleaned]
    resolved: list[tuple[str, str]] = []
    for source, text in cleaned:
        if source in ("html", "og", "twitter"):
            text = _strip_by_agreement(text, [t for t in texts if t != text])
        resolved.append((source, text))
    h1s = [t for s, t in resolved if s == "h1"]
    for source, text in resolved:
        if source in ("feed", "jsonld") and _ELLIPSIS.search(text):
            stem = _ELLIPSIS.sub("", text).strip()
            if any(t != text and t.startswith(stem) for _, t in resolved):
                continue
        if source == "h1" and len(h1s) > 1:
            others = [t for s, t in resolved if s not in ("h1", "feed")]
            if not any(similarity(text, o) >= 0.8 for o in others):
                continue
        return text, source
    return resolved[0][1], resolved[0][0]
