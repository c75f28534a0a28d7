"""Dataset schemas, hive partition paths, atomic file writes and the content digest.

The schemas here are the truth for analysts (the README's Datasets section lists them). Every hour's
partition is ``<dataset>/dt=YYYY-MM-DD/hour=HH/part-0.parquet`` keyed by the run's *logical* hour,
with a ``_SUCCESS`` marker holding the row count and :func:`table_digest`; readers trust only
marked partitions. How an hour's partitions of all datasets become visible at once is
:mod:`newsflow.publish`.
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

from newsflow.failpoints import failpoint

# Version 2 added articles.facts_status and the metadata provenance columns after it, the typed
# facts columns,
# quarantine.stage/error and the fetches columns from headers on. Evolution is additive only:
# a partition written by an older version reads with the newer schema (new columns null).
SCHEMA_VERSION = 3
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
        pa.field("facts_status", pa.string()),  # extracted / skipped_language / failed / duplicate
        # Metadata with provenance from extraction (newsflow.extract.columns).
        pa.field("title_source", pa.string()),  # feed | jsonld | og | twitter | h1 | html | text
        pa.field("authors_source", pa.string()),  # jsonld | meta | byline | feed
        pa.field("updated_source", pa.string()),  # jsonld | meta
        pa.field("language_confidence", pa.float32()),  # py3langid probability; null when declared or none
        pa.field("language_source", pa.string()),  # detected | declared
        pa.field("site_name", pa.string()),  # what the page calls its site (``site`` is the registry's)
        pa.field("declared_canonical_url", pa.string()),  # the page's own rel=canonical, absolute
        pa.field("image", pa.string()),  # top image URL
        pa.field("tags", pa.list_(pa.string())),  # article:tag, JSON-LD keywords, keywords meta
        pa.field("description", pa.string()),  # og:description or description meta
        pa.field("extract_warnings", pa.list_(pa.string())),  # rejected metadata, e.g. published_in_future:…
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
        # Typed values analysts can total, group and filter (schema version 2); null where they do
        # not apply, never a placeholder.
        pa.field("value_max", pa.float64()),  # upper bound of a range ("$2.10 to $2.60" -> 2.6)
        pa.field("currency", pa.string()),  # money: ISO 4217 code
        pa.field("object", pa.string()),  # quantities: what is counted or measured ("missile bases")
        pa.field("date_start", pa.date32()),  # dates: first day the expression covers
        pa.field("date_end", pa.date32()),  # dates: last day it covers
        pa.field("speech_verb", pa.string()),  # quotes: the verb or cue that attributes it
        pa.field("canonical", pa.string()),  # entities: the article's fullest mention of the entity
        pa.field("norm_key", pa.string()),  # entities: article-independent key ("united states" for "U.S.")
        # Schema version 3: the article version the fact was found in (an update is a new version).
        pa.field("version", pa.int16()),
    ]
)

SIGHTINGS = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),  # the article the entry led to
        pa.field("canonical_url", pa.string(), nullable=False),  # canonical form of the entry's link
        pa.field("feed", pa.string(), nullable=False),
        pa.field("site", pa.string()),
        pa.field("entry_url", pa.string(), nullable=False),  # the link exactly as the feed gave it
        pa.field("entry_title", pa.string()),
        pa.field("entry_published", TS),
        pa.field("entry_updated", TS),
        pa.field("entry_id", pa.string()),
        pa.field("logical_hour", TS, nullable=False),
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
        pa.field("stage", pa.string()),  # the stage that quarantined the row (validate, extract, facts…)
        pa.field("error", pa.string()),  # for a row a stage could not process: the exception
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
        pa.field("headers", pa.string()),  # every response header as a JSON object (names lower-cased)
        pa.field("wire_bytes", pa.int64()),  # bytes received: status line, headers, encoded body
        pa.field("attempts", pa.int16()),  # HTTP exchanges (retries and redirect hops included)
        pa.field("hops", pa.list_(pa.string())),  # URLs requested before final_url (redirects)
        pa.field("retry_after", pa.float64()),  # the server's Retry-After, seconds
        pa.field("items", pa.int32()),  # feeds: entries in the document (before the items cap)
        pa.field("items_per_day", pa.float64()),  # feeds: publishing rate estimated from the entries' dates
        pa.field("entry_fp", pa.string()),  # pages: fingerprint of the feed entry that led here
    ]
)

# Staged between tasks of one run (never published): the links an hour's feeds point at (each
# canonical URL once), every entry of its feeds (for ``sightings``), and the pages fetched.
LINKS = pa.schema(
    [
        ("url", pa.string()),
        ("canonical_url", pa.string()),
        ("feed", pa.string()),
        ("site", pa.string()),
        ("entry_title", pa.string()),
        ("entry_published", TS),
        ("entry_id", pa.string()),
        ("entry_updated", TS),  # the feed's "last changed": a known article is downloaded again after it
        ("entry_fp", pa.string()),  # fingerprint of the entry: a changed entry may refetch a failed page
        ("entry_summary", pa.string()),  # the feed's summary: a hint and a last-resort body for extraction
        ("entry_content", pa.string()),  # the feed's full content (content:encoded), when it has one
    ]
)
ENTRIES = pa.schema([field for field in LINKS if field.name in SIGHTINGS.names or field.name == "url"])
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
    "sightings": SIGHTINGS,
}
# Datasets an hour committed before they existed lacks (its other datasets are complete).
SINCE_VERSION: dict[str, int] = {"sightings": 3}
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


def atomic_write(path: Path, write: Callable[[IO[bytes]], object], failpoint_name: str | None = None) -> None:
    """Write ``path`` whole or not at all: ``write`` fills a hidden temp file beside it, which is
    flushed to disk and renamed over ``path``; the directory entry is synced too.

    The temp name starts with ``.tmp-`` and has no ``.parquet`` suffix, so no reader's glob
    matches a file that is still being written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        os.fchmod(fd, 0o666 & ~current_umask())  # mkstemp makes 0600; datasets are for analysts to read
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if failpoint_name:
            failpoint(failpoint_name)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def current_umask() -> int:
    """The process umask, read without changing it (``os.umask`` can only set it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


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


def write_table_atomic(table: pa.Table, path: Path, failpoint_name: str | None = None) -> None:
    """Write a zstd Parquet file atomically (see :func:`atomic_write`)."""
    atomic_write(path, lambda fh: pq.write_table(table, fh, compression="zstd"), failpoint_name)


def write_dataset_part(
    directory: Path, dataset: str, logical_hour: datetime, table: pa.Table, run_id: str
) -> dict[str, Any]:
    """Write one dataset's part of an hour version: ``part-0.parquet``, then its ``_SUCCESS`` marker
    (rows and :func:`table_digest`). Returns the marker."""
    write_table_atomic(table, directory / PART_FILE, failpoint_name="publish.after_temp_file")
    marker = {
        "dataset": dataset,
        "logical_hour": logical_hour.isoformat(),
        "run_id": run_id,
        "rows": table.num_rows,
        "content_sha256": table_digest(table),
        "schema_version": SCHEMA_VERSION,
    }
    atomic_write_bytes(directory / SUCCESS_FILE, json.dumps(marker, indent=2).encode())
    return marker


def read_partition(data_root: Path, dataset: str, logical_hour: datetime) -> pa.Table | None:
    """The hour's published table, or None if the partition is absent or not marked complete."""
    pdir = partition_dir(data_root, dataset, logical_hour)
    if not (pdir / SUCCESS_FILE).exists():
        return None
    return pq.read_table(pdir / PART_FILE, schema=SCHEMAS[dataset])


def read_table(path: str | Path) -> pa.Table:
    """A Parquet file as a table (staged tables between tasks, published parts)."""
    return pq.read_table(path)
