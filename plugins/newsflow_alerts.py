"""Alerts from newsflow's DAGs to any webhook (Slack/Teams bridges, PagerDuty Events, Opsgenie, a chat bot).

:class:`WebhookNotifier` is an Airflow notifier (``airflow.sdk.BaseNotifier``): attach it as a
callback and it POSTs one JSON document per event::

    from newsflow_alerts import WebhookNotifier

    @dag(..., on_failure_callback=WebhookNotifier(message="news_ingest_hourly failed"))
    default_args={"on_failure_callback": WebhookNotifier(), ...}   # per task, with task_id

    # a task that found stale feeds (see newsflow.health.check_stale):
    WebhookNotifier(event="stale_feeds", stale_feeds=[s.to_dict() for s in stale]).notify(get_current_context())

The target comes from an Airflow connection (default ``newsflow_webhook``, type ``http``):
the URL is ``schema://host:port/path`` (``schema`` is the protocol, ``https`` by default; the
host may also be a whole URL), plus ``extra.endpoint`` as the path when the host has none;
``password`` becomes ``Authorization: Bearer <password>`` (or ``extra.auth_header`` names
another header); ``extra.headers`` adds headers. For example::

    airflow connections add newsflow_webhook --conn-type http --conn-host hooks.example.com \
        --conn-schema https --conn-password "$TOKEN" --conn-extra '{"endpoint": "/newsflow"}'

This file lives in ``plugins/`` because it imports Airflow (``pipeline/`` never does); the
plugins folder is on ``sys.path`` for DAG files, the scheduler, the DAG processor and workers.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from airflow.sdk import BaseNotifier

log = logging.getLogger(__name__)

DEFAULT_CONN_ID = "newsflow_webhook"
PAYLOAD_VERSION = 1


def webhook_target(
    host: str | None,
    schema: str | None = None,
    port: int | None = None,
    password: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> tuple[str, dict[str, str]]:
    """The URL and headers an ``http`` connection's fields describe (see the module docstring)."""
    extra = dict(extra or {})
    if not host:
        raise ValueError("webhook connection has no host: set it to the webhook's host or whole URL")
    if "://" in host:
        parts = urlsplit(host)
        scheme, netloc, path, query = parts.scheme, parts.netloc, parts.path, parts.query
        if port and parts.port is None:
            netloc = f"{netloc}:{port}"
    else:
        scheme = (schema or "https").lower()
        hostname, _, path = host.partition("/")
        path = "/" + path if path else ""
        netloc = f"{hostname}:{port}" if port else hostname
        query = ""
    if scheme not in ("http", "https"):
        raise ValueError(f"webhook scheme must be http or https, not {scheme!r} (set the connection's schema)")
    endpoint = str(extra.get("endpoint") or "")
    if endpoint and not path.strip("/"):
        path = endpoint if endpoint.startswith("/") else "/" + endpoint
    url = urlunsplit((scheme, netloc, path or "/", query, ""))
    headers = {"Content-Type": "application/json", "User-Agent": "newsflow-alerts/1"}
    extra_headers = extra.get("headers") or {}
    if not isinstance(extra_headers, Mapping):
        raise ValueError("webhook connection extra 'headers' must be a JSON object")
    headers.update({str(k): str(v) for k, v in extra_headers.items()})
    if password:
        auth_header = str(extra.get("auth_header") or "Authorization")
        headers[auth_header] = f"Bearer {password}" if auth_header.lower() == "authorization" else password
    return url, headers


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _state(value: Any) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))


def build_payload(
    context: Mapping[str, Any],
    *,
    event: str | None = None,
    message: str | None = None,
    stale_feeds: Sequence[Any] = (),
) -> dict[str, Any]:
    """The JSON document for one event, from an Airflow callback context (DAG- or task-level)."""
    dag_run = context.get("dag_run")
    ti = context.get("task_instance") or context.get("ti")
    dag = context.get("dag")
    logical = context.get("logical_date") or getattr(dag_run, "logical_date", None)
    if logical is None:
        logical = getattr(dag_run, "run_after", None)
    hour = logical.replace(minute=0, second=0, microsecond=0) if isinstance(logical, datetime) else logical
    state = _state(getattr(ti, "state", None)) if ti is not None else _state(getattr(dag_run, "state", None))
    exception = context.get("exception")
    feeds = [f.get("feed") if isinstance(f, Mapping) else str(f) for f in stale_feeds]
    if event is None:
        event = "stale_feeds" if feeds else f"{'task' if ti is not None else 'dag'}_{state or 'event'}"
    if message is None:
        if feeds:
            message = f"{len(feeds)} stale feed(s): {', '.join(str(f) for f in feeds)}"
        elif exception is not None:
            message = f"{type(exception).__name__}: {exception}"
        else:
            message = str(context.get("reason") or event)
    return {
        "version": PAYLOAD_VERSION,
        "source": "newsflow",
        "event": event,
        "dag_id": getattr(dag_run, "dag_id", None) or getattr(dag, "dag_id", None),
        "run_id": getattr(dag_run, "run_id", None) or context.get("run_id"),
        "task_id": getattr(ti, "task_id", None),
        "map_index": getattr(ti, "map_index", None),
        "try_number": getattr(ti, "try_number", None),
        "state": state,
        "logical_hour": _iso(hour),
        "message": message,
        "exception": f"{type(exception).__name__}: {exception}" if exception is not None else None,
        "stale_feeds": feeds,
        "stale_details": [dict(f) for f in stale_feeds if isinstance(f, Mapping)],
        "log_url": getattr(ti, "log_url", None),
    }


class WebhookNotifier(BaseNotifier):
    """POST a JSON alert to the webhook of an Airflow ``http`` connection (see the module docstring).

    ``message`` is templated (Jinja, with the callback context). Transport errors and 5xx answers
    are retried ``attempts`` times with a short backoff; a 4xx is a configuration error and is
    raised at once. The notifier raises when it finally fails, so the callback's log shows why.
    """

    template_fields = ("message",)

    def __init__(
        self,
        *,
        conn_id: str = DEFAULT_CONN_ID,
        message: str | None = None,
        event: str | None = None,
        stale_feeds: Sequence[Any] = (),
        timeout: float = 10.0,
        attempts: int = 3,
        backoff: float = 1.0,
    ) -> None:
        super().__init__()
        self.conn_id = conn_id
        self.message = message
        self.event = event
        self.stale_feeds = list(stale_feeds)
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff = backoff

    def target(self) -> tuple[str, dict[str, str]]:
        from airflow.sdk import BaseHook

        conn = BaseHook.get_connection(self.conn_id)
        return webhook_target(conn.host, conn.schema, conn.port, conn.password, conn.extra_dejson)

    def notify(self, context: Any) -> None:
        payload = build_payload(context, event=self.event, message=self.message, stale_feeds=self.stale_feeds)
        url, headers = self.target()
        body = json.dumps(payload, default=str).encode()
        last: Exception | None = None
        for attempt in range(1, self.attempts + 1):
            try:
                response = httpx.post(url, content=body, headers=headers, timeout=self.timeout)
            except httpx.HTTPError as exc:
                last = exc
            else:
                if response.status_code < 400:
                    log.info("alert %s sent to %s (%s)", payload["event"], self.conn_id, response.status_code)
                    return
                last = RuntimeError(f"webhook {self.conn_id} answered {response.status_code}: {response.text[:200]}")
                if response.status_code < 500 and response.status_code != 429:
                    break  # the request is wrong (URL, token): retrying will not help
            if attempt < self.attempts:
                time.sleep(self.backoff * 2 ** (attempt - 1))
        raise RuntimeError(f"alert {payload['event']} not delivered to connection {self.conn_id}: {last}")


def alert_stale_feeds(stale_feeds: Sequence[dict[str, Any]], context: Any) -> None:
    """Send the stale-feed alert; without a reachable webhook only log why (never fail the hour)."""
    log.warning("stale feeds: %s", list(stale_feeds))
    try:
        WebhookNotifier(event="stale_feeds", stale_feeds=stale_feeds).notify(context)
    except Exception as exc:  # noqa: BLE001 - no webhook configured must not fail the hour
        log.warning("stale-feed alert not sent (%s): add the newsflow_webhook connection", exc)
