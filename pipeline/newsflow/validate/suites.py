"""Great Expectations suites kept as JSON in ``expectations/``, and running one over a frame.

A suite file is GX's own JSON shape (``name``, ``expectations`` with ``type``, ``kwargs``, ``meta``)
plus a convention: every expectation's ``meta.reason`` is the short snake_case reason a failing row
carries into quarantine. Columns whose name starts with ``_`` are *check columns*: computed for the
validation frame only (``newsflow.validate.frames``), never published. ``{"$PARAMETER": name}`` in
a kwarg is a suite parameter filled from :class:`~newsflow.validate.settings.ValidationSettings`.

GX runs with an ephemeral context (no GX project on disk) and is imported lazily: it costs seconds
to import, and DAG parsing must stay fast. Suites are built once per process and file version;
one dataframe asset per dataset is reused for every batch, so a long backfill does not grow the
context.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

_lock = threading.Lock()
_POSITION = "newsflow_position"  # the meta key carrying an expectation's position in its suite document


class SuiteError(ValueError):
    """A suite that cannot run: missing, invalid JSON, an unknown expectation, a column the data
    lacks. A configuration error: the stage fails and nothing is published."""


def suite_path(suites_dir: Path, dataset: str) -> Path:
    return Path(suites_dir) / f"{dataset}.json"


def _read_suite(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as exc:
        raise SuiteError(f"{path}: not a readable JSON suite ({exc}); fix the file or restore it from git") from exc
    if not isinstance(doc, dict) or not doc.get("expectations"):
        raise SuiteError(f"{path}: a suite needs a non-empty 'expectations' list")
    for i, exp in enumerate(doc["expectations"]):
        if not isinstance(exp, dict) or "type" not in exp or not isinstance(exp.get("kwargs"), dict):
            raise SuiteError(f"{path}: expectation {i} needs a 'type' and 'kwargs'")
        if not (exp.get("meta") or {}).get("reason"):
            raise SuiteError(f"{path}: expectation {i} ({exp['type']}) has no meta.reason")
    return dict(doc)


def load_suite(suites_dir: Path, dataset: str) -> dict[str, Any]:
    """The suite document of ``dataset`` (cached per file version)."""
    path = suite_path(suites_dir, dataset)
    stat = path.stat()  # FileNotFoundError for a missing suite: the stage fails with the path
    return _cached_doc(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _cached_doc(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    return _read_suite(Path(path))


def reason(expectation: Mapping[str, Any]) -> str:
    return str((expectation.get("meta") or {}).get("reason") or expectation["type"])


def expectation_columns(expectation: Mapping[str, Any]) -> list[str]:
    """The columns an expectation reads."""
    kwargs = expectation.get("kwargs") or {}
    cols = [kwargs.get(k) for k in ("column", "column_A", "column_B")]
    cols += list(kwargs.get("column_list") or [])
    return [c for c in cols if isinstance(c, str)]


def suite_columns(doc: Mapping[str, Any]) -> list[str]:
    """Every column the suite reads, in first-use order."""
    seen: dict[str, None] = {}
    for exp in doc["expectations"]:
        for col in expectation_columns(exp):
            seen.setdefault(col, None)
    return list(seen)


def suite_parameters(doc: Mapping[str, Any]) -> set[str]:
    names: set[str] = set()
    for exp in doc["expectations"]:
        for value in (exp.get("kwargs") or {}).values():
            if isinstance(value, dict) and "$PARAMETER" in value:
                names.add(str(value["$PARAMETER"]))
    return names


# ---------------------------------------------------------------- GX


def import_gx() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx

    return gx


@lru_cache(maxsize=1)
def context() -> Any:
    """The process's ephemeral GX context (no project on disk, no progress bars)."""
    gx = import_gx()
    from great_expectations.data_context.types.base import DataContextConfig, InMemoryStoreBackendDefaults

    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False))
    ctx = gx.get_context(mode="ephemeral", project_config=config)
    ctx.variables.progress_bars = {"globally": False, "metric_calculations": False}
    _skip_batch_fingerprint()
    return ctx


def _skip_batch_fingerprint() -> None:
    """GX's pandas engine hashes every cell of a batch under 1 GB into a "fingerprint" batch marker
    (``HASH_THRESHOLD``): on 100,000 articles that costs more than all the expectations together,
    and nothing here reads the marker. A threshold of 0 turns it off."""
    from great_expectations.execution_engine import pandas_execution_engine

    if hasattr(pandas_execution_engine, "HASH_THRESHOLD"):
        pandas_execution_engine.HASH_THRESHOLD = 0


@lru_cache(maxsize=16)
def _gx_suite(name: str, doc_json: str) -> Any:
    gx = import_gx()
    doc = json.loads(doc_json)
    # Each expectation carries its position in the document, so a result maps back to it exactly.
    expectations = [{**e, "meta": {**(e.get("meta") or {}), _POSITION: i}} for i, e in enumerate(doc["expectations"])]
    try:
        suite = gx.ExpectationSuite(name=name, expectations=expectations, meta=doc.get("meta") or {})
    except Exception as exc:  # noqa: BLE001 - GX raises many kinds for a bad configuration
        raise SuiteError(f"suite {name}: {type(exc).__name__}: {exc}") from exc
    if len(suite.expectations) != len(doc["expectations"]):
        raise SuiteError(f"suite {name}: some expectations are invalid (see the GX log above)")
    return suite


@lru_cache(maxsize=16)
def _batch_definition(dataset: str) -> Any:
    """One whole-dataframe batch definition per dataset, made once and reused by every validation
    (updating a data source rewrites the context's configuration: ~80 ms a call)."""
    source = context().data_sources.add_or_update_pandas(f"newsflow-{dataset}")
    try:
        asset = source.get_asset(dataset)
    except LookupError:
        asset = source.add_dataframe_asset(name=dataset)
    try:
        return asset.get_batch_definition("all")
    except KeyError:
        return asset.add_batch_definition_whole_dataframe("all")


_PER_ROW_KEYS = ("unexpected_index_list", "unexpected_list", "unexpected_index_query", "partial_unexpected_index_list")
RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    # The index list is what finds the failing rows; the query string and the value list would
    # only repeat it at a cost proportional to the failures.
    "return_unexpected_index_query": False,
    "exclude_unexpected_values": True,
    "partial_unexpected_count": 20,
}


@dataclass
class SuiteRun:
    """What running a suite over a frame found."""

    suite: str
    rows: int
    failures: dict[int, list[int]] = field(default_factory=dict)  # row -> indices of failed expectations
    expectations: list[dict[str, Any]] = field(default_factory=list)  # the suite document's expectations
    result: dict[str, Any] = field(default_factory=dict)  # GX's validation result, index lists removed
    success: bool = True


def run_suite(dataset: str, doc: Mapping[str, Any], frame: pd.DataFrame, parameters: Mapping[str, Any]) -> SuiteRun:
    """Validate ``frame`` (RangeIndex) with the suite ``doc``; each failing row with the positions
    (in ``doc["expectations"]``) of the expectations it failed."""
    expectations = list(doc["expectations"])
    needed = suite_parameters(doc) - set(parameters)
    if needed:
        raise SuiteError(f"suite {doc.get('name', dataset)}: no value for parameter(s) {sorted(needed)}")
    name = str(doc.get("name") or dataset)
    suite = _gx_suite(name, json.dumps(dict(doc), sort_keys=True))
    from great_expectations.validator.v1_validator import Validator

    with _lock:  # GX's context and its assets are not thread-safe
        # The validator builds the batch once (``Batch.validate`` would build it a second time).
        validator = Validator(_batch_definition(dataset), RESULT_FORMAT, batch_parameters={"dataframe": frame})
        result = validator.validate_expectation_suite(suite, expectation_parameters=dict(parameters))
    run = SuiteRun(suite=name, rows=len(frame), expectations=expectations, success=bool(result.success))
    for res in result.results:
        config: dict[str, Any] = dict(res.expectation_config.to_json_dict()) if res.expectation_config else {}
        meta = config.get("meta")
        at = meta.get(_POSITION) if isinstance(meta, dict) else None
        if not isinstance(at, int) or not 0 <= at < len(expectations):
            raise SuiteError(f"suite {name}: GX returned a result for an expectation not in the suite: {config}")
        problem = _exception(res.exception_info)
        if problem:
            raise SuiteError(
                f"suite {name}: GX could not evaluate {config['type']} ({reason(config)}) on this batch: "
                f"{problem}; check the expectation in expectations/{dataset}.json"
            )
        if res.success:
            continue
        indices = (res.result or {}).get("unexpected_index_list")
        if indices is None:  # a table-level expectation: every row carries the reason
            indices = range(len(frame))
        for idx in indices:
            row = int(idx["index"] if isinstance(idx, dict) else idx)
            run.failures.setdefault(row, []).append(at)
    for res in result.results:  # before serialising: GX converts every list entry one by one
        for key in _PER_ROW_KEYS:
            (res.result or {}).pop(key, None)
    run.result = _trim(result.to_json_dict())
    return run


def _exception(info: Any) -> str | None:
    """The message of an exception GX caught while evaluating an expectation, if any (GX nests the
    information per metric, or not, depending on where it was raised)."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _trim(result: dict[str, Any]) -> dict[str, Any]:
    """A validation result small enough to keep per hour: the per-row lists (up to one entry per
    row) are dropped, counts and the first 20 unexpected values stay."""
    for res in result.get("results", []):
        body = res.get("result") or {}
        for key in _PER_ROW_KEYS:
            body.pop(key, None)
        ((res.get("expectation_config") or {}).get("meta") or {}).pop(_POSITION, None)
    meta = result.get("meta") or {}
    meta.pop("batch_spec", None)
    return result
