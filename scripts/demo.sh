#!/usr/bin/env bash
# The demo: set up .venv from the lock, start the sample newsroom, migrate Airflow's SQLite DB,
# run one hourly cycle of news_ingest_hourly through Airflow, print a summary.
#   LOGICAL_DATE=2026-11-25T10:00:00+00:00 NEWSROOM_PORT=8765 bash scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
bash scripts/setup.sh
source scripts/airflow-env.sh
export PATH="$PWD/.venv/bin:$PATH"
# An hour of your choosing may be days old: the newsroom then serves that hour, so fetch it live.
CONF='{}'
if [ -n "${LOGICAL_DATE:-}" ]; then CONF='{"live": true}'; fi
LOGICAL_DATE=${LOGICAL_DATE:-$(date -u -d '1 hour ago' +%Y-%m-%dT%H:00:00+00:00)}
PORT=${NEWSROOM_PORT:-8765}
mkdir -p "$AIRFLOW_HOME"
if (echo > "/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "port $PORT is taken: stop what listens there or set NEWSROOM_PORT=<free port>" >&2
  exit 1
fi
feeds="$NEWSFLOW_FEEDS"
if [ "$PORT" != 8765 ]; then feeds="$AIRFLOW_HOME/demo-feeds.yaml"; fi
newsflow newsroom --port "$PORT" --clock "$LOGICAL_DATE" --write-feeds "$AIRFLOW_HOME/demo-feeds.yaml" \
  > "$AIRFLOW_HOME/newsroom.log" 2>&1 &
newsroom_pid=$!
trap 'kill $newsroom_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do (echo > "/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.2; done
export NEWSFLOW_FEEDS="$feeds"
echo "[demo] newsroom on http://127.0.0.1:$PORT (clock $LOGICAL_DATE)"
echo "[demo] airflow db migrate (SQLite in $AIRFLOW_HOME)"
airflow db migrate > "$AIRFLOW_HOME/db-migrate.log" 2>&1 || { tail -30 "$AIRFLOW_HOME/db-migrate.log"; exit 1; }
airflow pools set http 4 "HTTP fetches (feeds, pages)" > /dev/null
echo "[demo] airflow dags test news_ingest_hourly $LOGICAL_DATE (log: $AIRFLOW_HOME/demo-run.log)"
if ! airflow dags test news_ingest_hourly "$LOGICAL_DATE" --conf "$CONF" > "$AIRFLOW_HOME/demo-run.log" 2>&1; then
  grep -E "ERROR|Traceback|Error" "$AIRFLOW_HOME/demo-run.log" | tail -20
  echo "the DAG run failed: see $AIRFLOW_HOME/demo-run.log" >&2
  exit 1
fi
grep -oE "(fetch_feeds|fetch_pages|extract|dedup|validate|facts) counts: .*\}" "$AIRFLOW_HOME/demo-run.log" \
  | sed 's/^/[demo]   /' || true
echo
newsflow summary --logical-date "$LOGICAL_DATE"
echo "  demo total   $(( $(date +%s) - started )) s (setup included)"
