"""Airflow for the DAG tests: a throwaway AIRFLOW_HOME, set before anything imports airflow."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_HOME = tempfile.mkdtemp(prefix="newsflow-airflow-")
AIRFLOW_ENV = {
    "AIRFLOW_HOME": _HOME,
    "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
    "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
    "AIRFLOW__CORE__PARALLELISM": "4",
    "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
    "GX_ANALYTICS_ENABLED": "False",
}
os.environ.update(AIRFLOW_ENV)
AIRFLOW = str(Path(sys.executable).with_name("airflow"))


def airflow(*args: str, env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    result = subprocess.run([AIRFLOW, *args], env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise AssertionError(
            f"airflow {' '.join(args)} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result


@pytest.fixture(scope="session")
def sqlite_airflow(tmp_path_factory) -> dict:
    """Env for Airflow subprocesses on a fresh, migrated SQLite metadata DB."""
    home = tmp_path_factory.mktemp("airflow-home")
    env = {**os.environ, **AIRFLOW_ENV, "AIRFLOW_HOME": str(home)}
    airflow("db", "migrate", env=env)
    airflow("pools", "set", "http", "4", "HTTP fetches", env=env)
    return env


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_HOME, ignore_errors=True)
