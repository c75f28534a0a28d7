"""The conveyor: the one list of an hour's stages, each reading staged input, calling one function of
its capability's package and staging the output. The DAG, the CLI and the tests all read
:data:`STAGES`.

Stages hand each other Parquet files under ``<data>/_staging/<run_id>/`` (so Airflow passes only
a small reference through XCom) and return a :class:`StageReport` of counts. ``publish`` is the only
stage that touches the published datasets; every earlier stage can be rerun freely.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from newsflow import state, storage
from newsflow.context import RunContext
from newsflow.dedup.index import HistoryIndex, belongs_elsewhere
from newsflow.dedup.settings import DedupSettings
from newsflow.dedup.sightings import sightings
from newsflow.dedup.stage import deduplicate
from newsflow.dedup.store import DedupIndex
from newsflow.errors import AllFeedsFailed
from newsflow.failpoints import failpoint
from newsflow.fetch import Fetcher, FetchSettings, HttpFetcher, ReplayFetcher
from newsflow.fetch.shards import shard_of
from newsflow.fetch.state import FetchState, state_path
from newsflow.locks import HourLease
from newsflow.publish import commit_hour, committed_version
from newsflow.runs import StageRecorder
from newsflow.sources.links import join_links
from newsflow.sources.registry import Registry, load_registry
from newsflow.validate.batch import check_schemas, same_hour_history, volume_check
from newsflow.validate.docs import build_data_docs
from newsflow.validate.settings import ValidationSettings
from newsflow.validate.tables import SuiteResult, validate_facts_table

log = logging.getLogger("newsflow")


@dataclass(frozen=True)
class StageReport:
    """What a stage did: its name and counts (also in the hour's ``runs`` rows and the task log)."""

    stage: str
    counts: dict[str, int]


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[RunContext], StageReport]
    # Run once per shard of the hour's hosts (``ctx.for_shard``): Airflow maps its task over them.
    sharded: bool = False

    @property
    def doc(self) -> str:
        return self.run.__doc__ or ""


def _history(ctx: RunContext) -> HistoryIndex:
    return HistoryIndex(state.history_path(ctx.data_root))


def _fetch_settings(ctx: RunContext, registry: Registry) -> FetchSettings:
    return FetchSettings.from_env().with_networks(registry.allow_networks)


def _open_fetcher(ctx: RunContext, settings: FetchSettings, fetch_state: FetchState) -> Fetcher:
    """The network fetcher, or with ``ctx.replay`` the hour's recorded downloads from ``raw/``."""
    if not ctx.replay:
        return HttpFetcher(settings, raw=ctx.raw, robots=fetch_state.robots_cache())
    recorded = storage.read_partition(ctx.data_root, "fetches", ctx.logical_hour)
    if recorded is None:
        raise FileNotFoundError(
            f"no recorded fetches for {ctx.logical_hour:%Y-%m-%dT%H:00}Z under {ctx.data_root}; "
            "run the hour once without --replay"
        )
    return ReplayFetcher(recorded.to_pylist(), ctx.raw)


def _recorder(ctx: RunContext, stage: str) -> StageRecorder:
    return StageRecorder(ctx.run_id, ctx.logical_hour, stage)


def _finish(ctx: RunContext, rec: StageRecorder) -> StageReport:
    name = f"runs-{rec.stage}"
    ctx.save(ctx.sharded(name) if ctx.shard is not None else name, storage.to_table("runs", rec.finish()))
    return StageReport(rec.stage, dict(rec.counts))


# ---------------------------------------------------------------- stages


def fetch_feeds(ctx: RunContext) -> StageReport:
    """Fetch the due feeds of this shard's hosts (conditional GET), keep the raw documents, and stage
    their links and entries."""
    from newsflow.fetch.stage import fetch_feeds as fetch_feed_links

    rec = _recorder(ctx, "fetch_feeds")
    registry = load_registry(ctx.feeds_file)
    settings = _fetch_settings(ctx, registry)
    feeds = shard_of(registry.enabled, lambda f: f.url, ctx.shards, ctx.own_shard)
    if ctx.forced_live:
        rec.count("forced_live")  # a past hour fetched live on request: its content is today's
    state.reconcile(ctx.data_root)
    with FetchState(state_path(ctx.data_root), settings) as fetch_state:
        prior = fetch_state.states([f.url for f in feeds], before=ctx.logical_hour)
        rerun = not ctx.replay and committed_version(ctx.data_root, ctx.logical_hour) is not None
        with _open_fetcher(ctx, settings, fetch_state) as fetcher:
            out = fetch_feed_links(
                feeds,
                prior,
                ctx.logical_hour,
                fetcher,
                settings,
                ctx.run_id,
                rec,
                unconditional=rerun,
                read_raw=ctx.raw.get,
            )
    outcomes = {"feed": out.attempted, "failed": [name in out.failed for name in out.attempted]}
    ctx.save(ctx.sharded("feed-outcomes"), pa.table(outcomes, schema=FEED_OUTCOMES))
    ctx.save(ctx.sharded("links"), pa.Table.from_pylist(out.links, schema=storage.LINKS))
    ctx.save(ctx.sharded("entries"), pa.Table.from_pylist(out.entries, schema=storage.ENTRIES))
    ctx.save(ctx.sharded("fetches-feeds"), storage.to_table("fetches", out.fetches))
    return _finish(ctx, rec)


# Staged per shard by fetch_feeds: which feeds were fetched and which of them failed.
FEED_OUTCOMES = pa.schema([("feed", pa.string()), ("failed", pa.bool_())])


def collect_links(ctx: RunContext) -> StageReport:
    """Join the shards' links: each canonical URL once (the first feed in the registry's order keeps
    it), none whose first version a later hour holds; fail the hour when every feed failed."""
    rec = _recorder(ctx, "collect_links")
    outcomes = ctx.load_shards("feed-outcomes")
    failed = sum(outcomes.column("failed").to_pylist())
    if outcomes.num_rows and failed == outcomes.num_rows:
        shard_runs = ctx.load_shards("runs-fetch_feeds").to_pylist()
        raise AllFeedsFailed(
            f"all {failed} feed(s) fetched for hour {ctx.logical_hour:%Y-%m-%dT%H:00}Z failed, so nothing "
            f"was published and the hour keeps what it had: {_failure_lines(shard_runs)}; check the feeds' URLs in "
            f"{ctx.feeds_file} and the network, then rerun the hour"
        )
    feed_order = [spec.name for spec in load_registry(ctx.feeds_file).enabled]
    unique, repeats = join_links(ctx.load_shards("links").to_pylist(), feed_order)
    rec.count("url_duplicates", repeats)  # the same article in feeds of two shards
    with _history(ctx) as history:
        holders = history.holders([row["canonical_url"] for row in unique], ctx.logical_hour)
    kept = [row for row in unique if not belongs_elsewhere(holders.get(row["canonical_url"]))]
    known = sum(1 for row in kept if row["canonical_url"] in holders)
    rec.count("later_hour", len(unique) - len(kept))  # a later hour holds the article: a backfill
    rec.count("already_seen", known)  # fetched again only if the feed says it was updated (fetch_pages)
    rec.count("new_links", len(kept) - known)
    ctx.save("links", pa.Table.from_pylist(kept, schema=storage.LINKS))
    return _finish(ctx, rec)


def _failure_lines(rows: list[dict]) -> str:
    return "; ".join(f"{r['feed']}: {r['error_class']} ({r['error']})" for r in rows if r["error_class"])[:2000]


def fetch_pages(ctx: RunContext) -> StageReport:
    """Download the pages of this shard's hosts into the raw zone: every new link's (not again a page
    fetched before, under either URL of a redirect, unless its feed entry says it was updated since;
    nor one that failed for good); failures are recorded per URL."""
    from newsflow.fetch.stage import fetch_pages as fetch_link_pages

    rec = _recorder(ctx, "fetch_pages")
    registry = load_registry(ctx.feeds_file)
    settings = _fetch_settings(ctx, registry)
    mine = shard_of(ctx.load("links").to_pylist(), lambda r: str(r["url"]), ctx.shards, ctx.own_shard)
    with FetchState(state_path(ctx.data_root), settings) as fetch_state:
        states, aliases = fetch_state.page_context([str(r["url"]) for r in mine], before=ctx.logical_hour)
        with _open_fetcher(ctx, settings, fetch_state) as fetcher:
            out = fetch_link_pages(
                mine, states, aliases, ctx.logical_hour, fetcher, ctx.run_id, rec, settings.update_interval_hours
            )
    ctx.save(ctx.sharded("pages"), pa.Table.from_pylist(out.pages, schema=storage.PAGES))
    ctx.save(ctx.sharded("fetches-pages"), storage.to_table("fetches", out.fetches))
    return _finish(ctx, rec)


def _pages(ctx: RunContext) -> list[dict]:
    """Every shard's pages, in the order of the hour's links (as one shard would have fetched them)."""
    order = {url: i for i, url in enumerate(ctx.load("links").column("url").to_pylist())}
    return sorted(ctx.load_shards("pages").to_pylist(), key=lambda r: order.get(r["url"], len(order)))


def extract(ctx: RunContext) -> StageReport:
    """Extract body and metadata of every fetched page into article rows; a page that breaks the
    extractor is quarantined with the error."""
    from newsflow.extract.stage import articles_from_pages

    rec = _recorder(ctx, "extract")
    out = articles_from_pages(_pages(ctx), ctx.raw.get, ctx.run_id, rec)
    ctx.save("extracted", storage.to_table("articles", out.articles))
    ctx.save("quarantine-extract", storage.to_table("quarantine", out.quarantine))
    return _finish(ctx, rec)


def validate(ctx: RunContext) -> StageReport:
    """Run the articles suite; failing rows go to quarantine with their reasons."""
    from newsflow.validate.stage import validate_articles

    rec = _recorder(ctx, "validate")
    out = validate_articles(ctx.load("extracted"), ctx.settings().expectations_dir, ctx.run_id, rec)
    ctx.save("valid", out.good)
    ctx.save("quarantine-validate", storage.to_table("quarantine", out.quarantine))
    _save_results(ctx, "articles", out.results)
    return _finish(ctx, rec)


def _save_results(ctx: RunContext, suite: str, results: list[SuiteResult]) -> None:
    """Stage a suite's results for the Data Docs that publish builds."""
    path = ctx.staging / f"validation-{suite}.json"
    storage.atomic_write_bytes(path, json.dumps([r.to_json() for r in results]).encode())


def _load_results(ctx: RunContext) -> list[SuiteResult]:
    return [
        SuiteResult.from_json(item)
        for path in sorted(ctx.staging.glob("validation-*.json"))
        for item in json.loads(path.read_text())
    ]


def dedup(ctx: RunContext) -> StageReport:
    """Mark duplicates among the valid articles against every committed hour; originals are valid rows."""
    rec = _recorder(ctx, "dedup")
    state.reconcile(ctx.data_root)
    stories = DedupIndex(state.stories_path(ctx.data_root), DedupSettings.from_env())
    with _history(ctx) as history:
        out = deduplicate(ctx.load("valid").to_pylist(), history, stories, ctx.logical_hour, rec)
    ctx.save("deduped", storage.to_table("articles", out.rows))
    resolved = {"link": list(out.resolved), "article_id": list(out.resolved.values())}
    ctx.save("resolved", pa.table(resolved, schema=RESOLVED))
    return _finish(ctx, rec)


# Staged by dedup for publish: which article each of the hour's links turned out to be.
RESOLVED = pa.schema([("link", pa.string()), ("article_id", pa.string())])


def _stage_runs(ctx: RunContext, s: Stage) -> pa.Table:
    """The ``runs`` rows a stage staged (every shard's, for a sharded stage; none if it did not run)."""
    names = [f"runs-{s.name}.shard{k}" for k in range(ctx.shards)] if s.sharded else [f"runs-{s.name}"]
    return pa.concat_tables([storage.RUNS.empty_table(), *(ctx.load(n) for n in names if ctx.stage_file(n).exists())])


def _sightings(ctx: RunContext) -> pa.Table:
    """The hour's ``sightings``: every feed entry, pointed at the article it is (this hour's decision,
    else the hour that holds its URL, else the id of its own canonical URL)."""
    entries = ctx.load_shards("entries").to_pylist()
    with _history(ctx) as history:
        holders = history.holders({row["canonical_url"] for row in entries}, ctx.logical_hour)
    article_ids = {url: holder.article_id for url, holder in holders.items()}
    if ctx.stage_file("resolved").exists():
        resolved = ctx.load("resolved")
        links, ids = resolved.column("link").to_pylist(), resolved.column("article_id").to_pylist()
        article_ids.update(zip(links, ids, strict=True))
    return sightings(entries, ctx.logical_hour, ctx.run_id, article_ids)


def facts(ctx: RunContext) -> StageReport:
    """Facts of every valid English original (duplicates share their original's facts); an article
    the model cannot take is published without facts, marked ``failed``, its failure quarantined."""
    from newsflow.facts.stage import fact_rows

    rec = _recorder(ctx, "facts")
    out = fact_rows(ctx.load("deduped").to_pylist(), ctx.run_id, rec)
    articles = storage.to_table("articles", out.articles)
    results: list[SuiteResult] = []
    good, bad = validate_facts_table(
        storage.to_table("facts", out.facts), articles, ctx.settings().expectations_dir, ctx.run_id, results=results
    )
    rec.count("facts_quarantined", len(bad))
    ctx.save("articles", articles)
    ctx.save("facts", good)
    ctx.save("quarantine-facts", storage.to_table("quarantine", [*out.quarantine, *bad]))
    _save_results(ctx, "facts", results)
    return _finish(ctx, rec)


QUARANTINE_PARTS = ("quarantine-extract", "quarantine-validate", "quarantine-facts")


def publish(ctx: RunContext) -> StageReport:
    """Commit every dataset of the hour as one new version (a rerun replaces the hour whole), then
    bring the derived state (dedup history) in line with what was committed."""
    rec = _recorder(ctx, "publish")
    articles = ctx.load("articles")
    quarantine = pa.concat_tables([ctx.load(name) for name in QUARANTINE_PARTS if ctx.stage_file(name).exists()])
    facts_table = ctx.load("facts")
    fetches = pa.concat_tables([ctx.load_shards("fetches-feeds"), ctx.load_shards("fetches-pages")])
    run_tables = [_stage_runs(ctx, s) for s in STAGES if s.name != "publish"]
    rec.count("articles", articles.num_rows)
    rec.count("quarantined", quarantine.num_rows)
    rec.count("facts", facts_table.num_rows)
    checks = ValidationSettings.from_env()
    history = same_hour_history(ctx.data_root, ctx.logical_hour, checks.volume_days)
    warning = volume_check(history, articles.num_rows, checks.volume_threshold, checks.volume_min_points)
    if warning is not None:
        rec.record(**warning.as_record())  # error_class volume_anomaly: for the alerts, not a failure
    sightings_table = _sightings(ctx)
    rec.count("sightings", sightings_table.num_rows)
    runs = pa.concat_tables([*run_tables, storage.to_table("runs", rec.finish())])
    tables = {
        "articles": articles,
        "facts": facts_table,
        "quarantine": quarantine,
        "runs": runs,
        "fetches": fetches,
        "sightings": sightings_table,
    }
    check_schemas(tables, run_id=ctx.run_id, data_root=ctx.data_root)  # a mismatch publishes nothing
    markers = commit_hour(ctx.data_root, ctx.logical_hour, tables, ctx.run_id)
    failpoint("publish.before_state")
    state.reconcile(ctx.data_root)
    failpoint("publish.after_state")
    try:
        build_data_docs(
            ctx.data_root,
            _load_results(ctx),
            logical_hour=ctx.logical_hour,
            suites_dir=ctx.settings().expectations_dir,
            keep_days=checks.data_docs_days,
        )
    except Exception as exc:  # noqa: BLE001 - the Data Docs are a view: never worth failing a committed hour
        log.warning("Data Docs not rebuilt for %s: %s", ctx.logical_hour, exc)
    shutil.rmtree(ctx.staging, ignore_errors=True)
    return StageReport("publish", {name: int(marker["rows"]) for name, marker in markers.items()})


STAGES: tuple[Stage, ...] = (
    Stage("fetch_feeds", fetch_feeds, sharded=True),
    Stage("collect_links", collect_links),
    Stage("fetch_pages", fetch_pages, sharded=True),
    Stage("extract", extract),
    Stage("validate", validate),
    Stage("dedup", dedup),
    Stage("facts", facts),
    Stage("publish", publish),
)
STAGE_NAMES: tuple[str, ...] = tuple(s.name for s in STAGES)


def stage(name: str) -> Stage:
    """The stage called ``name``; the error lists the valid names."""
    for s in STAGES:
        if s.name == name:
            return s
    raise KeyError(f"no stage {name!r}; stages are {', '.join(STAGE_NAMES)}")


def run_stage(ctx: RunContext, s: Stage) -> StageReport:
    """Run one stage under the hour's lease (one run of an hour at a time); the DAG's tasks and
    :func:`run_cycle` both call this."""
    lease = HourLease(ctx.data_root, ctx.logical_hour, ctx.run_id, pid=ctx.lease_pid)
    with lease.hold(shared=s.sharded):
        report = s.run(ctx)
    if s.name == "publish":
        lease.release()
    failpoint(f"stage.after_{s.name}")
    log.info("stage %s: %s", s.name, json.dumps(report.counts, sort_keys=True, default=str))
    return report


def run_cycle(ctx: RunContext, progress: Callable[[int, int, str], None] | None = None) -> StageReport:
    """Run every stage in order for one hour; returns the publish report."""
    report = StageReport("none", {})
    try:
        for i, s in enumerate(STAGES, 1):
            if progress:
                progress(i, len(STAGES), s.name)
            for part in [ctx.for_shard(k) for k in range(ctx.shards)] if s.sharded else [ctx]:
                report = run_stage(part, s)
    except BaseException:
        # The whole run happens here, so when it fails it is over: free the hour for the next run
        # (an Airflow task that fails keeps the lease for its retry instead).
        HourLease(ctx.data_root, ctx.logical_hour, ctx.run_id, pid=ctx.lease_pid).release()
        raise
    return report
