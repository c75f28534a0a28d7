"""The run context: which hour a run is for, where its data lives, and its staged tables.

A :class:`RunContext` is all a stage needs to find its input. It serialises to a small JSON dict
(:meth:`RunContext.to_ref`) that Airflow passes between tasks through XCom; the rows themselves
stay in staged Parquet files under ``<data>/_staging/<run_id>/``, never in XCom.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from newsflow import storage
from newsflow.config import Settings
from newsflow.errors import ConfigError
from newsflow.publish import committed_version
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


def hour_count(start: datetime, end: datetime) -> int:
    """How many hours a range holds, both ends included (0 when ``end`` is before ``start``)."""
    return max(0, int((end - start).total_seconds() // 3600) + 1)


def each_hour(start: datetime, end: datetime) -> Iterator[datetime]:
    """The hours from ``start`` to ``end``, both included, one at a time (a year-long range starts at once)."""
    for i in range(hour_count(start, end)):
        yield start + timedelta(hours=i)


@dataclass(frozen=True)
class FetchMode:
    replay: bool  # re-derive from the hour's recorded downloads
    forced_live: bool  # a past hour fetched live because it was asked for


def fetch_mode(
    hour: datetime, now: datetime, *, recorded: bool, replay: bool, live: bool, live_window_hours: float
) -> FetchMode:
    """How an hour is fetched: from its recording, or live; never today's content in a past hour by accident.

    An hour with recorded downloads is re-derived from them unless ``live`` is asked; an hour without
    them is fetched live only while it is recent (its feeds still show what it published) or when
    ``live`` is asked, which the hour's runs then record.
    """
    if replay and live:
        raise ConfigError("replay and live exclude each other: pick one (CLI: --replay or --live; DAG params)")
    if replay and not recorded:
        raise ConfigError(
            f"hour {hour:%Y-%m-%dT%H:00}Z has no recorded downloads to replay; run it live once "
            "(CLI: --live; DAG param live=true)"
        )
    if live:
        return FetchMode(replay=False, forced_live=(now - hour).total_seconds() > live_window_hours * 3600)
    if recorded:
        return FetchMode(replay=True, forced_live=False)
    if (now - hour).total_seconds() <= live_window_hours * 3600:
        return FetchMode(replay=False, forced_live=False)
    raise ConfigError(
        f"hour {hour:%Y-%m-%dT%H:00}Z is more than {live_window_hours:g} h in the past and has no recorded "
        "downloads: fetching now would file today's feed content under it. Backfill only hours that were "
        "fetched, or pass live (CLI: --live; DAG param live=true) to fetch it now anyway, recorded as such"
    )


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
    # A past hour fetched live because someone asked to (recorded in the hour's runs).
    forced_live: bool = False
    # The fetch stages split the hour's hosts into ``shards`` parts (Airflow maps a task over them;
    # the CLI runs them in turn); ``shard`` is the part one task of a sharded stage works on.
    shards: int = 1
    shard: int | None = None

    @classmethod
    def create(
        cls,
        logical_date: datetime,
        settings: Settings,
        run_id: str | None = None,
        replay: bool = False,
        lease_pid: int | None = None,
        forced_live: bool = False,
    ) -> RunContext:
        hour = floor_hour(logical_date)
        return cls(
            logical_hour=hour,
            run_id=run_id or f"cli__{hour:%Y-%m-%dT%H}__{datetime.now(UTC):%Y%m%dT%H%M%S%f}",
            data_root=Path(settings.data_root).resolve(),
            feeds_file=Path(settings.feeds_file).resolve(),
            replay=replay,
            lease_pid=lease_pid,
            forced_live=forced_live,
        )

    def to_ref(self) -> dict[str, Any]:
        return {
            "logical_hour": self.logical_hour.isoformat(),
            "run_id": self.run_id,
            "data_root": str(self.data_root),
            "feeds_file": str(self.feeds_file),
            "replay": self.replay,
            "lease_pid": self.lease_pid,
            "forced_live": self.forced_live,
            "shards": self.shards,
            "shard": self.shard,
        }

    @classmethod
    def from_ref(cls, ref: dict[str, Any] | Sequence[dict[str, Any]]) -> RunContext:
        """The context a reference names; a list of shard references (what the DAG's plan task
        returns, :meth:`shard_refs`) stands for the whole hour."""
        if not isinstance(ref, dict):
            return replace(cls.from_ref(ref[0]), shard=None)
        return cls(
            logical_hour=datetime.fromisoformat(ref["logical_hour"]),
            run_id=ref["run_id"],
            data_root=Path(ref["data_root"]),
            feeds_file=Path(ref["feeds_file"]),
            replay=bool(ref.get("replay", False)),
            lease_pid=ref.get("lease_pid"),
            forced_live=bool(ref.get("forced_live", False)),
            shards=int(ref.get("shards") or 1),
            shard=None if ref.get("shard") is None else int(ref["shard"]),
        )

    def settings(self) -> Settings:
        return Settings.from_env(data_root=self.data_root, feeds_file=self.feeds_file)

    @property
    def staging(self) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.run_id)
        return self.data_root / "_staging" / safe

    def stage_file(self, name: str) -> Path:
        return self.staging / f"{name}.parquet"

    def for_shard(self, shard: int) -> RunContext:
        """The context of one part of a sharded stage."""
        if not 0 <= shard < self.shards:
            raise ValueError(f"shard {shard} of {self.shards}: shards are numbered 0..{self.shards - 1}")
        return replace(self, shard=shard)

    def shard_refs(self) -> list[dict[str, Any]]:
        """One reference per shard: what Airflow maps a sharded stage's task over."""
        return [self.for_shard(k).to_ref() for k in range(self.shards)]

    @property
    def own_shard(self) -> int:
        if self.shard is None:
            raise ValueError("a sharded stage runs once per shard: give the context a shard (for_shard)")
        return self.shard

    def sharded(self, name: str) -> str:
        """The staged name of ``name`` for this context's shard."""
        return f"{name}.shard{self.own_shard}"

    def load_shards(self, name: str) -> pa.Table:
        """Every shard's ``name``, in shard order (each shard must have staged it)."""
        return pa.concat_tables([self.load(f"{name}.shard{k}") for k in range(self.shards)])

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


def has_recording(data_root: Path, hour: datetime) -> bool:
    """Whether a committed version of the hour holds its recorded downloads (``fetches``)."""
    version = committed_version(data_root, hour)
    return version is not None and (version / "fetches" / storage.PART_FILE).exists()


def plan_run(
    logical_date: datetime,
    settings: Settings,
    *,
    run_id: str | None = None,
    replay: bool = False,
    live: bool = False,
    lease_pid: int | None = None,
    now: datetime | None = None,
    sharded: bool = False,
) -> RunContext:
    """The run of an hour as the CLI and the DAG start it: its fetch mode decided by :func:`fetch_mode`.

    ``sharded`` (the DAG, which maps the fetch stages' tasks over shards): its fetching is split in
    ``NEWSFLOW_FETCH_SHARDS`` parts by host, at most one per host its feeds are on. The CLI runs
    in one process, whose fetcher already fetches every host in parallel: one shard."""
    hour = floor_hour(logical_date)
    mode = fetch_mode(
        hour,
        now or datetime.now(UTC),
        recorded=has_recording(Path(settings.data_root), hour),
        replay=replay,
        live=live,
        live_window_hours=settings.live_window_hours,
    )
    ctx = RunContext.create(
        hour, settings, run_id=run_id, replay=mode.replay, lease_pid=lease_pid, forced_live=mode.forced_live
    )
    if not sharded:
        return ctx
    from newsflow.fetch.settings import FetchSettings
    from newsflow.fetch.shards import shard_count
    from newsflow.sources.registry import load_registry

    feeds = load_registry(ctx.feeds_file).enabled  # a missing or invalid feeds file fails here, at once
    return replace(ctx, shards=shard_count([f.url for f in feeds], FetchSettings.from_env().shards))
