"""An hour's commit: every dataset of the hour becomes visible at once, or not at all.

Layout under the data root (all links relative, so a data root can be moved or copied with its
symlinks)::

    _versions/<hour>/<version>/<dataset>/part-0.parquet + _SUCCESS   one complete version of the hour
    _hours/<hour>            -> ../_versions/<hour>/<version>          THE commit point: one symlink
    <dataset>/dt=YYYY-MM-DD/hour=HH -> ../../_hours/<hour>/<dataset>   fixed paths readers glob

A version is written whole (every file fsynced, every ``_SUCCESS`` marker, a ``_COMMIT.json``
manifest), then ``_hours/<hour>`` is switched to it with one ``rename(2)``: a reader, a rerun or a
crash sees either the old version of the hour whole or the new one whole, for every dataset at once.
Files being written are hidden (``.tmp-*.part``) and no reader's ``*.parquet`` glob matches them.
The previous version is kept one commit longer for readers that listed it, then removed.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from newsflow import storage
from newsflow.failpoints import failpoint

log = logging.getLogger("newsflow")

VERSIONS = "_versions"
HOURS = "_hours"
COMMIT_FILE = "_COMMIT.json"


def hour_key(hour: datetime) -> str:
    """``2026-11-25T10``: the name of an hour in ``_hours/`` and ``_versions/``."""
    return f"{hour.astimezone(UTC):%Y-%m-%dT%H}"


def parse_hour_key(key: str) -> datetime:
    return datetime.strptime(key, "%Y-%m-%dT%H").replace(tzinfo=UTC)


def _version_name(run_id: str) -> str:
    safe = "".join(c if c.isalnum() or c in "_.-" else "_" for c in run_id)[:120]
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{safe}"


def committed_version(data_root: Path, hour: datetime) -> Path | None:
    """The directory of the hour's committed version, or None if the hour was never committed."""
    link = Path(data_root) / HOURS / hour_key(hour)
    if not link.is_symlink():
        return None
    target = (link.parent / os.readlink(link)).resolve()
    return target if target.is_dir() else None


def committed_hours(data_root: Path) -> Iterator[tuple[datetime, Path]]:
    """Every committed hour and its version directory, oldest first."""
    hours_dir = Path(data_root) / HOURS
    if not hours_dir.is_dir():
        return
    for link in sorted(hours_dir.iterdir()):
        if link.name.startswith("."):
            continue
        version = committed_version(data_root, parse_hour_key(link.name))
        if version is not None:
            yield parse_hour_key(link.name), version


def read_manifest(version: Path) -> dict[str, Any]:
    return dict(json.loads((version / COMMIT_FILE).read_text(encoding="utf-8")))


def _ensure_partition_links(data_root: Path, hour: datetime, datasets: list[str]) -> None:
    """The fixed ``<dataset>/dt=…/hour=…`` paths, each a link through ``_hours/<hour>``.

    Created before the commit switch: until the hour is committed they dangle, and every reader
    we support (DuckDB, pyarrow, pandas) skips a dangling link.
    """
    for dataset in datasets:
        pdir = storage.partition_dir(data_root, dataset, hour)
        target = Path("..") / ".." / HOURS / hour_key(hour) / dataset
        if pdir.is_symlink():
            if Path(os.readlink(pdir)) == target:
                continue
            pdir.unlink()
        elif pdir.exists():
            # A partition from before versioned commits (a real directory): moved aside, then linked.
            aside = pdir.with_name(f".legacy-{pdir.name}-{datetime.now(UTC):%Y%m%dT%H%M%S%f}")
            pdir.rename(aside)
            shutil.rmtree(aside, ignore_errors=True)
        pdir.parent.mkdir(parents=True, exist_ok=True)
        tmp = pdir.with_name(f".tmp-link-{pdir.name}-{os.getpid()}")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(target, target_is_directory=True)
        os.replace(tmp, pdir)
        storage.fsync_dir(pdir.parent)


def _switch(data_root: Path, hour: datetime, version: Path) -> None:
    """Point ``_hours/<hour>`` at ``version`` with one atomic rename: the commit."""
    hours_dir = Path(data_root) / HOURS
    hours_dir.mkdir(parents=True, exist_ok=True)
    link = hours_dir / hour_key(hour)
    tmp = hours_dir / f".tmp-{hour_key(hour)}-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(Path("..") / VERSIONS / hour_key(hour) / version.name, target_is_directory=True)
    if link.is_dir() and not link.is_symlink():
        # A data root copied without its links (``cp -r``) holds the hour as a real directory.
        link.rename(hours_dir / f".replaced-{hour_key(hour)}-{os.getpid()}")
    os.replace(tmp, link)
    storage.fsync_dir(hours_dir)


def _collect_garbage(data_root: Path, hour: datetime, keep: set[str]) -> None:
    """Remove versions of the hour that are neither committed nor the one before it, and leftovers
    of runs that died before their commit."""
    vdir = Path(data_root) / VERSIONS / hour_key(hour)
    for child in vdir.iterdir() if vdir.is_dir() else []:
        if child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)


def commit_hour(
    data_root: Path, hour: datetime, tables: Mapping[str, pa.Table], run_id: str
) -> dict[str, dict[str, Any]]:
    """Write every table as a new version of the hour, then switch the hour to it atomically.

    Returns the ``_SUCCESS`` marker of each dataset (rows, content hash). The version written by a
    crashed run is never committed and is removed by the next commit of the hour.
    """
    data_root = Path(data_root)
    for dataset, table in tables.items():
        if table.schema != storage.SCHEMAS[dataset]:
            raise TypeError(f"{dataset}: table schema differs from storage.{dataset.upper()}")
    version = data_root / VERSIONS / hour_key(hour) / _version_name(run_id)
    markers: dict[str, dict[str, Any]] = {}
    for i, (dataset, table) in enumerate(tables.items()):
        if i:
            failpoint("publish.between_datasets")
        markers[dataset] = storage.write_dataset_part(version / dataset, dataset, hour, table, run_id)
    manifest = {
        "logical_hour": hour.isoformat(),
        "run_id": run_id,
        "version": version.name,
        "committed_at": datetime.now(UTC).isoformat(),
        "datasets": markers,
    }
    storage.atomic_write_bytes(version / COMMIT_FILE, json.dumps(manifest, indent=2).encode())
    storage.fsync_dir(version.parent)
    _ensure_partition_links(data_root, hour, list(tables))
    previous = committed_version(data_root, hour)
    failpoint("publish.before_commit")
    _switch(data_root, hour, version)
    failpoint("publish.after_commit")
    _collect_garbage(data_root, hour, keep={version.name, *([previous.name] if previous else [])})
    log.info("committed hour %s as version %s", hour_key(hour), version.name)
    return markers
