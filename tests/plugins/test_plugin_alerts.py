"""The webhook notifier, received by a real HTTP server on 127.0.0.1, from real Airflow callbacks."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from newsflow_alerts import WebhookNotifier, build_payload, webhook_target


class Receiver:
    """A webhook endpoint on loopback that records every POST (and can fail the first few)."""

    def __init__(self, fail_first: int = 0, status: int = 503) -> None:
        self.requests: list[dict] = []
        self.fail_first = fail_first
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                failing = len(receiver.requests) <= receiver.fail_first
                self.send_response(receiver.status if failing else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def payloads(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(monkeypatch):
    server = Receiver()
    conn = {
        "conn_type": "http",
        "host": "127.0.0.1",
        "schema": "http",
        "port": server.port,
        "password": "s3cret-token",
        "extra": {"endpoint": "/hooks/newsflow", "headers": {"X-Team": "news-ops"}},
    }
    monkeypatch.setenv("AIRFLOW_CONN_NEWSFLOW_WEBHOOK", json.dumps(conn))
    yield server
    server.close()


def test_connection_fields_make_the_url_and_headers():
    url, headers = webhook_target("hooks.example.com", "https", None, "tok", {"endpoint": "v1/alerts"})
    assert url == "https://hooks.example.com/v1/alerts" and headers["Authorization"] == "Bearer tok"
    url, headers = webhook_target("http://127.0.0.1/x?k=1", None, 8080, None, {"headers": {"A": "b"}})
    assert url == "http://127.0.0.1:8080/x?k=1" and headers["A"] == "b" and "Authorization" not in headers
    url, headers = webhook_target("alerts.local", "http", 9000, "k", {"auth_header": "X-Api-Key"})
    assert url == "http://alerts.local:9000/" and headers["X-Api-Key"] == "k"
    with pytest.raises(ValueError, match="no host"):
        webhook_target("", "https")
    with pytest.raises(ValueError, match="scheme"):
        webhook_target("ftp://x", None)


DAG_FILE = """
from datetime import UTC, datetime

from airflow.sdk import dag, get_current_context, task
from newsflow_alerts import WebhookNotifier  # from the plugins folder, as the project's DAGs import it


@dag(dag_id="newsflow_alert_test", schedule=None, start_date=datetime(2026, 11, 1, tzinfo=UTC), catchup=False)
def alert_dag():
    @task(retries=0, on_failure_callback=WebhookNotifier(message="{{ dag.dag_id }} failed in {{ ti.task_id }}"))
    def fetch_feeds():
        raise RuntimeError("all 6 feeds failed: connect_error x6")

    @task
    def check_stale():
        stale = [{"feed": "metro-wire-atom", "stale_after_hours": 6, "message": "no new items"}]
        WebhookNotifier(event="stale_feeds", stale_feeds=stale).notify(get_current_context())

    check_stale() >> fetch_feeds()


alert_dag()
"""


@pytest.mark.airflow
def test_real_task_failure_and_stale_feeds_reach_the_webhook(airflow_db, receiver, tmp_path):
    from airflow.configuration import conf

    from tests.plugins.conftest import AIRFLOW, PLUGINS

    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "alert_dag.py").write_text(DAG_FILE, encoding="utf-8")
    env = {
        **os.environ,
        "AIRFLOW_HOME": airflow_db,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": conf.get("database", "sql_alchemy_conn"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PLUGINS),
    }
    result = subprocess.run(
        [AIRFLOW, "dags", "test", "newsflow_alert_test", "2026-11-25T10:17:00+00:00"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout[-4000:] + result.stderr[-4000:]
    assert len(receiver.requests) == 2, output
    for request in receiver.requests:
        assert request["path"] == "/hooks/newsflow"
        assert request["headers"]["Authorization"] == "Bearer s3cret-token"
        assert request["headers"]["X-Team"] == "news-ops"
        assert request["headers"]["Content-Type"] == "application/json"
    stale, failure = receiver.payloads()
    assert stale["event"] == "stale_feeds" and stale["stale_feeds"] == ["metro-wire-atom"]
    assert stale["task_id"] == "check_stale" and stale["dag_id"] == "newsflow_alert_test"
    assert stale["logical_hour"] == "2026-11-25T10:00:00+00:00"
    assert failure["event"] == "task_failed" and failure["state"] == "failed"
    assert failure["dag_id"] == "newsflow_alert_test" and failure["task_id"] == "fetch_feeds"
    assert failure["run_id"] and failure["run_id"] == stale["run_id"]
    assert failure["logical_hour"] == "2026-11-25T10:00:00+00:00"
    assert failure["message"] == "newsflow_alert_test failed in fetch_feeds"  # templated with the context
    assert "all 6 feeds failed" in failure["exception"]


def test_server_errors_are_retried_then_delivered(receiver):
    receiver.fail_first = 2
    context = {"dag_run": None, "run_id": "manual__x", "reason": "task_failure"}
    WebhookNotifier(backoff=0.01).notify(context)
    assert len(receiver.requests) == 3 and receiver.payloads()[-1]["run_id"] == "manual__x"


def test_a_client_error_is_not_retried_and_raises(receiver):
    receiver.fail_first, receiver.status = 5, 401
    with pytest.raises(RuntimeError, match="answered 401"):
        WebhookNotifier(backoff=0.01).notify({"run_id": "manual__x"})
    assert len(receiver.requests) == 1


def test_payload_from_a_dag_level_context():
    class Run:
        dag_id, run_id, state = "news_ingest_hourly", "scheduled__2026-11-25T10:00:00+00:00", "failed"
        logical_date = datetime(2026, 11, 25, 10, tzinfo=UTC)

    payload = build_payload({"dag_run": Run(), "reason": "task_failure"})
    assert payload["event"] == "dag_failed" and payload["task_id"] is None
    assert payload["message"] == "task_failure" and payload["logical_hour"] == "2026-11-25T10:00:00+00:00"
