"""news_ingest_hourly through real Airflow (``airflow dags test``) against the newsroom.

SQLite is the fresh-machine default; the same run on the PostgreSQL that this machine kind
provides checks the metadata-DB setup docker-compose.yml uses.
"""

import json
import subprocess
import uuid
from collections import Counter

import pytest

from newsflow import storage
from newsflow.cycle import STAGE_NAMES
from tests.conftest import HOUR
from tests.dags.conftest import AIRFLOW, airflow
from tests.services.procs import psql

LOGICAL = HOUR.isoformat()


def _dag_test(env: dict) -> str:
    # HOUR is days ago and has no recording yet: fetching it live must be asked for.
    result = airflow("dags", "test", "news_ingest_hourly", LOGICAL, "--conf", '{"live": true}', env=env, timeout=600)
    assert "state=success" in result.stdout + result.stderr
    return result.stdout + result.stderr


def _tables(data):
    return {name: storage.read_partition(data, name, HOUR) for name in storage.SCHEMAS}


@pytest.fixture(scope="module")
def dag_run(sqlite_airflow, three_hosts_feeds, tmp_path_factory):
    """One hour through Airflow over the newsroom's three sites on three hosts: three shards."""
    data = tmp_path_factory.mktemp("dag-data")
    env = {**sqlite_airflow, "NEWSFLOW_DATA": str(data), "NEWSFLOW_FEEDS": str(three_hosts_feeds)}
    env["NEWSFLOW_FETCH_SHARDS"] = "4"  # capped at the 3 hosts
    return env, data, _dag_test(env)


def test_cycle_through_airflow_writes_all_its_datasets_with_fetching_mapped_over_hosts(dag_run):
    _, data, output = dag_run
    tables = _tables(data)
    for name, table in tables.items():
        assert table is not None and table.schema == storage.SCHEMAS[name], name
    assert tables["articles"].num_rows >= 40
    assert tables["quarantine"].num_rows == 1
    assert tables["facts"].num_rows > 500
    run_ids = set(tables["runs"].column("run_id").to_pylist())
    assert len(run_ids) == 1 and next(iter(run_ids)).startswith("manual__")  # Airflow's own run id
    stages = [r["stage"] for r in tables["runs"].to_pylist() if r["feed"] is None and r["url"] is None]
    # The fetch stages ran as three mapped task instances each (one per host); the others once.
    assert Counter(stages) == {**dict.fromkeys(STAGE_NAMES, 1), "fetch_feeds": 3, "fetch_pages": 3}
    for task_id in ("fetch_feeds", "fetch_pages"):
        assert all(f"starting task_id={task_id} map_index={k}" in output for k in range(3)), task_id


@pytest.fixture
def postgres_db():
    name = f"newsflow_airflow_{uuid.uuid4().hex[:8]}"
    try:
        psql(f"CREATE DATABASE {name}")
    except (RuntimeError, FileNotFoundError) as exc:
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required for this test (see .ci/run): {exc}")
    yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_rerun_on_postgres_metadata_db_replaces_the_hour(dag_run, postgres_db, tmp_path):
    """The hour the SQLite run published, run again by Airflow on PostgreSQL (the metadata DB that
    docker-compose.yml uses) from its recorded downloads: the hour is replaced, not appended to."""
    sqlite_env, data, _ = dag_run
    env = {
        **sqlite_env,
        "AIRFLOW_HOME": str(tmp_path / "home"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": postgres_db,
    }
    before = _tables(data)
    airflow("db", "migrate", env=env)
    airflow("pools", "set", "http", "4", "HTTP fetches", env=env)
    result = airflow("dags", "test", "news_ingest_hourly", LOGICAL, "--conf", '{"replay": true}', env=env, timeout=600)
    assert "state=success" in result.stdout + result.stderr
    after = _tables(data)
    cols = ["article_id", "content_hash", "story_id", "duplicate_of"]
    assert (
        before["articles"]
        .select(cols)
        .sort_by("article_id")
        .equals(after["articles"].select(cols).sort_by("article_id"))
    )
    assert sorted(after["facts"].column("fact_id").to_pylist()) == sorted(before["facts"].column("fact_id").to_pylist())
    for name in ("sightings", "fetches"):  # the replay's shards re-derive the same entries and downloads
        assert after[name].num_rows == before[name].num_rows > 0, name
    assert set(after["runs"].column("run_id").to_pylist()) != set(before["runs"].column("run_id").to_pylist())
    marker = json.loads((storage.partition_dir(data, "articles", HOUR) / "_SUCCESS").read_text())
    assert marker["rows"] == after["articles"].num_rows
    assert len(list(storage.partition_dir(data, "articles", HOUR).glob("*.parquet"))) == 1
    check = airflow("dags", "list-runs", "news_ingest_hourly", "-o", "json", env=env)
    listing = next(line for line in check.stdout.splitlines() if line.startswith("[{"))
    assert [r["state"] for r in json.loads(listing)] == ["success"]


def test_a_run_whose_feeds_are_all_dead_is_red_and_alerts(sqlite_airflow, tmp_path):
    """Every feed refused: the fetch task fails at once (no retries of a dead source), the run is
    failed, nothing is published, and the failure reaches the webhook of ``newsflow_webhook``."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):  # noqa: N802
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

    hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        "fetch: {allow_networks: [127.0.0.0/8]}\nfeeds:\n"
        "  - {name: dead-a, url: 'http://127.0.0.1:9/a.xml', site: a}\n"
        "  - {name: dead-b, url: 'http://127.0.0.1:9/b.xml', site: b}\n"
    )
    env = {
        **sqlite_airflow,
        "NEWSFLOW_DATA": str(tmp_path / "data"),
        "NEWSFLOW_FEEDS": str(feeds),
        "AIRFLOW_CONN_NEWSFLOW_WEBHOOK": json.dumps(
            {"conn_type": "http", "host": "127.0.0.1", "schema": "http", "port": hook.server_address[1]}
        ),
    }
    try:
        result = subprocess.run(
            [AIRFLOW, "dags", "test", "news_ingest_hourly", LOGICAL, "--conf", '{"live": true}'],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        hook.shutdown()
    output = result.stdout + result.stderr
    assert "state=failed" in output and "all 2 feed(s)" in output
    assert storage.read_partition(tmp_path / "data", "articles", HOUR) is None
    failures = [r for r in received if r.get("state") == "failed" or r.get("event") == "failure"]
    assert failures and any(r.get("task_id") == "collect_links" for r in failures), received
