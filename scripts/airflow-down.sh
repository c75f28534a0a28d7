#!/usr/bin/env bash
# Stop everything scripts/airflow-up.sh started: each recorded process with its whole session
# (children included), newest first; TERM, then KILL after AIRFLOW_DOWN_GRACE seconds (30).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/airflow-env.sh
source scripts/airflow-procs.sh
GRACE="${AIRFLOW_DOWN_GRACE:-30}"

if [ ! -s "$PIDFILE" ]; then
  echo "newsflow: nothing to stop (no $PIDFILE)"
  exit 0
fi
status=0
# Newest first: the Airflow components before the newsroom they fetch from.
while read -r name pid start; do
  stop_session "$name" "$pid" "$start" "$GRACE" || { echo "[down] $name: could not stop session $pid" >&2; status=1; }
done < <(tac "$PIDFILE")
if [ "$status" -eq 0 ]; then
  rm -f "$PIDFILE" "$AIRFLOW_HOME/newsflow-up.env"
  echo "newsflow: stopped"
fi
exit "$status"
