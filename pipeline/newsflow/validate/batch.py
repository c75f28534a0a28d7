"""Checks of a run's batch as a whole: a failure stops the run, an anomaly is a warning.

* :func:`check_schemas`: every staged table must have its dataset's exact schema
  (``storage.SCHEMAS``). A mismatch raises :class:`BatchFailure`: the task fails and nothing of the
  hour is published, because a table with a column of the wrong type or a missing column would be
  published into every analyst's query.
* :func:`volume_check`: an hour with far fewer articles than the same hour of the day usually has
  (a feed that silently stopped, a broken extractor) is a :class:`VolumeWarning` for ``runs``
  (``error_class="volume_anomaly"``), which the alerts pick up. Not a failure: news is bursty, and
  a quiet hour must still be published.

Pure functions over in-memory tables and counts; :func:`same_hour_history` reads the counts of
earlier hours from their committed ``_SUCCESS`` markers (no Parquet is opened).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from newsflow import storage
from newsflow.errors import PipelineError
from newsflow.publish import committed_version

VOLUME_ANOMALY = "volume_anomaly"


class BatchFailure(PipelineError):
    """The run's batch as a whole is wrong: the task fails and nothing of the hour is published."""


def schema_differences(expected: pa.Schema, actual: pa.Schema) -> list[str]:
    """What differs between two schemas, one readable line per difference (empty when equal)."""
    out: list[str] = []
    have = {f.name: f for f in actual}
    want = {f.name: f for f in expected}
    for name in want:
        if name not in have:
            out.append(f"missing column {name!r} ({want[name].type})")
    for name in have:
        if name not in want:
            out.append(f"unexpected column {name!r} ({have[name].type})")
    for name, field in want.items():
        if name not in have:
            continue
        got = have[name]
        if got.type != field.type:
            out.append(f"column {name!r} is {got.type}, expected {field.type}")
        elif got.nullable != field.nullable:
            out.append(
                f"column {name!r} is {'nullable' if got.nullable else 'not nullable'}, expected "
                f"{'nullable' if field.nullable else 'not nullable'}"
            )
    if not out and actual.names != expected.names:
        out.append(f"columns in another order: {actual.names}")
    return out


def check_schemas(tables: Mapping[str, pa.Table], *, run_id: str | None = None, data_root: Path | None = None) -> None:
    """Raise :class:`BatchFailure` naming every staged table whose schema is not its dataset's
    (``storage.SCHEMAS``); tables of other names are not checked."""
    problems: list[str] = []
    for dataset, table in tables.items():
        if dataset not in storage.SCHEMAS:
            continue
        diffs = schema_differences(storage.SCHEMAS[dataset], table.schema)
        if diffs:
            problems.append(f"{dataset}: " + "; ".join(diffs))
    if not problems:
        return
    staging = f"{data_root}/_staging/{run_id}" if data_root and run_id else "<data>/_staging/<run_id>"
    raise BatchFailure(
        f"schema mismatch in the staged tables (schema_version {storage.SCHEMA_VERSION}), so nothing of the hour "
        f"was published: {' | '.join(problems)}. A stage wrote a table that is not built with "
        "newsflow.storage.to_table(dataset, rows), or the code changed while the run was in flight. "
        f"Remove {staging} and run the hour again with one version of the code; if a new column is intended, "
        "add it to storage.SCHEMAS (additive only) and bump SCHEMA_VERSION."
    )


def check_schema(dataset: str, table: pa.Table) -> None:
    """:func:`check_schemas` for one table."""
    check_schemas({dataset: table})


@dataclass(frozen=True)
class VolumeWarning:
    """This hour's count far below the trailing average of the same hour of the day."""

    count: int
    average: float
    threshold: float
    points: int
    dataset: str = "articles"

    @property
    def message(self) -> str:
        return (
            f"{self.count} {self.dataset} this hour, {self.count / self.average:.0%} of the average "
            f"{self.average:.1f} of the same hour on the {self.points} earlier day(s) with data "
            f"(warning below {self.threshold:.0%}): check the feeds' health and the extract stage"
        )

    def as_record(self) -> dict[str, Any]:
        """Keyword arguments for ``StageRecorder.record(**warning.as_record())``: a ``runs`` row with
        ``error_class="volume_anomaly"``."""
        counts = {
            "count": self.count,
            "average": round(self.average, 2),
            "threshold": self.threshold,
            "points": self.points,
        }
        return {"error_class": VOLUME_ANOMALY, "error": self.message, "counts": counts}


def volume_check(
    history_counts: Sequence[int], count: int, threshold: float = 0.3, min_points: int = 3, dataset: str = "articles"
) -> VolumeWarning | None:
    """A warning when ``count`` is below ``threshold`` times the average of ``history_counts`` (the
    same hour of the day on earlier days), given at least ``min_points`` of them; else None."""
    points = [int(c) for c in history_counts]
    if len(points) < max(1, min_points):
        return None
    average = sum(points) / len(points)
    if average <= 0 or count >= threshold * average:
        return None
    return VolumeWarning(count=int(count), average=average, threshold=threshold, points=len(points), dataset=dataset)


def same_hour_history(data_root: Path, logical_hour: datetime, days: int = 14, dataset: str = "articles") -> list[int]:
    """Rows of ``dataset`` in the same hour of the day on each of the ``days`` earlier days that were
    committed (read from their ``_SUCCESS`` markers); days never committed are left out."""
    counts: list[int] = []
    for back in range(1, days + 1):
        version = committed_version(Path(data_root), logical_hour - timedelta(days=back))
        if version is None:
            continue
        try:
            marker = json.loads((version / dataset / storage.SUCCESS_FILE).read_text(encoding="utf-8"))
            counts.append(int(marker["rows"]))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return counts
