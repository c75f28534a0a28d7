"""State derived from committed hours, kept in step with them.

The dedup history and the fetch state under ``<data>/state/`` are caches of what the committed hours
hold (their ``articles``, ``quarantine`` and ``fetches``). They are never
written by a run directly: :func:`reconcile` compares each committed hour's version with the one
the cache last applied and replaces that hour's contribution when they differ (a rerun), adds new
hours and removes hours that are gone. A crash between an hour's commit and its state update is
therefore repaired by the next reconcile, which every run does before it reads state; and
``newsflow state rebuild`` recreates the cache from the published datasets alone.
"""

from __future__ import annotations

import fcntl
import json
import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from newsflow import storage
from newsflow.dedup.index import HistoryIndex
from newsflow.dedup.settings import DedupSettings
from newsflow.dedup.stage import history_entries
from newsflow.dedup.store import DedupIndex
from newsflow.fetch.state import FetchState, state_path
from newsflow.publish import committed_hours, hour_key, parse_hour_key

log = logging.getLogger("newsflow")

STATE_DIR = "state"
HISTORY_FILE = "dedup.sqlite"
STORIES_DIR = "dedup"  # the near-duplicate index (newsflow.dedup.store.DedupIndex)


@dataclass(frozen=True)
class ReconcileReport:
    applied: int  # hours whose contribution was (re)applied
    dropped: int  # hours no longer committed
    hours: int  # committed hours in all


def history_path(data_root: Path) -> Path:
    return Path(data_root) / STATE_DIR / HISTORY_FILE


def stories_path(data_root: Path) -> Path:
    return Path(data_root) / STATE_DIR / STORIES_DIR


@contextmanager
def state_lock(data_root: Path) -> Iterator[None]:
    """One writer of derived state per data root at a time (waits for the other)."""
    path = Path(data_root) / STATE_DIR / ".lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _read(version: Path, dataset: str, columns: list[str] | None = None) -> list[dict[str, Any]]:
    path = version / dataset / storage.PART_FILE
    return pq.read_table(path, columns=columns).to_pylist() if path.exists() else []


def hour_contribution(version: Path) -> dict[str, list[tuple[str, str, str, int]]]:
    """What a committed version adds to the dedup history, read from its published files."""
    articles = _read(version, "articles", ["canonical_url", "article_id", "story_id", "version"])
    quarantined = [json.loads(q["row"]) for q in _read(version, "quarantine", ["row"])]
    return history_entries(articles, [q for q in quarantined if q.get("canonical_url") and q.get("article_id")])


def reconcile(data_root: Path) -> ReconcileReport:
    """Bring the derived state in line with the committed hours (cheap when nothing changed)."""
    data_root = Path(data_root)
    with (
        state_lock(data_root),
        HistoryIndex(history_path(data_root)) as history,
        FetchState(state_path(data_root)) as fetch_state,
    ):
        stories = DedupIndex(stories_path(data_root), DedupSettings.from_env())
        committed = {hour_key(hour): version for hour, version in committed_hours(data_root)}
        applied = history.applied()  # the one record of which version each hour was applied from
        dropped = [hour for hour in applied if hour not in committed]
        for hour in dropped:
            fetch_state.forget_hour(parse_hour_key(hour))
            stories.drop_hour(parse_hour_key(hour))
            history.drop_hour(hour)
        changed = sorted(hour for hour, version in committed.items() if applied.get(hour) != version.name)
        for hour in changed:
            # Both replaces are idempotent; the history's marks the hour applied, so it goes last.
            fetch_state.record_hour(parse_hour_key(hour), _read(committed[hour], "fetches"))
            stories.commit_hour(parse_hour_key(hour), _read(committed[hour], "articles"))
            history.replace_hour(hour, committed[hour].name, hour_contribution(committed[hour]))
    if changed or dropped:
        log.info("state: applied %d hour(s), dropped %d, of %d committed", len(changed), len(dropped), len(committed))
    return ReconcileReport(applied=len(changed), dropped=len(dropped), hours=len(committed))


def rebuild(data_root: Path) -> ReconcileReport:
    """Recreate the derived state from the published datasets alone."""
    with state_lock(data_root):
        for path in (history_path(data_root), state_path(data_root)):
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        shutil.rmtree(stories_path(data_root), ignore_errors=True)
    return reconcile(data_root)
