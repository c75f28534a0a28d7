"""Validation: Great Expectations suites over each batch's tables, quarantine with reasons, batch
checks, Data Docs.

* :func:`validate_articles_table` / :func:`validate_facts_table` (``tables``): the suites in
  ``expectations/`` split a batch into good rows and ``quarantine`` rows with reasons.
* ``batch``: checks of a run as a whole: a staged table with the wrong schema raises
  :class:`~newsflow.validate.batch.BatchFailure`; an hour far below its usual volume is a warning.
* ``docs``: the Data Docs site under ``<data_root>/data_docs/``.
* ``text``: the vectorised signals behind "this body is text".

GX is imported lazily (it costs seconds) and runs with an ephemeral context, so validation needs no
GX project on disk and importing this package stays cheap.
"""

from __future__ import annotations

from newsflow.validate.suites import SuiteError, context, suite_path
from newsflow.validate.tables import (
    SuiteResult,
    ValidationOutcome,
    validate_articles_table,
    validate_facts_table,
    validate_table,
)

_context = context  # the name the stage and older tests use

__all__ = [
    "SuiteError",
    "SuiteResult",
    "ValidationOutcome",
    "context",
    "suite_path",
    "validate_articles_table",
    "validate_facts_table",
    "validate_table",
]
