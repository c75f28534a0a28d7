"""Validate rows with the Great Expectations suites in ``expectations/``; split good from quarantine.

Suites are JSON files named after the dataset (``expectations/articles.json``). Every row that
fails any expectation goes to quarantine with the reasons (each expectation's ``meta.reason``)
and the offending values; the rest pass on. GX is imported lazily (it costs ~2 s) and runs with
an ephemeral context, so validation needs no GX project on disk.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from newsflow.validate.quarantine import quarantine_row


@dataclass
class ValidationOutcome:
    good: pa.Table
    quarantined: list[dict[str, Any]] = field(default_factory=list)  # record_id, row, failed_expectations, observed
    expectations_run: int = 0


def suite_path(suites_dir: Path, dataset: str) -> Path:
    return Path(suites_dir) / f"{dataset}.json"


@lru_cache(maxsize=8)
def _load_suite_doc(path: str) -> dict[str, Any]:
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if not doc.get("expectations"):
        raise ValueError(f"{path}: a suite needs a non-empty 'expectations' list")
    return doc


def _gx() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx

    return gx


@lru_cache(maxsize=1)
def _context() -> Any:
    gx = _gx()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    return context


def _reason(config: dict[str, Any]) -> str:
    return (config.get("meta") or {}).get("reason") or config["type"]


def validate_table(dataset: str, table: pa.Table, id_column: str, suites_dir: Path, run_id: str) -> ValidationOutcome:
    """Run the dataset's suite (``<suites_dir>/<dataset>.json``) over ``table``; rows failing any
    expectation become ``quarantine`` rows with the reasons and the offending values."""
    path = suite_path(suites_dir, dataset)
    doc = _load_suite_doc(str(path))
    if table.num_rows == 0:
        return ValidationOutcome(good=table, expectations_run=len(doc["expectations"]))
    gx = _gx()
    context = _context()
    suite = gx.ExpectationSuite(name=f"{dataset}-{len(doc['expectations'])}", expectations=doc["expectations"])
    if len(suite.expectations) != len(doc["expectations"]):
        raise ValueError(f"{path}: some expectations are invalid (see the GX log above)")
    df = table.to_pandas().reset_index(drop=True)
    source = context.data_sources.add_or_update_pandas(f"newsflow-{dataset}")
    asset_name = f"{dataset}-{id(df)}"
    asset = source.add_dataframe_asset(name=asset_name)
    try:
        batch = asset.add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": df})
        result = batch.validate(suite, result_format={"result_format": "COMPLETE"})
    finally:
        source.delete_asset(asset_name)  # a long backfill validates many hours in one process

    failures: dict[int, list[str]] = {}
    observed: dict[int, dict[str, object]] = {}
    for res in result.results:
        if res.success:
            continue
        config = res.expectation_config.to_json_dict()
        reason = _reason(config)
        kwargs = config.get("kwargs", {})
        index_list = (res.result or {}).get("unexpected_index_list")
        if index_list is None:
            # Table-level failure (no per-row index): every row carries the reason.
            index_list = list(range(len(df)))
        columns = [c for c in (kwargs.get("column"), kwargs.get("column_A"), kwargs.get("column_B")) if c]
        for idx in index_list:
            row_idx = int(idx if not isinstance(idx, dict) else idx.get("index", -1))
            if row_idx < 0:
                continue
            failures.setdefault(row_idx, []).append(reason)
            for col in columns:
                observed.setdefault(row_idx, {})[f"{reason}.{col}"] = _jsonable(df.at[row_idx, col])

    bad = sorted(failures)
    keep = [i for i in range(len(df)) if i not in failures]
    rows = table.to_pylist()
    quarantined = [
        quarantine_row(
            dataset,
            rows[i].get(id_column),
            rows[i],
            failures[i],
            run_id=run_id,
            stage="validate",
            observed=observed.get(i, {}),
        )
        for i in bad
    ]
    return ValidationOutcome(
        good=table.take(pa.array(keep, type=pa.int64())),
        quarantined=quarantined,
        expectations_run=len(result.results),
    )


def _jsonable(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar -> Python
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str) and len(value) > 200:
        return value[:200] + "…"
    return value if isinstance(value, (int, float, str, bool)) else str(value)
