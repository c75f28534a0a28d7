"""Airflow plugin: the "News health" page in the Airflow UI's navigation.

Airflow (3.1+) loads this file from ``AIRFLOW__CORE__PLUGINS_FOLDER`` (``plugins/``, set by
``scripts/airflow-env.sh``): the api-server mounts the FastAPI app at ``/newsflow`` and the UI
shows an entry "News health" under Browse that embeds ``/newsflow/health/`` in an iframe at
``/plugin/news-health``. The app checks the Airflow login itself (plugin apps get no auth from
Airflow): see ``newsflow_ops/auth.py``.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin
from newsflow_ops.app import app

ICON = (
    "data:image/svg+xml;utf8,"
    "%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' fill='none' stroke='%23888' "
    "stroke-width='2' stroke-linecap='round' stroke-linejoin='round'%3E"
    "%3Cpolyline points='2 12 6 12 9 4 15 20 18 12 22 12'/%3E%3C/svg%3E"
)


class NewsHealthPlugin(AirflowPlugin):
    name = "newsflow_health"
    fastapi_apps = [{"app": app, "url_prefix": "/newsflow", "name": "News health"}]
    external_views = [
        {
            "name": "News health",
            # Relative: the UI resolves it against its base URL, so a reverse-proxy prefix still works.
            "href": "newsflow/health/",
            "url_route": "news-health",
            "destination": "nav",
            "category": "browse",
            "icon": ICON,
        }
    ]
