"""Fixed-width keys for what the index stores: ids, URLs, content hashes and logical hours.

The pipeline's ids are 16 hex digits (``stable_id``), which are exactly 64 bits: they are stored
as ``uint64`` and read back as the same string. Any other id (the CLI accepts ids of the
caller's choosing) is stored as a 64-bit hash plus a name table that gives the string back.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_HEX16 = re.compile(r"^[0-9a-f]{16}$")


def hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def id_key(article_id: str) -> tuple[int, bool]:
    """``(key, needs_name)``: 16-hex ids map to their value; others to a hash kept with a name table."""
    if _HEX16.match(article_id):
        return int(article_id, 16), False
    return hash64("id\x1f" + article_id), True


def id_text(key: int, names: dict[int, str]) -> str:
    return names.get(key) or f"{key:016x}"


def url_key(canonical_url: str) -> int:
    """64 bits of SHA-256 of the canonical URL: the same value the pipeline's ``article_id`` has."""
    return int(hashlib.sha256(canonical_url.encode()).hexdigest()[:16], 16)


def content_key(content_hash: str | None) -> int:
    """The first 64 bits of a hex content hash; 0 for no content."""
    if not content_hash:
        return 0
    try:
        return int(content_hash[:16], 16) or 1
    except ValueError:
        return hash64("content\x1f" + content_hash)


def hour_number(hour: datetime) -> int:
    """Whole hours since 1970 (UTC) of a logical hour; naive datetimes are UTC."""
    if hour.tzinfo is None:
        hour = hour.replace(tzinfo=UTC)
    return int((hour.astimezone(UTC) - EPOCH) // timedelta(hours=1))


def hour_datetime(number: int) -> datetime:
    return EPOCH + timedelta(hours=int(number))
