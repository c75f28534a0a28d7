"""news_ingest_hourly on the production stack: Airflow on PostgreSQL with the CeleryExecutor and a
Redis broker, every part a real process (api-server, scheduler, dag-processor, triggerer, Celery
worker), started with docker-compose.yml's own commands and init chain.

One run of HOUR, then a 3-hour backfill through Airflow's own backfill, both fetching the sample
newsroom live. The newsroom's clock stays at HOUR, so the backfilled hours see the same links; an
article belongs to the hour that first committed it, so they publish no articles, and no article
may sit in two partitions (the bug of issue 15: a backfill tripled ``count(*)``).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from newsflow import storage
from tests.conftest import HOUR
from tests.services import compose
from tests.services.procs import VENV_BIN, Service, free_port, psql, stop_all

# Each phase fails with every log after PHASE_SECONDS; the timeout is only the backstop.
pytestmark = [pytest.mark.airflow, pytest.mark.timeout(1200)]

DAG_ID = "news_ingest_hourly"
BACKFILL_HOURS = [HOUR + timedelta(hours=n) for n in (1, 2, 3)]
# Anything that takes longer than this (start-up, the first run, the backfill) fails the test.
PHASE_SECONDS = 300
CONF = {"live": True}  # fetch the newsroom now: these hours have no recorded downloads to replay
SERVICES = ["airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer", "airflow-worker"]


def _iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


class Stack:
    """The running Airflow parts, their environment, and the API to drive and watch them."""

    def __init__(self, env: dict[str, str], home: Path, api_port: int, data: Path, queue: str, db: str) -> None:
        self.env, self.home, self.data, self.queue, self.db = env, home, data, queue, db
        self.api_port = api_port
        self.base_url = f"http://127.0.0.1:{api_port}"
        self.services: dict[str, Service] = {}
        self._token: str | None = None
        self.timings: dict[str, float] = {}

    # -- processes -------------------------------------------------------------------------------
    def start(self, name: str, argv: list[str]) -> None:
        self.services[name] = Service(name, argv, self.env, self.home)

    def stop(self) -> None:
        stop_all(list(self.services.values()))

    def airflow(self, *args: str, timeout: int = 180) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(VENV_BIN / "airflow"), *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            output = f"{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
            self.fail(f"airflow {' '.join(args)} exited {result.returncode}:\n{output}")
        return result

    def fail(self, message: str) -> None:
        pytest.fail(f"{message}\n\n{self.logs()}", pytrace=False)

    def logs(self) -> str:
        parts = []
        for name, service in self.services.items():
            state = "running" if service.alive() else f"exited {service.proc.returncode}"
            parts.append(f"--- {name} ({state}), last lines of {service.log}:\n{service.tail()}")
        task_logs = sorted(self.home.glob(f"logs/dag_id={DAG_ID}/**/*.log"), key=lambda p: p.stat().st_mtime)
        for path in task_logs[-3:]:
            tail = "\n".join(path.read_text(errors="replace").splitlines()[-25:])
            parts.append(f"--- task log {path.relative_to(self.home)}:\n{tail}")
        return "\n".join(parts)

    def check_alive(self) -> None:
        for name, service in self.services.items():
            if not service.alive():
                self.fail(f"{name} exited ({service.proc.returncode})")

    # -- REST API --------------------------------------------------------------------------------
    def api(self, method: str, path: str, body: dict | None = None) -> Any:
        if self._token is None:
            self._token = self._request("POST", "/auth/token", self._login())["access_token"]
        return self._request(method, path, body, {"Authorization": f"Bearer {self._token}"})

    def _login(self) -> dict[str, str]:
        passwords = json.loads(Path(self.env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]).read_text())
        user = self.env["AIRFLOW_ADMIN_USER"]
        return {"username": user, "password": passwords[user]}

    def _request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def runs(self) -> list[dict]:
        return self.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns?limit=100&order_by=logical_date")["dag_runs"]

    def wait(self, what: str, done, seconds: float = PHASE_SECONDS, every: float = 2.0) -> Any:
        """Poll ``done()`` until it returns something truthy; fail with every log after ``seconds``."""
        deadline = time.monotonic() + seconds
        while True:
            self.check_alive()
            try:
                result = done()
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                result = None
            if result:
                return result
            if time.monotonic() > deadline:
                self.fail(f"timed out after {seconds:.0f} s waiting for {what}")
            time.sleep(every)

    def wait_for_runs(self, what: str, logical_dates: list[str]) -> list[dict]:
        def finished() -> list[dict] | None:
            runs = [r for r in self.runs() if r["logical_date"] and _same_instant(r["logical_date"], logical_dates)]
            failed = [r for r in runs if r["state"] == "failed"]
            if failed:
                self.fail(f"{what}: runs failed: {[(r['dag_run_id'], r['state']) for r in failed]}")
            if len(runs) == len(logical_dates) and all(r["state"] == "success" for r in runs):
                return runs
            return None

        return self.wait(what, finished)


def _same_instant(value: str, wanted: list[str]) -> bool:
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return any(when == datetime.fromisoformat(w.replace("Z", "+00:00")) for w in wanted)


def _environment(home: Path, data: Path, feeds: Path, db: str, broker: str, api_port: int, queue: str) -> dict:
    """What docker-compose.yml's x-airflow-env sets, pointed at this machine and this test."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWSFLOW_"))}
    # The pipeline's own settings for the workers, as production has them with .env.example's values
    # (paths are this test's).
    worker_env = compose.resolve(compose.load()["services"]["airflow-worker"]["environment"], compose.read_env_file())
    base.update({k: str(v) for k, v in worker_env.items() if k.startswith("NEWSFLOW_")})
    root = compose.ROOT
    conn = f"postgresql+psycopg2://postgres@127.0.0.1:5432/{db}"
    return {
        **base,
        # Airflow starts its parts as a bare `airflow`; this checkout's package, not the venv's.
        "PATH": f"{VENV_BIN}{os.pathsep}{base.get('PATH', '/usr/bin:/bin')}",
        "PYTHONPATH": os.pathsep.join([str(root / "pipeline"), str(root)]),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(root / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(root / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": conn,
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + conn,
        "AIRFLOW__CELERY__BROKER_URL": broker,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
        "AIRFLOW__CORE__PARALLELISM": "4",
        # A queue of its own: another test run sharing the Redis DB cannot take these tasks.
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
        "AIRFLOW__CORE__FERNET_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "AIRFLOW__API__SECRET_KEY": secrets.token_hex(24),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(24),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{api_port}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "auth" / "passwords.json"),
        "AIRFLOW_ADMIN_USER": "admin",
        "AIRFLOW_ADMIN_PASSWORD": secrets.token_hex(12),
        # Only the runs this test creates: no run for the current hour when the DAG is unpaused.
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        "NEWSFLOW_DATA": str(data),
        "NEWSFLOW_FEEDS": str(feeds),
        "NEWSFLOW_HOST_DELAY": "0",  # the newsroom is one loopback host
        "GX_ANALYTICS_ENABLED": "False",
    }


def _compose_command(spec: dict, service: str, api_port: int) -> list[str]:
    command = [compose.interpolate(part, {}) for part in spec["services"][service]["command"]]
    if service == "airflow-apiserver":
        command = [str(api_port) if part == "8080" else part for part in command]
    return command


@pytest.fixture(scope="module")
def stack(postgres_database, redis_url, tmp_path_factory):
    from newsflow.newsroom.feeds import feeds_yaml
    from newsflow.newsroom.server import NewsroomServer, NewsroomState

    tmp = tmp_path_factory.mktemp("celery")
    home, data, feeds = tmp / "airflow", tmp / "data", tmp / "feeds.yaml"
    home.mkdir()
    newsroom = NewsroomServer(0, NewsroomState(clock=HOUR, slow_seconds=0)).start_background()
    feeds.write_text(feeds_yaml(newsroom.base_url), encoding="utf-8")
    api_port = free_port()
    queue = f"newsflow-test-{uuid.uuid4().hex[:8]}"
    env = _environment(home, data, feeds, postgres_database, redis_url, api_port, queue)
    running = Stack(env, home, api_port, data, queue, postgres_database)
    spec = compose.load()
    started = time.monotonic()
    try:
        # airflow-init's chain as docker-compose.yml has it: migrate, pools, the admin's password.
        init = [compose.interpolate(part, env) for part in spec["services"]["airflow-init"]["command"]]
        try:
            result = subprocess.run(init, env=env, capture_output=True, text=True, timeout=PHASE_SECONDS)
        except subprocess.TimeoutExpired as exc:
            running.fail(f"airflow-init took more than {PHASE_SECONDS} s:\n{exc.stdout!r}\n{exc.stderr!r}")
        if result.returncode != 0:
            running.fail(f"airflow-init failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        for service in SERVICES:
            running.start(service, _compose_command(spec, service, api_port))
        running.wait("the api-server and the parsed DAG", lambda: running.api("GET", f"/api/v2/dags/{DAG_ID}"))
        running.timings["start-up"] = time.monotonic() - started
        yield running
    finally:
        running.stop()
        newsroom.shutdown()
        newsroom.server_close()


@pytest.fixture(scope="module")
def backfilled(stack):
    """HOUR triggered and run, then HOUR+1..HOUR+3 backfilled; returns the runs by kind."""
    stack.api("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})
    started = time.monotonic()
    stack.airflow("dags", "trigger", DAG_ID, "--logical-date", HOUR.isoformat(), "--conf", json.dumps(CONF))
    triggered = stack.wait_for_runs("the triggered run of HOUR", [_iso(HOUR)])
    stack.timings["first run"] = time.monotonic() - started
    started = time.monotonic()
    stack.airflow(
        "backfill", "create", "--dag-id", DAG_ID,
        "--from-date", BACKFILL_HOURS[0].isoformat(), "--to-date", BACKFILL_HOURS[-1].isoformat(),
        "--dag-run-conf", json.dumps(CONF), "--max-active-runs", "1",
    )  # fmt: skip
    backfill = stack.wait_for_runs("the 3-hour backfill", [_iso(h) for h in BACKFILL_HOURS])
    stack.timings["backfill"] = time.monotonic() - started
    print("timings (s):", {k: round(v, 1) for k, v in stack.timings.items()})
    return {"triggered": triggered, "backfill": backfill}


def test_backfill_on_celery_publishes_every_hour_once(stack, backfilled):
    assert [r["run_type"] for r in backfilled["triggered"]] == ["manual"]
    assert sorted(r["run_type"] for r in backfilled["backfill"]) == ["backfill"] * 3

    hours = [HOUR, *BACKFILL_HOURS]
    articles = {h: storage.read_partition(stack.data, "articles", h) for h in hours}
    assert [h for h, t in articles.items() if t is None] == [], "every hour has a committed partition"
    first = articles[HOUR].column("article_id").to_pylist()
    assert len(first) >= 40, "the first hour publishes the newsroom's articles"
    ids = Counter(i for t in articles.values() for i in t.column("article_id").to_pylist())
    assert [i for i, n in ids.items() if n > 1] == [], "an article sits in one partition only"
    # The newsroom serves HOUR's links again; they belong to HOUR, which committed them first.
    assert {h.isoformat(): articles[h].num_rows for h in BACKFILL_HOURS} == {h.isoformat(): 0 for h in BACKFILL_HOURS}

    # Each hour was written by the Airflow run of that hour.
    for run in backfilled["triggered"] + backfilled["backfill"]:
        hour = next(h for h in hours if _same_instant(run["logical_date"], [_iso(h)]))
        runs_table = storage.read_partition(stack.data, "runs", hour)
        assert runs_table is not None and set(runs_table.column("run_id").to_pylist()) == {run["dag_run_id"]}

    # Every task went through Celery: on this test's queue, its result stored in PostgreSQL.
    tasks = [
        ti
        for run in backfilled["triggered"] + backfilled["backfill"]
        for ti in stack.api("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run['dag_run_id']}/taskInstances")["task_instances"]
    ]
    assert tasks and {ti["queue"] for ti in tasks} == {stack.queue}
    assert {ti["state"] for ti in tasks} == {"success"}

    def celery_results() -> dict[str, int] | None:
        # A Celery task ends just after Airflow records the task's state: give the last one a moment.
        rows = psql("SELECT status, count(*) FROM celery_taskmeta GROUP BY status", stack.db).split()
        counts = {status: int(n) for status, n in (row.split("|") for row in rows)}
        return counts if counts.get("SUCCESS", 0) >= len(tasks) else None

    results = stack.wait("every task's Celery result", celery_results, seconds=30, every=0.5)
    assert "FAILURE" not in results, results


def test_compose_health_checks_pass_on_the_running_stack(stack):
    """Every Airflow service's health check from docker-compose.yml, run against the live parts."""
    spec = compose.load()
    env = {**stack.env, "HOSTNAME": socket.gethostname()}  # Docker sets HOSTNAME in a container

    def check(service: str) -> tuple[str, list[str], subprocess.CompletedProcess[str]]:
        test = [compose.interpolate(part, env) for part in spec["services"][service]["healthcheck"]["test"]]
        argv = [p.replace("localhost:8080", f"127.0.0.1:{stack.api_port}") for p in compose.healthcheck_argv(test)]
        return service, argv, subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)

    with ThreadPoolExecutor(max_workers=2) as pool:  # each is a CLI start-up: two cores, two at a time
        checks = list(pool.map(check, SERVICES))
    assert [service for service, _, _ in checks] == SERVICES
    failures = {s: (argv, r.stdout[-1500:], r.stderr[-1500:]) for s, argv, r in checks if r.returncode != 0}
    assert failures == {}
