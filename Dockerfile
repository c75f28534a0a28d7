# syntax=docker/dockerfile:1
# One image for every newsflow service: Airflow (api-server, scheduler, dag-processor, triggerer,
# Celery workers) and the sample newsroom. Dependencies come from requirements.lock, hashes checked.
#
# The newsroom's 46 articles ship inside the package (pipeline/newsflow/newsroom/content/). Its
# optional seed article lives outside this repository; without it the newsroom serves the rest.
# To bake it in, hand the folder over as the build context named "seed":
#   docker buildx build --build-context seed=../shared/seed -t newsflow:latest .

# Empty unless a "seed" build context replaces it (a named context overrides the stage of that name).
FROM scratch AS seed

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
COPY --from=seed . ./seed/
# Airflow and the tasks run as an unprivileged user; the directories that named volumes mount over
# belong to it, so fresh volumes start with that owner.
RUN useradd --uid 50000 --gid 0 --home-dir /opt/airflow --create-home --shell /bin/bash newsflow \
 && mkdir -p /data /opt/airflow/logs /opt/airflow/auth \
 && chown -R 50000:0 /data /opt/airflow
USER 50000
ENV AIRFLOW_HOME=/opt/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/newsflow/dags \
    AIRFLOW__CORE__PLUGINS_FOLDER=/opt/newsflow/plugins \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    NEWSFLOW_DATA=/data \
    NEWSFLOW_FEEDS=/opt/newsflow/feeds.yaml \
    NEWSFLOW_EXPECTATIONS=/opt/newsflow/expectations \
    NEWSFLOW_SEED_DIR=/opt/newsflow/seed
