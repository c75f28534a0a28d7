"""Dataset schemas, hive partition paths and the atomic, idempotent publish of one hour.

The schemas here are the truth for analysts (the README's Datasets section lists them). Every hour's
partition is ``<dataset>/dt=YYYY-MM-DD/hour=HH/part-0.parquet`` keyed by the run's *logical* hour,
written to a temporary name and renamed into place, so a rerun replaces exactly that file and a
reader never sees half a file. A ``_SUCCESS`` marker with row counts and content hashes is written
last; readers and reruns trust only marked partitions.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA_VERSION = 1
TS = pa.timestamp("us", tz="UTC")

ARTICLES = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("url", pa.string(), nullable=False),
        pa.field("canonical_url", pa.string(), nullable=False),
        pa.field("feed", pa.string()),
        pa.field("site", pa.string()),
        pa.field("title", pa.string()),
        pa.field("authors", pa.list_(pa.string())),
        pa.field("published", TS),
        pa.field("published_source", pa.string()),
        pa.field("updated", TS),
        pa.field("language", pa.string()),
        pa.field("body", pa.string()),
        pa.field("body_source", pa.string()),
        pa.field("is_truncated", pa.bool_()),
        pa.field("word_count", pa.int32()),
        pa.field("content_hash", pa.string()),
        pa.field("story_id", pa.string()),
        pa.field("duplicate_of", pa.string()),
        pa.field("similarity", pa.float32()),
        pa.field("version", pa.int16()),
        pa.field("fetched_at", TS),
        pa.field("raw_ref", pa.string()),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("schema_version", pa.int16(), nullable=False),
    ]
)

FACTS = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("fact_id", pa.string(), nullable=False),
        pa.field("fact_type", pa.string(), nullable=False),
        pa.field("label", pa.string()),
        pa.field("text", pa.string()),
        pa.field("start", pa.int32()),
        pa.field("end", pa.int32()),
        pa.field("sentence", pa.string()),
        pa.field("value", pa.string()),
        pa.field("value_num", pa.float64()),
        pa.field("unit", pa.string()),
        pa.field("qualifier", pa.string()),
        pa.field("resolution", pa.string()),
        pa.field("speaker", pa.string()),
        pa.field("confidence", pa.float32()),
        pa.field("extractor", pa.string()),
        pa.field("extractor_version", pa.string()),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("schema_version", pa.int16(), nullable=False),
    ]
)

QUARANTINE = pa.schema(
    [
        pa.field("dataset", pa.string(), nullable=False),
        pa.field("record_id", pa.string()),
        pa.field("row", pa.string(), nullable=False),
        pa.field("failed_expectations", pa.list_(pa.string()), nullable=False),
        pa.field("observed_values", pa.string()),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("schema_version", pa.int16(), nullable=False),
    ]
)

RUNS = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("logical_hour", TS, nullable=False),
        pa.field("stage", pa.string(), nullable=False),
        pa.field("feed", pa.string()),
        pa.field("url", pa.string()),
        pa.field("counts", pa.string()),
        pa.field("seconds", pa.float64()),
        pa.field("bytes", pa.int64()),
        pa.field("error_class", pa.string()),
        pa.field("error", pa.string()),
        pa.field("peak_rss", pa.int64()),
        pa.field("recorded_at", TS),
        pa.field("schema_version", pa.int16(), nullable=False),
    ]
)

FETCHES = pa.schema(
    [
        pa.field("url", pa.string(), nullable=False),
        pa.field("final_url", pa.string()),
        pa.field("feed", pa.string()),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("status", pa.int32()),
        pa.field("etag", pa.string()),
        pa.field("last_modified", pa.string()),
        pa.field("content_type", pa.string()),
        pa.field("bytes", pa.int64()),
        pa.field("seconds", pa.float64()),
        pa.field("error_class", pa.string()),
        pa.field("error", pa.string()),
        pa.field("raw_ref", pa.string()),
        pa.field("fetched_at", TS),
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("schema_version", pa.int16(), nullable=False),
    ]
)

# Staged between tasks of one run (never published): the links an hour's feeds point at, and the
# pages fetched for them.
LINKS = pa.schema(
    [
        ("url", pa.string()),
        ("canonical_url", pa.string()),
        ("feed", pa.string()),
        ("site", pa.string()),
        ("entry_title", pa.string()),
        ("entry_published", TS),
        ("entry_id", pa.string()),
    ]
)
PAGES = pa.schema(
    [
        *LINKS,
        ("final_url", pa.string()),
        ("status", pa.int32()),
        ("raw_ref", pa.string()),
        ("fetched_at", TS),
        ("error_class", pa.string()),
    ]
)

SCHEMAS: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "facts": FACTS,
    "quarantine": QUARANTINE,
    "runs": RUNS,
    "fetches": FETCHES,
}
PART_FILE = "part-0.parquet"
SUCCESS_FILE = "_SUCCESS"


def partition_dir(data_root: Path, dataset: str, logical_hour: datetime) -> Path:
    """``<root>/<dataset>/dt=YYYY-MM-DD/hour=HH`` for the run's logical hour (UTC)."""
    return Path(data_root) / dataset / f"dt={logical_hour:%Y-%m-%d}" / f"hour={logical_hour:%H}"


def to_table(dataset: str, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Build a table with the dataset's exact schema; missing keys become nulls, extras are an error."""
    schema = SCHEMAS[dataset]
    rows = list(rows)
    names = set(schema.names)
    for row in rows:
        extra = set(row) - names
        if extra:
            raise KeyError(f"{dataset}: unknown column(s) {sorted(extra)}; add them to storage.{dataset.upper()}")
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    if "schema_version" in names:
        columns["schema_version"] = [SCHEMA_VERSION] * len(rows)
    return pa.Table.from_pydict(columns, schema=schema)


def _json_value(value: object) -> object:
    """How :func:`table_digest` writes values JSON has no type for."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    raise TypeError(f"cannot hash a {type(value).__name__}")


def row_json(row: Mapping[str, Any]) -> str:
    """One row as canonical JSON: keys sorted, no spaces, non-ASCII kept, times in ISO 8601."""
    return json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_value)


def table_digest(table: pa.Table) -> str:
    """sha256 of the table's rows, in order, each as :func:`row_json` plus a newline.

    A function of the rows alone (not of chunking, compression or Parquet encoding), so anyone can
    recompute a ``_SUCCESS`` marker's ``content_sha256`` from the published file:
    ``sha256("".join(row_json(r) + "\n" for r in pq.read_table(path).to_pylist()))``.
    """
    h = hashlib.sha256()
    for batch in table.to_batches(max_chunksize=4096):
        for row in batch.to_pylist():
            h.update(row_json(row).encode())
            h.update(b"\n")
    return h.hexdigest()


def atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write ``path`` whole or not at all: ``write`` fills a hidden temp file beside it, which is
    flushed to disk and renamed over ``path``; the directory entry is synced too.

    The temp name starts with ``.tmp-`` and has no ``.parquet`` suffix, so no reader's glob
    matches a file that is still being written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    atomic_write(path, lambda fh: fh.write(data))


def write_table_atomic(table: pa.Table, path: Path) -> None:
    """Write a zstd Parquet file atomically (see :func:`atomic_write`)."""
    atomic_write(path, lambda fh: pq.write_table(table, fh, compression="zstd"))


def publish_partitions(data_root: Path, logical_hour: datetime, tables: Mapping[str, pa.Table], run_id: str) -> dict:
    """Replace the hour's partition of each dataset atomically, then mark each with ``_SUCCESS``.

    The marker is removed first, so a crash between the rename and the new marker leaves the
    partition unmarked (untrusted) rather than marked with stale counts.
    """
    summary: dict[str, dict] = {}
    for dataset, table in tables.items():
        if table.schema != SCHEMAS[dataset]:
            raise TypeError(f"{dataset}: table schema differs from storage.{dataset.upper()}")
        pdir = partition_dir(data_root, dataset, logical_hour)
        pdir.mkdir(parents=True, exist_ok=True)
        (pdir / SUCCESS_FILE).unlink(missing_ok=True)
        # Remove strays (e.g. from an older layout) so the partition holds exactly one file.
        for stray in pdir.glob("*.parquet"):
            if stray.name != PART_FILE:
                stray.unlink()
        write_table_atomic(table, pdir / PART_FILE)
        marker = {
            "dataset": dataset,
            "logical_hour": logical_hour.isoformat(),
            "run_id": run_id,
            "rows": table.num_rows,
            "content_sha256": table_digest(table),
            "schema_version": SCHEMA_VERSION,
        }
        atomic_write_bytes(pdir / SUCCESS_FILE, json.dumps(marker, indent=2).encode())
        summary[dataset] = marker
    return summary


def read_partition(data_root: Path, dataset: str, logical_hour: datetime) -> pa.Table | None:
    """The hour's published table, or None if the partition is absent or not marked complete."""
    pdir = partition_dir(data_root, dataset, logical_hour)
    if not (pdir / SUCCESS_FILE).exists():
        return None
    return pq.read_table(pdir / PART_FILE, schema=SCHEMAS[dataset])


def read_table(path: str | Path) -> pa.Table:
    """A Parquet file as a table (staged tables between tasks, published parts)."""
    return pq.read_table(path)
