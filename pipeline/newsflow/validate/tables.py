"""Validate a batch's tables with the suites; split the good rows from quarantine rows with reasons.

The conveyor calls :func:`validate_articles_table` after extract and :func:`validate_facts_table`
after facts. Every row that fails any expectation becomes one ``quarantine`` row (``stage="validate"``)
with the suite, the reasons (each failed expectation's ``meta.reason``) and the offending values;
every other row passes on unchanged and in order. Each call can also hand back a
:class:`SuiteResult` (counts and GX's result) for the Data Docs of the hour.
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from newsflow.validate.frames import (
    ARTICLE_SOURCES,
    FACT_SOURCES,
    Checks,
    ValidationFrame,
    article_checks,
    build_frame,
    fact_checks,
    repair_utf8,
)
from newsflow.validate.quarantine import quarantine_row
from newsflow.validate.settings import ValidationSettings
from newsflow.validate.suites import SuiteRun, expectation_columns, load_suite, reason, run_suite, suite_columns

OBSERVED_TEXT_CHARS = 200  # strings quoted in observed_values are cut here ("…" marks the cut)


@dataclass
class SuiteResult:
    """One suite's run over one batch: what Data Docs show and ``runs`` can count. JSON-safe, so a
    task can stage it for a later one (:meth:`to_json` / :meth:`from_json`)."""

    dataset: str
    suite: str
    run_id: str
    rows: int
    quarantined: int
    seconds: float
    success: bool
    failed: dict[str, int] = field(default_factory=dict)  # reason -> rows
    gx_result: dict[str, Any] = field(default_factory=dict)  # GX's validation result, per-row lists removed

    def to_json(self) -> str:
        return json.dumps(asdict(self), default=str)

    @classmethod
    def from_json(cls, text: str) -> SuiteResult:
        return cls(**json.loads(text))


@dataclass
class ValidationOutcome:
    good: pa.Table
    quarantined: list[dict[str, Any]] = field(default_factory=list)  # ``storage.QUARANTINE`` rows
    expectations_run: int = 0
    result: SuiteResult | None = None


def validate_table(
    dataset: str,
    table: pa.Table,
    id_column: str,
    suites_dir: Path,
    run_id: str,
    *,
    articles: pa.Table | None = None,
    settings: ValidationSettings | None = None,
) -> ValidationOutcome:
    """Run ``<suites_dir>/<dataset>.json`` over ``table``; rows failing any expectation become
    ``quarantine`` rows (dataset ``dataset``, record id from ``id_column``) with the reasons and the
    offending values. ``articles`` are the batch's articles, which the facts suite checks against."""
    started = time.perf_counter()
    doc = load_suite(suites_dir, dataset)
    expectations = list(doc["expectations"])
    if table.num_rows == 0:
        result = SuiteResult(dataset, str(doc.get("name") or dataset), run_id, 0, 0, 0.0, True)
        return ValidationOutcome(good=table, expectations_run=len(expectations), result=result)
    settings = settings or ValidationSettings.from_env()
    checks, sources = _checks_for(dataset, articles)
    vframe = build_frame(table, suite_columns(doc), checks, sources)
    run = run_suite(dataset, doc, vframe.frame, settings.suite_parameters())
    quarantined = _quarantine_rows(dataset, table, id_column, run, vframe, run_id)
    good = without_rows(table, sorted(run.failures))
    failed: dict[str, int] = {}
    for positions in run.failures.values():
        for r in {reason(expectations[p]) for p in positions}:
            failed[r] = failed.get(r, 0) + 1
    result = SuiteResult(
        dataset=dataset,
        suite=run.suite,
        run_id=run_id,
        rows=table.num_rows,
        quarantined=len(quarantined),
        seconds=round(time.perf_counter() - started, 4),
        success=run.success,
        failed=dict(sorted(failed.items())),
        gx_result=run.result,
    )
    return ValidationOutcome(good=good, quarantined=quarantined, expectations_run=len(expectations), result=result)


def validate_articles_table(
    table: pa.Table,
    suites_dir: Path,
    run_id: str,
    *,
    settings: ValidationSettings | None = None,
    results: list[SuiteResult] | None = None,
) -> tuple[pa.Table, list[dict[str, Any]]]:
    """(good articles, quarantine rows) of an hour's extracted articles; the suite's result is
    appended to ``results`` when given (for :func:`newsflow.validate.docs.build_data_docs`)."""
    outcome = validate_table("articles", table, "article_id", suites_dir, run_id, settings=settings)
    if results is not None and outcome.result is not None:
        results.append(outcome.result)
    return outcome.good, outcome.quarantined


def validate_facts_table(
    facts: pa.Table,
    articles: pa.Table,
    suites_dir: Path,
    run_id: str,
    *,
    settings: ValidationSettings | None = None,
    results: list[SuiteResult] | None = None,
) -> tuple[pa.Table, list[dict[str, Any]]]:
    """(good facts, quarantine rows) of an hour's facts, checked against the hour's ``articles``
    (ids and bodies: a fact must belong to one of them and its offsets must hold its text)."""
    outcome = validate_table("facts", facts, "fact_id", suites_dir, run_id, articles=articles, settings=settings)
    if results is not None and outcome.result is not None:
        results.append(outcome.result)
    return outcome.good, outcome.quarantined


def without_rows(table: pa.Table, drop: Sequence[int]) -> pa.Table:
    """``table`` without the rows at the sorted positions ``drop``, in order. Zero-copy (slices of the
    runs between them) when they are few: filtering would copy every body of the hour."""
    if not drop:
        return table
    if len(drop) > max(16, table.num_rows // 64):
        keep = np.ones(table.num_rows, bool)
        keep[list(drop)] = False
        return table.filter(pa.array(keep))
    bounds = [-1, *drop, table.num_rows]
    parts = [table.slice(a + 1, b - a - 1) for a, b in zip(bounds, bounds[1:], strict=False) if b - a > 1]
    return pa.concat_tables(parts) if parts else table.slice(0, 0)


def _checks_for(dataset: str, articles: pa.Table | None) -> tuple[Checks | None, Mapping[str, tuple[str, ...]]]:
    if dataset == "articles":
        return article_checks, ARTICLE_SOURCES
    if dataset == "facts":
        if articles is None:
            raise ValueError("validating facts needs the batch's articles (validate_facts_table(facts, articles, …))")
        batch_articles = articles

        def checks(table: pa.Table, wanted: set[str]) -> Any:
            return fact_checks(table, batch_articles, wanted)

        return checks, FACT_SOURCES
    return None, {}


def _quarantine_rows(
    dataset: str, table: pa.Table, id_column: str, run: SuiteRun, vframe: ValidationFrame, run_id: str
) -> list[dict[str, Any]]:
    if not run.failures:
        return []
    bad = sorted(run.failures)
    rows = safe_rows(table.take(pa.array(bad, pa.int64())))
    lookup = _Lookup(vframe)
    out = []
    for i, row in zip(bad, rows, strict=True):
        reasons: list[str] = []
        observed: dict[str, object] = {}
        for p in run.failures[i]:
            exp = run.expectations[p]
            why = reason(exp)
            reasons.append(why)
            for col in expectation_columns(exp):
                observed[f"{why}.{col}"] = lookup(row, col, i)
                for source in vframe.sources.get(col, ()):
                    observed[f"{why}.{source}"] = lookup(row, source, i)
        record_id = row.get(id_column)
        out.append(quarantine_row(dataset, record_id, row, reasons, run_id=run_id, stage="validate", observed=observed))
    return out


class _Lookup:
    """A failing row's value of a column: a check column from the frame, an extra, or the row's own."""

    def __init__(self, vframe: ValidationFrame) -> None:
        self.vframe = vframe
        self.columns: dict[str, Any] = {}

    def __call__(self, row: Mapping[str, Any], column: str, i: int) -> object:
        if column.startswith("_"):
            if column not in self.columns:
                frame = self.vframe.frame
                self.columns[column] = frame[column].to_numpy() if column in frame.columns else None
            values = self.columns[column]
            if values is not None:
                return jsonable(values[i])
            if column in self.vframe.extras:
                return jsonable(self.vframe.extras[column][i])
        return jsonable(row.get(column))


def safe_rows(table: pa.Table) -> list[dict[str, Any]]:
    """``table.to_pylist()``, with invalid UTF-8 in string columns replaced rather than raising."""
    try:
        return table.to_pylist()
    except UnicodeDecodeError:
        columns = {}
        for name in table.column_names:
            col = table.column(name)
            if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
                col = repair_utf8(col)[0]
            columns[name] = col
        return pa.table(columns).to_pylist()


def jsonable(value: object) -> object:
    """A value as quarantine's ``observed_values`` JSON holds it: numpy scalars as Python numbers,
    times in ISO 8601, NaN as null, long strings cut at :data:`OBSERVED_TEXT_CHARS`."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        with contextlib.suppress(ValueError, AttributeError):
            value = value.item()  # numpy / pandas scalar -> Python
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if type(value).__name__ in ("NaTType", "NAType"):
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, str) and len(value) > OBSERVED_TEXT_CHARS:
        return value[:OBSERVED_TEXT_CHARS] + "…"
    if isinstance(value, (int, float, str, bool)):
        return value
    if isinstance(value, Sequence):
        return [jsonable(v) for v in value]
    return str(value)
