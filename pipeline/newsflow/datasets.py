"""Read the published datasets: only committed hours, typed partition columns, any schema version.

For analysts and for our own code::

    from newsflow import datasets
    articles = datasets.read("articles", start="2026-11-25", end="2026-11-25")  # pyarrow.Table, one day
    df = datasets.read_pandas("facts", start="2026-11-25T10", end="2026-11-25T12")  # three hours
    ds = datasets.dataset("articles")                                               # pyarrow.dataset.Dataset
    rel = datasets.duckdb_relation("articles", con=duckdb.connect())               # a DuckDB relation

What every reader here guarantees:

* **Only committed hours.** An hour is read through the version its ``_hours/<hour>`` link names at
  the moment of listing (a concurrent rerun never mixes two versions), and only if its ``_SUCCESS``
  marker is valid: the marker's dataset and hour match the partition and its row count matches the
  Parquet file (``verify=True`` also recomputes the content hash, reading every row). A partition
  whose marker is missing or wrong is skipped with a :class:`PartitionSkipped` warning.
* **Typed partition columns.** ``dt`` is ``date32`` and ``hour`` is ``int8``, the same in pyarrow,
  pandas (``read_pandas``: ``datetime64[us]`` and ``int8``, exactly what DuckDB's ``.df()`` gives)
  and DuckDB (``DATE`` and ``TINYINT``). Reading the directories with a bare
  ``pyarrow.dataset.dataset(path, partitioning="hive")`` gives ``dt`` as a string.
* **Any schema version.** Every partition is read with today's schema (``storage.SCHEMAS``):
  columns added since it was written are null. Evolution is additive only, so every older column
  still exists with its type.

``start`` and ``end`` bound the logical hour, both inclusive: a datetime or ISO string names an
hour (minutes are ignored), a date or ``YYYY-MM-DD`` names a whole day (``end="2026-11-25"``
includes 23:00). Times without a zone are UTC.

Without Python, DuckDB reads the same data (committed hours only, since the links of uncommitted
hours dangle; markers are not checked) with::

    SELECT * FROM read_parquet('data/articles/dt=*/hour=*/*.parquet', hive_partitioning = true,
                               hive_types = {'dt': DATE, 'hour': TINYINT}, union_by_name = true)
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from newsflow import storage

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    import pyarrow.dataset as pads

PARTITION_FIELDS = (pa.field("dt", pa.date32()), pa.field("hour", pa.int8()))
DUCKDB_HIVE_TYPES = "{'dt': DATE, 'hour': TINYINT}"


class PartitionSkipped(UserWarning):
    """A partition was left out of a read because its ``_SUCCESS`` marker is missing or wrong."""


@dataclass(frozen=True)
class Partition:
    """One committed hour of one dataset, pinned to the version that was committed when listed."""

    dataset: str
    hour: datetime
    directory: Path  # the version's directory (links resolved)
    marker: dict[str, Any]

    @property
    def file(self) -> Path:
        return self.directory / storage.PART_FILE

    @property
    def schema_version(self) -> int:
        return int(self.marker.get("schema_version") or 1)


def schema(name: str) -> pa.Schema:
    """The dataset's schema as the readers return it: today's columns, then ``dt`` and ``hour``."""
    return pa.schema([*_dataset_schema(name), *PARTITION_FIELDS])


def _dataset_schema(name: str) -> pa.Schema:
    if name not in storage.SCHEMAS:
        raise KeyError(f"no dataset {name!r}; datasets are {', '.join(storage.SCHEMAS)}")
    return storage.SCHEMAS[name]


def _data_root(data_root: str | Path | None) -> Path:
    if data_root is not None:
        return Path(data_root)
    from newsflow.config import Settings

    return Path(Settings.from_env().data_root)


def _bound(value: str | date | datetime | None, end: bool) -> datetime | None:
    """An inclusive bound on the logical hour (see the module docstring)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 10:
            value = date.fromisoformat(text)
        else:
            if len(text) == 13 and text[10] in "T ":  # "2026-11-25T10"
                text += ":00"
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    day = datetime.combine(value, time(0), tzinfo=UTC)
    return day + timedelta(hours=23) if end else day


def partitions(
    name: str,
    start: str | date | datetime | None = None,
    end: str | date | datetime | None = None,
    data_root: str | Path | None = None,
    *,
    verify: bool = False,
) -> list[Partition]:
    """The committed partitions of ``name`` between ``start`` and ``end`` (inclusive), oldest first;
    those whose ``_SUCCESS`` marker is invalid are left out with a :class:`PartitionSkipped` warning."""
    _dataset_schema(name)
    root = _data_root(data_root)
    lo, hi = _bound(start, end=False), _bound(end, end=True)
    out: list[Partition] = []
    base = root / name
    for day_dir in sorted(base.glob("dt=*")) if base.is_dir() else []:
        try:
            day = date.fromisoformat(day_dir.name[3:])
        except ValueError:
            continue
        if (lo and datetime.combine(day, time(23), tzinfo=UTC) < lo) or (
            hi and datetime.combine(day, time(0), tzinfo=UTC) > hi
        ):
            continue
        for hour_dir in sorted(day_dir.glob("hour=*")):
            try:
                hour = datetime.combine(day, time(int(hour_dir.name[5:])), tzinfo=UTC)
            except ValueError:
                continue
            if (lo and hour < lo) or (hi and hour > hi):
                continue
            part = _committed(name, hour, hour_dir, verify)
            if part is not None:
                out.append(part)
    return out


def _committed(name: str, hour: datetime, hour_dir: Path, verify: bool) -> Partition | None:
    """The partition behind ``hour_dir`` if it is committed and its marker holds, else None."""
    real = Path(os.path.realpath(hour_dir))  # pin the version: a later commit switches the link, not this path
    marker_path = real / storage.SUCCESS_FILE
    if not (real.is_dir() and (real / storage.PART_FILE).is_file()):
        return None  # an uncommitted hour: its link dangles, or a crash left no file
    problem = None
    marker: dict[str, Any] = {}
    try:
        marker = json.loads(marker_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problem = "no _SUCCESS marker"
    except (OSError, ValueError) as exc:
        problem = f"unreadable _SUCCESS marker ({exc})"
    if problem is None:
        problem = _marker_problem(name, hour, real, marker, verify)
    if problem:
        warnings.warn(f"{name} {hour:%Y-%m-%dT%H}: skipped, {problem} ({hour_dir})", PartitionSkipped, stacklevel=4)
        return None
    return Partition(dataset=name, hour=hour, directory=real, marker=marker)


def _marker_problem(name: str, hour: datetime, directory: Path, marker: dict[str, Any], verify: bool) -> str | None:
    if marker.get("dataset") not in (None, name):
        return f"its marker is for dataset {marker.get('dataset')!r}"
    logical = marker.get("logical_hour")
    if logical:
        try:
            marked = datetime.fromisoformat(str(logical))
        except ValueError:
            return f"its marker's logical_hour {logical!r} is not a time"
        marked = marked if marked.tzinfo else marked.replace(tzinfo=UTC)
        if marked != hour:
            return f"its marker is for hour {logical}"
    try:
        rows = pq.ParquetFile(directory / storage.PART_FILE).metadata.num_rows
    except (OSError, pa.ArrowException) as exc:
        return f"unreadable Parquet file ({exc})"
    if rows != marker.get("rows"):
        return f"the file has {rows} rows, its marker says {marker.get('rows')}"
    if verify and marker.get("content_sha256"):
        actual = storage.table_digest(pq.read_table(directory / storage.PART_FILE))
        if actual != marker["content_sha256"]:
            return "its content hash does not match its marker (the file changed after it was committed)"
    return None


def dataset(
    name: str,
    start: str | date | datetime | None = None,
    end: str | date | datetime | None = None,
    data_root: str | Path | None = None,
    *,
    verify: bool = False,
) -> pads.Dataset:
    """A ``pyarrow.dataset.Dataset`` over the committed partitions (lazy: filters on ``dt``/``hour``
    prune files, column selections read only those columns)."""
    import pyarrow.dataset as pads  # imports pandas: only when a dataset is asked for
    import pyarrow.fs

    parts = partitions(name, start, end, data_root, verify=verify)
    full = schema(name)
    expressions = [
        (pads.field("dt") == pa.scalar(p.hour.date(), pa.date32()))
        & (pads.field("hour") == pa.scalar(p.hour.hour, pa.int8()))
        for p in parts
    ]
    return pads.FileSystemDataset.from_paths(
        [str(p.file) for p in parts],
        schema=full,
        format=pads.ParquetFileFormat(),
        filesystem=pyarrow.fs.LocalFileSystem(),
        partitions=expressions,
    )


def read(
    name: str,
    start: str | date | datetime | None = None,
    end: str | date | datetime | None = None,
    data_root: str | Path | None = None,
    columns: Sequence[str] | None = None,
    *,
    verify: bool = False,
) -> pa.Table:
    """The committed rows of ``name`` between ``start`` and ``end`` as one table, oldest hour first,
    with today's schema plus ``dt`` (date32) and ``hour`` (int8); ``columns`` selects columns."""
    ds = dataset(name, start, end, data_root, verify=verify)
    cols = list(columns) if columns is not None else None
    if cols is not None:
        unknown = [c for c in cols if c not in ds.schema.names]
        if unknown:
            raise KeyError(f"{name} has no column(s) {unknown}; columns are {ds.schema.names}")
    return ds.to_table(columns=cols)


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """A table from :func:`read` as pandas, typed as DuckDB's ``.df()`` types it: ``dt`` as
    ``datetime64[us]`` (pandas has no date dtype; pyarrow's default would be Python ``date`` objects),
    ``hour`` as ``int8``."""
    df = table.to_pandas()
    if "dt" in df.columns:
        df["dt"] = df["dt"].astype("datetime64[us]")
    return df


def read_pandas(
    name: str,
    start: str | date | datetime | None = None,
    end: str | date | datetime | None = None,
    data_root: str | Path | None = None,
    columns: Sequence[str] | None = None,
    *,
    verify: bool = False,
) -> pd.DataFrame:
    """:func:`read` as a pandas DataFrame (see :func:`to_pandas` for the partition columns)."""
    return to_pandas(read(name, start, end, data_root, columns, verify=verify))


def duckdb_relation(
    name: str,
    start: str | date | datetime | None = None,
    end: str | date | datetime | None = None,
    data_root: str | Path | None = None,
    *,
    con: duckdb.DuckDBPyConnection | None = None,
    verify: bool = False,
) -> duckdb.DuckDBPyRelation:
    """A DuckDB relation over :func:`dataset` (DuckDB scans it lazily, pushing filters and column
    selections down): ``dt`` is ``DATE``, ``hour`` ``TINYINT``. Register it to use it in SQL::

        con.register("articles", datasets.duckdb_relation("articles", con=con))
    """
    import duckdb

    connection = con if con is not None else duckdb.connect()
    return connection.from_arrow(dataset(name, start, end, data_root, verify=verify))


def duckdb_sql(name: str, data_root: str | Path | None = None) -> str:
    """The ``read_parquet(…)`` expression that reads ``name`` in DuckDB SQL with typed partition
    columns (committed hours only; markers are not checked: use :func:`duckdb_relation` for that)."""
    _dataset_schema(name)
    glob = (_data_root(data_root) / name / "dt=*" / "hour=*" / "*.parquet").as_posix().replace("'", "''")
    return f"read_parquet('{glob}', hive_partitioning = true, hive_types = {DUCKDB_HIVE_TYPES}, union_by_name = true)"
