"""Many pages at once, in a process pool sized to the machine's cores.

Extraction is CPU-bound pure Python and lxml, so threads would share one core; processes do not.
Workers come from a ``forkserver`` that has already imported this package (and loads the language
model on first use), so starting one costs a fork, not an import, and no worker inherits the
threads or sockets of the process that called us (an Airflow task, an HTTP client).

Order is preserved. One page raising becomes an :class:`Extracted` with ``error`` set for that page
only; a worker dying outright (a crash in a C extension) breaks the pool, and the pages it had not
returned are retried one at a time, each in a worker of its own, so only the culprit gets an error.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from newsflow.extract.core import extract_html
from newsflow.extract.model import Extracted, ExtractRequest

WORKERS_ENV = "NEWSFLOW_EXTRACT_WORKERS"
SERIAL_BELOW = 4  # fewer pages than this are not worth starting workers for


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


def _chunk(requests: Sequence[ExtractRequest]) -> list[Extracted]:
    return [_one(r) for r in requests]


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["newsflow.extract"])
        return ctx
    return multiprocessing.get_context("spawn")


def _run_pool(requests: Sequence[ExtractRequest], workers: int, chunk_size: int) -> list[Extracted | None]:
    results: list[Extracted | None] = [None] * len(requests)
    chunks = [range(i, min(i + chunk_size, len(requests))) for i in range(0, len(requests), chunk_size)]
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
            futures: list[tuple[range, Future[list[Extracted]]]] = [
                (span, pool.submit(_chunk, [requests[i] for i in span])) for span in chunks
            ]
            for span, future in futures:
                try:
                    for i, extracted in zip(span, future.result(), strict=True):
                        results[i] = extracted
                except BrokenProcessPool:
                    break
    except BrokenProcessPool:
        pass
    return results


def extract_many(
    items: Iterable[ExtractRequest],
    workers: int | None = None,
) -> list[Extracted]:
    """Extract every page, in order; ``workers`` defaults to the settings (one process per core)."""
    requests = list(items)
    if workers is None or workers <= 0:
        workers = ExtractSettings.from_env().workers or available_cores()
    workers = min(workers, len(requests))
    if workers <= 1 or len(requests) < SERIAL_BELOW:
        return _chunk(requests)
    chunk_size = max(1, min(16, len(requests) // (workers * 4)))
    results = _run_pool(requests, workers, chunk_size)
    for i, extracted in enumerate(results):
        if extracted is None:
            results[i] = _isolated(requests[i])
    return [r if r is not None else Extracted(error="WorkerCrashed") for r in results]


def _isolated(request: ExtractRequest) -> Extracted:
    """One page in a worker of its own: the retry after a worker died."""
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=_context()) as pool:
            return pool.submit(_one, request).result()
    except BrokenProcessPool:
        return Extracted(url=request.url, error="WorkerCrashed: extracting this page killed its worker process")
