"""Deduplication settings: the near-duplicate threshold and the shape of the index.

``threshold`` and ``min_shingles`` apply when deciding and can change at any time. The
*signature* fields (``shingle_size``, ``bands``, ``rows``, ``sketch_size``) shape what the index
stores: an index remembers the ones it was built with, and opening it with others is refused
until it is rebuilt (``newsflow dedup rebuild``), since summaries built differently never match.

Environment: ``NEWSFLOW_DEDUP_THRESHOLD``, ``NEWSFLOW_DEDUP_MIN_SHINGLES``,
``NEWSFLOW_DEDUP_SHINGLE_SIZE``, ``NEWSFLOW_DEDUP_BANDS``, ``NEWSFLOW_DEDUP_ROWS``,
``NEWSFLOW_DEDUP_SKETCH_SIZE``, ``NEWSFLOW_DEDUP_BUCKET_CAP``, ``NEWSFLOW_DEDUP_MAX_CANDIDATES``.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class DedupSettings:
    # Overlap coefficient (|A∩B| / min(|A|,|B|) over word shingles) at or above which an article
    # is a copy of an earlier one. Chosen on the tuning part of bench/dedup.py's labelled pairs.
    threshold: float = 0.5
    # Texts with fewer distinct shingles than this are matched exactly only: a caption or a
    # one-line teaser is contained in too many articles to call it a copy of any one.
    min_shingles: int = 20
    shingle_size: int = 4  # tokens per shingle
    bands: int = 24  # LSH bands (each a 32-bit key in the index)
    rows: int = 2  # MinHash values per band: P(candidate) = 1 - (1 - J**rows) ** bands
    # Bottom-k fingerprints kept per article for verification: 96 keeps the estimate's noise low
    # enough that, among thousands of look-alikes (templated stories), none passes by chance.
    sketch_size: int = 96
    # At most this many index entries are read per band key and segment (the earliest ones):
    # keeps the cost per article flat when a stock phrase fills one bucket.
    bucket_cap: int = 64
    # At most this many earlier articles are verified per new article, those sharing the most
    # bands first: bounds the work when much of history resembles it (templated stories).
    max_candidates: int = 64

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"dedup threshold must be in (0, 1], got {self.threshold}")
        for name in ("min_shingles", "shingle_size", "bands", "rows", "sketch_size", "bucket_cap", "max_candidates"):
            if getattr(self, name) < 1:
                raise ValueError(f"dedup {name} must be positive, got {getattr(self, name)}")
        if self.shingle_size > 6:
            raise ValueError("dedup shingle_size must be at most 6")

    @property
    def signature(self) -> dict[str, int]:
        """The fields an index is built with (stored in its manifest), and the summary scheme's version."""
        from newsflow.dedup.minhash import SCHEME

        return {
            "scheme": SCHEME,
            "shingle_size": self.shingle_size,
            "bands": self.bands,
            "rows": self.rows,
            "sketch_size": self.sketch_size,
        }

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> DedupSettings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"NEWSFLOW_DEDUP_{f.name.upper()}")
            if raw is not None and raw.strip():
                try:
                    values[f.name] = float(raw) if f.type in ("float", float) else int(raw)
                except ValueError as exc:
                    raise ValueError(f"NEWSFLOW_DEDUP_{f.name.upper()}={raw!r} is not a number") from exc
        values.update(overrides)
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


DEFAULTS = DedupSettings()
