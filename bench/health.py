"""Health view cost over weeks of published hours.

Publishes ``--hours`` synthetic hours (``--feeds`` feeds, ~``--pages`` page fetches per feed
and hour) with the pipeline's own ``publish.commit_hour``, then times
``newsflow.health.build_report`` over the whole lookback: cold (empty cache), warm (every hour
cached, as on the second page load) and after one hour is republished. The same-run baseline
reads every partition whole with ``storage.read_partition`` (what a naive view would do) and
computes nothing. Prints times, ratios against the baseline and the peak RSS.

    .venv/bin/python bench/health.py [--hours 672] [--feeds 40] [--pages 5]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsflow import storage
from newsflow.health import build_report
from newsflow.health.load import CACHE
from newsflow.publish import commit_hour

T0 = datetime(2026, 10, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Feed:
    name: str
    enabled: bool = True


def publish_hour(root: Path, hour: datetime, feeds: int, pages: int, salt: int = 0) -> None:
    runs, fetches = [], []
    run_id = f"scheduled__{hour.isoformat()}"
    for f in range(feeds):
        name = f"feed-{f:03d}"
        failed = (f + hour.hour + salt) % 17 == 0
        base = {
            "run_id": run_id,
            "logical_hour": hour,
            "stage": "fetch_feeds",
            "feed": name,
            "url": f"https://news{f}.example/feed.xml",
            "recorded_at": hour + timedelta(minutes=2),
        }
        if failed:
            runs.append({**base, "error_class": "http_503", "error": "Service Unavailable", "seconds": 1.5})
        else:
            runs.append({**base, "counts": json.dumps({"entries": 30, "links": pages}), "seconds": 0.2})
        fetches.append(
            {
                "url": base["url"],
                "feed": name,
                "kind": "feed",
                "status": 503 if failed else 200,
                "seconds": 0.2,
                "run_id": run_id,
                "fetched_at": hour,
                "etag": 'W/"abc"' * 4,
            }
        )
        for p in range(0 if failed else pages):
            fetches.append(
                {
                    "url": f"https://news{f}.example/{hour:%Y/%m/%d/%H}/story-{p}.html",
                    "feed": name,
                    "kind": "page",
                    "status": 200,
                    "seconds": 0.1 + p / 100,
                    "run_id": run_id,
                    "fetched_at": hour,
                    "raw_ref": "sha256:" + "0" * 64,
                    "content_type": "text/html",
                }
            )
    for stage in ("fetch_feeds", "fetch_pages", "extract", "dedup", "validate", "facts", "publish"):
        runs.append(
            {
                "run_id": run_id,
                "logical_hour": hour,
                "stage": stage,
                "seconds": 1.0,
                "counts": json.dumps({"articles": feeds * pages, "facts": 40 * feeds, "url_duplicates": 3}),
            }
        )
    tables = {"runs": storage.to_table("runs", runs), "fetches": storage.to_table("fetches", fetches)}
    commit_hour(root, hour, tables, run_id)


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=int, default=672)
    parser.add_argument("--feeds", type=int, default=40)
    parser.add_argument("--pages", type=int, default=5)
    args = parser.parse_args()
    feeds = [Feed(f"feed-{f:03d}") for f in range(args.feeds)]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        hours = [T0 + timedelta(hours=i) for i in range(args.hours)]
        for hour in hours:
            publish_hour(root, hour, args.feeds, args.pages)
        now = hours[-1] + timedelta(minutes=30)

        def baseline():
            return sum(storage.read_partition(root, d, h).num_rows for h in hours for d in ("runs", "fetches"))

        def report():
            return build_report(root, feeds, now, hours=24, lookback_hours=args.hours)

        t_base, rows = timed(baseline)
        CACHE.clear()
        t_cold, rep = timed(report)
        t_warm, _ = timed(report)
        publish_hour(root, hours[-1], args.feeds, args.pages, salt=1)  # a rerun of the newest hour
        t_rerun, _ = timed(report)
        assert len(rep.feeds) == args.feeds and rep.published_hours == args.hours  # type: ignore[attr-defined]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"hours {args.hours}, feeds {args.feeds}, rows read by the baseline {rows}")
    print(f"baseline (read every partition whole, no computation) {t_base:7.3f} s")
    print(f"health report, cold cache                              {t_cold:7.3f} s  ratio {t_cold / t_base:5.2f}")
    print(f"health report, warm cache (next page load)             {t_warm:7.3f} s  ratio {t_warm / t_base:5.2f}")
    print(f"health report after one hour was republished           {t_rerun:7.3f} s  ratio {t_rerun / t_base:5.2f}")
    print(f"peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
