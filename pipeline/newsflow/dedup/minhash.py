"""MinHash band keys for finding candidates, bottom-k sketches for verifying them.

Two summaries of an article's shingle set, each fixed-size and independent of its length:

* **Band keys** (banded LSH). ``bands × rows`` MinHash values; each band's ``rows`` values are
  hashed into one 32-bit key. Two articles whose shingle sets have Jaccard similarity *J* share at
  least one band key with probability ``1 - (1 - J**rows) ** bands``: an S-curve that finds
  similar pairs and almost never pairs unrelated ones, without comparing against every article.
* **Sketch** (bottom-k). The ``k`` smallest shingle hashes, stored as 16-bit fingerprints plus the
  k-th smallest value (``tau``) and the set size. A uniform sample of the set without
  replacement: the fraction of it found in a newer article's *full* shingle set estimates how
  much of the older article the newer one contains, and with the sizes, how much of the newer
  one the older contains. That containment survives what Jaccard does not: a copy cut to half
  the original has Jaccard ≈ 0.5 but containment ≈ 1.

Checking a fingerprint only against the newer article's hashes that are ``<= tau`` (a few
dozen) keeps false fingerprint matches near 1 in 1,000 even with 16 bits.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from newsflow.dedup.text import mix64

_U32 = np.uint64(32)
_BLOCK = 4096  # shingles permuted at a time
# Bumped whenever the way texts become summaries changes: an index built otherwise must be rebuilt.
SCHEME = 1
_FP_MASK = np.uint64(0xFFFF)


@dataclass(frozen=True)
class Signatures:
    """Summaries of ``n`` articles, row-aligned."""

    band_keys: np.ndarray  # (n, bands) uint32
    sketch: np.ndarray  # (n, sketch_size) uint16 fingerprints of the smallest hashes (unused slots: 0)
    tau: np.ndarray  # (n,) uint64: the largest hash in the sketch (all hashes if the set is smaller)
    size: np.ndarray  # (n,) uint32: number of distinct shingles
    used: np.ndarray  # (n,) uint16: sketch slots in use, min(size, sketch_size)

    def __len__(self) -> int:
        return len(self.size)

    def take(self, rows: np.ndarray | list[int]) -> Signatures:
        idx = np.asarray(rows, dtype=np.int64)
        return Signatures(self.band_keys[idx], self.sketch[idx], self.tau[idx], self.size[idx], self.used[idx])

    @staticmethod
    def concat(parts: list[Signatures], bands: int, sketch_size: int) -> Signatures:
        if not parts:
            return empty_signatures(bands, sketch_size)
        return Signatures(
            np.concatenate([p.band_keys for p in parts]),
            np.concatenate([p.sketch for p in parts]),
            np.concatenate([p.tau for p in parts]),
            np.concatenate([p.size for p in parts]),
            np.concatenate([p.used for p in parts]),
        )


def empty_signatures(bands: int, sketch_size: int) -> Signatures:
    return Signatures(
        np.empty((0, bands), np.uint32),
        np.empty((0, sketch_size), np.uint16),
        np.empty(0, np.uint64),
        np.empty(0, np.uint32),
        np.empty(0, np.uint16),
    )


def fingerprint(hashes: np.ndarray) -> np.ndarray:
    """The 16 bits of a shingle hash kept in a sketch (its low bits, independent of its rank)."""
    return (hashes & _FP_MASK).astype(np.uint16)


class MinHasher:
    """Band keys and sketches with fixed, seeded permutations: same text, same summaries, forever."""

    def __init__(self, bands: int, rows: int, sketch_size: int, seed: int = 0x5EED_D0C5) -> None:
        if bands < 1 or rows < 1 or sketch_size < 1:
            raise ValueError("bands, rows and sketch_size must be positive")
        self.bands, self.rows, self.sketch_size = bands, rows, sketch_size
        perms = bands * rows
        # (a*x + b) mod 2^64 with odd a is a bijection; its top 32 bits are a min-wise hash of well-mixed x.
        # Parameters come from BLAKE2b, not a random generator, so they can never change under us.
        self._a = np.asarray([_derived(seed, "a", i) | 1 for i in range(perms)], np.uint64)
        self._b = np.asarray([_derived(seed, "b", i) for i in range(perms)], np.uint64)
        self._band_salt = np.asarray([_derived(seed, "band", i) for i in range(bands)], np.uint64)

    def sign(self, shingle_sets: list[np.ndarray]) -> Signatures:
        """Summaries of each sorted-unique shingle-hash array (an empty set gets all-zero keys)."""
        n = len(shingle_sets)
        keys = np.zeros((n, self.bands), np.uint32)
        sketch = np.zeros((n, self.sketch_size), np.uint16)
        tau = np.zeros(n, np.uint64)
        size = np.zeros(n, np.uint32)
        used = np.zeros(n, np.uint16)
        for i, hashes in enumerate(shingle_sets):
            if len(hashes) == 0:
                continue
            size[i] = len(hashes)
            keys[i] = self._band_keys(hashes)
            smallest = hashes[: self.sketch_size]  # sorted: the bottom-k
            used[i] = len(smallest)
            sketch[i, : len(smallest)] = fingerprint(smallest)
            tau[i] = smallest[-1]
        return Signatures(keys, sketch, tau, size, used)

    def _band_keys(self, hashes: np.ndarray) -> np.ndarray:
        mins = np.full(self._a.shape, np.iinfo(np.uint64).max, np.uint64)
        with np.errstate(over="ignore"):
            for start in range(0, len(hashes), _BLOCK):  # bounded memory for very long texts
                block = hashes[start : start + _BLOCK]
                permuted = (block[:, None] * self._a[None, :] + self._b[None, :]) >> _U32
                np.minimum(mins, permuted.min(axis=0), out=mins)
            combined = self._band_salt.copy()
            for r, values in enumerate(mins.reshape(self.bands, self.rows).T):
                combined = mix64(combined ^ values ^ np.uint64(r))
        return (combined >> _U32).astype(np.uint32)


def _derived(seed: int, what: str, i: int) -> int:
    return int.from_bytes(hashlib.blake2b(f"{seed}:{what}:{i}".encode(), digest_size=8).digest(), "little")


# Figures veto a match only in texts dense with them (at least FIGURE_SHARE of both samples'
# shingles hold a number, and at least MIN_FIGURES of them), when fewer than FIGURES_FLOOR of them
# agree. Stories written from one template (earnings, results, market closes) have a number in
# nearly every sentence (about 40% of their shingles) and figures that hardly ever agree: no false
# match among 10,000 stories from bench/dedup.py's templates. A copy keeps its figures, but a copy
# trimmed to half of a text with few numbers, plus furniture with dates or headlines in it, may
# share few figure shingles: such texts are not dense with figures, and are left to the words.
MIN_FIGURES = 6
FIGURE_SHARE = 0.2
FIGURES_FLOOR = 0.4


def overlaps(sketch: np.ndarray, used: np.ndarray, tau: np.ndarray, newer: np.ndarray) -> np.ndarray:
    """Overlap coefficient |A∩B| / min(|A|, |B|) of each older article A (by its sketch) with a newer B.

    ``sketch``/``used``/``tau`` describe ``c`` older articles (``(c, k)``, ``(c,)``, ``(c,)``);
    ``newer`` is B's sorted unique shingle hashes. Returns ``c`` similarities in [0, 1].

    High when either text is (mostly) contained in the other: a copy trimmed to its first half, or
    one with extra page furniture, still scores close to 1, while two stories that share a
    sentence or a quote score low.

    A's sketch holds *every* shingle of A whose hash is ``<= tau``; so in that hash range,
    membership in A is known exactly. With ``m`` the shingles of A's sketch found in B: ``m /
    used`` estimates the share of A found in B, and ``m / (B's shingles in range)`` the share of B
    found in A, both from samples of the same range, so neither needs A's size and the second
    stays precise even when B is much shorter than A.

    The same is measured over the shingles that hold a number (flagged in the hash's lowest bit)
    when both texts are dense with figures: a copy carries its figures along with its words, while
    two stories written from one template (earnings, results, market closes) share the words but
    hardly any figures, and then the figures' agreement is the similarity.
    """
    count = len(used)
    result = np.zeros(count, np.float64)
    if count == 0 or len(newer) == 0:
        return result
    used = np.asarray(used, np.int64)
    in_range = np.searchsorted(newer, np.asarray(tau, np.uint64), side="right").astype(np.int64)
    # Position (in hash order) of the first shingle of B with each fingerprint: a sketch slot of A
    # is in B's range iff its fingerprint first occurs in B before the range's end.
    first = np.full(1 << 16, len(newer), np.int64)
    first[fingerprint(newer)[::-1]] = np.arange(len(newer) - 1, -1, -1)
    slots = np.arange(sketch.shape[1])[None, :] < used[:, None]
    found = (first[sketch] < in_range[:, None]) & slots
    matches = found.sum(axis=1)
    valid = (used > 0) & (in_range > 0)
    safe_used, safe_range = np.maximum(used, 1), np.maximum(in_range, 1)
    words = np.maximum(matches / safe_used, matches / safe_range)
    older_is_figure = ((sketch & 1) == 1) & slots
    older_figures = older_is_figure.sum(axis=1)
    newer_figures = np.concatenate([[0], np.cumsum(newer & np.uint64(1))]).astype(np.int64)[in_range]
    figure_matches = (found & older_is_figure).sum(axis=1)
    figures = np.maximum(figure_matches / np.maximum(older_figures, 1), figure_matches / np.maximum(newer_figures, 1))
    dense = (older_figures >= np.maximum(MIN_FIGURES, FIGURE_SHARE * safe_used)) & (
        newer_figures >= np.maximum(MIN_FIGURES, FIGURE_SHARE * safe_range)
    )
    vetoed = dense & (figures < FIGURES_FLOOR)
    result = np.where(vetoed, figures, np.minimum(words, 1.0))
    return np.where(valid, result, 0.0)


def overlap(sketch: np.ndarray, used: int, tau: int, newer: np.ndarray) -> float:
    """``overlaps`` for one older article."""
    return float(overlaps(sketch[None, :], np.asarray([used]), np.asarray([tau], np.uint64), newer)[0])
