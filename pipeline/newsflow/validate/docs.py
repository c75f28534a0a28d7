"""The Data Docs site: every hour's validation of every suite, as static HTML under the data root.

``<data_root>/data_docs/index.html`` (the page the News health plugin links to) is a plain table,
with no script and nothing fetched from the internet: per hour and suite, the rows validated and
quarantined, and how many rows failed each expectation, linking to Great Expectations' own page for
that validation (every expectation with its result, unexpected count and up to 20 values; GX's
pages fetch their styling from public CDNs, and read fine without it). GX's own index is not
built: it reads every stored result on each build, and needs those scripts to show anything.

GX builds the site from its validation-results store. Ours is a filesystem store under
``<data_root>/_validation/results/`` behind an ephemeral context (no GX project on disk), holding
each hour's *trimmed* results (counts and sample values, no per-row lists), so each run renders
only its own pages and the index. A rerun of an hour replaces that hour's results; hours older than
``keep_days`` are pruned. One build at a time per data root (a file lock).
"""

from __future__ import annotations

import fcntl
import html
import json
import logging
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from newsflow import storage
from newsflow.publish import hour_key, parse_hour_key
from newsflow.validate.suites import import_gx, load_suite
from newsflow.validate.tables import SuiteResult

log = logging.getLogger("newsflow")

SITE_DIR = "data_docs"
STORE_DIR = Path("_validation") / "results"
SUMMARY_DIR = Path("_validation") / "summary"
SITE_NAME = "newsflow"


def site_index(data_root: Path) -> Path:
    return Path(data_root) / SITE_DIR / "index.html"


@contextmanager
def _locked(data_root: Path) -> Iterator[None]:
    lock = Path(data_root) / STORE_DIR.parent / ".lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@lru_cache(maxsize=4)
def _docs_context(data_root: str) -> Any:
    """An ephemeral GX context whose validation results live on disk and whose site is ours."""
    gx = import_gx()
    from great_expectations.data_context.types.base import DataContextConfig, InMemoryStoreBackendDefaults

    root = Path(data_root)
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites={
            SITE_NAME: {
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(root / SITE_DIR)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    config.stores[config.validation_results_store_name]["store_backend"] = {
        "class_name": "TupleFilesystemStoreBackend",
        "base_directory": str(root / STORE_DIR),
    }
    ctx = gx.get_context(mode="ephemeral", project_config=config)
    ctx.variables.progress_bars = {"globally": False, "metric_calculations": False}
    return ctx


def build_data_docs(
    data_root: Path,
    results: Sequence[SuiteResult],
    *,
    logical_hour: datetime | None = None,
    suites_dir: Path | None = None,
    keep_days: int = 14,
) -> Path:
    """Store this run's validation ``results`` (replacing earlier results of the same hour and suite)
    and rebuild the site's index and this run's pages; returns ``<data_root>/data_docs/index.html``.

    ``logical_hour`` names the results (the index lists hours); without it they are named by run
    id. ``suites_dir`` adds a page per suite showing its expectations."""
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResultSchema
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    data_root = Path(data_root)
    with _locked(data_root):
        ctx = _docs_context(str(data_root.resolve()))
        identifiers: list[Any] = []
        for result in results:
            run_name = hour_key(logical_hour) if logical_hour else result.run_id
            run_time = logical_hour.astimezone(UTC) if logical_hour else datetime.now(UTC)
            _forget(data_root, result.suite, run_name)
            key = ValidationResultIdentifier(
                expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite),
                run_id=RunIdentifier(run_name=run_name, run_time=run_time),
                batch_identifier=_safe(result.run_id),
            )
            _write_summary(data_root, result, run_name)
            if not result.gx_result:
                continue  # an empty batch: GX did not run, the summary says 0 rows
            gx_result = ExpectationSuiteValidationResultSchema().load(_with_run(result, run_name, run_time))
            ctx.validation_results_store.set(key, gx_result)
            identifiers.append(key)
        if suites_dir is not None:
            identifiers.extend(_add_suites(ctx, Path(suites_dir), {r.dataset for r in results}))
        if logical_hour is not None:
            _prune(data_root, logical_hour - timedelta(days=keep_days))
        # Only this run's pages: GX's own index reads every stored result (seconds after a few days).
        ctx.build_data_docs(site_names=[SITE_NAME], resource_identifiers=identifiers, build_index=False)
        storage.atomic_write_bytes(data_root / SITE_DIR / "index.html", render_index(data_root).encode("utf-8"))
    index = site_index(data_root)
    log.info("data docs: %s (%d result(s) added)", index, len(results))
    return index


def _with_run(result: SuiteResult, run_name: str, run_time: datetime) -> dict[str, Any]:
    doc = dict(result.gx_result)
    doc["suite_name"] = result.suite
    meta = dict(doc.get("meta") or {})
    meta.update(
        {
            "run_id": {"run_name": run_name, "run_time": run_time.isoformat()},
            "newsflow_run_id": result.run_id,
            "rows": result.rows,
            "quarantined": result.quarantined,
            "failed": result.failed,
        }
    )
    doc["meta"] = meta
    return doc


def _write_summary(data_root: Path, result: SuiteResult, run_name: str) -> None:
    """A small JSON per suite and hour that the index is rendered from (GX's results are larger)."""
    expectations = []
    for res in (result.gx_result or {}).get("results", []):
        config = res.get("expectation_config") or {}
        body = res.get("result") or {}
        kwargs = {k: v for k, v in (config.get("kwargs") or {}).items() if k not in ("batch_id", "value_set")}
        expectations.append(
            {
                "reason": (config.get("meta") or {}).get("reason") or config.get("type"),
                "type": config.get("type"),
                "kwargs": kwargs,
                "success": bool(res.get("success")),
                "unexpected_count": body.get("unexpected_count"),
                "unexpected_percent": body.get("unexpected_percent"),
            }
        )
    summary = {
        "dataset": result.dataset,
        "suite": result.suite,
        "hour": run_name,
        "run_id": result.run_id,
        "rows": result.rows,
        "quarantined": result.quarantined,
        "success": result.success,
        "seconds": result.seconds,
        "failed": result.failed,
        "expectations": expectations,
    }
    path = data_root / SUMMARY_DIR / _safe(result.suite) / f"{_safe(run_name)}.json"
    storage.atomic_write_bytes(path, json.dumps(summary, indent=1, default=str).encode("utf-8"))


def _summaries(data_root: Path) -> list[dict[str, Any]]:
    out = []
    for path in sorted((data_root / SUMMARY_DIR).glob("*/*.json")):
        try:
            out.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return sorted(out, key=lambda s: (str(s.get("hour")), str(s.get("suite"))), reverse=True)


def _page(data_root: Path, suite: str, run_name: str) -> str | None:
    """The GX page of one validation, relative to the site."""
    site = data_root / SITE_DIR
    pages = sorted((site / "validations" / suite / run_name).glob("*/*.html"))
    return pages[-1].relative_to(site).as_posix() if pages else None


def render_index(data_root: Path) -> str:
    """The site's index: per hour and suite, rows, quarantined rows, and rows failed per reason."""
    data_root = Path(data_root)
    e = html.escape
    rows = []
    for s in _summaries(data_root):
        failed = s.get("failed") or {}
        reasons = ", ".join(f"{e(str(k))}: {v}" for k, v in sorted(failed.items(), key=lambda kv: -int(kv[1])))
        page = _page(data_root, str(s.get("suite")), str(s.get("hour")))
        link = f'<a href="{e(page)}">details</a>' if page else ""
        status = "ok" if not failed else "rows quarantined"
        rows.append(
            f"<tr class={'ok' if not failed else 'bad'}><td>{e(str(s.get('hour')))}</td>"
            f"<td>{e(str(s.get('suite')))}</td>"
            f"<td class=n>{s.get('rows')}</td><td class=n>{s.get('quarantined')}</td><td>{status}</td>"
            f"<td>{reasons}</td><td>{e(str(s.get('run_id')))}</td><td>{link}</td></tr>"
        )
    suites = _suite_tables(_summaries(data_root))
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>newsflow Data Docs</title>
<style>
body{{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}} table{{border-collapse:collapse;margin-bottom:2rem}}
td,th{{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}} th{{background:#f3f3f3}}
td.n{{text-align:right}} tr.bad td{{background:#fff4f0}} code{{font-size:.9em}}
</style></head><body>
<h1>newsflow Data Docs</h1>
<p>Every hour's validation of each Great Expectations suite (<code>expectations/*.json</code>). Rows that fail
an expectation are in the <code>quarantine</code> dataset with these reasons, never in <code>articles</code> or
<code>facts</code>. Generated {e(generated)}. The <em>details</em> pages are Great Expectations' own (their
styling loads from public CDNs).</p>
<h2>Validations by hour</h2>
<table><tr><th>hour</th><th>suite</th><th>rows</th><th>quarantined</th><th>status</th>
<th>rows failed, by reason</th><th>run</th><th></th></tr>
{"".join(rows) or "<tr><td colspan=8>no validations yet</td></tr>"}
</table>
{suites}
</body></html>
"""


def _suite_tables(summaries: list[dict[str, Any]]) -> str:
    """Per suite, its expectations as of the latest validation, with failures per hour."""
    e = html.escape
    by_suite: dict[str, list[dict[str, Any]]] = {}
    for s in summaries:
        by_suite.setdefault(str(s.get("suite")), []).append(s)
    parts = []
    for suite, runs in sorted(by_suite.items()):
        latest = runs[0]
        hours = [r for r in runs if r.get("expectations")][:24]
        head = "".join(f"<th>{e(str(r.get('hour'))[5:])}</th>" for r in hours)
        lines = []
        for i, exp in enumerate(latest.get("expectations") or []):
            cells = []
            for r in hours:
                exps = r.get("expectations") or []
                count = exps[i].get("unexpected_count") if i < len(exps) else None
                cells.append(f"<td class=n>{count or ''}</td>")
            lines.append(
                f"<tr><td>{e(str(exp.get('reason')))}</td><td><code>{e(str(exp.get('type')))}</code></td>"
                f"<td><code>{e(json.dumps(exp.get('kwargs'), ensure_ascii=False))}</code></td>{''.join(cells)}</tr>"
            )
        parts.append(
            f"<h2>Suite {e(suite)}: rows failing each expectation, last {len(hours)} hour(s)</h2>"
            f"<table><tr><th>reason</th><th>expectation</th><th>arguments</th>{head}</tr>{''.join(lines)}</table>"
        )
    return "".join(parts)


def _add_suites(ctx: Any, suites_dir: Path, datasets: set[str]) -> list[Any]:
    gx = import_gx()
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    out = []
    for dataset in sorted(datasets):
        doc = load_suite(suites_dir, dataset)
        name = str(doc.get("name") or dataset)
        suite = gx.ExpectationSuite(name=name, expectations=doc["expectations"], meta=doc.get("meta") or {})
        ctx.suites.add_or_update(suite)
        out.append(ExpectationSuiteIdentifier(name=name))
    return out


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "_.-" else "_" for c in text)[:120] or "run"


def _forget(data_root: Path, suite: str, run_name: str) -> None:
    """Drop stored results and rendered pages of one suite and hour (a rerun replaces them)."""
    shutil.rmtree(data_root / STORE_DIR / suite / run_name, ignore_errors=True)
    shutil.rmtree(data_root / SITE_DIR / "validations" / suite / run_name, ignore_errors=True)
    (data_root / SUMMARY_DIR / _safe(suite) / f"{_safe(run_name)}.json").unlink(missing_ok=True)


def _prune(data_root: Path, before: datetime) -> None:
    """Drop results and pages of hours older than ``before``."""
    store = data_root / STORE_DIR
    for suite_dir in store.iterdir() if store.is_dir() else []:
        for run_dir in suite_dir.iterdir() if suite_dir.is_dir() else []:
            try:
                hour = parse_hour_key(run_dir.name)
            except ValueError:
                continue  # named by run id: kept
            if hour < before:
                _forget(data_root, suite_dir.name, run_dir.name)
