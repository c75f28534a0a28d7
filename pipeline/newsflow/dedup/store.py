"""The history every hour is deduplicated against: in memory, or persisted under a directory.

``History`` is what deciding an hour needs to ask about earlier hours: the latest version of a
canonical URL, the first article with a given body, and near-duplicate candidates. Every entry
carries the logical hour that committed it and every lookup takes ``before``: only hours
strictly earlier count, so a rerun of an hour sees exactly the history its first run saw, and
gives the same ids.

``DedupIndex`` persists the history as immutable segments (``segments.py``) listed in one
manifest::

    <directory>/
      MANIFEST.json            {"format", "generation", "signature", "hours", "segments": [...]}
      LOCK                     writers take an exclusive flock on it
      segments/<name>/         one segment: *.npy arrays (memory-mapped), segment.json, names.json

Applying an hour (``commit_hour``), dropping one (``drop_hour``) and rebuilding (``rebuild``) all
write new segment directories first (fsynced, then renamed into place), then a new manifest to
a temporary file that is renamed over ``MANIFEST.json``: readers and crashes see the old state
or the new one, never half an hour. Segments the manifest no longer lists are deleted after the
swap. Small segments are merged size-tiered (8 of a size class into one), so a history of N
articles spans O(log N) segments and the cost of a lookup stays flat as it grows.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from newsflow.dedup.features import Prepared, Row, prepare
from newsflow.dedup.keys import hour_number, id_key
from newsflow.dedup.segments import Candidates, Entry, Segment, merge
from newsflow.dedup.settings import DEFAULTS, DedupSettings

FORMAT = "newsflow-dedup-index/1"
MANIFEST = "MANIFEST.json"
SEGMENTS = "segments"
FANOUT = 8  # segments of one size class merged into one
LOAD_ATTEMPTS = 5


class History(Protocol):
    """What deciding an hour needs from earlier hours (``before``: an hour number, exclusive)."""

    def latest_by_url(self, url_keys: np.ndarray, before: int) -> dict[int, Entry]: ...

    def first_by_content(self, content_keys: np.ndarray, before: int) -> dict[int, Entry]: ...

    def near_candidates(self, band_keys: np.ndarray, before: int, cap: int, limit: int) -> Candidates: ...


class IndexMismatch(ValueError):
    """The index was built with other signature settings: its summaries cannot be compared."""


def hour_segment(hour: int, rows: Sequence[Row], settings: DedupSettings, prepared: Prepared | None = None) -> Segment:
    """The segment one hour's decided article rows contribute, in the hour's processing order."""
    prepared = prepare(rows, settings, prepared)
    order = np.asarray(prepared.order, np.int64)
    names: dict[int, str] = {}

    def key(text: str) -> int:
        value, needs_name = id_key(text)
        if needs_name:
            names[value] = text
        return value

    ordered = [rows[i] for i in prepared.order]
    similarities = [r.get("similarity") for r in ordered]
    return Segment.build(
        hours=np.full(len(rows), hour, np.int32),
        article=np.asarray([key(str(r["article_id"])) for r in ordered], np.uint64),
        story=np.asarray([key(str(r.get("story_id") or r["article_id"])) for r in ordered], np.uint64),
        dup=np.asarray([key(str(r["duplicate_of"])) if r.get("duplicate_of") else 0 for r in ordered], np.uint64),
        similarity=np.asarray([np.nan if s is None else float(s) for s in similarities], np.float32),
        version=np.asarray([int(r.get("version") or 1) for r in ordered], np.uint16),
        url=prepared.url_keys[order],
        content=prepared.content_keys[order],
        signatures=prepared.signatures.take(order),
        names=names,
    )


class SegmentIndex:
    """``History`` over a list of segments; the base of the in-memory and the on-disk index."""

    def __init__(self, settings: DedupSettings = DEFAULTS) -> None:
        self.settings = settings
        self.segments: list[Segment] = []
        self.committed: set[int] = set()

    def __len__(self) -> int:
        return sum(len(s) for s in self.segments)

    @property
    def nbytes(self) -> int:
        return sum(s.nbytes for s in self.segments)

    def latest_by_url(self, url_keys: np.ndarray, before: int) -> dict[int, Entry]:
        latest: dict[int, Entry] = {}
        url_keys = np.unique(url_keys)  # sorted probes, once for every segment
        for segment in self.segments:
            for key, entries in segment.url_versions(url_keys, before).items():
                for entry in entries:
                    best = latest.get(key)
                    if best is None or (entry.version, entry.rank) > (best.version, best.rank):
                        latest[key] = entry
        return latest

    def first_by_content(self, content_keys: np.ndarray, before: int) -> dict[int, Entry]:
        wanted = np.unique(content_keys[content_keys != 0])  # sorted probes, once for every segment
        first: dict[int, Entry] = {}
        for segment in self.segments:
            for key, entry in segment.first_content(wanted, before).items():
                if key not in first or entry.rank < first[key].rank:
                    first[key] = entry
        return first

    def near_candidates(self, band_keys: np.ndarray, before: int, cap: int, limit: int) -> Candidates:
        """Candidates from every segment: at most ``cap`` per band key and segment, ``limit`` per query."""
        order = np.argsort(band_keys, axis=0)
        parts = [segment.near_candidates(band_keys, before, cap, limit, order) for segment in self.segments]
        return Candidates.concat(parts, self.settings.sketch_size).best_per_query(limit)


class MemoryHistory(SegmentIndex):
    """A history held in memory: for tests, the CLI without ``--index``, and benchmarks."""

    def commit_hour(self, hour: datetime | int, rows: Sequence[Row], prepared: Prepared | None = None) -> None:
        """Replace the hour's contribution with these decided rows."""
        number = hour if isinstance(hour, int) else hour_number(hour)
        self.commit_segment(number, hour_segment(number, rows, self.settings, prepared))

    def commit_segment(self, number: int, segment: Segment) -> None:
        self.drop_hour(number)
        if len(segment):
            self.segments.append(segment)
            self.segments = _compacted(self.segments, lambda group: merge(group))
        self.committed.add(number)

    def drop_hour(self, hour: datetime | int) -> None:
        number = hour if isinstance(hour, int) else hour_number(hour)
        kept: list[Segment] = []
        for segment in self.segments:
            if number not in segment.hours:
                kept.append(segment)
            elif len(segment.hours) > 1:
                kept.append(merge([segment], [np.asarray(segment.a["hour"]) != number]))
        self.segments = kept
        self.committed.discard(number)


def _tier(rows: int) -> int:
    return int(math.log(max(rows, 1), FANOUT))


def _compacted(segments: list[Segment], merge_group: Callable[[list[Segment]], Segment]) -> list[Segment]:
    """Merge any size class holding ``FANOUT`` segments into one, until none does."""
    while True:
        tiers: dict[int, list[Segment]] = {}
        for segment in segments:
            tiers.setdefault(_tier(len(segment)), []).append(segment)
        full = next((group for _, group in sorted(tiers.items()) if len(group) >= FANOUT), None)
        if full is None:
            return segments
        merged = merge_group(full)
        segments = [s for s in segments if all(s is not g for g in full)] + [merged]


def _hour_ranges(hours: Iterable[int]) -> list[list[int]]:
    ranges: list[list[int]] = []
    for h in sorted(set(hours)):
        if ranges and ranges[-1][1] == h - 1:
            ranges[-1][1] = h
        else:
            ranges.append([h, h])
    return ranges


def _hours_of(ranges: Iterable[Sequence[int]]) -> set[int]:
    return {h for start, end in ranges for h in range(int(start), int(end) + 1)}


def _rewrite_without(segment: Segment, number: int, directory: Path) -> Segment:
    return merge([segment], [np.asarray(segment.a["hour"]) != number], directory)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DedupIndex(SegmentIndex):
    """The history persisted under a directory (the pipeline's is ``<data>/state/dedup/``)."""

    def __init__(self, directory: Path | str, settings: DedupSettings = DEFAULTS) -> None:
        super().__init__(settings)
        self.directory = Path(directory)
        self.segment_dir = self.directory / SEGMENTS
        self.generation = 0
        self.signature: dict[str, int] = dict(settings.signature)
        self.problem: IndexMismatch | None = None  # why the index cannot be used (until it is rebuilt)
        try:
            self.reload()
        except IndexMismatch as exc:
            self.problem = exc

    # ------------------------------------------------------------ reading

    def _read_manifest(self) -> dict[str, Any]:
        path = self.directory / MANIFEST
        if not path.exists():
            return {
                "format": FORMAT,
                "generation": 0,
                "signature": self.settings.signature,
                "hours": [],
                "segments": [],
            }
        try:
            manifest = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexMismatch(f"{path} cannot be read ({exc}): rebuild it with `newsflow dedup rebuild`") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            found = manifest.get("format") if isinstance(manifest, dict) else None
            raise IndexMismatch(
                f"{path}: not a {FORMAT} manifest ({found!r}): rebuild it with `newsflow dedup rebuild`"
            )
        return manifest

    def reload(self) -> None:
        """Read the current manifest and open its segments (retrying if a writer swaps it meanwhile)."""
        for attempt in range(LOAD_ATTEMPTS):
            manifest = self._read_manifest()
            try:
                segments = [Segment.load(self.segment_dir / s["name"]) for s in manifest["segments"]]
            except FileNotFoundError:
                if attempt == LOAD_ATTEMPTS - 1:
                    raise
                continue
            self._adopt(manifest, segments)
            return

    def _adopt(self, manifest: dict[str, Any], segments: list[Segment]) -> None:
        self.generation = int(manifest["generation"])
        self.signature = dict(manifest["signature"])
        self.segments = segments
        self.committed = _hours_of(manifest["hours"])

    def check_signature(self) -> None:
        """Refuse to use an unreadable index, or to compare summaries built with other settings than ours."""
        if self.problem is not None:
            raise self.problem
        if self.segments and self.signature != self.settings.signature:
            raise IndexMismatch(
                f"the dedup index in {self.directory} was built with {self.signature}, the settings ask for "
                f"{self.settings.signature}: rebuild it with `newsflow dedup rebuild`"
            )

    def latest_by_url(self, url_keys: np.ndarray, before: int) -> dict[int, Entry]:
        self.check_signature()
        return super().latest_by_url(url_keys, before)

    def first_by_content(self, content_keys: np.ndarray, before: int) -> dict[int, Entry]:
        self.check_signature()
        return super().first_by_content(content_keys, before)

    def near_candidates(self, band_keys: np.ndarray, before: int, cap: int, limit: int) -> Candidates:
        self.check_signature()
        return super().near_candidates(band_keys, before, cap, limit)

    def status(self) -> dict[str, Any]:
        disk = (
            sum(f.stat().st_size for f in self.segment_dir.rglob("*") if f.is_file())
            if self.segment_dir.exists()
            else 0
        )
        articles = len(self)
        hours = sorted(self.committed)
        return {
            "directory": str(self.directory),
            "articles": articles,
            "segments": len(self.segments),
            "hours": len(hours),
            "first_hour": hours[0] if hours else None,
            "last_hour": hours[-1] if hours else None,
            "bytes": disk,
            "bytes_per_article": round(disk / articles, 1) if articles else None,
            "signature": self.signature,
            "generation": self.generation,
            "problem": str(self.problem) if self.problem else None,
        }

    # ------------------------------------------------------------ writing

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / "LOCK", "a+") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _new_name(self, generation: int) -> str:
        return f"g{generation:08d}-{uuid.uuid4().hex[:10]}"

    def _write_segment(self, generation: int, write: Callable[[Path], Segment]) -> tuple[str, Segment]:
        """Write a segment under a temporary name, then rename it into place (both fsynced)."""
        self.segment_dir.mkdir(parents=True, exist_ok=True)
        name = self._new_name(generation)
        tmp = self.segment_dir / f".tmp-{name}"
        try:
            write(tmp)
            os.replace(tmp, self.segment_dir / name)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _fsync_dir(self.segment_dir)
        return name, Segment.load(self.segment_dir / name)

    def _swap_manifest(
        self, generation: int, named: list[tuple[str, Segment]], hours: set[int], signature: dict[str, int]
    ) -> None:
        manifest = {
            "format": FORMAT,
            "generation": generation,
            "signature": signature,
            "hours": _hour_ranges(hours),
            "segments": [{"name": name, "rows": len(seg), "hours": _hour_ranges(seg.hours)} for name, seg in named],
        }
        tmp = self.directory / f".{MANIFEST}.tmp-{uuid.uuid4().hex[:8]}"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.directory / MANIFEST)
        _fsync_dir(self.directory)
        self._adopt(manifest, [seg for _, seg in named])
        self._collect_garbage({name for name, _ in named})

    def _segment_names(self) -> list[Path]:
        if not self.segment_dir.exists():
            return []
        return [p for p in self.segment_dir.iterdir() if p.name.startswith("g") and p.name[1:9].isdigit()]

    def _collect_garbage(self, live: set[str]) -> None:
        """Delete segments no manifest lists any more and leftovers of interrupted writes."""
        if not self.segment_dir.exists():
            return
        for path in self.segment_dir.iterdir():
            if path.name not in live:
                shutil.rmtree(path, ignore_errors=True)
        for path in self.directory.glob(f".{MANIFEST}.tmp-*"):
            path.unlink(missing_ok=True)

    def _current(self) -> tuple[dict[str, Any], list[tuple[str, Segment]]]:
        manifest = self._read_manifest()
        return manifest, [(s["name"], Segment.load(self.segment_dir / s["name"])) for s in manifest["segments"]]

    def _compact(self, generation: int, named: list[tuple[str, Segment]]) -> list[tuple[str, Segment]]:
        by_id = {id(seg): name for name, seg in named}

        def merge_group(group: list[Segment]) -> Segment:
            name, merged = self._write_segment(generation, lambda tmp: merge(group, directory=tmp))
            by_id[id(merged)] = name
            return merged

        segments = _compacted([seg for _, seg in named], merge_group)
        return [(by_id[id(seg)], seg) for seg in segments]

    def _without_hour(
        self, generation: int, named: list[tuple[str, Segment]], number: int
    ) -> list[tuple[str, Segment]]:
        kept: list[tuple[str, Segment]] = []
        for name, segment in named:
            if number not in segment.hours:
                kept.append((name, segment))
            elif len(segment.hours) > 1:
                kept.append(self._write_segment(generation, partial(_rewrite_without, segment, number)))
        return kept

    def commit_hour(self, hour: datetime | int, rows: Sequence[Row], prepared: Prepared | None = None) -> None:
        """Atomically replace the hour's contribution with these decided article rows.

        ``rows`` are article rows with their decisions applied (``story_id``, ``duplicate_of``,
        ``similarity``, ``version``). ``prepared``: what ``prepare`` computed for these same rows,
        when the caller still has it (saves recomputing shingles and summaries).
        """
        number = hour if isinstance(hour, int) else hour_number(hour)
        self.commit_segment(number, hour_segment(number, rows, self.settings, prepared))

    def commit_segment(self, number: int, segment: Segment) -> None:
        """Atomically replace hour ``number``'s contribution with ``segment``'s rows."""
        with self._locked():
            manifest, named = self._current()
            if named and manifest["signature"] != self.settings.signature:
                raise IndexMismatch(
                    f"the dedup index in {self.directory} was built with {manifest['signature']}: rebuild it first"
                )
            generation = int(manifest["generation"]) + 1
            named = self._without_hour(generation, named, number)
            if len(segment):
                named.append(self._write_segment(generation, segment.save))
                named = self._compact(generation, named)
            hours = _hours_of(manifest["hours"]) | {number}
            self._swap_manifest(generation, named, hours, self.settings.signature)

    def drop_hour(self, hour: datetime | int) -> None:
        """Atomically remove everything the hour contributed (no-op if it contributed nothing)."""
        number = hour if isinstance(hour, int) else hour_number(hour)
        with self._locked():
            manifest, named = self._current()
            generation = int(manifest["generation"]) + 1
            named = self._without_hour(generation, named, number)
            hours = _hours_of(manifest["hours"]) - {number}
            self._swap_manifest(generation, named, hours, dict(manifest["signature"]))

    def rebuild(self, hours: Iterable[tuple[datetime | int, Sequence[Row]]]) -> dict[str, Any]:
        """Replace the whole index by one built from ``(hour, decided rows)`` pairs, atomically.

        The new segments are written beside the old ones and become visible with one manifest
        swap, with the current settings' signature; until then readers keep the old index.
        """
        with self._locked():
            try:
                generation = int(self._read_manifest()["generation"]) + 1
            except IndexMismatch:  # whatever is there now is replaced
                generation = 1 + max((int(p.name[1:9]) for p in self._segment_names()), default=0)
            named: list[tuple[str, Segment]] = []
            committed: set[int] = set()
            try:
                for hour, rows in hours:
                    number = hour if isinstance(hour, int) else hour_number(hour)
                    if number in committed:
                        raise ValueError(f"hour {number} given twice")
                    committed.add(number)
                    if rows:
                        segment = hour_segment(number, rows, self.settings)
                        named.append(self._write_segment(generation, segment.save))
                        before = {name for name, _ in named}
                        named = self._compact(generation, named)
                        for gone in before - {name for name, _ in named}:
                            shutil.rmtree(self.segment_dir / gone, ignore_errors=True)
            except BaseException:
                for name, _ in named:
                    shutil.rmtree(self.segment_dir / name, ignore_errors=True)
                raise
            self._swap_manifest(generation, named, committed, self.settings.signature)
        return self.status()
