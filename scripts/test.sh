#!/usr/bin/env bash
# The test command (README, .ci/run): set up .venv from the lock, make sure PostgreSQL is up,
# lint and type-check, then run the whole suite on two workers (a file's tests stay on one worker, so
# module fixtures are built once). Extra arguments go to pytest (e.g. -k extract -x; -n 0 runs serially).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# PostgreSQL backs the metadata-DB tests; this machine kind runs it, restart it if it stopped.
if ! (echo > /dev/tcp/127.0.0.1/5432) 2>/dev/null && command -v pg_ctlcluster >/dev/null; then
  echo "[test] starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
# Redis is the Celery broker of the service tests; this machine kind runs it, start it if it stopped.
if ! (echo > /dev/tcp/127.0.0.1/6379) 2>/dev/null && command -v redis-server >/dev/null; then
  echo "[test] starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
fi
# Headless Chromium renders the News health page in the UI tests (Debian's package, as root).
if ! command -v chromium >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "[test] installing chromium (Debian package) for the UI tests"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "[test] chromium install failed"
fi
echo "[test] ruff"
.venv/bin/ruff check pipeline dags plugins tests bench
echo "[test] mypy"
.venv/bin/python -m mypy
echo "[test] pytest"
exec .venv/bin/python -m pytest -p no:cacheprovider -n "${NEWSFLOW_TEST_WORKERS:-2}" --dist loadfile "$@"
