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
from datetime import UTC, datetime

log = logging.getLogger("newsflow")


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def progress_logger(stage: str, total: int, what: str = "items", steps: int = 10):
    """A callback to call once per item; logs ``stage: 40/400 items`` about ``steps`` times in all.

    Task logs in the Airflow UI show these lines while a long stage runs.
    """
    every = max(1, total // steps)
    done = {"n": 0}

    def tick(*_: object) -> None:
        done["n"] += 1
        if done["n"] % every == 0 or done["n"] == total:
            log.info("%s: %d/%d %s", stage, done["n"], total, what)

    return tick


class StageRecorder:
    """Collects the ``runs`` rows of one stage of one run."""

    def __init__(self, run_id: str, logical_hour: datetime, stage: str) -> None:
        self.run_id = run_id
        self.logical_hour = logical_hour
        self.stage = stage
        self.rows: list[dict] = []
        self.counts: dict[str, int] = {}
        self.started = time.monotonic()

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def record(
        self,
        *,
        feed: str | None = None,
        url: str | None = None,
        counts: dict | None = None,
        seconds: float | None = None,
        nbytes: int | None = None,
        error_class: str | None = None,
        error: str | None = None,
    ) -> None:
        if error_class:
            self.count(f"error.{error_class}")
            log.warning("%s: %s %s: %s", self.stage, error_class, feed or url or "", error)
        self.rows.append(
            {
                "run_id": self.run_id,
                "logical_hour": self.logical_hour,
                "stage": self.stage,
                "feed": feed,
                "url": url,
                "counts": json.dumps(counts, sort_keys=True) if counts is not None else None,
                "seconds": seconds,
                "bytes": nbytes,
                "error_class": error_class,
                "error": error,
                "peak_rss": None,
                "recorded_at": datetime.now(UTC),
            }
        )

    def finish(self) -> list[dict]:
        """Add the stage's summary row (feed and url empty) and return all rows."""
        seconds = time.monotonic() - self.started
        self.rows.append(
            {
                "run_id": self.run_id,
                "logical_hour": self.logical_hour,
                "stage": self.stage,
                "feed": None,
                "url": None,
                "counts": json.dumps(self.counts, sort_keys=True),
                "seconds": seconds,
                "bytes": None,
                "error_class": None,
                "error": None,
                "peak_rss": peak_rss_bytes(),
                "recorded_at": datetime.now(UTC),
            }
        )
        log.info("%s finished in %.2fs: %s", self.stage, seconds, json.dumps(self.counts, sort_keys=True))
        return self.rows
