"""The Airflow side of newsflow's operations: the News health web app and its pieces.

Airflow's plugin loader skips this package (``plugins/.airflowignore``); ``newsflow_health.py``
registers it and imports it as a normal package, since the plugins folder is on ``sys.path``.
"""
