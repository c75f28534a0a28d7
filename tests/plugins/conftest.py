"""Airflow for the plugin tests: a throwaway, migrated metadata DB, and ``plugins/`` on sys.path.

The in-process tests use Airflow's real auth manager (the simple one, Airflow's default) to
issue and validate JWTs; revocation checks need the metadata DB, so the session migrates the
DB that this process's Airflow configuration points at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "plugins"
_HOME = tempfile.mkdtemp(prefix="newsflow-plugin-airflow-")
os.environ["AIRFLOW_HOME"] = _HOME  # never a developer's real .airflow (airflow-env.sh may have set it)
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
if str(PLUGINS) not in sys.path:
    sys.path.insert(0, str(PLUGINS))
AIRFLOW = str(Path(sys.executable).with_name("airflow"))


@pytest.fixture(scope="session")
def airflow_db() -> str:
    """Migrate the metadata DB this process's Airflow uses; returns its AIRFLOW_HOME."""
    from airflow import settings
    from airflow.configuration import conf

    env = {
        **os.environ,
        "AIRFLOW_HOME": settings.AIRFLOW_HOME,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": conf.get("database", "sql_alchemy_conn"),
    }
    result = subprocess.run([AIRFLOW, "db", "migrate"], env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return settings.AIRFLOW_HOME


@pytest.fixture(scope="session")
def auth_manager(airflow_db):
    from airflow.api_fastapi.app import init_auth_manager

    return init_auth_manager()


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_HOME, ignore_errors=True)
