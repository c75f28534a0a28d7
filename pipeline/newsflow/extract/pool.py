"""Many pages at once, in a process pool sized to the machine's cores.

Extraction is CPU-bound Python and lxml, so threads would share one core; processes do not.

How workers start: from a single-threaded caller (the CLI, a benchmark, a Celery worker's task) they
are forked directly, inheriting the already imported modules and the language model, which the
caller loads first. Forking a process that runs other threads can deadlock the child on a lock one
of those threads held (logging, an HTTP client's pool), so from a multi-threaded caller (an Airflow
task supervisor, a server) workers come from a ``forkserver`` that imports :mod:`.worker` (modules
and model) once and forks clean workers from itself.

Order is preserved. One page raising becomes an :class:`Extracted` with ``error`` set for that page
only. A worker dying outright (a crash in a C extension, the OOM killer) breaks the pool; the pages
it had not returned are retried one at a time, each in a worker of its own, so only the culprit gets
an error (after :data:`MAX_ISOLATED_RETRIES` such retries the rest are given up as errors too).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import resource
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from newsflow.extract.core import extract_html
from newsflow.extract.language import load_model
from newsflow.extract.model import Extracted, ExtractRequest

WORKERS_ENV = "NEWSFLOW_EXTRACT_WORKERS"
SERIAL_BELOW = 4  # fewer pages than this are not worth starting workers for
MAX_CHUNK = 16
MAX_ISOLATED_RETRIES = 16


@dataclass(frozen=True)
class ExtractSettings:
    """Settings of :func:`extract_many`.

    ``workers``: processes (0 = one per available core); env ``NEWSFLOW_EXTRACT_WORKERS``.
    """

    workers: int = 0

    @classmethod
    def from_env(cls) -> ExtractSettings:
        raw = os.environ.get(WORKERS_ENV, "").strip()
        return cls(workers=int(raw)) if raw.isdigit() else cls()


@dataclass
class PoolStats:
    """What a call of :func:`extract_many` used: for the runs dataset (``peak_rss``) and for benchmarks."""

    workers: int = 0
    start_method: str | None = None
    worker_peak_rss_bytes: int = 0  # the largest worker's peak resident set
    crashed_workers: int = 0


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _one(request: ExtractRequest) -> Extracted:
    try:
        return extract_html(request.html, request.url, hints=request.hints, now=request.now)
    except Exception as exc:  # noqa: BLE001 - one bad page is an error result, never the end of the batch
        return Extracted(url=request.url, error=f"{type(exc).__name__}: {exc}"[:500])


def _chunk(requests: Sequence[ExtractRequest]) -> tuple[list[Extracted], int]:
    """Extract a chunk in a worker; also report the worker's peak RSS (bytes)."""
    results = [_one(r) for r in requests]
    return results, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        load_model()  # loaded once here, shared copy-on-write by every forked worker
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["newsflow.extract.worker"])
        return ctx
    return multiprocessing.get_context("spawn")


def _run_pool(
    requests: Sequence[ExtractRequest], workers: int, chunk_size: int, stats: PoolStats
) -> list[Extracted | None]:
    results: list[Extracted | None] = [None] * len(requests)
    spans = [range(i, min(i + chunk_size, len(requests))) for i in range(0, len(requests), chunk_size)]
    ctx = _context()
    stats.start_method = ctx.get_start_method()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            # Forked workers would otherwise copy most of the parent's heap page by page the first
            # time their garbage collector walks it; frozen objects are never walked.
            gc.freeze()
            try:
                futures: list[tuple[range, Future[tuple[list[Extracted], int]]]] = [
                    (span, pool.submit(_chunk, [requests[i] for i in span])) for span in spans
                ]
            finally:
                gc.unfreeze()
            for span, future in futures:
                try:
                    extracted, rss = future.result()
                except BrokenProcessPool:
                    stats.crashed_workers += 1
                    break
                stats.worker_peak_rss_bytes = max(stats.worker_peak_rss_bytes, rss)
                for i, one in zip(span, extracted, strict=True):
                    results[i] = one
    except BrokenProcessPool:
        stats.crashed_workers += 1
    return results


def _isolated(request: ExtractRequest, stats: PoolStats) -> Extracted:
    """One page in a worker of its own: the retry after a worker died."""
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=_context()) as pool:
            extracted, rss = pool.submit(_chunk, [request]).result()
            stats.worker_peak_rss_bytes = max(stats.worker_peak_rss_bytes, rss)
            return extracted[0]
    except BrokenProcessPool:
        stats.crashed_workers += 1
        return Extracted(url=request.url, error="WorkerCrashed: extracting this page killed its worker process")


def extract_many(
    items: Iterable[ExtractRequest],
    workers: int | None = None,
    stats: PoolStats | None = None,
) -> list[Extracted]:
    """Extract every page, in order; ``workers`` defaults to the settings (one process per core).

    Never raises for a page: a page's failure is its result's ``error``.
    """
    requests = list(items)
    stats = stats if stats is not None else PoolStats()
    if workers is None or workers <= 0:
        workers = ExtractSettings.from_env().workers or available_cores()
    workers = min(workers, len(requests))
    if multiprocessing.current_process().daemon:
        workers = 1  # a Celery prefork worker's task is daemonic: it may not start processes of its own
    stats.workers = max(1, workers)
    if workers <= 1 or len(requests) < SERIAL_BELOW:
        stats.start_method = None
        return [_one(r) for r in requests]
    chunk_size = max(1, min(MAX_CHUNK, len(requests) // (workers * 4)))
    results = _run_pool(requests, workers, chunk_size, stats)
    retries = 0
    for i, extracted in enumerate(results):
        if extracted is None:
            if retries < MAX_ISOLATED_RETRIES:
                retries += 1
                results[i] = _isolated(requests[i], stats)
            else:
                results[i] = Extracted(url=requests[i].url, error="WorkerCrashed: not retried (too many crashes)")
    return [r if r is not None else Extracted(error="WorkerCrashed") for r in results]
