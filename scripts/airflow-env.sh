# Source this to point Airflow at the repo: local SQLite + LocalExecutor, parallelism 4.
# Any variable already set in the environment wins (CI sets PostgreSQL/Celery this way).
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$_root/.airflow}"
export AIRFLOW__CORE__DAGS_FOLDER="${AIRFLOW__CORE__DAGS_FOLDER:-$_root/dags}"
export AIRFLOW__CORE__PLUGINS_FOLDER="${AIRFLOW__CORE__PLUGINS_FOLDER:-$_root/plugins}"
export AIRFLOW__CORE__LOAD_EXAMPLES="${AIRFLOW__CORE__LOAD_EXAMPLES:-False}"
export AIRFLOW__CORE__EXECUTOR="${AIRFLOW__CORE__EXECUTOR:-LocalExecutor}"
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-4}"
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="${AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION:-False}"
export AIRFLOW__SCHEDULER__STANDALONE_DAG_PROCESSOR="${AIRFLOW__SCHEDULER__STANDALONE_DAG_PROCESSOR:-False}"
export NEWSFLOW_DATA="${NEWSFLOW_DATA:-$_root/data}"
export NEWSFLOW_FEEDS="${NEWSFLOW_FEEDS:-$_root/feeds.yaml}"
export GX_ANALYTICS_ENABLED=False
# The sample newsroom is one loopback host: no 1 s politeness delay between its requests. Unset it
# (or set it to 1) when the feeds are real publishers.
export NEWSFLOW_HOST_DELAY="${NEWSFLOW_HOST_DELAY:-0}"
unset _root
