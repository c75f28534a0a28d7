"""The run context: which hour a run is for, where its data lives, and its staged tables.

A :class:`RunContext` is all a stage needs to find its input. It serialises to a small JSON dict
(:meth:`RunContext.to_ref`) that Airflow passes between tasks through XCom; the rows themselves
stay in staged Parquet files under ``<data>/_staging/<run_id>/``, never in XCom.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from newsflow import storage
from newsflow.config import Settings
from newsflow.raw import RawStore

# Logical hours outside this range are typos (year 1, 9999) and would overflow date arithmetic.
EARLIEST_HOUR = datetime(1990, 1, 1, tzinfo=UTC)
LATEST_HOUR = datetime(2200, 1, 1, tzinfo=UTC)


def floor_hour(when: datetime) -> datetime:
    """The UTC hour a logical date belongs to (naive datetimes are taken as UTC)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def parse_logical_date(text: str, flag: str = "--logical-date") -> datetime:
    """An ISO 8601 date or time as its UTC hour; errors name the flag and show a valid example."""
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        hour = floor_hour(when)
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"{flag} {text!r} is not an ISO 8601 date; write e.g. 2026-11-25T10:00") from exc
    if not EARLIEST_HOUR <= hour < LATEST_HOUR:
        raise ValueError(f"{flag} {text!r} is outside {EARLIEST_HOUR:%Y}-{LATEST_HOUR:%Y}; write e.g. 2026-11-25T10:00")
    return hour


@dataclass(frozen=True)
class RunContext:
    """Everything a stage needs to find its inputs; JSON-serialisable for XCom."""

    logical_hour: datetime
    run_id: str
    data_root: Path
    feeds_file: Path
    replay: bool = False  # answer fetches from the hour's recorded downloads, not the network
    # A process that runs every stage itself (the CLI) leases the hour under its pid, so a killed
    # run never blocks the next one; Airflow runs a process per task and leases by heartbeat.
    lease_pid: int | None = None

    @classmethod
    def create(
        cls,
        logical_date: datetime,
        settings: Settings,
        run_id: str | None = None,
        replay: bool = False,
        lease_pid: int | None = None,
    ) -> RunContext:
        hour = floor_hour(logical_date)
        return cls(
            logical_hour=hour,
            run_id=run_id or f"cli__{hour:%Y-%m-%dT%H}__{datetime.now(UTC):%Y%m%dT%H%M%S%f}",
            data_root=Path(settings.data_root).resolve(),
            feeds_file=Path(settings.feeds_file).resolve(),
            replay=replay,
            lease_pid=lease_pid,
        )

    def to_ref(self) -> dict[str, Any]:
        return {
            "logical_hour": self.logical_hour.isoformat(),
            "run_id": self.run_id,
            "data_root": str(self.data_root),
            "feeds_file": str(self.feeds_file),
            "replay": self.replay,
            "lease_pid": self.lease_pid,
        }

    @classmethod
    def from_ref(cls, ref: dict[str, Any]) -> RunContext:
        return cls(
            logical_hour=datetime.fromisoformat(ref["logical_hour"]),
            run_id=ref["run_id"],
            data_root=Path(ref["data_root"]),
            feeds_file=Path(ref["feeds_file"]),
            replay=bool(ref.get("replay", False)),
            lease_pid=ref.get("lease_pid"),
        )

    def settings(self) -> Settings:
        return Settings.from_env(data_root=self.data_root, feeds_file=self.feeds_file)

    @property
    def staging(self) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.run_id)
        return self.data_root / "_staging" / safe

    def stage_file(self, name: str) -> Path:
        return self.staging / f"{name}.parquet"

    def save(self, name: str, table: pa.Table) -> None:
        """Stage a table for a later task of this run."""
        storage.write_table_atomic(table, self.stage_file(name))

    def load(self, name: str) -> pa.Table:
        """A table an earlier task of this run staged."""
        path = self.stage_file(name)
        if not path.exists():
            raise FileNotFoundError(
                f"{path} is missing: run the stage that writes {name!r} for run {self.run_id} first"
            )
        return storage.read_table(path)

    @property
    def raw(self) -> RawStore:
        return RawStore(self.data_root / "raw")

    @property
    def state_dir(self) -> Path:
        return self.data_root / "state"
