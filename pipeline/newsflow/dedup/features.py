"""What deduplication computes from an hour's article rows, once, for deciding and for committing.

An *article row* is a mapping with at least ``article_id``, ``canonical_url`` and ``body``, and
usually ``url``, ``published``, ``content_hash`` (computed from the body when absent),
``story_id`` and ``version`` (when committing decided rows). ``assign_stories`` and the index's
``commit_hour`` both go through ``prepare``, so the order an hour's articles are processed in,
and the summaries stored for them, are the same whether the hour is decided, committed,
re-run or rebuilt from the published ``articles`` dataset.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import numpy as np

from newsflow.dedup.hashing import content_hash
from newsflow.dedup.keys import content_key, url_key
from newsflow.dedup.minhash import MinHasher, Signatures
from newsflow.dedup.settings import DedupSettings
from newsflow.dedup.text import shingle_hashes

Row = Mapping[str, Any]


def _timestamp(value: Any) -> float | None:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    return None


def order_key(row: Row) -> tuple:
    """First seen within an hour: earliest ``published`` (unknown last), then URL, then content."""
    published = _timestamp(row.get("published"))
    return (
        published is None,
        published or 0.0,
        str(row.get("canonical_url") or ""),
        str(row.get("url") or ""),
        body_content_hash(row) or "",
        str(row.get("article_id") or ""),
    )


def processing_order(rows: Sequence[Row]) -> list[int]:
    """Indices of ``rows`` in the order an hour decides them: independent of arrival order."""
    return sorted(range(len(rows)), key=lambda i: order_key(rows[i]))


@lru_cache(maxsize=8)
def minhasher(bands: int, rows: int, sketch_size: int) -> MinHasher:
    return MinHasher(bands, rows, sketch_size)


@dataclass(frozen=True)
class Prepared:
    """Per row (in the rows' own order): keys, shingle sets and summaries; plus the processing order."""

    order: list[int]
    url_keys: np.ndarray  # uint64 per row
    content_keys: np.ndarray  # uint64 per row, 0 without a body
    content_hashes: list[str | None]
    shingles: list[np.ndarray]  # sorted unique uint64 per row
    signatures: Signatures

    def __len__(self) -> int:
        return len(self.shingles)

    def subset(self, rows: Sequence[int]) -> Prepared:
        """The same for some of the rows (in the given order), e.g. the ones an hour commits."""
        picked = list(rows)
        rank = {row: position for position, row in enumerate(self.order)}
        idx = np.asarray(picked, np.int64)
        return Prepared(
            order=sorted(range(len(picked)), key=lambda i: rank[picked[i]]),
            url_keys=self.url_keys[idx],
            content_keys=self.content_keys[idx],
            content_hashes=[self.content_hashes[i] for i in picked],
            shingles=[self.shingles[i] for i in picked],
            signatures=self.signatures.take(idx),
        )


def body_content_hash(row: Row) -> str | None:
    given = row.get("content_hash")
    if given:
        return str(given)
    body = _body(row)
    return content_hash(body) if body.strip() else None


def _body(row: Row) -> str:
    body = row.get("body")
    return body if isinstance(body, str) else ""


def _url_of(row: Row) -> str:
    """What identifies the article's URL; a row without one is only ever the same as itself."""
    return str(row.get("canonical_url") or row.get("url") or f"urn:newsflow:article:{row.get('article_id')}")


def prepare(rows: Sequence[Row], settings: DedupSettings, given: Prepared | None = None) -> Prepared:
    """Keys, shingles and summaries of ``rows``; ``given`` (computed earlier for the same rows) is reused."""
    if given is not None:
        if len(given) != len(rows):
            raise ValueError(f"prepared data is for {len(given)} rows, not {len(rows)}")
        return given
    hashes = [body_content_hash(row) for row in rows]
    shingles = [shingle_hashes(_body(row), settings.shingle_size) for row in rows]
    signer = minhasher(settings.bands, settings.rows, settings.sketch_size)
    return Prepared(
        order=processing_order(rows),
        url_keys=np.fromiter((url_key(_url_of(r)) for r in rows), np.uint64, len(rows)),
        content_keys=np.fromiter((content_key(h) for h in hashes), np.uint64, len(rows)),
        content_hashes=hashes,
        shingles=shingles,
        signatures=signer.sign(shingles),
    )
