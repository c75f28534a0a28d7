"""Immutable index segments: per-article columns plus sorted arrays to look them up by.

A segment holds the articles of one or more whole logical hours, rows in commit order (hour,
then the order the hour decided them in), so "earliest" is simply the lowest row. Three
lookups, each a binary search over a sorted array plus a parallel array of row numbers:

* canonical URL → every version of that article (the latest one decides updates);
* content hash → the first article with exactly that text;
* each LSH band key → the articles whose band has that key (near-duplicate candidates).

Per article that is 8 bytes per band, 2 bytes per sketch slot, 64 bytes of columns and 24 of
URL/content lookup arrays: 472 bytes with the default 24 bands and 96 sketch slots. On disk a
segment is a directory of ``.npy`` files opened memory-mapped; a batch of lookups touches pages
all over them once and then lets go of them (``Segment.release``), so a process's memory does
not grow with history (the pages stay in the OS page cache). Segments never change once written;
dropping an hour or merging segments writes new ones, streaming column by column and band by
band so that merging large segments needs little memory (``store.py`` makes them visible
atomically).
"""

from __future__ import annotations

import contextlib
import json
import mmap
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from newsflow.dedup.keys import id_text
from newsflow.dedup.minhash import Signatures

COLUMNS = (
    "hour",
    "article",
    "story",
    "dup",
    "similarity",
    "version",
    "url",
    "content",
    "size",
    "used",
    "tau",
    "sketch",
)
INDEXES = ("band_keys", "band_rows", "url_sorted", "url_rows", "content_sorted", "content_rows")
DTYPES = {
    "hour": np.int32,
    "article": np.uint64,
    "story": np.uint64,
    "dup": np.uint64,
    "similarity": np.float32,
    "version": np.uint16,
    "url": np.uint64,
    "content": np.uint64,
    "size": np.uint32,
    "used": np.uint16,
    "tau": np.uint64,
    "sketch": np.uint16,
    "band_keys": np.uint32,
    "band_rows": np.uint32,
    "url_sorted": np.uint64,
    "url_rows": np.uint32,
    "content_sorted": np.uint64,
    "content_rows": np.uint32,
}
META_FILE = "segment.json"
NAMES_FILE = "names.json"
CHUNK_ROWS = 1 << 18
PROBE_CHUNK = 64  # random reads between releases of a memory-mapped array


@dataclass
class Candidates:
    """Near-duplicate candidates for a batch of queries, one row per (query, indexed article)."""

    query: np.ndarray  # int64 index of the query in the batch
    hits: np.ndarray  # int16 number of bands the two share
    hour: np.ndarray  # int32
    order: np.ndarray  # int64 position within its hour's commit
    article: np.ndarray  # uint64
    story: np.ndarray  # uint64
    sketch: np.ndarray  # (c, k) uint16
    used: np.ndarray  # uint16
    tau: np.ndarray  # uint64
    size: np.ndarray  # uint32
    names: dict[int, str] = field(default_factory=dict)

    FIELDS = ("query", "hits", "hour", "order", "article", "story", "sketch", "used", "tau", "size")

    def __len__(self) -> int:
        return len(self.query)

    @classmethod
    def empty(cls, sketch_size: int) -> Candidates:
        return cls(
            np.empty(0, np.int64),
            np.empty(0, np.int16),
            np.empty(0, np.int32),
            np.empty(0, np.int64),
            np.empty(0, np.uint64),
            np.empty(0, np.uint64),
            np.empty((0, sketch_size), np.uint16),
            np.empty(0, np.uint16),
            np.empty(0, np.uint64),
            np.empty(0, np.uint32),
        )

    @classmethod
    def concat(cls, parts: Sequence[Candidates], sketch_size: int) -> Candidates:
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty(sketch_size)
        names: dict[int, str] = {}
        for part in parts:
            names.update(part.names)
        query, hits, hour, order, article, story, sketch, used, tau, size = (
            np.concatenate([getattr(p, name) for p in parts]) for name in cls.FIELDS
        )
        return cls(query, hits, hour, order, article, story, sketch, used, tau, size, names)

    def take(self, idx: np.ndarray) -> Candidates:
        query, hits, hour, order, article, story, sketch, used, tau, size = (
            getattr(self, name)[idx] for name in self.FIELDS
        )
        return Candidates(query, hits, hour, order, article, story, sketch, used, tau, size, self.names)

    def best_per_query(self, limit: int) -> Candidates:
        """At most ``limit`` candidates per query: most shared bands first, then the earliest."""
        return self.take(top_per_query(self.query, self.hits, self.hour, self.order, limit))


def top_per_query(query: np.ndarray, hits: np.ndarray, hour: np.ndarray, order: np.ndarray, limit: int) -> np.ndarray:
    """Indices of at most ``limit`` entries per query, by most shared bands, then earliest (hour, order).

    A true copy shares several bands with its original (24 * J**2 of 24 bands on average: about 4 at
    Jaccard 0.4, 12 at 0.7), while articles written from the same template, or merely on the same
    subject, mostly share one: keeping the best ``limit`` bounds the verification work per article
    however much of history resembles it.
    """
    if len(query) == 0:
        return np.empty(0, np.int64)
    ranked = np.lexsort((order, hour, -hits.astype(np.int64), query))
    grouped = query[ranked]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    position = np.arange(len(ranked)) - np.repeat(starts, np.diff(np.r_[starts, len(ranked)]))
    return np.sort(ranked[position < limit])


@dataclass(frozen=True)
class Entry:
    """One indexed article version, as a URL or content lookup returns it."""

    article_id: str
    story_id: str
    duplicate_of: str | None
    similarity: float | None
    version: int
    hour: int  # logical hour number (hours since 1970, UTC) that committed it
    order: int  # position among that hour's articles
    content: int  # content key (0: no body)

    @property
    def rank(self) -> tuple[int, int]:
        """Sort key for "first seen": earlier hour first, then earlier within the hour."""
        return (self.hour, self.order)


# ---------------------------------------------------------------- array sinks


class Sink(Protocol):
    def write(self, chunk: np.ndarray) -> None: ...

    def finish(self) -> np.ndarray: ...


class MemorySink:
    def __init__(self, dtype: type, shape: tuple[int, ...]) -> None:
        self.array: np.ndarray = np.empty(shape, dtype)
        self.at = 0

    def write(self, chunk: np.ndarray) -> None:
        self.array[self.at : self.at + len(chunk)] = chunk
        self.at += len(chunk)

    def finish(self) -> np.ndarray:
        return self.array


class NpyFileSink:
    """Writes an ``.npy`` file front to back from chunks (no memory map: written pages are not ours)."""

    def __init__(self, path: Path, dtype: type, shape: tuple[int, ...]) -> None:
        self.path = path
        self.fh = open(path, "wb")  # noqa: SIM115 - closed in finish()
        header = {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)), "fortran_order": False, "shape": shape}
        np.lib.format.write_array_header_1_0(self.fh, header)
        self.dtype = np.dtype(dtype)

    def write(self, chunk: np.ndarray) -> None:
        self.fh.write(np.ascontiguousarray(chunk, dtype=self.dtype).tobytes())

    def finish(self) -> np.ndarray:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        return np.load(self.path, mmap_mode="r", allow_pickle=False)


SinkFactory = Callable[[str, type, tuple[int, ...]], Sink]


def memory_sinks(name: str, dtype: type, shape: tuple[int, ...]) -> Sink:
    return MemorySink(dtype, shape)


def file_sinks(directory: Path) -> SinkFactory:
    def factory(name: str, dtype: type, shape: tuple[int, ...]) -> Sink:
        return NpyFileSink(directory / f"{name}.npy", dtype, shape)

    return factory


# ---------------------------------------------------------------- the segment


class Segment:
    """Columns and lookup arrays of whole hours; in memory, or memory-mapped from a directory."""

    def __init__(
        self,
        arrays: dict[str, np.ndarray],
        hours: Sequence[int],
        names: dict[int, str] | None = None,
        path: Path | None = None,
    ) -> None:
        self.a = arrays
        self.hours = sorted(int(h) for h in hours)
        self.names = names or {}
        self.path = path

    def __len__(self) -> int:
        return len(self.a["hour"])

    @property
    def nbytes(self) -> int:
        return sum(int(self.a[name].nbytes) for name in (*COLUMNS, *INDEXES))

    @property
    def sketch_size(self) -> int:
        return int(self.a["sketch"].shape[1])

    # ------------------------------------------------------------ building

    @classmethod
    def build(
        cls,
        hours: np.ndarray,
        article: np.ndarray,
        story: np.ndarray,
        dup: np.ndarray,
        similarity: np.ndarray,
        version: np.ndarray,
        url: np.ndarray,
        content: np.ndarray,
        signatures: Signatures,
        names: dict[int, str] | None = None,
    ) -> Segment:
        """An in-memory segment from row-aligned columns already in commit order (hour ascending)."""
        hour_column = np.asarray(hours, np.int32)
        if len(hour_column) and np.any(hour_column[:-1] > hour_column[1:]):
            raise ValueError("segment rows must be sorted by hour")
        arrays: dict[str, np.ndarray] = {
            "hour": hour_column,
            "article": np.asarray(article, np.uint64),
            "story": np.asarray(story, np.uint64),
            "dup": np.asarray(dup, np.uint64),
            "similarity": np.asarray(similarity, np.float32),
            "version": np.asarray(version, np.uint16),
            "url": np.asarray(url, np.uint64),
            "content": np.asarray(content, np.uint64),
            "size": signatures.size.astype(np.uint32),
            "used": signatures.used.astype(np.uint16),
            "tau": signatures.tau.astype(np.uint64),
            "sketch": signatures.sketch.astype(np.uint16),
        }
        indexed = np.flatnonzero(arrays["size"] > 0)
        bands = signatures.band_keys.shape[1]
        band_keys = np.empty((bands, len(indexed)), np.uint32)
        band_rows = np.empty((bands, len(indexed)), np.uint32)
        for b in range(bands):
            column = signatures.band_keys[indexed, b]
            by_key = np.argsort(column, kind="stable")  # equal keys keep row order: earliest first
            band_keys[b], band_rows[b] = column[by_key], indexed[by_key]
        arrays["band_keys"], arrays["band_rows"] = band_keys, band_rows
        _add_lookup_arrays(arrays, memory_sinks)
        return cls(arrays, np.unique(hour_column).tolist(), dict(names or {}))

    # ------------------------------------------------------------ lookups

    def _take(self, name: str, rows: np.ndarray) -> np.ndarray:
        return gather(self.a[name], rows)

    def _search(self, sorted_values: np.ndarray, wanted: np.ndarray, side: Literal["left", "right"]) -> np.ndarray:
        """``np.searchsorted`` in sorted probe order, a chunk at a time on memory-mapped arrays (see ``_take``)."""
        if not isinstance(sorted_values, np.memmap):
            return np.searchsorted(sorted_values, wanted, side=side)
        ascending = len(wanted) < 2 or bool(np.all(wanted[1:] >= wanted[:-1]))
        by_value = np.arange(len(wanted)) if ascending else np.argsort(wanted, kind="stable")
        found = np.empty(len(wanted), np.int64)
        for start in range(0, len(wanted), PROBE_CHUNK):
            chunk = by_value[start : start + PROBE_CHUNK]
            found[chunk] = np.searchsorted(sorted_values, wanted[chunk], side=side)
            release_pages(sorted_values)
        return found

    def _order(self, rows: np.ndarray) -> np.ndarray:
        """Position of each row within its hour (rows are sorted by hour)."""
        return rows - self._search(self.a["hour"], self._take("hour", rows), "left")

    def _entries(self, rows: np.ndarray) -> list[Entry]:
        orders = self._order(rows)
        columns = {
            name: self._take(name, rows).tolist()
            for name in ("article", "story", "dup", "similarity", "version", "hour", "content")
        }
        entries = []
        for i, order in enumerate(orders.tolist()):
            dup = int(columns["dup"][i])
            similarity = float(columns["similarity"][i])
            entries.append(
                Entry(
                    id_text(int(columns["article"][i]), self.names),
                    id_text(int(columns["story"][i]), self.names),
                    id_text(dup, self.names) if dup else None,
                    None if np.isnan(similarity) else round(similarity, 4),
                    int(columns["version"][i]),
                    int(columns["hour"][i]),
                    int(order),
                    int(columns["content"][i]),
                )
            )
        return entries

    def _matching_rows(self, sorted_name: str, rows_name: str, keys: np.ndarray, before: int) -> dict[int, np.ndarray]:
        sorted_values = self.a[sorted_name]
        lo = self._search(sorted_values, keys, "left")
        hi = self._search(sorted_values, keys, "right")
        found: dict[int, np.ndarray] = {}
        for i in np.flatnonzero(hi > lo).tolist():
            rows = np.asarray(self.a[rows_name][lo[i] : hi[i]], np.int64)
            rows = rows[self._take("hour", rows) < before]
            if len(rows):
                found[int(keys[i])] = rows
        return found

    def release(self) -> None:
        """Drop this process's hold on the pages a lookup touched (memory-mapped segments only).

        A batch of lookups touches pages all over the arrays once, and the kernel maps whole
        page-cache folios around each: without this, resident memory would grow with history.
        The pages stay in the page cache, so the next lookup finds them there.
        """
        for array in self.a.values():
            release_pages(array)

    def url_versions(self, keys: np.ndarray, before: int) -> dict[int, list[Entry]]:
        """Every version of each URL key committed before hour ``before``."""
        try:
            return self._url_versions(keys, before)
        finally:
            self.release()

    def _url_versions(self, keys: np.ndarray, before: int) -> dict[int, list[Entry]]:
        return {
            key: self._entries(rows)
            for key, rows in self._matching_rows("url_sorted", "url_rows", keys, before).items()
        }

    def first_content(self, keys: np.ndarray, before: int) -> dict[int, Entry]:
        """The earliest row with each content key committed before hour ``before``."""
        try:
            found = self._matching_rows("content_sorted", "content_rows", keys, before)
            return {key: self._entries(rows[:1])[0] for key, rows in found.items()}
        finally:
            self.release()

    def near_candidates(
        self, band_keys: np.ndarray, before: int, cap: int, limit: int, probe_order: np.ndarray | None = None
    ) -> Candidates:
        """Rows sharing at least one band key with each query (``band_keys``: (queries, bands)).

        At most ``cap`` rows are read per band key (the earliest: equal keys are in row order),
        and at most ``limit`` candidates kept per query (``top_per_query``). ``probe_order``:
        ``np.argsort(band_keys, axis=0)``, when the caller probes several segments with them.
        """
        a = self.a
        order_by_band = np.argsort(band_keys, axis=0) if probe_order is None else probe_order
        queries: list[np.ndarray] = []
        rows: list[np.ndarray] = []
        for b in range(min(band_keys.shape[1], a["band_keys"].shape[0])):
            keys = a["band_keys"][b]
            if len(keys) == 0:
                continue
            wanted = band_keys[:, b]
            by_key = order_by_band[:, b]  # sorted probes walk the array front to back
            lo = np.empty(len(wanted), np.int64)
            hi = np.empty(len(wanted), np.int64)
            lo[by_key] = np.searchsorted(keys, wanted[by_key], side="left")
            hi[by_key] = np.searchsorted(keys, wanted[by_key], side="right")
            release_pages(keys)  # one band's probes touch most of its pages: let go before the next
            count = np.minimum(hi - lo, cap)
            hit = np.flatnonzero(count > 0)
            if len(hit) == 0:
                continue
            counts = count[hit]
            offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
            positions = np.repeat(lo[hit], counts) + offsets
            queries.append(np.repeat(hit, counts))
            rows.append(gather(a["band_rows"][b], positions).astype(np.int64))
        if not rows:
            self.release()
            return Candidates.empty(self.sketch_size)
        pairs, hits = np.unique(
            np.stack([np.concatenate(queries), np.concatenate(rows)], axis=1), axis=0, return_counts=True
        )
        query, row = pairs[:, 0], pairs[:, 1]
        visible = self._take("hour", row) < before
        query, row, hits = query[visible], row[visible], hits[visible]
        hour = self._take("hour", row).astype(np.int32)
        order = self._order(row)
        best = top_per_query(query, hits, hour, order, limit)
        query, row, hits, hour, order = query[best], row[best], hits[best], hour[best], order[best]
        found = Candidates(
            query=query.astype(np.int64),
            hits=hits.astype(np.int16),
            hour=hour,
            order=order,
            article=self._take("article", row).astype(np.uint64),
            story=self._take("story", row).astype(np.uint64),
            sketch=self._take("sketch", row).astype(np.uint16),
            used=self._take("used", row).astype(np.uint16),
            tau=self._take("tau", row).astype(np.uint64),
            size=self._take("size", row).astype(np.uint32),
            names=self.names,
        )
        self.release()
        return found

    # ------------------------------------------------------------ files

    def save(self, directory: Path, extra_meta: dict | None = None) -> Segment:
        """Write every array and the metadata into ``directory`` (created; must not exist), fsynced."""
        directory.mkdir(parents=True)
        factory = file_sinks(directory)
        arrays = {}
        for name in (*COLUMNS, *INDEXES):
            array = np.asarray(self.a[name])
            sink = factory(name, DTYPES[name], array.shape)
            for start in range(0, max(len(array), 1), CHUNK_ROWS):
                sink.write(array[start : start + CHUNK_ROWS])
            arrays[name] = sink.finish()
        write_meta(directory, len(self), self.hours, self.names, extra_meta)
        return Segment(arrays, self.hours, self.names, path=directory)

    @classmethod
    def load(cls, directory: Path) -> Segment:
        meta = json.loads((directory / META_FILE).read_text("utf-8"))
        arrays = {
            name: np.load(directory / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in (*COLUMNS, *INDEXES)
        }
        names: dict[int, str] = {}
        if (directory / NAMES_FILE).exists():
            names = {int(k, 16): v for k, v in json.loads((directory / NAMES_FILE).read_text("utf-8")).items()}
        return cls(arrays, meta["hours"], names, path=directory)


def write_meta(directory: Path, rows: int, hours: Sequence[int], names: dict[int, str], extra: dict | None) -> None:
    _write_json(directory / META_FILE, {"rows": rows, "hours": list(hours), **(extra or {})})
    if names:
        _write_json(directory / NAMES_FILE, {f"{k:016x}": v for k, v in names.items()})


def _write_json(path: Path, doc: dict) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
        fh.flush()
        os.fsync(fh.fileno())


def gather(array: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``array[rows]``; from a memory-mapped array, a few rows at a time.

    The kernel maps whole page-cache folios (hundreds of kilobytes) around each row read at
    random: reading thousands of rows in one go would map most of a large file into this
    process. Reading ``PROBE_CHUNK`` rows at a time and letting go in between keeps that bounded.
    """
    if not isinstance(array, np.memmap):
        return np.asarray(array[rows])
    out = np.empty((len(rows), *array.shape[1:]), array.dtype)
    for start in range(0, len(rows), PROBE_CHUNK):
        out[start : start + PROBE_CHUNK] = array[rows[start : start + PROBE_CHUNK]]
        release_pages(array)
    return out


def release_pages(array: np.ndarray) -> None:
    """Let go of the pages of a memory-mapped array this process has read (no-op for arrays in memory).

    The file stays in the page cache; only this process's resident set shrinks. Merging reads
    whole segments once, and without this every page read would stay counted against it.
    """
    base: object = array
    while base is not None:
        mapped = getattr(base, "_mmap", None)
        if isinstance(mapped, mmap.mmap):
            with contextlib.suppress(ValueError, OSError):
                mapped.madvise(mmap.MADV_DONTNEED)
            return
        base = getattr(base, "base", None)


def _add_lookup_arrays(arrays: dict[str, np.ndarray], sinks: SinkFactory) -> None:
    """The sorted URL and content arrays (with their rows) for the columns in ``arrays``."""
    url = np.asarray(arrays["url"])
    rows = np.argsort(url, kind="stable")
    arrays["url_sorted"] = _emit(sinks, "url_sorted", url[rows])
    arrays["url_rows"] = _emit(sinks, "url_rows", rows.astype(np.uint32))
    content = np.asarray(arrays["content"])
    has = np.flatnonzero(content != 0)
    rows = has[np.argsort(content[has], kind="stable")]
    arrays["content_sorted"] = _emit(sinks, "content_sorted", content[rows])
    arrays["content_rows"] = _emit(sinks, "content_rows", rows.astype(np.uint32))
    for name in ("url", "content", "url_sorted", "url_rows", "content_sorted", "content_rows"):
        release_pages(arrays[name])


def _emit(sinks: SinkFactory, name: str, array: np.ndarray) -> np.ndarray:
    sink = sinks(name, DTYPES[name], array.shape)
    sink.write(array)
    return sink.finish()


def merge(
    segments: Sequence[Segment],
    keep: Sequence[np.ndarray] | None = None,
    directory: Path | None = None,
    extra_meta: dict | None = None,
) -> Segment:
    """One segment with the (kept) rows of several, in (hour, order) order.

    Written straight into ``directory`` when given (memory-mapped afterwards), else in memory.
    Streams column by column in chunks and band by band, so merging large segments needs memory
    for one band of row numbers at a time.
    """
    if not segments:
        raise ValueError("nothing to merge")
    keep = list(keep) if keep is not None else [np.ones(len(s), bool) for s in segments]
    if directory is not None:
        directory.mkdir(parents=True)
    sinks: SinkFactory = file_sinks(directory) if directory is not None else memory_sinks
    kept = [np.flatnonzero(mask) for mask in keep]
    sources = np.concatenate([np.full(len(rows), i, np.int32) for i, rows in enumerate(kept)])
    source_rows = np.concatenate(kept)
    hours = np.concatenate([np.asarray(s.a["hour"])[rows] for s, rows in zip(segments, kept, strict=True)])
    # Each hour lives in exactly one segment, so a stable sort by hour keeps every hour's order.
    order = np.argsort(hours, kind="stable")
    del hours
    total = len(order)
    new_row: list[np.ndarray] = []
    position = np.empty(total, np.int64)
    position[order] = np.arange(total)
    offset = 0
    for s, rows in zip(segments, kept, strict=True):
        mapping = np.full(len(s), -1, np.int64)
        mapping[rows] = position[offset : offset + len(rows)]
        new_row.append(mapping)
        offset += len(rows)
    del position

    arrays: dict[str, np.ndarray] = {}
    for name in COLUMNS:
        shape = (total, *segments[0].a[name].shape[1:])
        sink = sinks(name, DTYPES[name], shape)
        for start in range(0, total, CHUNK_ROWS):
            picked = order[start : start + CHUNK_ROWS]
            src, rows = sources[picked], source_rows[picked]
            chunk = np.empty((len(picked), *shape[1:]), DTYPES[name])
            for i, s in enumerate(segments):
                mine = src == i
                if mine.any():
                    chunk[mine] = np.asarray(s.a[name][rows[mine]])
                    release_pages(s.a[name])
            sink.write(chunk)
        arrays[name] = sink.finish()
        release_pages(arrays[name])
        for s in segments:
            release_pages(s.a[name])
    del order, sources, source_rows

    bands = int(segments[0].a["band_keys"].shape[0])
    # Every indexed row appears once in every band: count them in band 0.
    indexed = sum(
        int(np.count_nonzero(new_row[i][np.asarray(s.a["band_rows"][0], np.int64)] >= 0))
        for i, s in enumerate(segments)
        if s.a["band_rows"].shape[1]
    )
    keys_sink = sinks("band_keys", DTYPES["band_keys"], (bands, indexed))
    rows_sink = sinks("band_rows", DTYPES["band_rows"], (bands, indexed))
    for b in range(bands):
        keys_parts, rows_parts = [], []
        for i, s in enumerate(segments):
            if s.a["band_rows"].shape[1] == 0:
                continue
            mapped = new_row[i][np.asarray(s.a["band_rows"][b], np.int64)]
            kept_here = mapped >= 0
            keys_parts.append(np.asarray(s.a["band_keys"][b])[kept_here])
            rows_parts.append(mapped[kept_here])
        keys = np.concatenate(keys_parts) if keys_parts else np.empty(0, np.uint32)
        rows = np.concatenate(rows_parts) if rows_parts else np.empty(0, np.int64)
        by_key_then_row = np.lexsort((rows, keys))
        keys_sink.write(keys[by_key_then_row][None, :])
        rows_sink.write(rows[by_key_then_row].astype(np.uint32)[None, :])
        for s in segments:
            release_pages(s.a["band_keys"])
            release_pages(s.a["band_rows"])
    arrays["band_keys"], arrays["band_rows"] = keys_sink.finish(), rows_sink.finish()
    _add_lookup_arrays(arrays, sinks)
    names: dict[int, str] = {}
    for s in segments:
        names.update(s.names)
    hour_set: set[int] = set()
    for s, mask in zip(segments, keep, strict=True):
        hour_set.update(s.hours if mask.all() else np.unique(np.asarray(s.a["hour"])[mask]).tolist())
    hours_sorted = sorted(hour_set)
    if directory is not None:
        write_meta(directory, total, hours_sorted, names, extra_meta)
    return Segment(arrays, hours_sorted, names, path=directory)
