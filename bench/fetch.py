"""Benchmark: one polite feeds cycle over many slow hosts, then a cycle where nothing changed.

The newsroom serves ``--feeds`` generated feeds (``--items`` entries each) spread over ``--hosts``
loopback addresses (127.0.0.1, 127.0.0.2, …), each answering after ``--latency-ms`` ±
``--jitter-ms``; the fetcher keeps ``--delay`` seconds between request starts on a host. The
newsroom runs in a child process, so the peak RSS printed is the fetcher's alone.

Printed:
- cycle 1 wall time (plan, fetch with robots.txt, parse every feed, record state) against the
  ideal the limits allow: the busiest host's requests back to back at exactly the delay (or the
  global concurrency limit, whichever is slower) — target ratio <= 1.5;
- peak RSS — target < 300 MB;
- cycle 2 (the next hour, nothing published meanwhile): bytes received against cycle 1's — target < 5 %
  (conditional GETs answered 304, robots.txt from the cache).

    .venv/bin/python bench/fetch.py              # the issue's figures: 50 hosts, 500 feeds x 20 entries
    .venv/bin/python bench/fetch.py --quick      # 10 hosts, 50 feeds, for development
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "pipeline"))

from newsflow.fetch import FetchResult, FetchSettings, HttpFetcher  # noqa: E402
from newsflow.fetch.planning import plan_feeds, publish_rate  # noqa: E402
from newsflow.fetch.records import fetch_row  # noqa: E402
from newsflow.fetch.state import FetchState  # noqa: E402
from newsflow.raw import RawStore  # noqa: E402
from newsflow.sources.parse import parse_feed  # noqa: E402
from newsflow.sources.registry import FeedSpec  # noqa: E402

HOUR = datetime(2026, 11, 25, 10, tzinfo=UTC)


def serve(hosts: int, latency_ms: int, jitter_ms: int, ready: Any, stop: Any) -> None:
    """Child process: the newsroom on ``hosts`` loopback addresses until ``stop`` is set."""
    from newsflow.newsroom.lab import start_hosts, stop_hosts

    servers = start_hosts(hosts, clock=HOUR, latency_ms=latency_ms, latency_jitter_ms=jitter_ms, keep_log=False)
    for server in servers:
        server.state.robots = "User-agent: *\nDisallow: /private/\n"
    ready.put([s.base_url for s in servers])
    stop.wait()
    stop_hosts(servers)


def feeds_for(bases: list[str], count: int, items: int) -> list[FeedSpec]:
    # One item every 10 minutes: 144 a day, so adaptive polling keeps every feed hourly.
    return [
        FeedSpec(f"feed-{i}", f"{bases[i % len(bases)]}/gen/feed-{i}.xml?items={items}&every=10", "bench")
        for i in range(count)
    ]


def run_cycle(
    fetcher: HttpFetcher, state: FetchState, feeds: list[FeedSpec], hour: datetime, settings: FetchSettings
) -> dict[str, Any]:
    """One feeds cycle as the conveyor runs it: plan from state, fetch (parsing as results arrive), record."""
    started = time.monotonic()
    prior = state.states([f.url for f in feeds], before=hour)
    plans = [p for p in plan_feeds(feeds, prior, hour, settings) if p.due]
    parsed: dict[str, tuple[int, float | None]] = {}
    lock = threading.Lock()

    def parse(result: FetchResult) -> None:
        if result.ok:
            doc = parse_feed(
                result.read_body(), result.final_url or result.url, result.content_type, settings.max_items
            )
            rate = publish_rate(e.published for e in doc.entries)
            with lock:
                parsed[result.url] = (len(doc.entries), rate)

    results = fetcher.fetch_many([p.request for p in plans], progress=parse)
    robots = fetcher.take_robots_fetches()
    rows = []
    for plan, res in zip(plans, results, strict=True):
        entries, rate = parsed.get(res.url, (None, None))
        rows.append(
            fetch_row(
                res, kind="feed", feed=plan.name, raw_ref=res.raw_ref, run_id="bench", items=entries, items_per_day=rate
            )
        )
    rows += [fetch_row(r, kind="robots", feed=None, raw_ref=r.raw_ref, run_id="bench") for r in robots]
    state.record_hour(hour, rows)
    return {
        "seconds": time.monotonic() - started,
        "due": len(plans),
        "statuses": Counter(r.status if r.error_class is None else r.error_class for r in results),
        "entries": sum(n for n, _ in parsed.values()),
        "bytes": sum(r.wire_bytes for r in [*results, *robots]),
        "robots": len(robots),
    }


def ideal_seconds(feeds: list[FeedSpec], settings: FetchSettings, latency: float, robots: bool) -> float:
    """The fastest the limits allow: each host's requests exactly ``host_delay`` apart, the last one
    answered after the latency; or the global limit (all requests, ``concurrency`` at a time)."""
    per_host = Counter(f.url.split("/gen/")[0] for f in feeds)
    busiest = max(per_host.values()) + (1 if robots else 0)
    host_bound = (busiest - 1) * settings.host_delay + latency
    total = sum(per_host.values()) + (len(per_host) if robots else 0)
    global_bound = total * latency / settings.concurrency
    return max(host_bound, global_bound)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--jitter-ms", type=int, default=50)
    parser.add_argument("--delay", type=float, default=1.0, help="per-host delay between request starts, seconds")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--quick", action="store_true", help="10 hosts, 50 feeds")
    args = parser.parse_args(argv)
    if args.quick:
        args.hosts, args.feeds = 10, 50

    ctx = mp.get_context("spawn")
    ready, stop = ctx.Queue(), ctx.Event()
    child = ctx.Process(target=serve, args=(args.hosts, args.latency_ms, args.jitter_ms, ready, stop), daemon=True)
    child.start()
    try:
        bases = ready.get(timeout=120)
        settings = FetchSettings(
            allow_networks=("127.0.0.0/8",),
            host_delay=args.delay,
            per_host_concurrency=1,
            concurrency=args.concurrency,
            retries=1,
        )
        feeds = feeds_for(bases, args.feeds, args.items)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        with tempfile.TemporaryDirectory(prefix="bench-fetch-") as tmp:
            data = Path(tmp)
            with (
                FetchState(data / "state" / "fetch.sqlite", settings) as state,
                HttpFetcher(settings, raw=RawStore(data / "raw"), robots=state.robots_cache()) as fetcher,
            ):
                first = run_cycle(fetcher, state, feeds, HOUR, settings)
                second = run_cycle(fetcher, state, feeds, HOUR + timedelta(hours=1), settings)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        stop.set()
        child.join(10)

    latency = args.latency_ms / 1000
    ideal1 = ideal_seconds(feeds, settings, latency, robots=True)
    ideal2 = ideal_seconds(feeds, settings, latency, robots=False)
    ratio1 = first["seconds"] / ideal1
    share = second["bytes"] / first["bytes"] if first["bytes"] else float("nan")
    print(
        f"{args.feeds} feeds x {args.items} entries on {args.hosts} hosts; "
        f"latency {args.latency_ms}±{args.jitter_ms} ms; {args.delay:g} s per host; {args.concurrency} in flight"
    )
    print(
        f"cycle 1: {first['seconds']:.2f} s for {first['due']} feeds + {first['robots']} robots.txt "
        f"({dict(first['statuses'])}, {first['entries']} entries parsed), {first['bytes'] / 1e6:.2f} MB received"
    )
    print(f"         ideal the limits allow {ideal1:.2f} s -> ratio {ratio1:.2f} (target <= 1.5)")
    print(
        f"cycle 2: {second['seconds']:.2f} s for {second['due']} feeds ({dict(second['statuses'])}), "
        f"{second['bytes'] / 1e3:.1f} kB received = {share:.1%} of cycle 1 (target < 5%); "
        f"ideal {ideal2:.2f} s -> ratio {second['seconds'] / ideal2:.2f}"
    )
    print(f"peak RSS: {peak:.0f} MiB (process start {rss_before:.0f} MiB; target < 300 MB)")
    ok = ratio1 <= 1.5 and peak * 1.048576 < 300 and share < 0.05
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
