"""Real services for tests: long-running processes in their own sessions, PostgreSQL databases and
Redis DB numbers that a test creates and always removes."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
PG = ["-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def psql(sql: str, db: str = "postgres") -> str:
    result = subprocess.run(
        ["psql", *PG, "-d", db, "-tAc", sql], capture_output=True, text=True, timeout=60, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"psql {sql!r} failed: {result.stderr.strip()}")
    return result.stdout


def create_database(name: str) -> None:
    psql(f"CREATE DATABASE {name}")


def drop_database(name: str) -> None:
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name: state, ppid, pgrp, session, …"""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw.rsplit(")", 1)[1].split()


def _family(leader: int) -> set[int]:
    """The leader, every process in its session and every descendant (even one that left it)."""
    parents: dict[int, int] = {}
    members = {leader} if _stat(leader) else set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = _stat(int(entry))
        if fields is None:
            continue
        pid, ppid, session = int(entry), int(fields[1]), int(fields[3])
        parents[pid] = ppid
        if session == leader:
            members.add(pid)
    grew = True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in members and pid not in members:
                members.add(pid)
                grew = True
    return members


def _signal_all(pids: set[int], sig: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


class Service:
    """A command in a session of its own (its PID is the session id), logging to ``log``."""

    def __init__(self, name: str, argv: list[str], env: Mapping[str, str], log_dir: Path) -> None:
        self.name = name
        self.argv = argv
        self.log = log_dir / f"{name}.log"
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                argv,
                env=dict(env),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, grace: float = 20.0) -> None:
        stop_all([self], grace)

    def tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(text[-lines:])


def _running(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def stop_all(services: list[Service], grace: float = 20.0) -> None:
    """TERM every service's whole family at once, then KILL whatever is left after ``grace`` s."""
    families = {s.proc.pid: _family(s.proc.pid) for s in services}
    for family in families.values():
        _signal_all(family, signal.SIGTERM)
    deadline = time.monotonic() + grace
    left = set().union(*families.values())
    while left and time.monotonic() < deadline:
        for service in services:
            service.proc.poll()  # reap our own children
        left = {pid for pid in left if _running(pid)}
        time.sleep(0.2)
    for leader, family in families.items():
        _signal_all(_family(leader) | {pid for pid in family if _running(pid)}, signal.SIGKILL)
    for service in services:
        with contextlib.suppress(subprocess.TimeoutExpired):
            service.proc.wait(timeout=10)
