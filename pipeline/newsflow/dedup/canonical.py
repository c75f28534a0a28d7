"""Canonical URLs: one spelling per article, so tracking variants and case noise collapse.

Rules: lower-case scheme and host, drop default ports, drop the fragment, drop tracking
parameters (utm_*, fbclid, gclid, …), sort the remaining query, collapse duplicate slashes and
remove a trailing ``index.html``. Paths keep their case: servers treat them case-sensitively.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = {
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "yclid",
    "_ga",
    "_gl",
    "ref",
    "ref_src",
    "ref_url",
    "cmpid",
    "ncid",
    "ocid",
    "sr_share",
    "smid",
    "spm",
    "at_medium",
    "at_campaign",
    "CMP",
    "ito",
}
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "__hs", "oly_", "vero_", "at_")


_TRACKING_LOWER = frozenset(p.lower() for p in TRACKING_PARAMS)


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_LOWER or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~") or "/"
    path = re.sub(r"/{2,}", "/", path)
    path = re.sub(r"/index\.html?$", "/", path)
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k))
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))
