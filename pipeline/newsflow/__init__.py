"""newsflow: an hourly news-ingestion pipeline.

Every stage is plain Python in this package; Airflow DAGs in ``dags/`` and the ``newsflow`` CLI
only call the functions in :mod:`newsflow.cycle`, so one code path serves both.
"""

__version__ = "0.1.0"
