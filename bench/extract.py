"""Extraction quality, speed and memory on the article-extraction benchmark (181 real pages).

Quality is scored with the benchmark's own metric (4-token shingles over ``\\w+`` tokens, multiset
overlaps normalised per page; precision averaged over pages that predicted something, recall over
pages with a truth, F1 from the two means), for ``newsflow.extract.extract_html`` and, in the same
run, bare ``trafilatura.extract()`` with its defaults, with ``favor_precision=True``, and with
``include_comments=False, favor_precision=True``.

The pages are split ONCE by page id: a page is in the *tune* half when the last byte of
sha256(file name) is even, else in the *held-out* half. Rules and thresholds were studied on the
tune half only; the held-out half is only ever scored as a whole, here. Both halves and the total
are printed.

Speed: every page is extracted by bare ``trafilatura.extract()`` and by ours, interleaved page by
page, ``--repeat`` times, keeping each one's fastest run (load on a shared machine only adds time);
the ratio of the summed times is the per-page time ratio (target <= 1.25). Then ``extract_many``
with a pool of all cores against the same pages one by one in this process (target >= 1.7x on 2
cores; pool start-up included). Peak RSS of this process and of the pool's workers. On a shared
machine, re-measure on a quiet one before quoting.

    PYTHONPATH=pipeline python bench/extract.py [--corpus DIR] [--half tune|heldout|all] [--no-pool]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import resource
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import trafilatura

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "pipeline"))

from newsflow.extract import ExtractRequest, detect_language, extract_html, extract_many  # noqa: E402
from newsflow.extract.pool import available_cores  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "article-extraction-benchmark"
_TOKEN = re.compile(r"\w+")


def half_of(file_name: str) -> str:
    """The page's half, fixed forever by its file name: ``tune`` (even) or ``heldout`` (odd)."""
    return "tune" if hashlib.sha256(file_name.encode("utf-8")).digest()[-1] % 2 == 0 else "heldout"


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(0, len(tokens) - n + 1)))


def score(truths: dict[str, str], preds: dict[str, str], keys: list[str]) -> dict[str, float]:
    precisions, recalls = [], []
    for key in keys:
        t, p = shingles(truths[key]), shingles(preds.get(key, ""))
        tp = sum((t & p).values())
        fp, fn = sum(p.values()) - tp, sum(t.values()) - tp
        if p:
            precisions.append(tp / (tp + fp))
        if t:
            recalls.append(tp / (tp + fn))
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"P": precision, "R": recall, "F1": f1}


def _timed(fn: Callable[[], str]) -> tuple[str, float]:
    started = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--half", choices=["tune", "heldout", "all"], default="all", help="which pages to load")
    parser.add_argument("--no-pool", action="store_true", help="skip the pool measurement")
    parser.add_argument("--no-baselines", action="store_true", help="only ours and bare defaults")
    parser.add_argument("--repeat", type=int, default=3, help="timing runs per page (the fastest counts)")
    args = parser.parse_args()

    corpus = Path(args.corpus)
    truth_doc = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth_doc)
    halves = {k: half_of(f"{k}.html.gz") for k in keys}
    if args.half != "all":
        keys = [k for k in keys if halves[k] == args.half]
    pages = {
        k: gzip.decompress((corpus / "html" / f"{k}.html.gz").read_bytes()).decode("utf-8", "replace") for k in keys
    }
    truths = {k: truth_doc[k].get("articleBody") or "" for k in keys}
    urls = {k: truth_doc[k].get("url") for k in keys}

    detect_language("one-off loads (the language model) stay out of the timings " * 8)
    ours: dict[str, str] = {}
    bare: dict[str, str] = {}
    t_ours: list[float] = []
    t_bare: list[float] = []
    for k in keys:
        # Interleaved, and the fastest of --repeat runs each: load from other users of a shared machine
        # only ever adds time, so the minimum is the closest to the true cost of each.
        best_bare = best_ours = float("inf")
        for _ in range(args.repeat):
            bare[k], dt = _timed(lambda k=k: trafilatura.extract(pages[k]) or "")
            best_bare = min(best_bare, dt)
            ours[k], dt = _timed(lambda k=k: extract_html(pages[k], urls[k]).body)
            best_ours = min(best_ours, dt)
        t_bare.append(best_bare)
        t_ours.append(best_ours)
    systems: dict[str, dict[str, str]] = {"newsflow extract_html()": ours, "trafilatura.extract() defaults": bare}
    if not args.no_baselines:
        systems["trafilatura favor_precision=True"] = {
            k: trafilatura.extract(pages[k], favor_precision=True) or "" for k in keys
        }
        systems["trafilatura no comments + favor_precision"] = {
            k: trafilatura.extract(pages[k], favor_precision=True, include_comments=False) or "" for k in keys
        }

    parts = [
        ("tune", [k for k in keys if halves[k] == "tune"]),
        ("heldout", [k for k in keys if halves[k] == "heldout"]),
    ]
    parts = [(name, ks) for name, ks in parts if ks] + ([("all", keys)] if args.half == "all" else [])
    print(f"pages: {len(keys)} ({', '.join(f'{n} {len(ks)}' for n, ks in parts)}); split: sha256(file name) parity")
    header = f"{'':44}" + "".join(f"{name:>28}" for name, _ in parts)
    print(header)
    scores: dict[str, dict[str, dict[str, float]]] = {}
    for system, preds in systems.items():
        scores[system] = {name: score(truths, preds, ks) for name, ks in parts}
        cells = "".join(f"    P {s['P']:.3f} R {s['R']:.3f} F1 {s['F1']:.3f}" for s in scores[system].values())
        print(f"{system:44}{cells}")
    for name, _ in parts:
        o, b = scores["newsflow extract_html()"][name], scores["trafilatura.extract() defaults"][name]
        print(f"F1 {name}: ours {o['F1']:.4f} vs bare {b['F1']:.4f} ({o['F1'] - b['F1']:+.4f})")

    ratios = [o / b for o, b in zip(t_ours, t_bare, strict=True) if b > 0]
    print(
        f"time: ours {sum(t_ours) / len(keys) * 1000:.1f} ms/page, bare {sum(t_bare) / len(keys) * 1000:.1f} ms/page; "
        f"ratio of totals {sum(t_ours) / sum(t_bare):.2f}x, median per-page ratio {statistics.median(ratios):.2f}x "
        "(target <= 1.25x)"
    )

    if not args.no_pool:
        requests = [ExtractRequest(pages[k], urls[k]) for k in keys]
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.perf_counter()
        serial = [extract_html(r.html, r.url) for r in requests]
        serial_s = time.perf_counter() - started
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        serial_cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
        workers = available_cores()
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        pooled = extract_many(requests, workers=workers)
        pool_s = time.perf_counter() - started
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        pool_cpu = (children_after.ru_utime + children_after.ru_stime) - (
            children_before.ru_utime + children_before.ru_stime
        )
        same = sum(1 for a, b in zip(serial, pooled, strict=True) if a.body == b.body)
        errors = sum(1 for r in pooled if r.error)
        print(
            f"pool: {workers} workers {len(keys) / pool_s:.1f} pages/s vs one process {len(keys) / serial_s:.1f} "
            f"pages/s = {serial_s / pool_s:.2f}x (target >= 1.7x on 2 cores; start-up included); "
            f"identical bodies {same}/{len(keys)}, errors {errors}"
        )
        if pool_cpu > 0:
            # What the pool costs in CPU over doing the same work in one process. On an otherwise idle
            # machine the wall-clock gain is about workers / this overhead (minus the start-up).
            print(
                f"pool CPU: workers used {pool_cpu:.1f} s for what took {serial_cpu:.1f} s in one process "
                f"(overhead {pool_cpu / serial_cpu:.2f}x; ideal speed-up on {workers} idle cores "
                f"~{workers * serial_cpu / pool_cpu:.2f}x)"
            )
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: this process {own:.0f} MiB, largest pool worker {children:.0f} MiB")
    print("note: the machine is shared; re-measure times and the pool ratio on a quiet machine before quoting them")


if __name__ == "__main__":
    main()
