"""Text as near-duplicate detection sees it: folded tokens and hashed word shingles.

Syndicated copies of one story differ in ways that do not change what it says: case, accents,
punctuation and quote styles, paragraph breaks, house style (``per cent``/``percent``/``%``,
``22,000``/``22 000``, ``colour``/``color``, ``organise``/``organize``, ``$1.1bn``/``$1.1 billion``).
Folding those away *before* shingling keeps such copies' shingles identical, so the measured
overlap reflects shared text rather than shared spelling. The folds are applied to both sides
alike, so an occasional over-eager fold (``hour`` → ``hor``) costs nothing.

Chinese, Japanese and Thai are written without spaces: each of their characters is its own
token, so a three-token shingle is a character trigram there and a word trigram elsewhere.

Token and shingle hashes carry one flag in their lowest bit: whether they hold a number.

Hashes are stable across processes and machines (BLAKE2b per token, fixed 64-bit mixing per
shingle): the index persists them, so they must never depend on ``PYTHONHASHSEED``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

import numpy as np

MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)

# Scripts written without spaces between words: one token per character.
_UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff"
_TOKEN = re.compile(rf"[{_UNSPACED}]|[^\W{_UNSPACED}]+")

# House-style differences that span tokens, folded on the whole text first.
_APOSTROPHES = ("'", "\u2019", "\u2018", "\u02bc")  # union's / union’s / unions
_THOUSANDS = re.compile(r"(\d)[,\u00a0\u202f\u2009 '\u2019](?=\d{3}(?!\d))")  # 22,000 / 22 000 -> 22000
_MAGNITUDE = re.compile(r"(\d)\s*(bn|mn|m|tn|trn)\b")  # $1.1bn / $1.1 billion
_MAGNITUDES = {"bn": "billion", "mn": "million", "m": "million", "tn": "trillion", "trn": "trillion"}
_PERCENT = re.compile(r"\bper\s+cent\b|\bpct\b")
_INITIALS = re.compile(r"\bu\.([skn])\.(?!\w)")  # U.S. / US, U.K. / UK, U.N. / UN
_DIGIT = re.compile(r"\d")

# British/American and similar spelling variants, folded per token (suffix rules, longest first).
_SUFFIX_FOLDS: tuple[tuple[str, str], ...] = (
    ("isation", "ization"),
    ("isations", "izations"),
    ("ising", "izing"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ise", "ize"),
    ("yse", "yze"),
    ("ysed", "yzed"),
    ("ysing", "yzing"),
    ("ogue", "og"),
    ("ogues", "ogs"),
    ("ence", "ense"),
    ("our", "or"),
    ("ours", "ors"),
    ("oured", "ored"),
    ("ouring", "oring"),
    ("tre", "ter"),
    ("tres", "ters"),
    ("lled", "led"),
    ("lling", "ling"),
    ("ller", "ler"),
    ("llers", "lers"),
)
_SUFFIX_BY_LENGTH = sorted(_SUFFIX_FOLDS, key=lambda pair: -len(pair[0]))
_SUFFIXES = tuple(suffix for suffix, _ in _SUFFIX_FOLDS)
_MIN_STEM = 3  # only fold a suffix when at least this much of the word remains


_ACCENTS = re.compile("[\u0300-\u036f]")  # combining diacritics of Latin, Greek and Cyrillic letters


def fold_text(text: str) -> str:
    """Compatibility-normalised, case-folded, accent-free text with house-style variants folded."""
    text = text.casefold()
    if not text.isascii():
        # Drop accents, then recompose: NFKD also splits Hangul syllables into jamo, NFC puts them back.
        text = unicodedata.normalize("NFC", _ACCENTS.sub("", unicodedata.normalize("NFKD", text)))
    for apostrophe in _APOSTROPHES:
        if apostrophe in text:
            text = text.replace(apostrophe, "")
    if _DIGIT.search(text):
        text = _THOUSANDS.sub(r"\1", text)
        text = _MAGNITUDE.sub(lambda m: f"{m.group(1)} {_MAGNITUDES[m.group(2)]}", text)
    if "%" in text:
        text = text.replace("%", " percent ")
    if "per" in text or "pct" in text:
        text = _PERCENT.sub(" percent ", text)
    if "u." in text:
        text = _INITIALS.sub(r"u\1", text)
    return text


def fold_token(token: str) -> str:
    """One token with spelling variants folded (``colour`` → ``color``, ``paralysed`` → ``paralyzed``)."""
    if len(token) > 4:
        token = token.replace("ae", "e").replace("oe", "e")
    if not token.endswith(_SUFFIXES):
        return token
    for suffix, replacement in _SUFFIX_BY_LENGTH:
        if token.endswith(suffix) and len(token) - len(suffix) >= _MIN_STEM:
            return token[: -len(suffix)] + replacement
    return token


def tokens(text: str) -> list[str]:
    """The folded tokens of a text, in order."""
    return [fold_token(t) for t in _TOKEN.findall(fold_text(text or ""))]


def token_hashes(text: str) -> np.ndarray:
    """Stable 64-bit hashes of the folded tokens, in order; the lowest bit is set for tokens with a digit."""
    found = _TOKEN.findall(fold_text(text or ""))
    return np.fromiter(map(_token_hash, found), dtype=np.uint64, count=len(found))


@lru_cache(maxsize=500_000)
def _token_hash(raw: str) -> int:
    token = fold_token(raw)
    value = int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little") & ~1
    return value if token.isalpha() or not _DIGIT.search(token) else value | 1


def mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijection on uint64 that spreads every input bit over the output."""
    x = x.astype(np.uint64, copy=True)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


_SHINGLE_WEIGHTS = (
    np.uint64(0x9E3779B97F4A7C15),
    np.uint64(0xC2B2AE3D27D4EB4F),
    np.uint64(0x165667B19E3779F9),
    np.uint64(0xD6E8FEB86659FD93),
    np.uint64(0xFF51AFD7ED558CCD),
    np.uint64(0xC4CEB9FE1A85EC53),
)
MAX_SHINGLE = len(_SHINGLE_WEIGHTS)


NUMERIC = np.uint64(1)


def shingles_of_hashes(hashes: np.ndarray, size: int) -> np.ndarray:
    """Sorted unique hashes of every run of ``size`` consecutive tokens (the whole text if shorter).

    The lowest bit of a shingle hash says whether the shingle holds a number (a token with a
    digit): figures are what set apart two stories written from one template (earnings,
    results, market closes), so verification can check that the figures agree as well as the words.
    """
    if not 1 <= size <= MAX_SHINGLE:
        raise ValueError(f"shingle size must be 1..{MAX_SHINGLE}, got {size}")
    n = len(hashes)
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    width = min(size, n)
    count = n - width + 1
    numeric = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        combined = np.zeros(count, dtype=np.uint64)
        for offset in range(width):
            window = hashes[offset : offset + count]
            combined += window * _SHINGLE_WEIGHTS[offset]
            numeric |= window & NUMERIC
    return np.unique((mix64(combined) & ~NUMERIC) | numeric)


def shingle_hashes(text: str, size: int) -> np.ndarray:
    """Sorted unique 64-bit hashes of the text's ``size``-token shingles."""
    return shingles_of_hashes(token_hashes(text), size)
