# One image for every newsflow service: Airflow (api-server, scheduler, dag-processor) and the newsroom.
FROM python:3.11-slim
WORKDIR /opt/newsflow
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY requirements.lock pyproject.toml README.md ./
RUN python -m pip install --upgrade pip \
 && python -m pip install --no-cache-dir --require-hashes --no-deps -r requirements.lock
COPY pipeline ./pipeline
COPY dags ./dags
COPY plugins ./plugins
COPY expectations ./expectations
COPY feeds.yaml ./
RUN python -m pip install --no-cache-dir --no-deps --no-build-isolation -e .
ENV AIRFLOW_HOME=/opt/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/newsflow/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/newsflow/plugins \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    NEWSFLOW_DATA=/data \
    NEWSFLOW_EXPECTATIONS=/opt/newsflow/expectations
