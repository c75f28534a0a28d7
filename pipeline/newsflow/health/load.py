"""Reading the published ``runs`` and ``fetches`` partitions that feed health is computed from.

The health view is reloaded every time an operator opens it, over days or weeks of hours, so
reading is kept cheap three ways: only marked partitions inside the asked window are opened,
only the columns health needs are read (the wide text columns such as URLs, ETags and stage
counts of other datasets never leave the disk), and each partition's projected table is cached
under its ``_SUCCESS`` marker (which carries the run id and the content hash of the rows): a
published hour is immutable until a rerun rewrites its marker, so the next page load reads only
the hours that are new or were republished.

A partition that cannot be read (truncated file, foreign schema) is skipped and named in
:attr:`History.problems`, so one bad hour never takes the whole view down.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from newsflow import storage

# The columns health reads; everything else in these datasets stays on disk.
RUNS_COLUMNS = ("stage", "feed", "counts", "seconds", "error_class", "error", "url", "recorded_at")
FETCHES_COLUMNS = ("feed", "kind", "status", "seconds", "error_class", "fetched_at")
COLUMNS = {"runs": RUNS_COLUMNS, "fetches": FETCHES_COLUMNS}
HOUR_FIELD = pa.field("hour", storage.TS, nullable=False)

_CACHE_MAX = 8192  # partitions; a projected hour is a few KB, so this is weeks of hours in a few MB


@dataclass(frozen=True)
class History:
    """The projected ``runs`` and ``fetches`` rows of a window, each with its partition's ``hour``."""

    runs: pa.Table
    fetches: pa.Table
    hours: tuple[datetime, ...]  # hours whose ``runs`` partition is published, ascending
    problems: tuple[str, ...] = ()


def empty_table(dataset: str) -> pa.Table:
    """A zero-row table with the projected columns of ``dataset`` plus ``hour``."""
    schema = storage.SCHEMAS[dataset]
    fields = [schema.field(name) for name in COLUMNS[dataset]]
    return pa.schema([*fields, HOUR_FIELD]).empty_table()


def with_hour(table: pa.Table, hour: datetime) -> pa.Table:
    """``table`` with a constant ``hour`` column: the partition's logical hour, the truth for grouping."""
    return table.append_column(HOUR_FIELD, pa.array([hour] * table.num_rows, type=storage.TS))


def published_hours(data_root: Path, dataset: str) -> list[datetime]:
    """Every hour of ``dataset`` that carries a ``_SUCCESS`` marker, ascending.

    Walks two directory levels with ``scandir`` (no Parquet is opened), so listing weeks of
    hours costs a few milliseconds.
    """
    base = Path(data_root) / dataset
    hours: list[datetime] = []
    if not base.is_dir():
        return hours
    for day in os.scandir(base):
        if not (day.is_dir() and day.name.startswith("dt=")):
            continue
        for part in os.scandir(day.path):
            if not (part.is_dir() and part.name.startswith("hour=")):
                continue
            if not os.path.exists(os.path.join(part.path, storage.SUCCESS_FILE)):
                continue
            try:
                hour = datetime.strptime(f"{day.name[3:]} {part.name[5:]}", "%Y-%m-%d %H").replace(tzinfo=UTC)
            except ValueError:
                continue  # a stray directory, not a partition
            hours.append(hour)
    hours.sort()
    return hours


class _PartitionCache:
    """Projected partitions keyed by their marker; a rerun writes a new marker, so a new key."""

    def __init__(self, max_entries: int = _CACHE_MAX) -> None:
        self.max_entries = max_entries
        self._tables: OrderedDict[tuple, pa.Table] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple) -> pa.Table | None:
        with self._lock:
            table = self._tables.get(key)
            if table is None:
                self.misses += 1
            else:
                self.hits += 1
                self._tables.move_to_end(key)
            return table

    def put(self, key: tuple, table: pa.Table) -> None:
        with self._lock:
            self._tables[key] = table
            self._tables.move_to_end(key)
            while len(self._tables) > self.max_entries:
                self._tables.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._tables.clear()


CACHE = _PartitionCache()


def read_projected(data_root: Path, dataset: str, hour: datetime, cache: _PartitionCache | None = CACHE) -> pa.Table:
    """One marked partition's health columns plus ``hour``; raises ``FileNotFoundError`` if unmarked."""
    pdir = storage.partition_dir(data_root, dataset, hour)
    # The marker holds the partition's run id and content hash: the exact identity of its rows.
    marker = (pdir / storage.SUCCESS_FILE).read_bytes()  # FileNotFoundError: unpublished or being replaced
    key = (str(pdir), dataset, marker)
    if cache is not None and (hit := cache.get(key)) is not None:
        return hit
    table = pq.read_table(pdir / storage.PART_FILE, columns=list(COLUMNS[dataset]))
    expected = empty_table(dataset).schema.remove(len(COLUMNS[dataset]))
    table = with_hour(table.cast(expected), hour)
    if cache is not None:
        cache.put(key, table)
    return table


def _concat(dataset: str, tables: Iterable[pa.Table]) -> pa.Table:
    tables = list(tables)
    return pa.concat_tables(tables) if tables else empty_table(dataset)


def load_history(data_root: Path, start: datetime, end: datetime, cache: _PartitionCache | None = CACHE) -> History:
    """The marked ``runs`` and ``fetches`` partitions with ``start <= hour <= end``."""
    runs: list[pa.Table] = []
    fetches: list[pa.Table] = []
    hours: list[datetime] = []
    problems: list[str] = []
    for hour in published_hours(data_root, "runs"):
        if not start <= hour <= end:
            continue
        try:
            runs.append(read_projected(data_root, "runs", hour, cache))
        except FileNotFoundError:
            continue  # unmarked between listing and reading: a rerun is replacing it
        except (OSError, pa.ArrowException) as exc:
            problems.append(f"runs {hour:%Y-%m-%dT%H}: {type(exc).__name__}: {exc}")
            continue
        hours.append(hour)
        try:
            fetches.append(read_projected(data_root, "fetches", hour, cache))
        except FileNotFoundError:
            pass  # an hour published before the fetches dataset existed: runs alone still count
        except (OSError, pa.ArrowException) as exc:
            problems.append(f"fetches {hour:%Y-%m-%dT%H}: {type(exc).__name__}: {exc}")
    return History(_concat("runs", runs), _concat("fetches", fetches), tuple(hours), tuple(problems))


def load_window(data_root: Path, end: datetime, hours: int, cache: _PartitionCache | None = CACHE) -> History:
    """The ``hours`` hours ending with (and including) ``end``."""
    return load_history(data_root, end - timedelta(hours=hours - 1), end, cache)
