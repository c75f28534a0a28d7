"""docker-compose.yml: no docker engine here, so parse it and run the same commands it runs."""

import os
import re
import shlex
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

AIRFLOW = str(Path(sys.executable).with_name("airflow"))
NEWSFLOW = str(Path(sys.executable).with_name("newsflow"))


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_and_commands(compose):
    services = compose["services"]
    assert set(services) >= {
        "postgres",
        "airflow-init",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "newsroom",
    }
    assert services["airflow-init"]["command"] == ["airflow", "db", "migrate"]
    for name in ("airflow-apiserver", "airflow-scheduler", "airflow-dag-processor"):
        env = services[name]["environment"]
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
        assert services[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
    assert services["newsroom"]["network_mode"] == "service:airflow-scheduler"


def test_dockerfile_copies_what_exists():
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            for src in shlex.split(line)[1:-1]:
                assert (ROOT / src).exists(), src


@pytest.mark.parametrize("service", ["airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "newsroom"])
def test_service_commands_exist(compose, service):
    command = compose["services"][service]["command"]
    exe = {"airflow": AIRFLOW, "newsflow": NEWSFLOW}[command[0]]
    result = subprocess.run([exe, command[1], "--help"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


def test_init_and_dag_parsing_with_the_compose_environment(compose, tmp_path):
    """Run airflow-init's command, then list DAGs, with the compose env (PostgreSQL on this host)."""
    env_spec = dict(compose["services"]["airflow-init"]["environment"])
    db = f"newsflow_compose_{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"CREATE DATABASE {db}"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    try:
        conn = re.sub(
            r"//[^@]+@postgres:5432/airflow",
            f"//postgres@127.0.0.1:5432/{db}",
            env_spec["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"],
        )
        env = {
            **os.environ,
            **{k: str(v) for k, v in env_spec.items()},
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": conn,
            "AIRFLOW_HOME": str(tmp_path),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "NEWSFLOW_DATA": str(tmp_path / "data"),
            "NEWSFLOW_FEEDS": str(ROOT / "feeds.yaml"),
        }
        command = compose["services"]["airflow-init"]["command"]
        subprocess.run([AIRFLOW, *command[1:]], env=env, check=True, capture_output=True, timeout=300)
        subprocess.run([AIRFLOW, "dags", "reserialize"], env=env, check=True, capture_output=True, timeout=300)
        listed = subprocess.run(
            [AIRFLOW, "dags", "list"], env=env, check=True, capture_output=True, text=True, timeout=300
        )
        assert "news_ingest_hourly" in listed.stdout
        errors = subprocess.run(
            [AIRFLOW, "dags", "list-import-errors"], env=env, capture_output=True, text=True, timeout=300
        )
        assert "news_ingest_hourly.py" not in errors.stdout
    finally:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-c", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"],
            capture_output=True,
            timeout=60,
        )
