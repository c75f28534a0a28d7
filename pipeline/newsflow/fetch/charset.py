"""Decode a downloaded document to text when its declared encoding may be a lie.

Servers and templates routinely declare one charset and send another: ``charset=utf-8`` over
Windows-1252 bytes, ``iso-8859-1`` over UTF-8. The order here is the one that survives that:

1. a byte-order mark wins (UTF-8, UTF-16, UTF-32);
2. bytes that are valid UTF-8 and contain multi-byte sequences are UTF-8, whatever the label says
   (legacy 8-bit text almost never forms valid UTF-8 sequences by accident);
3. a declared charset (HTTP header, then ``<meta>``/XML declaration) is used if it decodes cleanly;
4. otherwise charset-normalizer's best guess over the first 64 KiB;
5. otherwise Windows-1252 (which WHATWG browsers use for "latin-1" and "ascii" labels too).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_LEGACY_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso8859-1": "cp1252",
    "l1": "cp1252",
}
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([\w.:-]+)[\"']", re.I)
SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # a Python codec name
    source: str  # "bom" | "utf-8" | "http" | "document" | "detected" | "fallback"


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    label = _LEGACY_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_encodings(body: bytes, content_type: str | None = None) -> list[tuple[str, str]]:
    """``(codec, where)`` for each charset the response declares: the HTTP header first, then the document."""
    found: list[tuple[str, str]] = []
    if content_type:
        match = _HTTP_CHARSET.search(content_type)
        codec = _codec(match.group(1)) if match else None
        if codec:
            found.append((codec, "http"))
    head = body[:4096]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        found_label = pattern.search(head)
        codec = _codec(found_label.group(1).decode("ascii", "replace")) if found_label else None
        if codec and codec not in [c for c, _ in found]:
            found.append((codec, "document"))
    return found


def _bom(body: bytes) -> tuple[str, int] | None:
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name, len(bom)
    return None


def _utf16_without_bom(body: bytes) -> str | None:
    """UTF-16 text without a BOM shows as every other byte NUL in its ASCII-range head."""
    head = body[:512]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.8 * len(odd) and even.count(0) < 0.2 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.8 * len(even) and odd.count(0) < 0.2 * len(odd):
        return "utf-16-be"
    return None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte sequence cut at the end of a sample is still UTF-8.
        return exc.start >= len(data) - 3 and exc.reason == "unexpected end of data"
    return True


def detect_encoding(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """``(codec, source)`` to decode ``body`` with; see the module docstring for the order."""
    bom = _bom(body)
    if bom:
        return bom[0], "bom"
    utf16 = _utf16_without_bom(body)
    if utf16:
        return utf16, "detected"
    sample = body[:SNIFF_BYTES]
    has_high = any(b >= 0x80 for b in sample)
    if has_high and _is_utf8(sample):
        return "utf-8", "utf-8"
    declared = declared_encodings(body, content_type)
    for codec, where in declared:
        if codec in ("utf-8", "utf_8") and has_high:
            continue  # declared UTF-8 but the bytes are not: the label lies
        if codec.startswith(("utf-16", "utf_16", "utf-32", "utf_32")):
            continue  # without a BOM or NUL pattern this label is wrong (the doc parsed as ASCII above)
        try:
            sample.decode(codec)
        except UnicodeDecodeError:
            continue
        return codec, where
    if not has_high:
        return "utf-8", "utf-8"
    guessed = _guess(sample)
    if guessed:
        return guessed, "detected"
    return "cp1252", "fallback"


# When the detector cannot tell candidates apart (short samples), prefer the web's legacy code
# pages by how common they are over DOS and Mac ones that happen to decode the same bytes.
_PREFERENCE = [
    "cp1252",
    "cp1251",
    "cp1250",
    "iso8859-15",
    "cp1253",
    "cp1254",
    "cp1257",
    "koi8-r",
    "gb18030",
    "big5",
    "shift_jis",
    "euc_kr",
    "euc_jp",
    "cp1255",
    "cp1256",
    "iso8859-2",
]


def _guess(sample: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes

        matches = list(from_bytes(sample))
    except Exception:  # noqa: BLE001 - detection is a best effort; the caller falls back to cp1252
        return None
    candidates: list[tuple[float, str, int]] = []
    for i, match in enumerate(matches):
        codec = _codec(match.encoding)
        if codec:
            candidates.append((match.chaos, codec, i))
    if not candidates:
        return None
    least = min(c[0] for c in candidates)
    ranks = {_codec(name): rank for rank, name in enumerate(_PREFERENCE)}
    ties = [c for c in candidates if c[0] <= least + 0.01]
    try:
        western = sample.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    for _, tied, _ in ties:  # the detector folds code pages that decode these bytes alike into one
        if western is not None and sample.decode(tied, errors="replace") == western:
            return "cp1252"
    best = min(ties, key=lambda c: (ranks.get(c[1], len(ranks)), c[2]))
    return best[1]


def decode_document(body: bytes, content_type: str | None = None) -> Decoded:
    """The document as text, never raising: undecodable bytes become U+FFFD."""
    codec, source = detect_encoding(body, content_type)
    bom = _bom(body)
    data = body[bom[1] :] if bom else body
    return Decoded(data.decode(codec, errors="replace"), codec, source)
