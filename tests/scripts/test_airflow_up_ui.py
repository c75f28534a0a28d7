"""scripts/airflow-up.sh → the Airflow UI, its login and the News health page in headless Chromium → airflow-down.sh.

Runs the two scripts for real in a temporary copy of the repository (own AIRFLOW_HOME, HOME and
free ports), against a data root holding one hour produced by ``newsflow run`` against the
stack's newsroom (with a dead feed and a feed named like an XSS payload added) and 22 earlier
hours written with the pipeline's storage functions. The page is rendered by Debian's
``chromium`` and saved as a PNG to ``$NEWSFLOW_SCREENSHOT`` (default: the test's tmp dir).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import yaml

from newsflow.publish import commit_hour
from tests.health.builders import Hour
from tests.scripts.cdp import CHROMIUM_INSTALL, Chromium, chromium_binary

pytestmark = pytest.mark.airflow

ROOT = Path(__file__).resolve().parents[2]
NEWSROOM_FEEDS = [
    "daily-herald-rss",
    "daily-herald-index",
    "metro-wire-atom",
    "metro-wire-full",
    "globe-post-feed",
    "globe-post-news-sitemap",
]
DEAD = "metro-wire-archive"
EVIL = "<script>alert(1)</script>"
ALL_FEEDS = [*NEWSROOM_FEEDS, DEAD, EVIL]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _session_members(sid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[3]) == sid:
            members.append(int(entry.name))
    return members


def _copy_repo(dest: Path) -> Path:
    ignore = shutil.ignore_patterns(".git", ".venv", ".airflow", "data", "__pycache__", "*.pyc", ".pytest_cache")
    shutil.copytree(ROOT, dest, ignore=ignore)
    (dest / ".venv").symlink_to(Path(sys.prefix))  # the venv this test runs in
    return dest


def _history(data: Path, last: datetime) -> None:
    """22 hours before ``last``, written as publish writes them: a gap, a feed dying, one always failing."""
    for back in range(22, 0, -1):
        when = last - timedelta(hours=back)
        if back == 9:
            continue  # an hour whose run never published
        hour = Hour(when, run_id=f"scheduled__{when.isoformat()}")
        for i, name in enumerate(NEWSROOM_FEEDS):
            hour.feed_ok(name, pages=(back * 7 + i * 3) % 6, seconds=0.02 + 0.01 * i, page_errors=int(back % 11 == i))
        if back > 5:
            hour.feed_ok(DEAD, pages=back % 3, seconds=0.3)
        else:
            hour.feed_failed(DEAD, "http_503", "503 Service Unavailable", seconds=0.01)
        hour.feed_failed(EVIL, "parse_error", "not a feed: <img src=x onerror=alert(2)>", seconds=0.01)
        hour.summary(
            fetch_feeds={"feeds": 8, "url_duplicates": 3, "already_seen": 40},
            dedup={"url_duplicates": 1, "content_duplicates": back % 3, "originals": 5},
            publish={"articles": 6 + back % 5, "quarantined": int(back % 4 == 0), "facts": 180 + 7 * back},
        )
        commit_hour(data, when, hour.tables(), hour.run_id)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if chromium_binary() is None:
        pytest.fail(f"headless Chromium is required: {CHROMIUM_INSTALL}")
    base = tmp_path_factory.mktemp("airflow-up")
    repo = _copy_repo(base / "repo")
    data = base / "data"
    newsroom_port, api_port = _free_port(), _free_port()
    from newsflow.newsroom.feeds import feeds_yaml

    doc = yaml.safe_load(feeds_yaml(f"http://127.0.0.1:{newsroom_port}"))
    doc["feeds"] += [
        {"name": DEAD, "url": f"http://127.0.0.1:{newsroom_port}/errors/503", "site": "metro-wire"},
        {"name": EVIL, "url": f"http://127.0.0.1:{newsroom_port}/hostile/malformed.xml", "site": "<b>evil</b>"},
    ]
    feeds = base / "feeds.yaml"
    feeds.write_text(yaml.safe_dump(doc), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWSFLOW_", "PYTHONPATH"))}
    env.update(
        {
            "HOME": str(base / "home"),
            "NEWSROOM_PORT": str(newsroom_port),
            "AIRFLOW__API__PORT": str(api_port),
            "NEWSFLOW_FEEDS": str(feeds),
            "NEWSFLOW_DATA": str(data),
            # Paused: the scheduler must not run the real pipeline into this data root meanwhile.
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW_UP_TIMEOUT": "300",
        }
    )
    (base / "home").mkdir()
    up = subprocess.run(
        ["bash", "scripts/airflow-up.sh"], cwd=repo, env=env, capture_output=True, text=True, timeout=600
    )
    pidfile = repo / ".airflow" / "newsflow-pids"
    sessions = [int(line.split()[1]) for line in pidfile.read_text().splitlines()] if pidfile.exists() else []
    info = {
        "repo": repo,
        "env": env,
        "up": up,
        "url": f"http://127.0.0.1:{api_port}",
        "ports": (newsroom_port, api_port),
        "sessions": sessions,
        "data": data,
        "feeds": feeds,
    }
    try:
        yield info
    finally:
        subprocess.run(["bash", "scripts/airflow-down.sh"], cwd=repo, env=env, capture_output=True, timeout=300)
        for sid in sessions:  # last resort, so a failed test never leaves Airflow running
            for pid in _session_members(sid):
                os.kill(pid, signal.SIGKILL)


def _password(stack) -> str:
    return json.loads((stack["repo"] / ".airflow" / "simple_auth_manager_passwords.json.generated").read_text())[
        "admin"
    ]


def _token(stack) -> str:
    response = httpx.post(
        f"{stack['url']}/auth/token", json={"username": "admin", "password": _password(stack)}, timeout=30
    )
    assert response.status_code in (200, 201), response.text
    return response.json()["access_token"]


def test_up_starts_everything_and_prints_url_and_login(stack):
    up = stack["up"]
    assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
    assert f"UI        {stack['url']}" in up.stdout
    assert f"login: admin / {_password(stack)}" in up.stdout
    assert len(stack["sessions"]) == 5  # newsroom, api-server, scheduler, dag-processor, triggerer
    ui = httpx.get(stack["url"] + "/", timeout=30)
    assert ui.status_code == 200 and "<title>Airflow</title>" in ui.text
    newsroom = httpx.get(f"http://127.0.0.1:{stack['ports'][0]}/_newsroom/clock", timeout=30)
    assert newsroom.status_code == 200


def test_login_works_and_the_plugin_is_loaded(stack):
    token = _token(stack)
    plugins = httpx.get(f"{stack['url']}/api/v2/plugins", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    names = [p["name"] for p in plugins.json()["plugins"]]
    assert "newsflow_health" in names, plugins.text
    (plugin,) = [p for p in plugins.json()["plugins"] if p["name"] == "newsflow_health"]
    assert plugin["external_views"][0]["url_route"] == "news-health"
    bad = httpx.post(f"{stack['url']}/auth/token", json={"username": "admin", "password": "wrong"}, timeout=30)
    assert bad.status_code == 401


def test_second_up_says_it_is_already_running(stack):
    again = subprocess.run(
        ["bash", "scripts/airflow-up.sh"],
        cwd=stack["repo"],
        env=stack["env"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    assert "already running" in again.stdout and stack["url"] in again.stdout
    assert [
        int(line.split()[1]) for line in (stack["repo"] / ".airflow" / "newsflow-pids").read_text().splitlines()
    ] == (stack["sessions"])


@pytest.fixture(scope="module")
def published(stack):
    """One real hour from `newsflow run` against the stack's newsroom, and 22 hours of history before it."""
    last = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    env = {**stack["env"], "PYTHONPATH": str(ROOT / "pipeline")}
    run = subprocess.run(
        [
            str(Path(sys.prefix) / "bin" / "newsflow"),
            "run",
            "--logical-date",
            last.isoformat(),
            "--feeds",
            str(stack["feeds"]),
            "--data",
            str(stack["data"]),
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    # The hour is published; its dead and hostile feeds make the feed policy red (exit 1, said on stderr).
    assert run.returncode == 1 and "feed policy red" in run.stderr, run.stdout[-2000:] + run.stderr[-2000:]
    assert json.loads(run.stdout)["articles"] > 0
    _history(stack["data"], last)
    return last


def _wait_for_dag(stack, token: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        response = httpx.get(
            f"{stack['url']}/api/v2/dags/news_ingest_hourly", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        if response.status_code == 200 or time.monotonic() > deadline:
            return response.json()
        time.sleep(3)


def test_health_api_enforces_airflow_auth(stack, published):
    url = f"{stack['url']}/newsflow/health/api"
    dag = _wait_for_dag(stack, _token(stack))  # parsed by the dag-processor the script started
    assert dag.get("is_paused") is True, dag
    assert httpx.get(url, timeout=30).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Bearer nope"}, timeout=30).status_code == 401
    report = httpx.get(url, headers={"Authorization": f"Bearer {_token(stack)}"}, timeout=60).json()
    feeds = {f["name"]: f for f in report["feeds"]}
    assert sorted(feeds) == sorted(ALL_FEEDS)
    assert feeds[DEAD]["status"] == "failing" and feeds[DEAD]["consecutive_failing_hours"] == 6
    assert feeds[EVIL]["status"] == "failing" and feeds[EVIL]["last_success"] is None
    real_hour = published.isoformat()
    assert report["per_hour"][0]["hour"] == real_hour or report["per_hour"][1]["hour"] == real_hour
    counts = {h["hour"]: h for h in report["per_hour"]}[real_hour]
    assert report["dag"]["paused"] is True  # the page reads the scheduler's view of the DAG
    assert counts["published"] and counts["articles"] >= 40 and counts["facts"] > 500 and counts["feeds_failed"] == 2


def test_news_health_page_in_chromium(stack, published, tmp_path_factory):
    shot = Path(os.environ.get("NEWSFLOW_SCREENSHOT") or tmp_path_factory.mktemp("screenshots") / "news-health.png")
    browser = Chromium()
    try:
        browser.set_cookie(stack["url"], "_token", _token(stack))
        browser.goto(f"{stack['url']}/newsflow/health/")
        rows = browser.evaluate(
            "[...document.querySelectorAll('#feeds tbody tr[data-feed]')].map(r => "
            "({feed: r.dataset.feed, status: r.dataset.status, text: r.innerText}))"
        )
        assert rows, "no feed rows rendered"
        assert sorted(r["feed"] for r in rows) == sorted(ALL_FEEDS)  # every feed, failing ones included
        by_feed = {r["feed"]: r for r in rows}
        assert by_feed[DEAD]["status"] == "failing" and "http_503" in by_feed[DEAD]["text"]
        assert by_feed[EVIL]["status"] == "failing" and EVIL in by_feed[EVIL]["text"]  # shown as text
        assert [r["status"] for r in rows][:2] == ["failing", "failing"]  # failing feeds on top
        assert browser.evaluate("document.scripts.length") == 0
        assert browser.evaluate("document.querySelectorAll('img').length") == 0  # the error's <img> stayed text
        assert not any(e.get("method") == "Page.javascriptDialogOpening" for e in browser.events)
        assert browser.evaluate("document.querySelectorAll('#feeds svg.spark').length") == len(ALL_FEEDS)
        assert browser.evaluate("document.querySelectorAll('#hours tbody tr').length") == 24
        assert browser.evaluate("document.querySelectorAll('#hours tr.unpublished').length") >= 1
        assert "DAG is paused" in browser.evaluate("document.body.innerText")
        browser.screenshot(shot)
        print(f"\nNews health screenshot: {shot}")
        assert shot.stat().st_size > 20_000
        # The same page inside the Airflow UI: the plugin's menu entry embeds it at /plugin/news-health.
        browser.goto(f"{stack['url']}/plugin/news-health")
        embedded = browser.wait_for(
            "(() => { const f = document.querySelector('iframe');"
            " const d = f && f.contentDocument;"
            " return d ? d.querySelectorAll('#feeds tr[data-feed]').length : 0; })()",
            timeout=90,
        )
        assert embedded == len(ALL_FEEDS)
        browser.screenshot(shot.with_name(shot.stem + "-in-airflow.png"), full_page=False)
    finally:
        browser.close()


def test_down_stops_everything_it_started(stack):
    repo, env = stack["repo"], stack["env"]
    assert stack["sessions"] and all(_session_members(sid) for sid in stack["sessions"])
    down = subprocess.run(
        ["bash", "scripts/airflow-down.sh"], cwd=repo, env=env, capture_output=True, text=True, timeout=300
    )
    assert down.returncode == 0, down.stdout + down.stderr
    leftovers = {sid: _session_members(sid) for sid in stack["sessions"]}
    assert not any(leftovers.values()), leftovers
    assert not any(_listening(port) for port in stack["ports"])
    strays = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                environ = (entry / "environ").read_bytes()
            except OSError:
                continue
            if str(repo).encode() in environ and ("airflow" in cmdline or "newsflow" in cmdline):
                strays.append(cmdline)
    assert strays == []
    assert not (repo / ".airflow" / "newsflow-pids").exists()
    again = subprocess.run(
        ["bash", "scripts/airflow-down.sh"], cwd=repo, env=env, capture_output=True, text=True, timeout=60
    )
    assert again.returncode == 0 and "nothing to stop" in again.stdout
