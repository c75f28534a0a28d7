"""Extraction quality and speed on the article-extraction benchmark (181 real pages).

Scores ``newsflow.extract.extract_html`` and, as the same-run baseline, bare ``trafilatura.extract``
with its defaults, using the benchmark's own metric (4-token shingles over ``\\w+`` tokens,
multiset overlaps normalised per page; precision averaged over pages that predicted something,
recall over pages with a truth, F1 from the two means). Prints F1 for both, their ratio, the
time ratio, and the peak RSS.

    .venv/bin/python bench/extract.py [--corpus ../shared/corpora/article-extraction-benchmark] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import resource
import time
from collections import Counter
from pathlib import Path

import trafilatura

from newsflow.extract import extract_html

ROOT = Path(__file__).resolve().parents[1]


def shingles(text: str, n: int = 4) -> Counter:
    tokens = re.findall(r"\w+", text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(0, len(tokens) - n + 1)))


def page_scores(truth: str, pred: str) -> tuple[float, float, float]:
    t, p = shingles(truth), shingles(pred)
    tp = sum((t & p).values())
    fp = sum(p.values()) - tp
    fn = sum(t.values()) - tp
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def score(truths: dict[str, str], preds: dict[str, str]) -> dict[str, float]:
    precisions, recalls = [], []
    for key, truth in truths.items():
        pred = preds.get(key, "")
        tp, fp, fn = page_scores(truth, pred)
        if shingles(pred):
            precisions.append(tp / (tp + fp) if tp + fp else 0.0)
        if shingles(truth):
            recalls.append(tp / (tp + fn) if tp + fn else 0.0)
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "article-extraction-benchmark"))
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    corpus = Path(args.corpus)
    truth_doc = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth_doc)[: args.limit or None]
    pages = {
        k: gzip.decompress((corpus / "html" / f"{k}.html.gz").read_bytes()).decode("utf-8", "replace") for k in keys
    }
    truths = {k: truth_doc[k].get("articleBody") or "" for k in keys}

    started = time.perf_counter()
    baseline = {k: trafilatura.extract(html) or "" for k, html in pages.items()}
    baseline_s = time.perf_counter() - started

    started = time.perf_counter()
    ours = {k: extract_html(html, truth_doc[k].get("url")).body for k, html in pages.items()}
    ours_s = time.perf_counter() - started

    b, o = score(truths, baseline), score(truths, ours)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pages: {len(keys)}")
    print(
        f"baseline trafilatura.extract(): P {b['precision']:.3f} R {b['recall']:.3f} F1 {b['f1']:.3f} "
        f"({baseline_s / len(keys) * 1000:.1f} ms/page)"
    )
    print(
        f"newsflow extract_html():        P {o['precision']:.3f} R {o['recall']:.3f} F1 {o['f1']:.3f} "
        f"({ours_s / len(keys) * 1000:.1f} ms/page)"
    )
    print(
        f"F1 ratio (ours/baseline): {o['f1'] / b['f1']:.3f}   time ratio: {ours_s / baseline_s:.2f}   "
        f"peak RSS: {peak:.0f} MiB"
    )


if __name__ == "__main__":
    main()
