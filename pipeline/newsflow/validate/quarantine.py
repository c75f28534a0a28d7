"""The one shape of a ``quarantine`` row (``storage.QUARANTINE``).

A row lands in quarantine either because it failed expectations (``stage="validate"``) or because a
stage could not process it at all (``stage="extract"``, ``"facts"``…, with the exception in
``error``): nothing an hour received is dropped without a trace.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any


def quarantine_row(
    dataset: str,
    record_id: str | None,
    row: Mapping[str, Any],
    reasons: Sequence[str],
    *,
    run_id: str,
    stage: str,
    observed: Mapping[str, object] | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    return {
        "dataset": dataset,
        "record_id": record_id,
        "row": json.dumps(dict(row), default=str, ensure_ascii=False),
        "failed_expectations": sorted(set(reasons)),
        "observed_values": json.dumps(dict(observed or {}), default=str, ensure_ascii=False),
        "run_id": run_id,
        "stage": stage,
        "error": error,
    }


def stage_failure(
    dataset: str, record_id: str | None, row: Mapping[str, Any], stage: str, exc: BaseException, run_id: str
) -> dict[str, Any]:
    """A row a stage raised on: quarantined as ``<stage>_failed`` with the exception."""
    return quarantine_row(
        dataset,
        record_id,
        row,
        [f"{stage}_failed"],
        run_id=run_id,
        stage=stage,
        error=f"{type(exc).__name__}: {str(exc)[:2000]}",
    )
