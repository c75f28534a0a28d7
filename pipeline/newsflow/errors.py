"""Errors that end a run on purpose, each with a message that says what to do next.

The CLI prints them without a traceback and exits non-zero; in Airflow they fail the task with the
message in its log. Deterministic ones (:class:`ConfigError`) should not be retried.
"""

from __future__ import annotations


class PipelineError(RuntimeError):
    """A run that cannot go on: nothing of the hour is published."""


class ConfigError(PipelineError, ValueError):
    """Bad configuration (a missing feeds file, an invalid feeds.yaml): retrying cannot help."""


class AllFeedsFailed(PipelineError):
    """Every feed of the hour failed: publishing would replace the hour with nothing."""
