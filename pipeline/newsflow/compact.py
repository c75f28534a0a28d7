"""Housekeeping that never changes what a reader sees: the daily ``news_compact`` DAG and ``newsflow compact``.

- versions of an hour that are neither committed nor the one before it (a crashed run's leftovers);
- staging directories of runs that ended more than ``keep_staging`` ago without publishing;
- fetch-state versions older than ``keep_state`` (each URL keeps its newest one before then);
- every committed hour's ``_SUCCESS`` markers checked against its files (row counts), so a damaged
  partition is reported instead of silently read.

Each hour keeps exactly one Parquet file per dataset (``part-0.parquet``), so there are no small
files to merge: the hour's version is already its compact form.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq

from newsflow import storage
from newsflow.fetch.state import FetchState, state_path
from newsflow.publish import VERSIONS, committed_hours, hour_key
from newsflow.state import state_lock


@dataclass
class CompactReport:
    versions_removed: int = 0
    staging_removed: int = 0
    state_rows_removed: int = 0
    hours_checked: int = 0
    damaged: list[str] = field(default_factory=list)


def compact(
    data_root: Path, keep_staging: timedelta = timedelta(days=1), keep_state: timedelta = timedelta(days=30)
) -> CompactReport:
    data_root = Path(data_root)
    report = CompactReport()
    cutoff = time.time() - keep_staging.total_seconds()
    for hour, version in committed_hours(data_root):
        report.hours_checked += 1
        for dataset in storage.SCHEMAS:
            if dataset in storage.SINCE_VERSION and not (version / dataset).exists():
                continue  # committed before the dataset existed
            marker_path = version / dataset / storage.SUCCESS_FILE
            part = version / dataset / storage.PART_FILE
            if not marker_path.exists() or not part.exists():
                report.damaged.append(f"{hour_key(hour)}/{dataset}: missing")
                continue
            if pq.ParquetFile(part).metadata.num_rows != json.loads(marker_path.read_text())["rows"]:
                report.damaged.append(f"{hour_key(hour)}/{dataset}: row count differs from _SUCCESS")
        report.versions_removed += _old_versions(data_root, hour, version, cutoff)
    staging = data_root / "_staging"
    for run_dir in staging.iterdir() if staging.is_dir() else []:
        if run_dir.stat().st_mtime < cutoff:
            shutil.rmtree(run_dir, ignore_errors=True)
            report.staging_removed += 1
    with state_lock(data_root), FetchState(state_path(data_root)) as fetch_state:
        report.state_rows_removed = fetch_state.compact(keep_after=datetime.now(UTC) - keep_state)
    return report


def _old_versions(data_root: Path, hour: datetime, committed: Path, cutoff: float) -> int:
    """Remove the hour's versions older than the one before the committed one, and newer ones (a
    crashed run's) once they are older than ``cutoff``: a version being written right now stays."""
    directory = data_root / VERSIONS / hour_key(hour)
    others = sorted(v for v in directory.iterdir() if v.name != committed.name)
    older = [v for v in others if v.name < committed.name]
    doomed = older[:-1] + [v for v in others if v.name > committed.name and v.stat().st_mtime < cutoff]
    for version in doomed:
        shutil.rmtree(version, ignore_errors=True)
    return len(doomed)
