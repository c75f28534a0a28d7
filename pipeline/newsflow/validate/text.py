"""Signals of whether a body is text, computed over a whole column at once without reading whole bodies.

The articles suite needs to know, for every body, whether it is text at all (20 KB of random bytes
served as HTML decode to a "3,236-word article"), whether it is markup soup, and whether
``word_count`` agrees with it. Reading 100,000 bodies character by character in Python costs
seconds, and Arrow's regex kernels are slower still, so the signals are computed with numpy on the
column's UTF-8 bytes, over :data:`WINDOWS` windows of :data:`WINDOW_BYTES` bytes per body spread
from its head to its tail (a body that fits in them is read whole). The cost per body is bounded
whatever its size: a 5 MB body costs what a 400-byte one does.

Characters are classified by their Unicode general category (Python's :mod:`unicodedata`):

* **text**: letters, marks, numbers, punctuation (L, M, N, P);
* **not text**: symbols (S, which includes U+FFFD, the replacement character every undecodable byte
  becomes), controls other than tab and newlines, private-use, surrogate and unassigned code points,
  and bytes that are not valid UTF-8;
* **neutral**: separators (Z), tab and newlines, format characters (Cf: joiners, soft hyphens), and
  ``|``, the cell separator of tables rendered as text.

The signals:

* ``quality``: the share of *text* among the non-neutral characters. Random bytes decoded as UTF-8
  score ~0.4, as Latin-1 ~0.65; prose in any script ~1.0.
* ``case_switches``: upper-case letters right after a lower-case one ("xKq"), per text character.
  Prose has almost none (a "McDonald" or "iPhone" now and then); random bytes decoded as
  Windows-1252, random printable ASCII and base64 have 10-20 %. Scripts without case score ~0.
* ``markup``: the share of the markup delimiters ``< > { }`` among the non-neutral characters.
* ``words``: ``\\w+`` runs counted exactly as ``re.findall(r"\\w+", body)`` counts them (Python's
  Unicode ``\\w``), scaled from the windows to the body's length when the body is longer than the
  windows. For scripts written without spaces (Han, kana, Thai…) what a "word" is depends on a
  segmentation convention, so no count is given (NaN).

The scalar functions (:func:`text_quality`, …) run the same code on a one-element column, so the
score a test computes for a body is the score the suite saw.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa

WINDOW_BYTES = 128  # bytes per window (a multiple of 8)
WINDOWS = 3  # windows per body, spread from head to tail
_LOOKBEHIND = 8  # bytes read before a window (the character before it decides whether a word starts);
_LOOKAHEAD = 8  # and after it (the rest of a character that starts in it); 8 keeps rows 8-byte aligned

# Character classes: bit flags, one uint8 per byte of the windows. The low four bits are the ones
# whose transitions matter (a word starts, a lower-case letter is followed by an upper-case one).
_WORD = 1  # \w: str.isalnum() or "_"
_LOWER = 2  # Ll
_UPPER = 4  # Lu, Lt
_CONT = 8  # a UTF-8 continuation byte: carries its character's word and case flags, counted once
_TEXT = 16
_NOT_TEXT = 32
_UNSPACED = 64  # a script written without spaces between words (Han, kana, Thai, Lao, Khmer, Myanmar)
_MARKUP = 128
_LEAD = _TEXT | _NOT_TEXT  # a UTF-8 lead byte still to be decoded (no character is both)
_CARRIED = _WORD | _LOWER | _UPPER
_CHUNK = 4096  # windows per pass: the working arrays stay in the CPU cache

MARKUP_CHARS = "<>{}"
_NEUTRAL_SYMBOLS = "|"
_BMP = 0x10000
_UNSPACED_RANGES = (
    (0x0E00, 0x0F00),  # Thai, Lao
    (0x1000, 0x10A0),  # Myanmar
    (0x1780, 0x1800),  # Khmer
    (0x3040, 0x3100),  # kana
    (0x3400, 0x4DC0),  # CJK extension A
    (0x4E00, 0xA000),  # CJK unified ideographs
    (0xF900, 0xFB00),  # CJK compatibility ideographs
)


def _char_class(ch: str) -> int:
    category = unicodedata.category(ch)
    if category[0] in "LMNP":
        flags = _TEXT
    elif category[0] == "Z" or category == "Cf" or ch in "\t\n\r" or ch in _NEUTRAL_SYMBOLS:
        flags = 0
    else:
        flags = _NOT_TEXT
    if ch.isalnum() or ch == "_":
        flags |= _WORD
    if category == "Ll":
        flags |= _LOWER
    elif category in ("Lu", "Lt"):
        flags |= _UPPER
    if ch in MARKUP_CHARS:
        flags |= _MARKUP
    return flags


@lru_cache(maxsize=1)
def _tables() -> tuple[np.ndarray, bytes]:
    """(class of every BMP code point, first look at every byte value as a ``bytes.translate`` table)."""
    bmp = np.fromiter((_char_class(chr(cp)) for cp in range(_BMP)), dtype=np.uint8, count=_BMP)
    bmp[0xD800:0xE000] = _NOT_TEXT  # surrogates never belong in text
    for lo, hi in _UNSPACED_RANGES:
        bmp[lo:hi] |= _UNSPACED
    first = bmp[:256].copy()
    first[0x80:0xC0] = _CONT
    first[0xC0:] = _LEAD
    first[[0xC0, 0xC1, *range(0xF5, 0x100)]] = _NOT_TEXT  # bytes that never occur in UTF-8
    return bmp, first.tobytes()


def _astral_class(cp: np.ndarray) -> np.ndarray:
    """Classes of code points beyond the BMP by block (a per-code-point table of all 1.1 million
    would cost more to build than the check): emoji and symbol blocks are symbols, private-use
    planes are not text, tags and variation selectors are neutral, the rest (historic scripts, CJK
    extensions) are letters."""
    out = np.full(cp.shape, _TEXT | _WORD, dtype=np.uint8)
    out[(cp >= 0x20000) & (cp < 0x40000)] |= _UNSPACED
    out[((cp >= 0x1F000) & (cp < 0x1FB00)) | ((cp >= 0x1D000) & (cp < 0x1D400))] = _NOT_TEXT
    out[(cp >= 0xE0000) & (cp < 0xF0000)] = 0
    out[cp >= 0xF0000] = _NOT_TEXT
    return out


@dataclass(frozen=True)
class TextSignals:
    """Per-row signals of a string column (see the module docstring); NaN where the value is null."""

    quality: np.ndarray  # float64, 0.0 for a value with no non-neutral character (empty, blank)
    case_switches: np.ndarray  # float64
    markup: np.ndarray  # float64
    words: np.ndarray  # float64; NaN also for scripts written without spaces
    exact: np.ndarray  # bool: the value was read whole (its word count is exact)


def _buffers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The value offsets and the data bytes of a string / large_string array, zero-copy."""
    n = len(arr)
    wide = pa.types.is_large_string(arr.type)
    buffers = arr.buffers()
    offsets = np.frombuffer(
        buffers[1], dtype=np.int64 if wide else np.int32, count=n + 1, offset=arr.offset * (8 if wide else 4)
    )
    data = buffers[2]
    return offsets.astype(np.int64), np.frombuffer(data, dtype=np.uint8) if data else np.zeros(0, np.uint8)


def _string_array(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    # One chunk is used as it is: a body column is ~500 MB.
    arr = (
        (column.chunk(0) if column.num_chunks == 1 else column.combine_chunks())
        if isinstance(column, pa.ChunkedArray)
        else column
    )
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_string_view(arr.type):
        arr = arr.cast(pa.large_string())
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        raise TypeError(f"text signals need a string column, not {arr.type}")
    return arr


def text_signals(column: pa.Array | pa.ChunkedArray) -> TextSignals:
    """:class:`TextSignals` of every value of a string column."""
    arr = _string_array(column)
    n = len(arr)
    if n == 0:
        empty = np.zeros(0)
        return TextSignals(empty, empty, empty, empty, np.zeros(0, bool))
    nulls = arr.is_null().to_numpy(zero_copy_only=False) if arr.null_count else np.zeros(n, bool)
    offsets, data = _buffers(arr)
    starts, ends = offsets[:-1], offsets[1:]
    lengths = np.where(nulls, 0, ends - starts)
    k, lb, per_row = WINDOW_BYTES, _LOOKBEHIND, WINDOWS
    whole = lengths <= k * per_row

    # Windows: contiguous over a body that fits in them, else spread evenly from head to tail.
    step = np.arange(per_row)
    spread = (np.maximum(lengths - k, 0)[:, None] * step[None, :]) // max(per_row - 1, 1)
    rel = np.where(whole[:, None], step[None, :] * k, spread)  # window start within the value
    win_len = np.clip(np.minimum(k, lengths[:, None] - rel), 0, k).ravel()
    before = np.clip(rel, 0, lb).ravel()  # lookbehind bytes that belong to the value
    row_end = (lb + lengths[:, None] - rel).ravel()  # where the value ends, in window coordinates
    win_start = np.minimum(starts[:, None] + rel, ends[:, None]).ravel()

    counts = _count_windows(data, win_start, win_len, before, row_end)
    text, not_text, word_starts, switches, unspaced, markup = (c.reshape(n, per_row).sum(axis=1) for c in counts)
    counted = text + not_text
    sampled = win_len.reshape(n, per_row).sum(axis=1)
    denominator = np.maximum(counted, 1)
    quality = np.where(counted > 0, text / denominator, 0.0)
    density = np.where(counted > 0, markup / denominator, 0.0)
    case_switches = np.where(text > 0, switches / np.maximum(text, 1), 0.0)
    words = np.where(whole, word_starts, word_starts * lengths / np.maximum(sampled, 1)).astype(np.float64)
    return TextSignals(
        quality=np.where(nulls, np.nan, quality),
        case_switches=np.where(nulls, np.nan, case_switches),
        markup=np.where(nulls, np.nan, density),
        words=np.where(nulls | (unspaced > 0), np.nan, words),
        exact=whole & ~nulls,
    )


_LANES = np.uint64(0x0101010101010101)


def _bit_counts(events: np.ndarray, bits: tuple[int, ...]) -> list[np.ndarray]:
    """Per row of a (rows, WINDOW_BYTES) uint8 array, how many bytes have each of ``bits`` set.

    Eight bytes are added at once as the lanes of a uint64 (a lane's sum stays under 256), then
    the lanes are added by one multiplication: several times faster than ``count_nonzero``."""
    words = events.view(np.uint64)
    out = []
    for bit in bits:
        lanes = ((words >> np.uint64(bit)) & _LANES).sum(axis=1, dtype=np.uint64)
        out.append(((lanes * _LANES) >> np.uint64(56)).astype(np.int32))
    return out


class _Gather:
    """Windows of ``width`` bytes starting ``lookbehind`` bytes before given offsets of ``data``, as
    rows of one array; bytes before the data's start or past its end read as zero. Zero-copy
    over the data (a padded copy of a 500 MB column would cost more than the whole check)."""

    def __init__(self, data: np.ndarray, width: int, lookbehind: int) -> None:
        self.data, self.width, self.lookbehind = data, width, lookbehind
        self.view = np.lib.stride_tricks.sliding_window_view(data, width) if data.size >= width else None

    def __call__(self, offsets: np.ndarray) -> np.ndarray:
        begin = offsets - self.lookbehind
        fits = (begin >= 0) & (begin + self.width <= self.data.size)
        if self.view is not None and fits.all():
            return self.view[begin]
        out = np.zeros((offsets.size, self.width), np.uint8)
        if self.view is not None and fits.any():
            out[fits] = self.view[begin[fits]]
        for i in np.flatnonzero(~fits):  # the few windows at the data's edges
            lo, hi = max(begin[i], 0), min(begin[i] + self.width, self.data.size)
            if hi > lo:
                out[i, lo - begin[i] : hi - begin[i]] = self.data[lo:hi]
        return out


def _count_windows(
    data: np.ndarray, win_start: np.ndarray, win_len: np.ndarray, before: np.ndarray, row_end: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Per window: text, not-text, word starts, case switches, unspaced, markup characters."""
    k, lb, la = WINDOW_BYTES, _LOOKBEHIND, _LOOKAHEAD
    width = lb + k + la
    gather = _Gather(data, width, lb)
    bmp, first = _tables()
    pos = np.arange(width)
    total = win_start.size
    out = np.zeros((6, total), np.int32)
    for lo in range(0, total, _CHUNK):
        hi = min(lo + _CHUNK, total)
        windows = gather(win_start[lo:hi])
        cls = np.frombuffer(windows.tobytes().translate(first), np.uint8).reshape(windows.shape).copy()
        # Bytes outside the value (before its start, after its end) belong to its neighbours: the
        # lookbehind of a value's first window, and the tail of a window cut short by the value's end.
        cls[:, :lb] &= np.where(pos[:lb] >= (lb - before[lo:hi])[:, None], 0xFF, 0).astype(np.uint8)
        short = np.flatnonzero(win_len[lo:hi] < k)
        if short.size:
            keep = np.where(pos >= (lb + win_len[lo:hi][short])[:, None], 0, 0xFF).astype(np.uint8)
            cls[short] &= keep
        _decode(windows, cls, row_end[lo:hi], bmp)
        cur = cls[:, lb : lb + k]
        prev = cls[:, lb - 1 : lb + k - 1]
        # A word starts: a word character (not a continuation byte) after a non-word one. A case
        # switch: an upper-case letter right after a lower-case one. Both land in bits 0 and 1,
        # whose own flags (word, lower) are no longer needed.
        starts = cur & ~prev & ~(cur >> 3) & 1  # bit 0: word, not after word, not a continuation byte
        switches = (cur >> 1) & prev & ~(cur >> 2) & 2  # bit 1: upper (bit 2) after lower (bit 1), not a continuation
        events = (cur & (_TEXT | _NOT_TEXT | _UNSPACED | _MARKUP)) | starts | switches
        text, not_text, word_starts, case_switches, unspaced, markup = _bit_counts(events, (4, 5, 0, 1, 6, 7))
        out[:, lo:hi] = (text, not_text, word_starts, case_switches, unspaced, markup)
    return tuple(out)


def _decode(windows: np.ndarray, cls: np.ndarray, row_end: np.ndarray, bmp: np.ndarray) -> None:
    """Classify the multi-byte characters of ``windows`` in ``cls`` (in place): the lead byte gets the
    character's class, its continuation bytes ``_CONT`` plus its word and case flags."""
    flat_cls = cls.reshape(-1)
    at = np.flatnonzero(flat_cls == _LEAD)
    if not at.size:
        return
    width = windows.shape[1]
    flat = windows.reshape(-1)
    col = at % width
    limit = row_end[at // width]  # the value's end, in window coordinates
    b0 = flat[at].astype(np.int32)
    size = np.where(b0 < 0xE0, 2, np.where(b0 < 0xF0, 3, 4))
    cps = b0 & np.where(size == 2, 0x1F, np.where(size == 3, 0x0F, 0x07))
    valid = np.ones(at.size, bool)
    for j in range(1, 4):
        needed = size > j
        inside = col + j < np.minimum(limit, width)
        byte = flat[np.where(inside, at + j, at)].astype(np.int32)
        valid &= ~needed | (inside & ((byte & 0xC0) == 0x80))
        cps = np.where(needed, (cps << 6) | (byte & 0x3F), cps)
    classes = np.where(cps < _BMP, bmp[np.minimum(cps, _BMP - 1)], _astral_class(cps))
    classes = np.where(valid, classes, _NOT_TEXT).astype(np.uint8)
    flat_cls[at] = classes
    carried = _CONT | (classes & _CARRIED)
    for j in range(1, 4):
        keep = valid & (size > j)
        flat_cls[at[keep] + j] = carried[keep]


def _one(body: str) -> TextSignals:
    return text_signals(pa.array([body], pa.string()))


def text_quality(body: str) -> float:
    """Share of the body's characters (in the sampled windows) that are letters, marks, numbers or
    punctuation, among all but separators and format characters: ~1.0 for prose in any script,
    ~0.4 for random bytes decoded as UTF-8, 0.0 for an empty or blank body."""
    return float(_one(body).quality[0])


def case_switches(body: str) -> float:
    """Upper-case letters right after a lower-case one ("xKq"), per text character."""
    return float(_one(body).case_switches[0])


def markup_density(body: str) -> float:
    """Share of ``< > { }`` among the body's non-neutral characters (in the sampled windows)."""
    return float(_one(body).markup[0])


def word_estimate(body: str) -> float:
    """``len(re.findall(r"\\w+", body))`` when the body fits in the windows, else an estimate; NaN for
    text in a script written without spaces (Chinese, Japanese, Thai…)."""
    return float(_one(body).words[0])
