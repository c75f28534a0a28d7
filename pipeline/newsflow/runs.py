"""Run records: what each stage did, per feed and per failure, for the ``runs`` dataset.

Ops read this dataset (and the Airflow task logs, which print the same counts) to see every
feed's health: a row per feed fetch, a row per failed page, and a summary row per stage with
its counts, seconds and the process's peak memory.
"""

from __future__ import annotations

import json
import logging
import resource
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger("newsflow")


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def progress_logger(stage: str, total: int, what: str = "items", steps: int = 10) -> Callable[..., None]:
    """A callback to call once per item; logs ``stage: 40/400 items`` about ``steps`` times in all.

    Task logs in the Airflow UI show these lines while a long stage runs.
    """
    every = max(1, total // steps)
    done = 0

    def tick(*_: object) -> None:
        nonlocal done
        done += 1
        if done % every == 0 or done == total:
            log.info("%s: %d/%d %s", stage, done, total, what)

    return tick


def run_row(
    run_id: str,
    logical_hour: datetime,
    stage: str,
    *,
    feed: str | None = None,
    url: str | None = None,
    counts: Mapping[str, object] | None = None,
    seconds: float | None = None,
    nbytes: int | None = None,
    error_class: str | None = None,
    error: str | None = None,
    peak_rss: int | None = None,
) -> dict[str, object]:
    """The one shape of a ``runs`` row (``storage.RUNS``)."""
    return {
        "run_id": run_id,
        "logical_hour": logical_hour,
        "stage": stage,
        "feed": feed,
        "url": url,
        "counts": json.dumps(counts, sort_keys=True) if counts is not None else None,
        "seconds": seconds,
        "bytes": nbytes,
        "error_class": error_class,
        "error": error,
        "peak_rss": peak_rss,
        "recorded_at": datetime.now(UTC),
    }


class StageRecorder:
    """Collects the ``runs`` rows of one stage of one run: a row per feed or failure, then a summary."""

    def __init__(self, run_id: str, logical_hour: datetime, stage: str) -> None:
        self.run_id = run_id
        self.logical_hour = logical_hour
        self.stage = stage
        self.rows: list[dict[str, object]] = []
        self.counts: dict[str, int] = {}
        self.started = time.monotonic()

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def record(
        self,
        *,
        feed: str | None = None,
        url: str | None = None,
        counts: Mapping[str, object] | None = None,
        seconds: float | None = None,
        nbytes: int | None = None,
        error_class: str | None = None,
        error: str | None = None,
    ) -> None:
        if error_class:
            self.count(f"error.{error_class}")
            log.warning("%s: %s %s: %s", self.stage, error_class, feed or url or "", error)
        self.rows.append(
            run_row(
                self.run_id,
                self.logical_hour,
                self.stage,
                feed=feed,
                url=url,
                counts=counts,
                seconds=seconds,
                nbytes=nbytes,
                error_class=error_class,
                error=error,
            )
        )

    def finish(self) -> list[dict[str, object]]:
        """Add the stage's summary row (feed and url empty) and return all rows."""
        seconds = time.monotonic() - self.started
        self.rows.append(
            run_row(
                self.run_id,
                self.logical_hour,
                self.stage,
                counts=self.counts,
                seconds=seconds,
                peak_rss=peak_rss_bytes(),
            )
        )
        log.info("%s finished in %.2fs: %s", self.stage, seconds, json.dumps(self.counts, sort_keys=True))
        return self.rows


def merge_counts(into: dict[str, Any], counts: Mapping[str, Any]) -> dict[str, Any]:
    """Add one summary row's counts to ``into`` (the shards of a sharded stage each write one row):
    numbers are summed, anything else keeps the last value."""
    for key, value in counts.items():
        current = into.get(key)
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if numeric and isinstance(current, int | float) and not isinstance(current, bool):
            into[key] = current + value
        else:
            into[key] = value
    return into
