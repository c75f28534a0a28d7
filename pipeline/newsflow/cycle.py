"""One hourly cycle as a sequence of stage calls: the DAG and the CLI both run exactly these.

Each stage reads its input from, and writes its output to, staged Parquet files under
``<data>/_staging/<run_id>/`` and returns a small dict of counts, so Airflow passes only
references through XCom. ``publish`` is the only stage that touches the published datasets,
and it replaces the hour's partitions atomically; every earlier stage can be rerun freely.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from newsflow import storage
from newsflow.config import Settings
from newsflow.dedup.canonical import canonical_url
from newsflow.dedup.hashing import content_hash, stable_id
from newsflow.dedup.index import HistoryIndex
from newsflow.fetch import Fetcher
from newsflow.fetch.replay import ReplayFetcher
from newsflow.raw import RawStore
from newsflow.runs import StageRecorder, progress_logger
from newsflow.sources.parse import parse_feed
from newsflow.sources.registry import load_registry

log = logging.getLogger("newsflow")

LINKS = pa.schema(
    [
        ("url", pa.string()),
        ("canonical_url", pa.string()),
        ("feed", pa.string()),
        ("site", pa.string()),
        ("entry_title", pa.string()),
        ("entry_published", storage.TS),
        ("entry_id", pa.string()),
    ]
)
PAGES = pa.schema(
    [
        *LINKS,
        ("final_url", pa.string()),
        ("status", pa.int32()),
        ("raw_ref", pa.string()),
        ("fetched_at", storage.TS),
        ("error_class", pa.string()),
    ]
)
STAGES = ("fetch_feeds", "fetch_pages", "extract", "dedup", "validate", "facts", "publish")


def floor_hour(when: datetime) -> datetime:
    """The UTC hour a logical date belongs to (naive datetimes are taken as UTC)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def parse_logical_date(text: str) -> datetime:
    try:
        return floor_hour(datetime.fromisoformat(text.strip().replace("Z", "+00:00")))
    except ValueError as exc:
        raise ValueError(f"--logical-date {text!r} is not ISO 8601; write e.g. 2026-11-25T10:00") from exc


@dataclass(frozen=True)
class RunContext:
    """Everything a stage needs to find its inputs; JSON-serialisable for XCom."""

    logical_hour: datetime
    run_id: str
    data_root: Path
    feeds_file: Path
    replay: bool = False  # answer fetches from the hour's recorded downloads, not the network

    @classmethod
    def create(
        cls, logical_date: datetime, settings: Settings, run_id: str | None = None, replay: bool = False
    ) -> RunContext:
        hour = floor_hour(logical_date)
        return cls(
            logical_hour=hour,
            run_id=run_id or f"cli__{hour:%Y-%m-%dT%H}__{datetime.now(UTC):%Y%m%dT%H%M%S%f}",
            data_root=Path(settings.data_root).resolve(),
            feeds_file=Path(settings.feeds_file).resolve(),
            replay=replay,
        )

    def to_ref(self) -> dict:
        return {
            "logical_hour": self.logical_hour.isoformat(),
            "run_id": self.run_id,
            "data_root": str(self.data_root),
            "feeds_file": str(self.feeds_file),
            "replay": self.replay,
        }

    @classmethod
    def from_ref(cls, ref: dict) -> RunContext:
        return cls(
            logical_hour=datetime.fromisoformat(ref["logical_hour"]),
            run_id=ref["run_id"],
            data_root=Path(ref["data_root"]),
            feeds_file=Path(ref["feeds_file"]),
            replay=bool(ref.get("replay", False)),
        )

    @property
    def staging(self) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.run_id)
        return self.data_root / "_staging" / safe

    def stage_file(self, name: str) -> Path:
        return self.staging / f"{name}.parquet"

    @property
    def raw(self) -> RawStore:
        return RawStore(self.data_root / "raw")

    def history(self) -> HistoryIndex:
        return HistoryIndex(self.data_root / "state" / "dedup.sqlite")


def _settings_for(ctx: RunContext) -> Settings:
    return Settings.from_env(data_root=ctx.data_root, feeds_file=ctx.feeds_file)


def _open_fetcher(ctx: RunContext, registry) -> Fetcher | ReplayFetcher:
    """The network fetcher, or with ``ctx.replay`` the hour's recorded downloads from ``raw/``."""
    if not ctx.replay:
        return Fetcher(_settings_for(ctx), registry.allow_networks)
    recorded = storage.read_partition(ctx.data_root, "fetches", ctx.logical_hour)
    if recorded is None:
        raise FileNotFoundError(
            f"no recorded fetches for {ctx.logical_hour:%Y-%m-%dT%H:00}Z under {ctx.data_root}; "
            "run the hour once without --replay"
        )
    return ReplayFetcher(recorded.to_pylist(), ctx.raw)


def _save(ctx: RunContext, name: str, table: pa.Table) -> None:
    storage.write_staging(table, ctx.stage_file(name))


def _load(ctx: RunContext, name: str) -> pa.Table:
    path = ctx.stage_file(name)
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run the stage that writes {name!r} for run {ctx.run_id} first")
    return storage.read_staging(path)


def _save_runs(ctx: RunContext, recorder: StageRecorder) -> dict:
    _save(ctx, f"runs-{recorder.stage}", storage.to_table("runs", recorder.finish()))
    return dict(recorder.counts)


def _keep_fetch(ctx: RunContext, res, kind: str, feed: str | None) -> dict:
    """Store a response's body in the raw zone and return its ``fetches`` row (with the raw ref)."""
    return {
        "url": res.url,
        "final_url": res.final_url,
        "feed": feed,
        "kind": kind,
        "status": res.status,
        "etag": res.headers.get("etag"),
        "last_modified": res.headers.get("last-modified"),
        "content_type": res.content_type,
        "bytes": len(res.body),
        "seconds": res.seconds,
        "error_class": res.error_class,
        "error": res.error,
        "raw_ref": ctx.raw.put(res.body) if res.body else None,
        "fetched_at": res.fetched_at,
        "run_id": ctx.run_id,
    }


def _record_failure(rec: StageRecorder, res, feed: str, error_class: str | None, error: str | None) -> None:
    rec.record(feed=feed, url=res.url, seconds=res.seconds, nbytes=len(res.body), error_class=error_class, error=error)


# ---------------------------------------------------------------- stages


FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.8"
SITEMAP_CHILDREN_MAX = 50


def fetch_feeds(ctx: RunContext) -> dict:
    """Fetch every enabled feed, keep the raw documents, and stage the links not seen before."""
    rec = StageRecorder(ctx.run_id, ctx.logical_hour, "fetch_feeds")
    registry = load_registry(ctx.feeds_file)
    fetch_rows: list[dict] = []
    links: list[dict] = []
    seen_in_run: set[str] = set()
    feeds = registry.enabled
    with _open_fetcher(ctx, registry) as fetcher:
        for spec, res in zip(feeds, fetcher.fetch_many([f.url for f in feeds], accept=FEED_ACCEPT), strict=True):
            rec.count("feeds")
            fetch_rows.append(_keep_fetch(ctx, res, "feed", spec.name))
            if not res.ok:
                _record_failure(rec, res, spec.name, res.error_class or f"http_{res.status}", res.error)
                continue
            parsed = parse_feed(res.body, res.final_url or spec.url, res.content_type)
            # A sitemap index lists child sitemaps: follow them one level down.
            for child in fetcher.fetch_many(parsed.children[:SITEMAP_CHILDREN_MAX], accept=FEED_ACCEPT):
                fetch_rows.append(_keep_fetch(ctx, child, "feed", spec.name))
                child_parsed = (
                    parse_feed(child.body, child.final_url or child.url, child.content_type) if child.ok else None
                )
                if child_parsed is None or child_parsed.error_class:
                    error_class = child.error_class if child_parsed is None else child_parsed.error_class
                    _record_failure(rec, child, spec.name, error_class, child.error or child_parsed.error)
                else:
                    parsed.entries.extend(child_parsed.entries)
            if parsed.error_class:
                _record_failure(rec, res, spec.name, parsed.error_class, parsed.error)
                continue
            new = _collect_links(rec, spec, parsed.entries, seen_in_run, links)
            rec.count("entries", len(parsed.entries))
            rec.record(
                feed=spec.name,
                url=spec.url,
                seconds=res.seconds,
                nbytes=len(res.body),
                counts={"entries": len(parsed.entries), "links": new, "format": parsed.format or "?"},
            )
    with ctx.history() as history:
        earlier = history.earlier("url", [row["canonical_url"] for row in links], ctx.logical_hour)
    fresh = [row for row in links if row["canonical_url"] not in earlier]
    rec.count("already_seen", len(links) - len(fresh))
    rec.count("new_links", len(fresh))
    _save(ctx, "links", pa.Table.from_pylist(fresh, schema=LINKS))
    _save(ctx, "fetches-feeds", storage.to_table("fetches", fetch_rows))
    return _save_runs(ctx, rec)


def _collect_links(rec: StageRecorder, spec, entries, seen_in_run: set[str], links: list[dict]) -> int:
    """Append the entries' links not yet seen in this run; returns how many were new."""
    new = 0
    for entry in entries:
        try:
            canon = canonical_url(entry.link)
            if not canon.startswith(("http://", "https://")):
                raise ValueError("not an http(s) URL")
        except ValueError as exc:
            rec.count("invalid_links")
            rec.record(feed=spec.name, url=entry.link[:2000], error_class="invalid_link", error=str(exc))
            continue
        if canon in seen_in_run:
            rec.count("url_duplicates")
            continue
        seen_in_run.add(canon)
        new += 1
        links.append(
            {
                "url": entry.link,
                "canonical_url": canon,
                "feed": spec.name,
                "site": spec.site,
                "entry_title": entry.title,
                "entry_published": entry.published,
                "entry_id": entry.id,
            }
        )
    return new


def fetch_pages(ctx: RunContext) -> dict:
    """Download every new link's page into the raw zone; failures are recorded per URL."""
    rec = StageRecorder(ctx.run_id, ctx.logical_hour, "fetch_pages")
    links = _load(ctx, "links").to_pylist()
    registry = load_registry(ctx.feeds_file)
    pages: list[dict] = []
    fetch_rows: list[dict] = []
    with _open_fetcher(ctx, registry) as fetcher:
        results = fetcher.fetch_many(
            [row["url"] for row in links],
            accept="text/html,application/xhtml+xml",
            progress=progress_logger("fetch_pages", len(links), "pages"),
        )
    for link, res in zip(links, results, strict=True):
        row = _keep_fetch(ctx, res, "page", link["feed"])
        fetch_rows.append(row)
        rec.count("pages")
        rec.count("bytes", len(res.body))
        if res.ok:
            rec.count("ok")
        else:
            _record_failure(rec, res, link["feed"], res.error_class or f"http_{res.status}", res.error)
        pages.append(
            {
                **link,
                "final_url": res.final_url,
                "status": res.status,
                "raw_ref": row["raw_ref"] if res.ok else None,
                "fetched_at": res.fetched_at,
                "error_class": res.error_class,
            }
        )
    _save(ctx, "pages", pa.Table.from_pylist(pages, schema=PAGES))
    _save(ctx, "fetches-pages", storage.to_table("fetches", fetch_rows))
    return _save_runs(ctx, rec)


def extract(ctx: RunContext) -> dict:
    """Extract body and metadata of every fetched page into article rows."""
    from newsflow.extract import extract_html

    rec = StageRecorder(ctx.run_id, ctx.logical_hour, "extract")
    raw = ctx.raw
    articles: list[dict] = []
    pages = _load(ctx, "pages").to_pylist()
    tick = progress_logger("extract", len(pages), "pages")
    for page in pages:
        tick()
        if not page["raw_ref"]:
            continue
        try:
            ex = extract_html(raw.get(page["raw_ref"]), page["final_url"] or page["url"])
        except Exception as exc:  # noqa: BLE001 - one bad page never stops the run
            rec.record(
                feed=page["feed"], url=page["url"], error_class="extract_failed", error=f"{type(exc).__name__}: {exc}"
            )
            continue
        published, published_source = ex.published, ex.published_source
        if published is None and page["entry_published"] is not None:
            published, published_source = page["entry_published"], "feed"
        canon = canonical_url(page["final_url"] or page["url"])
        rec.count("articles")
        if not ex.body:
            rec.count("empty_body")
        articles.append(
            {
                "article_id": stable_id(canon),
                "url": page["url"],
                "canonical_url": canon,
                "feed": page["feed"],
                "site": page["site"],
                "title": ex.title or page["entry_title"],
                "authors": ex.authors,
                "published": published,
                "published_source": published_source,
                "updated": ex.updated,
                "language": ex.language,
                "body": ex.body or None,
                "body_source": ex.body_source,
                "is_truncated": ex.is_truncated,
                "word_count": ex.word_count,
                "content_hash": content_hash(ex.body) if ex.body else None,
                "story_id": None,
                "duplicate_of": None,
                "similarity": None,
                "version": 1,
                "fetched_at": page["fetched_at"],
                "raw_ref": page["raw_ref"],
                "run_id": ctx.run_id,
            }
        )
    _save(ctx, "extracted", storage.to_table("articles", articles))
    return _save_runs(ctx, rec)


def dedup(ctx: RunContext) -> dict:
    """Mark exact duplicates (same canonical URL after redirects, or same content) across all history.

    The first article with a given content is the story's original; later ones keep their row but
    carry ``duplicate_of`` and the original's ``story_id``. Near-duplicates are later work (MinHash).
    """
    rec = StageRecorder(ctx.run_id, ctx.logical_hour, "dedup")
    rows = _load(ctx, "extracted").to_pylist()
    # Deterministic order: earliest published first, then id, so reruns pick the same originals.
    far_future = datetime.max.replace(tzinfo=UTC)
    rows.sort(key=lambda r: (r["published"] or far_future, r["article_id"]))
    with ctx.history() as history:
        earlier_urls = history.earlier("url", [r["canonical_url"] for r in rows], ctx.logical_hour)
        earlier_content = history.earlier(
            "content", [r["content_hash"] for r in rows if r["content_hash"]], ctx.logical_hour
        )
    kept: list[dict] = []
    ids_in_run: set[str] = set()
    content_in_run: dict[str, tuple[str, str]] = {}
    for row in rows:
        if row["canonical_url"] in earlier_urls or row["article_id"] in ids_in_run:
            rec.count("url_duplicates")  # a redirect led to a URL we already have
            continue
        ids_in_run.add(row["article_id"])
        digest = row["content_hash"]
        original = (earlier_content.get(digest) or content_in_run.get(digest)) if digest else None
        if original:
            row["duplicate_of"], row["story_id"], row["similarity"] = original[0], original[1], 1.0
            rec.count("content_duplicates")
        else:
            row["story_id"] = row["article_id"]
            if digest:
                content_in_run[digest] = (row["article_id"], row["story_id"])
            rec.count("originals")
        kept.append(row)
    _save(ctx, "deduped", storage.to_table("articles", kept))
    return _save_runs(ctx, rec)


def validate(ctx: RunContext) -> dict:
    """Run the articles suite; failing rows go to quarantine with their reasons."""
    from newsflow.validate import validate_table

    rec = StageRecorder(ctx.run_id, ctx.logical_hour, "validate")
    outcome = validate_table("articles", _load(ctx, "deduped"), id_column="article_id")
    quarantine = [{"dataset": "articles", "run_id": ctx.run_id, **q} for q in outcome.quarantined]
    for q in outcome.quarantined:
        for reason in q["failed_expectations"]:
            rec.count(f"failed.{reason}")
    rec.count("valid", outcome.good.num_rows)
    rec.count("quarantined", len(quarantine))
    rec.count("expectations", outcome.expectations_run)
    _save(ctx, "valid", outcome.good)
    _save(ctx, "quarantine", storage.to_table("quarantine", quarantine))
    return _save_runs(ctx, rec)


def facts(ctx: RunContext) -> dict:
    """Facts of every valid English original (duplicates share their original's facts)."""
    from newsflow.facts import extract_facts_many
    from newsflow.facts.core import extractor_version

    rec = StageRecorder(ctx.run_id, ctx.logical_hour, "facts")
    articles = [a for a in _load(ctx, "valid").to_pylist() if a["duplicate_of"] is None]
    english = [a for a in articles if (a["language"] or "en") == "en"]
    rec.count("skipped_language", len(articles) - len(english))
    rows: list[dict] = []
    if english:
        version = extractor_version()
        results = extract_facts_many((a["body"], a["published"].date() if a["published"] else None) for a in english)
        for article, found in zip(english, results, strict=True):
            for fact in found:
                rec.count(f"type.{fact.fact_type}")
                rows.append(
                    {
                        **{k: v for k, v in asdict(fact).items() if k != "extractor"},
                        "article_id": article["article_id"],
                        "fact_id": stable_id(article["article_id"], fact.fact_type, str(fact.start), str(fact.end)),
                        "extractor": fact.extractor,
                        "extractor_version": version,
                        "confidence": None,
                        "run_id": ctx.run_id,
                    }
                )
    rec.count("articles", len(english))
    rec.count("facts", len(rows))
    _save(ctx, "facts", storage.to_table("facts", rows))
    return _save_runs(ctx, rec)


def publish(ctx: RunContext) -> dict:
    """Replace the hour's partitions of every dataset, then remember what this hour saw."""
    rec = StageRecorder(ctx.run_id, ctx.logical_hour, "publish")
    articles = _load(ctx, "valid")
    quarantine = _load(ctx, "quarantine")
    facts_table = _load(ctx, "facts")
    deduped = _load(ctx, "deduped").to_pylist()
    fetches = pa.concat_tables([_load(ctx, "fetches-feeds"), _load(ctx, "fetches-pages")])
    run_tables = [_load(ctx, f"runs-{stage}") for stage in STAGES if ctx.stage_file(f"runs-{stage}").exists()]
    rec.count("articles", articles.num_rows)
    rec.count("quarantined", quarantine.num_rows)
    rec.count("facts", facts_table.num_rows)
    publish_rows = rec.finish()
    runs = pa.concat_tables([*run_tables, storage.to_table("runs", publish_rows)])
    tables = {
        "articles": articles,
        "facts": facts_table,
        "quarantine": quarantine,
        "runs": runs,
        "fetches": fetches,
    }
    markers = storage.publish_partitions(ctx.data_root, ctx.logical_hour, tables, ctx.run_id)
    # Everything this hour decided about (valid or quarantined) counts as seen from the next hour on.
    with ctx.history() as history:
        history.record("url", [(r["canonical_url"], r["article_id"], r["story_id"]) for r in deduped], ctx.logical_hour)
        history.record(
            "content",
            [
                (r["content_hash"], r["duplicate_of"] or r["article_id"], r["story_id"])
                for r in deduped
                if r["content_hash"]
            ],
            ctx.logical_hour,
        )
    shutil.rmtree(ctx.staging, ignore_errors=True)
    return {name: marker["rows"] for name, marker in markers.items()}


STAGE_FUNCTIONS = {
    "fetch_feeds": fetch_feeds,
    "fetch_pages": fetch_pages,
    "extract": extract,
    "dedup": dedup,
    "validate": validate,
    "facts": facts,
    "publish": publish,
}


def run_cycle(ctx: RunContext, progress=None) -> dict:
    """Run every stage in order for one hour; returns the publish counts."""
    result: dict = {}
    for name in STAGES:
        if progress:
            progress(name)
        result = STAGE_FUNCTIONS[name](ctx)
        log.info("stage %s: %s", name, json.dumps(result, sort_keys=True, default=str))
    return result


def summarize(data_root: Path, logical_hour: datetime) -> dict:
    """What the published hour holds: the demo's and the CLI's summary."""
    hour = floor_hour(logical_hour)
    out: dict = {"logical_hour": hour.isoformat(), "data_root": str(Path(data_root).resolve())}
    tables = {
        name: storage.read_partition(data_root, name, hour) for name in ("articles", "facts", "quarantine", "runs")
    }
    missing = [name for name, table in tables.items() if table is None]
    if missing:
        raise FileNotFoundError(
            f"no complete partition for {', '.join(missing)} at {hour:%Y-%m-%dT%H:00}Z under {data_root}; "
            "run `newsflow run --logical-date ...` for that hour first"
        )
    articles = tables["articles"].to_pylist()
    runs = tables["runs"].to_pylist()
    stage_counts = {r["stage"]: json.loads(r["counts"] or "{}") for r in runs if r["feed"] is None and r["url"] is None}
    out["articles"] = len(articles)
    out["originals"] = sum(1 for a in articles if a["duplicate_of"] is None)
    out["content_duplicates"] = sum(1 for a in articles if a["duplicate_of"] is not None)
    out["url_duplicates"] = stage_counts.get("fetch_feeds", {}).get("url_duplicates", 0) + stage_counts.get(
        "dedup", {}
    ).get("url_duplicates", 0)
    out["duplicates"] = out["content_duplicates"] + out["url_duplicates"]
    out["already_seen"] = stage_counts.get("fetch_feeds", {}).get("already_seen", 0)
    out["quarantined"] = tables["quarantine"].num_rows
    out["quarantine_reasons"] = dict(
        Counter(r for q in tables["quarantine"].to_pylist() for r in q["failed_expectations"])
    )
    out["facts"] = tables["facts"].num_rows
    out["facts_by_type"] = dict(sorted(Counter(tables["facts"].column("fact_type").to_pylist()).items()))
    errors = [r for r in runs if r["error_class"]]
    out["errors"] = dict(Counter(r["error_class"] for r in errors))
    out["seconds"] = round(sum(r["seconds"] or 0 for r in runs if r["feed"] is None and r["url"] is None), 2)
    out["partitions"] = {name: str(storage.partition_dir(Path(data_root).resolve(), name, hour)) for name in tables}
    return out
