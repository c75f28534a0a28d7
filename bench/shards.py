"""Benchmark: where sharding the fetch stages pays — K worker processes against one.

The DAG maps ``fetch_feeds`` and ``fetch_pages`` over shards of the hour's hosts, so K Celery
task instances fetch side by side, each with its own :class:`~newsflow.fetch.HttpFetcher` and so
its own global cap (``NEWSFLOW_CONCURRENCY`` requests in flight). This runs that shape for real:
K long-lived worker processes (spawned and warmed up before the clock starts, as Celery workers
are), each running the real stage through ``newsflow.cycle.run_stage`` on ``ctx.for_shard(k)``;
``collect_links`` runs once in between (a barrier, as in the DAG).

The workload is the honest case for sharding: many slow publishers (``--hosts`` loopback
newsrooms on 127.0.0.x, each answering after ``--latency-ms`` ± ``--jitter-ms``), paced one
request at a time ``--delay`` seconds apart, so one process is held by its own cap of 16 in
flight while the hosts could take four times that. The newsroom runs in a child process of its
own (``bench/fetch.py``'s ``serve``), so worker RSS is the pipeline's alone.

Printed per K (1 = the baseline, same run): wall seconds of the fetch_feeds phase, of
collect_links, of the fetch_pages phase and in total; the speedup against K=1; pages fetched (the
same set of links and page URLs in every variant, asserted); the ideal the limits allow for K
(per shard: the busiest host's requests ``--delay`` apart, or all its requests ``concurrency`` at a
time, whichever is slower; the slowest shard sets the phase); and the peak RSS of the largest
worker process, and of the K workers together (each imports the whole pipeline).

Once the busiest host's pacing is the bound of every shard (the defaults: 18 pages a host, about
18 s, reached at K=4), more shards add processes and memory but no speed.

    .venv/bin/python bench/shards.py            # 64 hosts x 3 feeds x 6 pages, K = 1, 2, 4 (~2.5 min)
    .venv/bin/python bench/shards.py --quick    # 64 hosts x 1 feed x 1 page (~30 s)
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "pipeline"))
sys.path.insert(0, str(BENCH))

from fetch import HOUR, ideal_seconds, serve  # noqa: E402  (bench/fetch.py: the lab's child process)

from newsflow.fetch import FetchSettings  # noqa: E402
from newsflow.fetch.shards import shard_count, shard_of  # noqa: E402
from newsflow.sources.registry import FeedSpec, load_registry  # noqa: E402

EVERY_MINUTES = 10  # one generated item every 10 minutes: every feed is due hourly


# ---------------------------------------------------------------- worker processes


def worker(k: int, inbox: Any, outbox: Any) -> None:
    """One Celery-like worker: import the pipeline once, then run stage tasks until told to stop.

    Each task is ``(stage name, context reference)``, what Airflow passes a mapped task through XCom;
    the reply carries the task's wall seconds, its counts and this process's peak RSS so far."""
    from newsflow.context import RunContext
    from newsflow.cycle import run_stage, stage

    outbox.put(("ready", k, None))
    while (task := inbox.get()) is not None:
        name, ref = task
        started = time.monotonic()
        try:
            report = run_stage(RunContext.from_ref(ref), stage(name))
            reply: dict[str, Any] = {"counts": report.counts}
        except Exception as exc:  # noqa: BLE001 - the parent reports it and stops the run
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        reply["seconds"] = time.monotonic() - started
        reply["rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        outbox.put(("done", k, reply))


class Workers:
    """K spawned worker processes, each with its own inbox; ``run`` is one phase (a barrier)."""

    def __init__(self, count: int) -> None:
        ctx = mp.get_context("spawn")
        self.outbox = ctx.Queue()
        self.inboxes = [ctx.Queue() for _ in range(count)]
        self.procs = [
            ctx.Process(target=worker, args=(k, q, self.outbox), daemon=True) for k, q in enumerate(self.inboxes)
        ]
        for p in self.procs:
            p.start()
        for _ in self.procs:
            kind, _k, _ = self.outbox.get(timeout=120)
            assert kind == "ready"
        self.rss_mib = [0.0] * count  # each worker's peak RSS (ru_maxrss) so far

    def run(self, tasks: Sequence[tuple[str, dict]], timeout: float) -> tuple[float, list[dict]]:
        """Give task i to worker i, wait for all of them; returns (wall seconds, replies in task order)."""
        started = time.monotonic()
        for inbox, task in zip(self.inboxes, tasks, strict=False):
            inbox.put(task)
        replies: dict[int, dict] = {}
        while len(replies) < len(tasks):
            _, k, reply = self.outbox.get(timeout=timeout)
            replies[k] = reply
        seconds = time.monotonic() - started
        for k, reply in replies.items():
            if "error" in reply:
                raise RuntimeError(f"{tasks[k][0]} on worker {k}: {reply['error']}")
            self.rss_mib[k] = max(self.rss_mib[k], reply["rss_mib"])
        return seconds, [replies[k] for k in range(len(tasks))]

    def close(self) -> None:
        for inbox in self.inboxes:
            inbox.put(None)
        for p in self.procs:
            p.join(10)
            if p.is_alive():
                p.kill()


# ---------------------------------------------------------------- workload


def write_feeds_yaml(path: Path, bases: list[str], feeds_per_host: int, pages_per_feed: int) -> list[FeedSpec]:
    """feeds.yaml with ``feeds_per_host`` generated feeds on every lab host, loopback allowed."""
    feeds = [
        FeedSpec(
            f"h{h}-f{j}",
            f"{base}/gen/h{h}-f{j}.xml?items={pages_per_feed}&every={EVERY_MINUTES}",
            f"host{h}",
        )
        for h, base in enumerate(bases)
        for j in range(feeds_per_host)
    ]
    lines = ["fetch:", "  allow_networks: [127.0.0.0/8]", "feeds:"]
    lines += [f"  - {{name: {f.name}, url: '{f.url}', site: {f.site}}}" for f in feeds]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return feeds


def ideal_for(
    feeds: list[FeedSpec], pages: list[str], shards: int, settings: FetchSettings, latency: float
) -> tuple[float, float]:
    """(feeds phase, pages phase) ideal for ``shards`` processes: each phase ends with its slowest shard.

    Per shard, ``bench/fetch.py``'s bound: the busiest host's requests ``host_delay`` apart (plus
    robots.txt in the feeds phase; the pages phase finds it cached), or the shard's requests
    ``concurrency`` at a time, whichever is slower."""
    page_specs = [FeedSpec(url, url, "page") for url in pages]  # ideal_seconds reads only .url
    feeds_phase = max(
        ideal_seconds(shard_of(feeds, lambda f: f.url, shards, k), settings, latency, robots=True)
        for k in range(shards)
    )
    pages_phase = max(
        ideal_seconds(shard_of(page_specs, lambda f: f.url, shards, k), settings, latency, robots=False)
        for k in range(shards)
    )
    return feeds_phase, pages_phase


def run_variant(shards: int, feeds_file: Path, data_root: Path, phase_timeout: float) -> dict[str, Any]:
    """The hour's fetch stages as K mapped tasks on K workers, against a fresh data root."""
    from newsflow.config import Settings
    from newsflow.context import RunContext

    os.environ["NEWSFLOW_FETCH_SHARDS"] = str(shards)  # what the DAG's plan would read (the workers inherit it)
    settings = Settings.from_env(data_root=data_root, feeds_file=feeds_file)
    ctx = dataclasses.replace(RunContext.create(HOUR, settings, run_id=f"bench-shards-{shards}"), shards=shards)
    hosts = [f.url for f in load_registry(feeds_file).enabled]
    assert shard_count(hosts, FetchSettings.from_env().shards) == shards, "more shards than hosts"
    refs = ctx.shard_refs()
    spawn_started = time.monotonic()
    workers = Workers(shards)
    spawn_s = time.monotonic() - spawn_started
    try:
        feeds_s, feeds_replies = workers.run([("fetch_feeds", r) for r in refs], phase_timeout)
        collect_s, _ = workers.run([("collect_links", ctx.to_ref())], phase_timeout)
        pages_s, pages_replies = workers.run([("fetch_pages", r) for r in refs], phase_timeout)
    finally:
        workers.close()
    pages = ctx.load_shards("pages").to_pylist()
    return {
        "shards": shards,
        "spawn_s": spawn_s,
        "feeds_s": feeds_s,
        "collect_s": collect_s,
        "pages_s": pages_s,
        "total_s": feeds_s + collect_s + pages_s,
        "task_s": [round(r["seconds"], 1) for r in pages_replies],
        "feed_task_s": [round(r["seconds"], 1) for r in feeds_replies],
        "per_shard_pages": [r["counts"].get("pages", 0) for r in pages_replies],
        "links": sorted(ctx.load("links").column("url").to_pylist()),
        "page_urls": sorted(p["url"] for p in pages),
        "statuses": Counter(p["status"] if p["error_class"] is None else p["error_class"] for p in pages),
        "rss_mib": max(workers.rss_mib),
        "rss_sum_mib": sum(workers.rss_mib),
    }


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=64)
    parser.add_argument("--feeds-per-host", type=int, default=3)
    parser.add_argument("--pages-per-feed", type=int, default=6)
    parser.add_argument("--latency-ms", type=int, default=900)
    parser.add_argument("--jitter-ms", type=int, default=100)
    parser.add_argument("--delay", type=float, default=1.0, help="per-host delay between request starts, seconds")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight per worker process")
    parser.add_argument("--shards", default="1,2,4", help="K values; the first is the baseline")
    parser.add_argument("--quick", action="store_true", help="1 feed x 1 page per host (~30 s)")
    args = parser.parse_args(argv)
    if args.quick:
        args.feeds_per_host, args.pages_per_feed = 1, 1
    variants = [int(k) for k in args.shards.split(",")]
    if not 1 <= args.hosts <= 250 or any(k < 1 for k in variants):
        parser.error("--hosts must be 1..250 and every K >= 1")

    # Every worker reads these through Settings.from_env / FetchSettings.from_settings. The
    # per-host limit must be set: config.Settings defaults it to 2 (FetchSettings says 1).
    os.environ.update(
        {
            "NEWSFLOW_CONCURRENCY": str(args.concurrency),
            "NEWSFLOW_PER_HOST_CONCURRENCY": "1",
            "NEWSFLOW_HOST_DELAY": str(args.delay),
            "NEWSFLOW_RETRIES": "1",
        }
    )
    for var in ("NEWSFLOW_DATA", "NEWSFLOW_FEEDS", "NEWSFLOW_ALLOW_NETWORKS"):
        os.environ.pop(var, None)  # loopback only through feeds.yaml's fetch.allow_networks

    latency = args.latency_ms / 1000
    requests_per_host = 1 + args.feeds_per_host * (1 + args.pages_per_feed)
    # Bound every phase: the baseline's whole global-cap time, three times over.
    phase_timeout = 60 + 3 * args.hosts * requests_per_host * latency / args.concurrency

    bench_started = time.monotonic()
    mp_ctx = mp.get_context("spawn")
    ready, stop = mp_ctx.Queue(), mp_ctx.Event()
    lab = mp_ctx.Process(target=serve, args=(args.hosts, args.latency_ms, args.jitter_ms, ready, stop), daemon=True)
    lab.start()
    results = []
    try:
        bases = ready.get(timeout=120)
        assert all(b.startswith("http://127.0.0.") for b in bases), bases  # loopback only
        with tempfile.TemporaryDirectory(prefix="bench-shards-") as tmp:
            feeds_file = Path(tmp) / "feeds.yaml"
            feeds = write_feeds_yaml(feeds_file, bases, args.feeds_per_host, args.pages_per_feed)
            print(f"  lab of {args.hosts} hosts up in {time.monotonic() - bench_started:.1f} s", flush=True)
            for i, k in enumerate(variants):
                results.append(run_variant(k, feeds_file, Path(tmp) / f"data-{i}-k{k}", phase_timeout))
                r = results[-1]
                print(
                    f"  K={k}: workers up in {r['spawn_s']:.1f} s, fetched in {r['total_s']:.1f} s "
                    f"(feeds tasks {r['feed_task_s']} s, pages tasks {r['task_s']} s)",
                    flush=True,
                )
    finally:
        stop.set()
        lab.join(2)
        if lab.is_alive():  # stop_hosts shuts 64 servers down one poll interval at a time (~15 s)
            lab.terminate()
            lab.join(5)

    fetch_settings = FetchSettings.from_env()
    assert fetch_settings.concurrency == args.concurrency and fetch_settings.per_host_concurrency == 1
    base = results[0]
    expected = len(feeds) * args.pages_per_feed
    print(
        f"{args.hosts} hosts x {args.feeds_per_host} feeds x {args.pages_per_feed} pages = {expected} pages; "
        f"latency {args.latency_ms}±{args.jitter_ms} ms; {args.delay:g} s per host, one at a time; "
        f"{args.concurrency} in flight per worker process"
    )
    print(
        f"{'K':>2} {'feeds s':>8} {'links s':>8} {'pages s':>8} {'total s':>8} {'speedup':>8} "
        f"{'ideal s':>8} {'ideal x':>8} {'/ideal':>7} {'pages':>6} {'peak RSS':>9} {'all workers':>11}"
    )
    ideal_base = sum(ideal_for(feeds, base["page_urls"], base["shards"], fetch_settings, latency))
    for r in results:
        assert r["links"] == base["links"], f"K={r['shards']}: the links differ from K={base['shards']}'s"
        assert r["page_urls"] == base["page_urls"], f"K={r['shards']}: the pages differ from K={base['shards']}'s"
        assert r["statuses"] == base["statuses"], f"K={r['shards']}: {r['statuses']} vs {base['statuses']}"
        ideal = sum(ideal_for(feeds, r["page_urls"], r["shards"], fetch_settings, latency))
        print(
            f"{r['shards']:>2} {r['feeds_s']:>8.1f} {r['collect_s']:>8.1f} {r['pages_s']:>8.1f} {r['total_s']:>8.1f} "
            f"{base['total_s'] / r['total_s']:>7.2f}x {ideal:>8.1f} {ideal_base / ideal:>7.2f}x "
            f"{r['total_s'] / ideal:>7.2f} {len(r['page_urls']):>6} "
            f"{r['rss_mib']:>5.0f} MiB {r['rss_sum_mib']:>7.0f} MiB"
        )
    print(
        f"pages: {dict(base['statuses'])}, the same {len(base['links'])} links and page URLs in every variant "
        f"(per shard at K={results[-1]['shards']}: {results[-1]['per_shard_pages']})"
    )
    print(
        "speedup = K=1 total / K total (same run); ideal x = the same ratio of the ideals; /ideal = total / ideal; "
        "peak RSS = the largest worker's, all workers = the sum of the K workers' peaks"
    )
    assert len(base["page_urls"]) == expected, f"{len(base['page_urls'])} pages fetched, {expected} expected"
    print(f"benchmark wall time {time.monotonic() - bench_started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
