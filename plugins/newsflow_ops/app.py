"""The News health FastAPI app: the page, its JSON and the Data Docs site, all behind Airflow's auth.

Mounted by the plugin at ``/newsflow``; routes:

- ``GET /newsflow/health/`` the page (``?hours=24&lookback=168``)
- ``GET /newsflow/health/api`` the same report as JSON
- ``GET /newsflow/health/data-docs/{path}`` files of ``<data_root>/data_docs/`` (Great Expectations' site)

The data root and feeds file come from ``NEWSFLOW_DATA`` / ``NEWSFLOW_FEEDS`` (as for the DAG),
read per request so a changed feeds.yaml shows without restarting the api-server.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from newsflow.config import Settings
from newsflow.health import build_report
from newsflow.sources.registry import RegistryError, load_registry
from newsflow_ops.auth import airflow_user
from newsflow_ops.page import CSP, render_page

log = logging.getLogger(__name__)

DEFAULT_DAG_ID = "news_ingest_hourly"
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


Hours = Annotated[int, Query(ge=1, le=24 * 14, description="window for sparklines, rates and hours")]
Lookback = Annotated[int, Query(ge=1, le=24 * 90, description="hours searched for last success/error")]


@dataclass(frozen=True)
class Schedule:
    """What the scheduler says about the ingestion DAG (both unknown when Airflow's DB is not reachable)."""

    paused: bool = False
    next_run: datetime | None = None


def scheduler_state(dag_id: str) -> Schedule:
    """The DAG's pause flag and next run, from Airflow's metadata DB; unknown on any error."""
    try:
        from airflow.models.dag import DagModel
        from airflow.utils.session import create_session

        with create_session() as session:
            dag = session.get(DagModel, dag_id)
            if dag is None:
                return Schedule()
            next_run = dag.next_dagrun_create_after  # when the scheduler creates (and so starts) the next run
            return Schedule(paused=bool(dag.is_paused), next_run=next_run)
    except Exception as exc:  # noqa: BLE001 - the page must render without the scheduler's view
        log.warning("news health: no scheduler state for %s: %s", dag_id, exc)
        return Schedule()


def _inputs() -> tuple[Settings, list[Any], list[str]]:
    settings = Settings.from_env()
    try:
        feeds: list[Any] = list(load_registry(settings.feeds_file).feeds)
        problems: list[str] = []
    except RegistryError as exc:
        feeds, problems = [], [f"feeds.yaml could not be read, showing feeds found in the data only: {exc}"]
    return settings, feeds, problems


def _report(hours: int, lookback: int):
    settings, feeds, problems = _inputs()
    schedule = scheduler_state(os.environ.get("NEWSFLOW_DAG_ID", DEFAULT_DAG_ID))
    report = build_report(
        settings.data_root,
        feeds,
        now=datetime.now(UTC),
        hours=hours,
        lookback_hours=lookback,
        next_poll=schedule.next_run,
        problems=problems,
    )
    return settings, feeds, schedule, report


def data_docs_index(data_root: Path) -> Path:
    return Path(data_root) / "data_docs" / "index.html"


def create_app() -> FastAPI:
    app = FastAPI(
        title="newsflow: News health",
        description="Feed and hour health of the newsflow pipeline. Every route needs an Airflow login or JWT.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    user = Depends(airflow_user)

    @app.get("/health", include_in_schema=False, dependencies=[user])
    async def health_redirect() -> HTMLResponse:
        # Relative links on the page need the trailing slash; "health/" from here is the page.
        return HTMLResponse("", status_code=307, headers={"Location": "health/"})

    @app.get("/health/", response_class=HTMLResponse, dependencies=[user])
    async def health_page(hours: Hours = 24, lookback: Lookback = 7 * 24) -> HTMLResponse:
        settings, feeds, schedule, report = await asyncio.to_thread(_report, hours, lookback)
        docs = data_docs_index(settings.data_root)
        html = render_page(
            report,
            specs={f.name: f for f in feeds},
            data_root=str(Path(settings.data_root).resolve()),
            data_docs_href="data-docs/index.html" if docs.is_file() else None,
            api_href=f"api?hours={hours}&lookback={lookback}",
            paused=schedule.paused,
        )
        return HTMLResponse(html, headers=SECURITY_HEADERS)

    @app.get("/health/api", dependencies=[user])
    async def health_api(hours: Hours = 24, lookback: Lookback = 7 * 24) -> JSONResponse:
        settings, _, schedule, report = await asyncio.to_thread(_report, hours, lookback)
        body = report.to_dict()
        next_run = schedule.next_run.isoformat() if schedule.next_run else None
        body["dag"] = {"paused": schedule.paused, "next_run": next_run}
        body["data_root"] = str(Path(settings.data_root).resolve())
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    @app.get("/health/data-docs/{path:path}", dependencies=[user])
    async def data_docs(path: str) -> FileResponse:
        root = (Path(Settings.from_env().data_root) / "data_docs").resolve()
        target = (root / (path or "index.html")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(root) or not target.is_file():
            raise HTTPException(404, "not in the Data Docs site")
        return FileResponse(target, headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})

    return app


app = create_app()
