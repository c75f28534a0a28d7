"""One run of an hour at a time.

A run leases its logical hour from its first stage until its publish: ``<data>/_locks/<hour>.json``
names the holder (run id, host, pid for a CLI run, last heartbeat). Every stage holds a ``flock``
on ``<hour>.lock`` while it runs, exclusive for a whole-hour stage and shared for one shard of a
sharded stage (the shards of one run fetch side by side), and checks and renews the lease under
a short exclusive lock on ``<hour>.lease``: so two runs never run stages of one hour at the same
moment, and a second run of the hour (an overlapping backfill and scheduled run) fails at once
with a message naming the holder instead of mixing its rows with the other's.

A lease held by a dead process is free: a CLI run records its pid, so a killed run blocks nobody.
Airflow runs one process per task, so their leases are kept alive by heartbeats and expire after
``NEWSFLOW_LEASE_TIMEOUT`` seconds without one (default two hours, beyond any stage's timeout).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsflow import storage
from newsflow.errors import PipelineError
from newsflow.publish import hour_key

LOCKS_DIR = "_locks"
DEFAULT_LEASE_TIMEOUT = 2 * 3600.0


class HourBusy(PipelineError):
    """Another run holds the hour."""


def _lease_timeout() -> float:
    raw = os.environ.get("NEWSFLOW_LEASE_TIMEOUT", "")
    return float(raw) if raw else DEFAULT_LEASE_TIMEOUT


def _alive(lease: dict[str, Any], now: datetime) -> bool:
    if lease.get("released"):
        return False
    pid = lease.get("pid")
    if pid and lease.get("host") == socket.gethostname():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    heartbeat = datetime.fromisoformat(lease["heartbeat"])
    return (now - heartbeat).total_seconds() < _lease_timeout()


class HourLease:
    def __init__(self, data_root: Path, hour: datetime, run_id: str, pid: int | None = None) -> None:
        self.hour = hour
        self.run_id = run_id
        self.pid = pid
        directory = Path(data_root) / LOCKS_DIR
        directory.mkdir(parents=True, exist_ok=True)
        self.lease_file = directory / f"{hour_key(hour)}.json"
        self.lock_file = directory / f"{hour_key(hour)}.lock"
        self.lease_lock_file = directory / f"{hour_key(hour)}.lease"

    def _read(self) -> dict[str, Any] | None:
        try:
            return dict(json.loads(self.lease_file.read_text(encoding="utf-8")))
        except (FileNotFoundError, ValueError):
            return None

    def _write(self, released: bool = False) -> None:
        lease = {
            "run_id": self.run_id,
            "hour": self.hour.isoformat(),
            "host": socket.gethostname(),
            "pid": self.pid,
            "heartbeat": datetime.now(UTC).isoformat(),
            "released": released,
        }
        storage.atomic_write_bytes(self.lease_file, json.dumps(lease, indent=2).encode())

    def _busy(self, lease: dict[str, Any] | None, doing: str) -> HourBusy:
        holder = "another process"
        if lease:
            holder = f"run {lease['run_id']} (host {lease.get('host')}, pid {lease.get('pid')}, "
            holder += f"last active {lease['heartbeat']})"
        return HourBusy(
            f"hour {hour_key(self.hour)}:00Z is held by {holder}, which is {doing}; wait for it to finish, or if it "
            f"is dead, free the hour with `newsflow unlock --logical-date {hour_key(self.hour)}:00`"
        )

    @contextmanager
    def hold(self, shared: bool = False) -> Iterator[None]:
        """Hold the hour for one stage (``shared``: one shard of a sharded stage, beside the run's other
        shards): fails at once if another run holds it."""
        with open(self.lock_file, "a+") as fh:
            try:
                fcntl.flock(fh, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
            except BlockingIOError:
                raise self._busy(self._read(), "running a stage right now") from None
            try:
                with self._lease_lock():
                    lease = self._read()
                    if lease and lease["run_id"] != self.run_id and _alive(lease, datetime.now(UTC)):
                        raise self._busy(lease, "part-way through its stages")
                    self._write()
                yield
                with self._lease_lock():
                    self._write()
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @contextmanager
    def _lease_lock(self) -> Iterator[None]:
        """Reading and renewing the lease is one step, even for shards of one run running side by side."""
        with open(self.lease_lock_file, "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def release(self) -> None:
        """The run is over (published): the hour is free for the next run."""
        lease = self._read()
        if lease and lease["run_id"] == self.run_id:
            self._write(released=True)


def unlock(data_root: Path, hour: datetime) -> dict[str, Any] | None:
    """Free an hour whose holder is dead; returns the lease that was removed."""
    lease = HourLease(data_root, hour, "unlock")
    held = lease._read()
    lease.lease_file.unlink(missing_ok=True)
    return held
