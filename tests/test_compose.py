"""docker-compose.yml and the Dockerfile: no Docker engine here, so the files are read the way
Compose and BuildKit read them, and the commands and health checks they run are run on this
machine, against its PostgreSQL and Redis."""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import shlex
import socket
import stat
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tests.conftest import ROOT
from tests.services import compose
from tests.services.procs import VENV_BIN, Service, create_database, drop_database, free_port

AIRFLOW_SERVICES = [
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "airflow-worker-demo",
]
LONG_RUNNING = ["postgres", "redis", *AIRFLOW_SERVICES[1:]]
SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|_KEY\b|TOKEN")


@pytest.fixture(scope="module")
def spec() -> dict:
    return compose.load()


@pytest.fixture(scope="module")
def example() -> dict[str, str]:
    return compose.read_env_file()


def _settings(example: dict[str, str], **overrides: str) -> dict[str, str]:
    """What a user's .env holds: the example's values with real secrets."""
    return {
        **example,
        "POSTGRES_PASSWORD": secrets.token_hex(16),
        "REDIS_PASSWORD": secrets.token_hex(16),
        "AIRFLOW_FERNET_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "AIRFLOW_API_SECRET_KEY": secrets.token_hex(24),
        "AIRFLOW_JWT_SECRET": secrets.token_hex(24),
        "AIRFLOW_ADMIN_PASSWORD": secrets.token_hex(12),
        **overrides,
    }


def test_services_and_their_wiring(spec):
    services = spec["services"]
    assert set(services) >= {"postgres", "redis", *AIRFLOW_SERVICES}
    for name in AIRFLOW_SERVICES:
        service, env = services[name], services[name]["environment"]
        assert service["image"] == "newsflow:latest" and service["build"] == ".", name
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://"), name
        assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql+psycopg2://"), name
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://"), name
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"
        if name != "airflow-init":
            assert env["NEWSFLOW_DATA"] == "/data" and "newsflow-data:/data" in service["volumes"], name
            depends = service["depends_on"]
            assert depends["airflow-init"]["condition"] == "service_completed_successfully", name
            assert depends["postgres"]["condition"] == depends["redis"]["condition"] == "service_healthy", name
    for name in LONG_RUNNING:
        assert services[name]["healthcheck"]["test"], name
        assert services[name]["restart"] == "unless-stopped", name
    assert services["airflow-init"]["restart"] == "no"

    worker = services["airflow-worker"]
    assert worker["command"] == ["airflow", "celery", "worker"]
    # `--scale airflow-worker=N` needs replicas that neither share a name nor bind host ports.
    assert "container_name" not in worker and "ports" not in worker and "profiles" not in worker

    init = services["airflow-init"]["command"][-1]
    assert "airflow db migrate" in init and re.search(r"airflow pools set http \S+ ", init)


def test_demo_profile_runs_a_newsroom_beside_each_worker(spec):
    services = spec["services"]
    demo = services["airflow-worker-demo"]
    assert demo["profiles"] == ["demo"]
    assert [name for name, s in services.items() if "demo" in s.get("profiles", [])] == ["airflow-worker-demo"]
    # The politeness delay is off for the one-host newsroom only, never in production.
    assert demo["environment"]["NEWSFLOW_HOST_DELAY"] == "0"
    assert [name for name, s in services.items() if "NEWSFLOW_HOST_DELAY" in s.get("environment", {})] == [
        "airflow-worker-demo"
    ]
    # Its newsroom listens where the registry mounted by default (the repo's feeds.yaml) looks.
    script = demo["command"][-1]
    port = re.search(r"newsflow newsroom --port (\d+)", script).group(1)
    feeds = yaml.safe_load((ROOT / "feeds.yaml").read_text())["feeds"]
    assert feeds and all(f["url"].startswith(f"http://127.0.0.1:{port}/") for f in feeds)
    assert script.rstrip().endswith("exec airflow celery worker")
    assert f"http://127.0.0.1:{port}/" in demo["healthcheck"]["test"][-1]
    assert compose.read_env_file()["NEWSFLOW_FEEDS_FILE"] == "./feeds.yaml"


def test_no_password_or_key_is_written_in_the_compose_file(spec, example):
    """Every secret comes from a required variable without a default, and every password in a
    connection URL is one of them: the file can be committed, the .env beside it cannot."""
    for name, ops in compose.referenced_variables(spec).items():
        if SECRET_NAME.search(name):
            assert ops == {":?"}, f"{name} must be required (${{{name}:?…}}), never defaulted"
    settings = _settings(example)
    given = {v for k, v in settings.items() if SECRET_NAME.search(k)}
    checked = 0
    for name, service in compose.resolve(spec, settings)["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(key) and not key.endswith("_FILE"):
                checked += 1
                assert value in given, f"{name}: {key} is not taken from .env"
            for url in re.findall(r"[a-z][a-z0-9+]*://\S+", str(value)):
                password = urlsplit(url).password
                if password is not None:
                    checked += 1
                    assert password in given, f"{name}: {key} holds a password that is not from .env"
    assert checked >= 40  # three URLs and three keys in each Airflow service, the databases' own
    text = compose.COMPOSE_FILE.read_text()
    for key, value in example.items():
        if SECRET_NAME.search(key):
            assert value.startswith("change-me"), f".env.example must hold a placeholder for {key}"
            assert value not in text
    ignored = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", ".env"], check=False)
    assert ignored.returncode == 0, ".env must be git-ignored"


def test_env_example_documents_every_variable(spec, example):
    used = compose.referenced_variables(spec)
    assert used and set(used) == set(example)
    required = sorted(name for name, ops in used.items() if ":?" in ops)
    assert {"POSTGRES_PASSWORD", "REDIS_PASSWORD", "AIRFLOW_ADMIN_PASSWORD", "AIRFLOW_JWT_SECRET"} <= set(required)
    compose.resolve(spec, example)
    for name in required:  # Compose refuses to start without any of them
        with pytest.raises(compose.MissingVariable, match=name):
            compose.resolve(spec, {k: v for k, v in example.items() if k != name})


def test_dockerfile_builds_from_the_lock_and_carries_the_newsroom():
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    stages = [shlex.split(line)[-1] for line in lines if line.startswith("FROM ") and " AS " in line]
    copies = 0
    for line in lines:
        if line.startswith("COPY "):
            words = shlex.split(line)[1:]
            source = next((w.split("=", 1)[1] for w in words if w.startswith("--from=")), None)
            if source is not None:
                assert source in stages, line
                continue
            for src in words[:-1]:
                copies += 1
                assert (ROOT / src).exists(), src
    assert copies >= 6
    text = "\n".join(lines)
    assert "--require-hashes" in text and "-r requirements.lock" in text
    assert "FROM python:3.11" in text and ">=3.11" in (ROOT / "pyproject.toml").read_text()
    # The newsroom's bundled articles are package data under pipeline/, which the image copies.
    assert list((ROOT / "pipeline/newsflow/newsroom/content/articles").glob("*.json"))
    assert re.search(r"^COPY --from=seed \. \./seed/$", text, re.M)
    assert "NEWSFLOW_SEED_DIR=/opt/newsflow/seed" in text and "WORKDIR /opt/newsflow" in text
    user = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert user and user[-1] not in ("root", "0")
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", "data"} <= set(ignored)


@pytest.mark.parametrize(
    "service",
    ["airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer", "airflow-worker"],
)
def test_service_commands_exist(spec, service):
    command = spec["services"][service]["command"]
    assert command[0] == "airflow"
    result = subprocess.run(
        [str(VENV_BIN / "airflow"), *command[1:], "--help"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "usage:" in result.stdout.lower()


def _env_on_this_machine(spec: dict, service: str, settings: dict, home: Path) -> dict[str, str]:
    """The service's environment as Compose gives it, with this machine's hosts and paths."""
    env = compose.resolve(spec["services"][service]["environment"], settings)
    env = {k: compose.on_this_machine(str(v)) for k, v in env.items()}
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWSFLOW_"))},
        **env,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "PYTHONPATH": str(ROOT / "pipeline"),
        # What the image's ENV and volumes provide in a container.
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "auth" / "passwords.json"),
        "NEWSFLOW_DATA": str(home / "data"),
        "NEWSFLOW_FEEDS": str(ROOT / "feeds.yaml"),
    }


def _json_output(stdout: str):
    """The JSON an `airflow … -o json` printed (warnings may precede it on stdout)."""
    return json.loads(next(line for line in reversed(stdout.splitlines()) if line.startswith(("[", "{"))))


def test_init_chain_and_postgres_health_check_on_this_machine(spec, example, tmp_path):
    """airflow-init's chain (migrate, pools, admin password) on a fresh PostgreSQL database, twice
    (it runs at every `up`), then the DAG parsed with the services' environment."""
    db = f"newsflow_compose_{uuid.uuid4().hex[:8]}"
    create_database(db)
    try:
        settings = _settings(example, POSTGRES_USER="postgres", POSTGRES_DB=db)
        pg_check = compose.healthcheck_argv(compose.resolve(spec["services"]["postgres"]["healthcheck"]["test"], {}))
        pg_env = {**os.environ, **compose.resolve(spec["services"]["postgres"]["environment"], settings)}
        assert subprocess.run(pg_check, env={**pg_env, "PGHOST": "127.0.0.1"}, timeout=30).returncode == 0
        missing = {**pg_env, "PGHOST": "127.0.0.1", "PGPORT": str(free_port())}
        assert subprocess.run(pg_check, env=missing, capture_output=True, timeout=30).returncode != 0

        env = _env_on_this_machine(spec, "airflow-init", settings, tmp_path)
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].endswith(f"@127.0.0.1:5432/{db}")
        init = compose.resolve(spec["services"]["airflow-init"]["command"], settings)
        for attempt in (1, 2):
            result = subprocess.run(init, env=env, capture_output=True, text=True, timeout=300)
            assert result.returncode == 0, f"attempt {attempt}:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"

        def airflow(*args: str) -> str:
            out = subprocess.run(
                [str(VENV_BIN / "airflow"), *args], env=env, capture_output=True, text=True, timeout=300
            )
            assert out.returncode == 0, out.stderr[-3000:]
            return out.stdout

        pools = _json_output(airflow("pools", "get", "http", "-o", "json"))
        assert [(p["pool"], int(p["slots"])) for p in pools] == [("http", int(example["NEWSFLOW_HTTP_POOL_SLOTS"]))]
        password_file = Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
        assert json.loads(password_file.read_text()) == {"admin": settings["AIRFLOW_ADMIN_PASSWORD"]}
        assert stat.S_IMODE(password_file.stat().st_mode) == 0o600

        # The Celery result backend's URL, as the workers get it, reaches the database.
        import sqlalchemy

        engine = sqlalchemy.create_engine(env["AIRFLOW__CELERY__RESULT_BACKEND"].removeprefix("db+"))
        with engine.connect() as conn:
            assert conn.execute(sqlalchemy.text("SELECT current_database()")).scalar() == db
        engine.dispose()

        airflow("dags", "reserialize")
        listed = _json_output(airflow("dags", "list", "-o", "json"))
        assert "news_ingest_hourly" in {d["dag_id"] for d in listed}
    finally:
        drop_database(db)


def _wait_for_port(port: int, service: Service, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert service.alive(), service.tail()
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"{service.name} did not open port {port}:\n{service.tail()}")


def test_redis_service_broker_url_and_health_check(spec, example, tmp_path):
    """The redis service's own command (password required) on a free port, its health check with
    the right and a wrong password, and the workers' broker URL against it."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    settings = _settings(example)
    redis_spec = compose.resolve(spec["services"]["redis"], settings)
    kind, flag, script = redis_spec["command"]
    port = free_port()
    argv = [kind, flag, f"{script} --port {port} --bind 127.0.0.1 --dir {tmp_path} --save ''"]
    env = {**os.environ, **redis_spec["environment"]}
    server = Service("redis", argv, env, tmp_path)
    try:
        _wait_for_port(port, server)
        check = compose.healthcheck_argv(redis_spec["healthcheck"]["test"])
        check = [part.replace("redis-cli", f"redis-cli -p {port}") for part in check]
        assert subprocess.run(check, env=env, capture_output=True, timeout=30).returncode == 0
        wrong = {**env, "REDIS_PASSWORD": "wrong"}
        assert subprocess.run(check, env=wrong, capture_output=True, timeout=30).returncode != 0

        broker = compose.resolve(spec["services"]["airflow-worker"]["environment"], settings)[
            "AIRFLOW__CELERY__BROKER_URL"
        ]
        client = redis.Redis.from_url(compose.on_this_machine(broker, {"redis": port}))
        assert client.ping() is True
        client.close()
        anonymous = redis.Redis(host="127.0.0.1", port=port, retry=Retry(NoBackoff(), 0))
        with pytest.raises(redis.exceptions.AuthenticationError):
            anonymous.ping()
        anonymous.close()
    finally:
        server.stop()


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def test_demo_newsroom_runs_with_and_without_the_seed(spec, tmp_path):
    """The demo worker's newsroom, as the image runs it: NEWSFLOW_SEED_DIR names a folder that is
    empty unless the image was built with a "seed" context. It serves every feed of the default
    registry either way, and the seed article only when it is there."""
    script = spec["services"]["airflow-worker-demo"]["command"][-1]
    newsroom = shlex.split(re.search(r"newsflow newsroom[^&;]*", script).group(0))
    feeds = yaml.safe_load((ROOT / "feeds.yaml").read_text())["feeds"]
    seed = tmp_path / "seed"
    seed.mkdir()
    for with_seed in (False, True):
        if with_seed:
            (seed / "000_test.txt").write_text(
                "Archive piece for the newsroom test\nNovember 20, 2026\n"
                + "\n".join(f"Paragraph {i} of the archived story, long enough to read." for i in range(6)),
                encoding="utf-8",
            )
        port = free_port()
        argv = [str(VENV_BIN / newsroom[0]), *newsroom[1:]]
        argv[argv.index("--port") + 1] = str(port)
        env = {**os.environ, "PYTHONPATH": str(ROOT / "pipeline"), "NEWSFLOW_SEED_DIR": str(seed)}
        server = Service(f"newsroom-{with_seed}", argv, env, tmp_path)
        try:
            _wait_for_port(port, server)
            base = f"http://127.0.0.1:{port}"
            assert _get(f"{base}/_newsroom/feeds.yaml")[0] == 200
            for feed in feeds:
                status, body = _get(feed["url"].replace("http://127.0.0.1:8765", base))
                assert status == 200 and len(body) > 500, feed["url"]
            archive = f"{base}/globe-post/world/archive-000-test"
            assert _get(archive)[0] == (200 if with_seed else 404)
            sitemap = _get(f"{base}/globe-post/news-sitemap.xml")[1].decode()
            assert ("archive-000-test" in sitemap) is with_seed
        finally:
            server.stop()
