"""Benchmark: issue 15's 24-hour backfill through Airflow's own backfill, against the CLI's local loop.

Issue 15 is done when "a 24-hour backfill over the newsroom completes on 2 cores with 24 partitions
per dataset and no article in two partitions; rerunning it gives identical content hashes". This
bench checks that on a real Airflow, the way an operator backfills, and measures it against the
same backfill in one process (the same-run baseline):

1. local baseline: ``newsflow backfill --from … --to … --engine local --live`` into a fresh data root;
2. Airflow: ``scripts/airflow-up.sh`` (LocalExecutor, parallelism 4; its SQLite metadata DB, or with
   ``--postgres`` a throwaway database on the machine's PostgreSQL) with a fresh AIRFLOW_HOME and
   data root, ``news_ingest_hourly`` unpaused, then ``newsflow backfill …
   --engine airflow --live``, which hands the range to ``airflow backfill create`` and returns;
   the bench polls the REST API until every backfill run of the range has finished;
3. checks on Airflow's data root: a marked partition of every hour in each dataset and no other
   partition, each hour's ``runs`` written by that hour's Airflow run, and DuckDB's count(*)
   against count(distinct article_id) and count(distinct (article_id, version)), with the ids that
   sit in more than one partition;
4. the same backfill again through Airflow without ``--live`` (recorded hours replay; the CLI asks
   Airflow to reprocess completed runs): per dataset and hour, the ``_SUCCESS`` content digest and
   the digest without the columns that say when and how long (listed in the printout) must equal
   the first pass's, and the newsroom must see no request;
5. as a cross-check, Airflow's first pass must have published what the local loop published
   (digests without run ids and fetch times, which two live fetches cannot share).

The newsroom runs in a child process of the bench with its clock pinned at ``--clock`` (default:
the first hour), so both engines fetch the same newsroom, the bench can count its requests, and
its memory is nobody's. airflow-up.sh starts its own newsroom too, on another free port: nothing
points at it. The environment keeps the stack to the bench's runs: DAGs paused at creation (only
``news_ingest_hourly`` is unpaused, so ``news_facts`` and ``news_compact`` do not run) and no
scheduled run of the current hour (``[scheduler] use_job_schedule = False``).

Printed: wall times and their ratio (Airflow / local), the peak memory of each engine's process
tree (PSS, shared pages counted once, sampled every second; the idle newsroom left out) and the
bench's own peak RSS, and every check. Exits 1 if a check fails; airflow-down.sh runs whatever
happens (Ctrl-C included).

    .venv/bin/python bench/backfill.py --postgres           # the issue's 24 hours (about 11 min)
    .venv/bin/python bench/backfill.py                      # the same on SQLite (its rerun may hit a lock)
    .venv/bin/python bench/backfill.py --to 2026-11-24T02:00   # 3 hours (about 2.5 min), for development
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "pipeline"))
sys.path.insert(0, str(ROOT))  # tests.services.procs: the one PostgreSQL helper

from newsflow import storage  # noqa: E402
from newsflow.context import each_hour, parse_logical_date  # noqa: E402
from tests.services.procs import psql  # noqa: E402

DAG_ID = "news_ingest_hourly"
DATASETS = tuple(storage.SCHEMAS)
FINISHED = ("success", "failed")
# `airflow backfill create` on SQLite can fail with "database is locked" while the other Airflow
# parts write (seen when it clears 24 completed runs): the bench retries it, and every failed
# attempt fails the bench all the same.
CREATE_ATTEMPTS = 3

# What may differ between the first pass (live) and its replay: when and how long things took, and
# the runs' note of how the hour was fetched (forced_live, robots.txt fetched over the network).
RERUN_VOLATILE: dict[str, set[str]] = {"runs": {"seconds", "peak_rss", "recorded_at"}}
RERUN_VOLATILE_JSON: dict[str, tuple[str, set[str]]] = {
    "runs": ("counts", {"worker_peak_rss_mib", "forced_live", "robots_txt"})
}
# What two live fetches of the same newsroom cannot share, besides the run ids: fetch times and
# durations, and the response headers (Date).
LIVE_VOLATILE: dict[str, set[str]] = {
    "articles": {"run_id", "fetched_at"},
    "facts": {"run_id"},
    "quarantine": {"run_id"},
    "runs": {"run_id", "seconds", "peak_rss", "recorded_at"},
    "fetches": {"run_id", "seconds", "fetched_at", "headers"},
    "sightings": {"run_id"},
}
LIVE_VOLATILE_JSON: dict[str, tuple[str, set[str]]] = {
    "quarantine": ("row", {"run_id", "fetched_at"}),
    "runs": ("counts", {"worker_peak_rss_mib"}),
}


class BenchError(RuntimeError):
    """A step of the bench could not be done (a process died, a timeout): the bench fails."""


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# -- the newsroom, in a child process ------------------------------------------------------------


def serve_newsroom(clock: datetime, conn: Any) -> None:
    """Child process: the sample newsroom with its clock at ``clock``; answers "count" with the
    number of requests served so far, stops on "stop"."""
    from newsflow.newsroom.server import NewsroomServer, NewsroomState

    server = NewsroomServer(0, NewsroomState(clock=clock, keep_log=False)).start_background()
    conn.send(server.base_url)
    try:
        while (command := conn.recv()) != "stop":
            conn.send(server.state.requests if command == "count" else None)
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        server.shutdown()
        server.server_close()


class Newsroom:
    def __init__(self, clock: datetime) -> None:
        ctx = mp.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=serve_newsroom, args=(clock, child), daemon=True)
        self.process.start()
        if not self.conn.poll(120):
            raise BenchError("the newsroom did not start within 120 s")
        self.base_url: str = self.conn.recv()

    def requests(self) -> int:
        self.conn.send("count")
        return int(self.conn.recv())

    def stop(self) -> None:
        with contextlib.suppress(OSError):  # the child is gone already
            self.conn.send("stop")
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)


# -- memory of process trees ---------------------------------------------------------------------


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, session id) for every process."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        table[int(entry)] = (int(fields[1]), int(fields[3]))
    return table


def tree_pids(pids: Iterable[int], sessions: Iterable[int]) -> set[int]:
    """``pids``, every member of ``sessions`` and all their descendants."""
    table = _proc_table()
    sessions = set(sessions)
    members = {p for p in pids if p in table} | {p for p, (_, sid) in table.items() if sid in sessions}
    grew = True
    while grew:
        before = len(members)
        members |= {p for p, (ppid, _) in table.items() if ppid in members}
        grew = len(members) > before
    return members


def pss_bytes(pid: int) -> int:
    """Proportional set size: a page shared by n processes counts 1/n in each (forked workers)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


class MemorySampler:
    """Samples the summed PSS of a process tree every ``every`` seconds; keeps the peak."""

    def __init__(self, roots: Callable[[], tuple[set[int], set[int]]], every: float = 1.0) -> None:
        self.roots, self.every = roots, every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            pids, sessions = self.roots()
            self.peak = max(self.peak, sum(pss_bytes(p) for p in tree_pids(pids, sessions)))
            self._stop.wait(self.every)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)


# -- Airflow ---------------------------------------------------------------------------------------


class Airflow:
    """A stack started with scripts/airflow-up.sh in fresh temp dirs; its REST API."""

    def __init__(self, tmp: Path, feeds: Path, venv: Path, database: str | None = None) -> None:
        self.home, self.data = tmp / "airflow", tmp / "data-airflow"
        self.home.mkdir()
        self.api_port, self.newsroom_port = free_port(), free_port()
        base = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWSFLOW_", "PYTHONPATH"))}
        self.env = {
            **base,
            "AIRFLOW_HOME": str(self.home),
            "NEWSFLOW_DATA": str(self.data),
            "NEWSFLOW_FEEDS": str(feeds),
            "NEWSFLOW_VENV": str(venv),
            "NEWSROOM_PORT": str(self.newsroom_port),
            "AIRFLOW__API__PORT": str(self.api_port),
            # Only the bench's runs: nothing else runs into the data root or takes the cores.
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            # Ports of their own: another Airflow on this machine may hold the defaults (8793/8794).
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW_UP_TIMEOUT": "300",
        }
        if database:  # the production metadata DB (docker-compose.yml), instead of airflow-up's SQLite
            self.env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = database
        self.base_url = f"http://127.0.0.1:{self.api_port}"
        self.pidfile = self.home / "newsflow-pids"
        self._token: str | None = None
        self.started = False

    def script(self, name: str, timeout: float) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(ROOT / "scripts" / name)], env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def up(self) -> None:
        self.started = True
        result = self.script("airflow-up.sh", timeout=420)
        if result.returncode != 0:
            output = f"{result.stdout[-2000:]}{result.stderr[-3000:]}"
            raise BenchError(f"airflow-up.sh exited {result.returncode}:\n{output}")

    def down(self) -> str:
        if not self.started:
            return ""
        result = self.script("airflow-down.sh", timeout=180)
        return (result.stdout + result.stderr).strip()

    def processes(self) -> list[tuple[str, int, str]]:
        """(name, pid, start time) of each process airflow-up.sh started."""
        if not self.pidfile.exists():
            return []
        rows = [line.split() for line in self.pidfile.read_text().splitlines() if line.strip()]
        return [(name, int(pid), start) for name, pid, start in rows]

    def sessions(self) -> set[int]:
        """The session of every Airflow part (the idle newsroom of airflow-up.sh left out)."""
        return {pid for name, pid, _ in self.processes() if name != "newsroom"}

    def check_alive(self) -> None:
        for name, pid, start in self.processes():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                alive = fields[19] == start and fields[0] != "Z"
            except (OSError, IndexError):
                alive = False
            if not alive:
                log_file = self.home / "logs" / "newsflow-up" / f"{name}.log"
                tail = log_file.read_text(errors="replace").splitlines()[-30:] if log_file.exists() else []
                raise BenchError(f"airflow-up's {name} (pid {pid}) exited; {log_file}:\n" + "\n".join(tail))

    def api(self, method: str, path: str, body: dict | None = None) -> Any:
        if self._token is None:
            passwords = json.loads((self.home / "simple_auth_manager_passwords.json.generated").read_text())
            login = {"username": "admin", "password": passwords["admin"]}
            self._token = self._request("POST", "/auth/token", login)["access_token"]
        return self._request(method, path, body, {"Authorization": f"Bearer {self._token}"})

    def _request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None) -> Any:
        request = urllib.request.Request(
            self.base_url + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def wait(self, what: str, done: Callable[[], Any], seconds: float, every: float = 2.0) -> Any:
        deadline = time.monotonic() + seconds
        while True:
            self.check_alive()
            try:
                result = done()
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError, KeyError):
                result = None
            if result:
                return result
            if time.monotonic() > deadline:
                raise BenchError(f"timed out after {seconds:.0f} s waiting for {what}")
            time.sleep(every)

    def backfill_runs(self) -> dict[datetime, dict]:
        runs = self.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns?limit=200&order_by=logical_date")["dag_runs"]
        return {parse_time(r["logical_date"]): r for r in runs if r["run_type"] == "backfill" and r["logical_date"]}

    def wait_for_backfill(self, label: str, hours: list[datetime], since: datetime, timeout: float) -> list[dict]:
        """Poll until every hour's backfill run has finished after ``since``; prints progress."""
        last_print = time.monotonic()
        started = time.monotonic()

        def finished() -> list[dict] | None:
            nonlocal last_print
            runs = self.backfill_runs()
            done = [
                runs[h]
                for h in hours
                if h in runs
                and runs[h]["state"] in FINISHED
                and parse_time(runs[h]["end_date"] or since.isoformat()) > since
            ]
            if time.monotonic() - last_print >= 15:
                last_print = time.monotonic()
                running = sum(1 for h in hours if h in runs and runs[h]["state"] == "running")
                failed = sum(1 for r in done if r["state"] == "failed")
                log(
                    f"{label}: {len(done)}/{len(hours)} runs finished ({failed} failed), {running} running, "
                    f"{time.monotonic() - started:.0f} s"
                )
            if len(done) < len(hours):
                return None
            # Only a backfill the scheduler has marked complete (it looks every 30 s) lets the next one start.
            backfills = self.api("GET", f"/api/v2/backfills?dag_id={DAG_ID}&limit=100")["backfills"]
            return [runs[h] for h in hours] if all(b["completed_at"] for b in backfills) else None

        return self.wait(f"{label}: every backfill run to finish and the backfill to complete", finished, timeout)

    def settle(self, timeout: float) -> None:
        """After a failed ``backfill create``: cancel the backfill it may have left half made (its
        queued runs fail), then wait until no run of the DAG is queued or running."""
        for backfill in self.api("GET", f"/api/v2/backfills?dag_id={DAG_ID}&limit=100")["backfills"]:
            if not backfill["completed_at"]:
                self.api("PUT", f"/api/v2/backfills/{backfill['id']}/cancel")

        def idle() -> bool:
            backfills = self.api("GET", f"/api/v2/backfills?dag_id={DAG_ID}&limit=100")["backfills"]
            busy = [r for r in self.backfill_runs().values() if r["state"] in ("queued", "running")]
            return not busy and all(b["completed_at"] for b in backfills)

        self.wait("the half-made backfill to settle", idle, timeout)

    def failed_task_logs(self, runs: list[dict], lines: int = 15) -> str:
        parts = []
        for run in runs:
            if run["state"] != "failed":
                continue
            for path in sorted(self.home.glob(f"logs/dag_id={DAG_ID}/run_id={run['dag_run_id']}/task_id=*/*.log")):
                text = path.read_text(errors="replace")
                if "ERROR" in text or "Traceback" in text:
                    tail = "\n".join(text.splitlines()[-lines:])
                    parts.append(f"--- {path.relative_to(self.home)}\n{tail}")
        return "\n".join(parts[:6])


# -- data checks ---------------------------------------------------------------------------------


def partition_hours(data: Path, dataset: str) -> set[datetime]:
    """Hours with a marked (complete) partition of ``dataset``."""
    hours = set()
    for marker in (data / dataset).glob(f"dt=*/hour=*/{storage.SUCCESS_FILE}"):
        day, hour = marker.parent.parent.name[3:], marker.parent.name[5:]
        hours.add(datetime.fromisoformat(f"{day}T{hour}:00+00:00"))
    return hours


def article_counts(data: Path) -> dict[str, Any]:
    """The README's query, by DuckDB (pyarrow if it is missing): rows, distinct ids, distinct
    (id, version), and the ids / (id, version) pairs found in more than one hour partition."""
    try:
        import duckdb
    except ImportError:
        return _article_counts_pyarrow(data)
    source = f"read_parquet('{data / 'articles' / '*' / '*' / '*.parquet'}', hive_partitioning=true)"
    con = duckdb.connect()

    def one(query: str) -> tuple:
        row = con.execute(query).fetchone()
        assert row is not None
        return tuple(int(v) for v in row)

    rows, ids, versions = one(
        f"SELECT count(*), count(DISTINCT article_id), count(DISTINCT (article_id, version)) FROM {source}"
    )
    (ids_multi,) = one(
        f"SELECT count(*) FROM (SELECT article_id FROM {source} GROUP BY article_id "
        "HAVING count(DISTINCT (dt, hour)) > 1)"
    )
    (versions_multi,) = one(
        f"SELECT count(*) FROM (SELECT article_id, version FROM {source} GROUP BY article_id, version "
        "HAVING count(DISTINCT (dt, hour)) > 1)"
    )
    con.close()
    return {
        "rows": rows,
        "ids": ids,
        "id_versions": versions,
        "ids_in_several_partitions": ids_multi,
        "id_versions_in_several_partitions": versions_multi,
        "engine": "DuckDB",
    }


def _article_counts_pyarrow(data: Path) -> dict[str, Any]:
    import pyarrow.dataset as ds

    table = ds.dataset(str(data / "articles"), format="parquet", partitioning="hive").to_table(
        columns=["article_id", "version", "dt", "hour"]
    )
    parts: dict[str, set] = {}
    vparts: dict[tuple, set] = {}
    for row in table.to_pylist():
        parts.setdefault(row["article_id"], set()).add((row["dt"], row["hour"]))
        vparts.setdefault((row["article_id"], row["version"]), set()).add((row["dt"], row["hour"]))
    return {
        "rows": table.num_rows,
        "ids": len(parts),
        "id_versions": len(vparts),
        "ids_in_several_partitions": sum(1 for p in parts.values() if len(p) > 1),
        "id_versions_in_several_partitions": sum(1 for p in vparts.values() if len(p) > 1),
        "engine": "pyarrow",
    }


def content_digest(
    table: Any,
    drop: Iterable[str] = (),
    json_drop: tuple[str, set[str]] | None = None,
) -> str:
    """sha256 of the rows in order (as :func:`storage.table_digest`) without the ``drop`` columns
    and without the ``json_drop`` keys inside a JSON text column."""
    digest = sha256()
    for row in table.to_pylist():
        for name in drop:
            row.pop(name, None)
        if json_drop and row.get(json_drop[0]):
            inner = {k: v for k, v in json.loads(row[json_drop[0]]).items() if k not in json_drop[1]}
            row[json_drop[0]] = json.dumps(inner, sort_keys=True)
        digest.update(storage.row_json(row).encode() + b"\n")
    return digest.hexdigest()


def marker_digest(data: Path, dataset: str, hour: datetime) -> str | None:
    marker = storage.partition_dir(data, dataset, hour) / storage.SUCCESS_FILE
    return json.loads(marker.read_text()).get("content_sha256") if marker.exists() else None


def snapshot(
    data: Path, hours: list[datetime], volatile: dict[str, set[str]], volatile_json: dict[str, tuple[str, set[str]]]
) -> dict[tuple[str, datetime], tuple[str | None, str | None]]:
    """(dataset, hour) -> (the _SUCCESS marker's content digest, the digest without volatile columns)."""
    out = {}
    for dataset in DATASETS:
        for hour in hours:
            table = storage.read_partition(data, dataset, hour)
            drop, drop_json = volatile.get(dataset, set()), volatile_json.get(dataset)
            stable = None if table is None else content_digest(table, drop, drop_json)
            out[dataset, hour] = (marker_digest(data, dataset, hour), stable)
    return out


def compare(a: dict, b: dict, hours: list[datetime], which: int) -> dict[str, int]:
    """Per dataset, how many hours have equal digests (``which``: 0 the marker's, 1 the stable one)."""
    return {
        d: sum(1 for h in hours if a[d, h][which] is not None and a[d, h][which] == b[d, h][which]) for d in DATASETS
    }


# -- the bench -----------------------------------------------------------------------------------


def run_timed(argv: list[str], env: dict[str, str], log_path: Path) -> tuple[float, int, int]:
    """Run ``argv`` (output to ``log_path``); returns (seconds, exit code, peak PSS of its tree)."""
    started = time.monotonic()
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            with MemorySampler(lambda: ({proc.pid}, set()), every=0.5) as sampler:
                code = proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return time.monotonic() - started, code, sampler.peak


def in_airflow_env(argv: list[str]) -> list[str]:
    """``argv`` run after sourcing scripts/airflow-env.sh, as an operator's shell would."""
    return ["bash", "-c", f'source "{ROOT}/scripts/airflow-env.sh" && exec "$@"', "airflow-env", *argv]


def tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def mib(n: float) -> str:
    return f"{n / 2**20:.0f} MiB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="start", default="2026-11-24T00:00", help="first hour")
    parser.add_argument("--to", dest="end", default="2026-11-24T23:00", help="last hour, inclusive")
    parser.add_argument("--clock", help="the newsroom's hour (default: --from)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds each Airflow pass may take")
    parser.add_argument("--keep", action="store_true", help="keep the temp dirs (data roots, AIRFLOW_HOME, logs)")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="Airflow's metadata DB in a throwaway database on PostgreSQL at 127.0.0.1:5432 (as in production); "
        "default: airflow-up.sh's SQLite, whose rerun of a backfill can fail with 'database is locked'",
    )
    args = parser.parse_args(argv)
    start, end = parse_logical_date(args.start, "--from"), parse_logical_date(args.end, "--to")
    clock = parse_logical_date(args.clock, "--clock") if args.clock else start
    hours = list(each_hour(start, end))
    if not hours:
        parser.error("--to is before --from")

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored (`&`)
    venv = Path(sys.prefix)
    newsflow = str(venv / "bin" / "newsflow")
    if not Path(newsflow).exists() or not (venv / "bin" / "airflow").exists():
        print(f"bench: {venv}/bin has no newsflow/airflow: run it with the project's .venv python", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="bench-backfill-"))
    newsroom: Newsroom | None = None
    airflow: Airflow | None = None
    failures: list[str] = []
    out: list[str] = []
    created: list[str] = []  # throwaway PostgreSQL databases, dropped at the end
    span = ["--from", f"{start:%Y-%m-%dT%H:%M}", "--to", f"{end:%Y-%m-%dT%H:%M}"]
    try:
        log(f"temp dir {tmp}; newsroom clock {clock:%Y-%m-%dT%H:%M}Z")
        newsroom = Newsroom(clock)
        feeds = tmp / "feeds.yaml"
        from newsflow.newsroom.feeds import feeds_yaml

        feeds.write_text(feeds_yaml(newsroom.base_url), encoding="utf-8")

        # 1. the local baseline
        local_data = tmp / "data-local"
        local_env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWSFLOW_", "PYTHONPATH"))}
        local_env |= {
            "PYTHONPATH": str(ROOT / "pipeline"),
            "NEWSFLOW_DATA": str(local_data),
            "NEWSFLOW_FEEDS": str(feeds),
            "NEWSFLOW_HOST_DELAY": "0",  # as airflow-env.sh sets it for the newsroom
            "GX_ANALYTICS_ENABLED": "False",
        }
        log(f"local: newsflow backfill {' '.join(span)} --engine local --live")
        requests0 = newsroom.requests()
        local_seconds, code, local_pss = run_timed(
            [newsflow, "backfill", *span, "--engine", "local", "--live"], local_env, tmp / "local.log"
        )
        local_requests = newsroom.requests() - requests0
        if code != 0:
            raise BenchError(f"the local backfill exited {code}:\n{tail(tmp / 'local.log')}")
        log(f"local: {local_seconds:.1f} s, {local_requests} newsroom requests")

        # 2. Airflow, first pass (live)
        database = None
        if args.postgres:
            database_name = f"bench_backfill_{os.getpid()}"
            psql(f"CREATE DATABASE {database_name}")
            created.append(database_name)
            database = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{database_name}"
        airflow = Airflow(tmp, feeds, venv, database)
        log(f"airflow-up.sh: AIRFLOW_HOME {airflow.home}, api on {airflow.base_url}")
        up_started = time.monotonic()
        airflow.up()
        airflow.wait("the DAG parsed", lambda: airflow.api("GET", f"/api/v2/dags/{DAG_ID}"), 300)
        airflow.api("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})
        up_seconds = time.monotonic() - up_started
        log(f"Airflow up and {DAG_ID} unpaused in {up_seconds:.0f} s")

        def airflow_pass(label: str, extra: list[str]) -> tuple[float, list[dict], int, int]:
            assert airflow is not None and newsroom is not None
            requests_before = newsroom.requests()
            since = datetime.now(UTC)
            started = time.monotonic()
            command = in_airflow_env([newsflow, "backfill", *span, "--engine", "airflow", *extra])
            log(f"{label}: newsflow backfill {' '.join(span)} --engine airflow {' '.join(extra)}")
            with MemorySampler(lambda: (set(), airflow.sessions())) as sampler:
                for attempt in range(1, CREATE_ATTEMPTS + 1):
                    result = subprocess.run(command, env=airflow.env, capture_output=True, text=True, timeout=300)
                    if result.returncode == 0:
                        break
                    lines = result.stderr.strip().splitlines() or ["?"]
                    error = next((line for line in lines if "database is locked" in line), lines[-1])
                    if "database is locked" not in result.stderr or attempt == CREATE_ATTEMPTS:
                        raise BenchError(
                            f"{label}: newsflow backfill exited {result.returncode}:\n{result.stderr[-3000:]}"
                        )
                    failures.append(f"{label}: newsflow backfill failed (attempt {attempt}, retried): {error}")
                    (tmp / f"{label}-attempt-{attempt}.log").write_text(result.stderr)
                    log(f"{label}: attempt {attempt} failed: {error}; cancelling what it left behind, then retrying")
                    airflow.settle(args.timeout)
                runs = airflow.wait_for_backfill(label, hours, since, args.timeout)
            ends = [parse_time(r["end_date"]) for r in runs if r["end_date"]]
            seconds = max((e - since).total_seconds() for e in ends) if ends else time.monotonic() - started
            backfills = airflow.api("GET", f"/api/v2/backfills?dag_id={DAG_ID}&limit=100")["backfills"]
            completed = max(parse_time(b["completed_at"]) for b in backfills)
            log(
                f"{label}: last run ended after {seconds:.1f} s; backfill marked complete after "
                f"{(completed - since).total_seconds():.1f} s"
            )
            return seconds, runs, sampler.peak, newsroom.requests() - requests_before

        air_seconds, runs, air_pss, air_requests = airflow_pass("airflow", ["--live"])
        failed = [r["dag_run_id"] for r in runs if r["state"] != "success"]
        if failed:
            failures.append(f"first pass: {len(failed)} run(s) failed: {failed[:5]}")
            log(airflow.failed_task_logs(runs))

        # 3. checks on Airflow's data root
        data = airflow.data
        hour_set = set(hours)
        partitions = {d: partition_hours(data, d) for d in DATASETS}
        for d in DATASETS:
            if partitions[d] != hour_set:
                missing, extra = sorted(hour_set - partitions[d]), sorted(partitions[d] - hour_set)
                failures.append(f"{d}: missing {[f'{h:%H}' for h in missing]}, extra {[h.isoformat() for h in extra]}")
        written_by_run = 0
        for run in runs:
            table = storage.read_partition(data, "runs", parse_time(run["logical_date"]))
            if table is not None and set(table.column("run_id").to_pylist()) == {run["dag_run_id"]}:
                written_by_run += 1
        if written_by_run != len(hours):
            failures.append(f"only {written_by_run} of {len(hours)} hours' runs were written by their Airflow run")
        counts = article_counts(data)
        if counts["rows"] != counts["id_versions"] or counts["id_versions_in_several_partitions"]:
            failures.append(f"articles doubled: {counts}")
        per_hour = []
        for h in hours:
            table = storage.read_partition(data, "articles", h)
            per_hour.append(table.num_rows if table is not None else -1)
        first = snapshot(data, hours, RERUN_VOLATILE, RERUN_VOLATILE_JSON)
        live_air = snapshot(data, hours, LIVE_VOLATILE, LIVE_VOLATILE_JSON)
        live_local = snapshot(local_data, hours, LIVE_VOLATILE, LIVE_VOLATILE_JSON)
        same_as_local = compare(live_air, live_local, hours, 1)
        if any(n != len(hours) for n in same_as_local.values()):
            failures.append(f"Airflow's first pass differs from the local loop: {same_as_local} of {len(hours)}")

        # 4. the rerun: recorded hours replay, completed runs reprocessed
        re_seconds, reruns, re_pss, re_requests = airflow_pass("rerun", [])
        failed = [r["dag_run_id"] for r in reruns if r["state"] != "success"]
        if failed:
            failures.append(f"rerun: {len(failed)} run(s) failed: {failed[:5]}")
            log(airflow.failed_task_logs(reruns))
        second = snapshot(data, hours, RERUN_VOLATILE, RERUN_VOLATILE_JSON)
        markers_equal, stable_equal = compare(first, second, hours, 0), compare(first, second, hours, 1)
        if any(n != len(hours) for n in stable_equal.values()):
            failures.append(f"rerun changed content: {stable_equal} of {len(hours)} hours identical")
        if re_requests:
            failures.append(f"the rerun sent {re_requests} request(s) to the newsroom (replay should send none)")
        if counts != article_counts(data):
            failures.append(f"the rerun changed the article counts: {article_counts(data)}")
        ok_hours = sum(
            1
            for h, r1, r2 in zip(hours, runs, reruns, strict=True)
            if r1["state"] == r2["state"] == "success"
            and all(h in partitions[d] and first[d, h][1] == second[d, h][1] for d in DATASETS)
        )

        # 5. summary
        n = len(hours)
        ratio = air_seconds / local_seconds if local_seconds else float("nan")
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        zero_hours = sum(1 for c in per_hour if c == 0)
        out += [
            f"{n}-hour backfill {start:%Y-%m-%dT%H:00}..{end:%Y-%m-%dT%H:00}Z over the sample newsroom "
            f"(clock {clock:%Y-%m-%dT%H:00}Z), {os.cpu_count()} cores, Airflow metadata DB "
            f"{'PostgreSQL' if args.postgres else 'SQLite'}",
            f"local loop  : {local_seconds:6.1f} s ({local_seconds / n:.2f} s/hour), {local_requests} newsroom "
            f"requests, peak {mib(local_pss)} PSS",
            f"Airflow     : {air_seconds:6.1f} s ({air_seconds / n:.2f} s/hour) -> ratio {ratio:.2f} against the "
            f"local loop; {air_requests} newsroom requests; stack peak {mib(air_pss)} PSS "
            f"(start-up {up_seconds:.0f} s not counted)",
            f"rerun       : {re_seconds:6.1f} s ({re_seconds / n:.2f} s/hour), {re_requests} newsroom requests "
            f"(replay), stack peak {mib(re_pss)} PSS",
            f"hours ok    : {ok_hours}/{n} (both Airflow runs succeeded, every dataset published and unchanged)",
            "partitions  : "
            + ", ".join(f"{d} {len(partitions[d] & hour_set)}/{n}" for d in DATASETS)
            + f"; outside the range: {sum(len(partitions[d] - hour_set) for d in DATASETS)}; "
            f"runs written by their Airflow run: {written_by_run}/{n}",
            f"articles    : {counts['rows']} rows, {counts['ids']} distinct article_id, {counts['id_versions']} "
            f"distinct (article_id, version) ({counts['engine']}); in more than one partition: "
            f"{counts['ids_in_several_partitions']} ids, {counts['id_versions_in_several_partitions']} "
            f"(id, version); per hour: first {per_hour[0]}, {zero_hours} hours with 0, max {max(per_hour)}",
            "rerun equal : _SUCCESS content_sha256 "
            + ", ".join(f"{d} {markers_equal[d]}/{n}" for d in DATASETS)
            + "; without volatile columns "
            + ", ".join(f"{d} {stable_equal[d]}/{n}" for d in DATASETS),
            "              (volatile: runs.seconds, runs.peak_rss, runs.recorded_at, and in runs.counts "
            "worker_peak_rss_mib, forced_live, robots_txt)",
            "vs local    : same rows as the local loop without run ids, fetch times and headers: "
            + ", ".join(f"{d} {same_as_local[d]}/{n}" for d in DATASETS),
            f"bench process peak RSS {mib(own)}",
        ]
    except KeyboardInterrupt:
        failures.append("interrupted")
    except (BenchError, subprocess.TimeoutExpired) as exc:
        failures.append(str(exc))
    finally:
        if airflow is not None:
            log("airflow-down.sh")
            try:
                down = airflow.down()
            except (subprocess.TimeoutExpired, KeyboardInterrupt) as exc:
                down = f"airflow-down.sh did not finish: {exc}"
            if "newsflow: stopped" not in down and "nothing to stop" not in down:
                failures.append(f"airflow-down.sh: {down[-1500:]}")
        if newsroom is not None:
            newsroom.stop()
        for database_name in created:
            psql(f"DROP DATABASE IF EXISTS {database_name} WITH (FORCE)")
        if args.keep or failures:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("\n".join(out))
    for failure in failures:
        print(f"FAILED: {failure}")
    print("all checks passed" if not failures else "CHECKS FAILED")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
