"""Full hourly cycles over the newsroom, without Airflow: real HTTP, real Parquet, real GX, real spaCy.

Stage logic is tested on small in-memory tables beside each capability (tests/dedup, tests/facts…);
here the conveyor is tested whole: what a published hour holds, reruns, replays, broken feeds.
"""

import json
import shutil
from datetime import timedelta

import pyarrow.dataset as ds
import pytest

from newsflow import storage
from newsflow.context import RunContext
from newsflow.cycle import STAGE_NAMES, run_cycle
from newsflow.newsroom.content import load_articles
from newsflow.report import summarize
from tests.conftest import HOUR, SEED_TXT, stage_no_fetches

DATASETS = ("articles", "facts", "quarantine", "runs", "fetches")


@pytest.fixture
def first_run(published_hour):
    return published_hour


def _table(ctx, name):
    return storage.read_partition(ctx.data_root, name, HOUR)


def test_all_datasets_written_with_their_schemas(first_run):
    _, ctx = first_run
    for name in DATASETS:
        table = _table(ctx, name)
        assert table is not None, name
        assert table.schema == storage.SCHEMAS[name]
    assert not ctx.staging.exists()  # staging is cleaned after publish


def test_articles_content(first_run):
    _, ctx = first_run
    articles = _table(ctx, "articles").to_pylist()
    expected = [a for a in load_articles() if a.kind not in ("gone", "video")]
    assert len(articles) == len(expected)
    assert len({a["canonical_url"] for a in articles}) == len(articles)
    assert all("utm_" not in a["canonical_url"] for a in articles)
    seed = next(a for a in articles if a["title"].startswith("North Korea"))
    assert "Update hourly" not in seed["body"] and seed["published"].year == 2019
    seed_paragraphs = [p for p in SEED_TXT.read_text(encoding="utf-8").split("\n\n")[2:] if len(p.split()) > 5]
    assert seed["body"].split("\n\n") == [p.strip() for p in seed_paragraphs]
    assert {a["site"] for a in articles} == {"daily-herald", "metro-wire", "globe-post"}
    assert next(a for a in articles if "harborfront" in a["url"])["is_truncated"]


def test_quarantine_has_video_page_with_reasons(first_run):
    _, ctx = first_run
    rows = _table(ctx, "quarantine").to_pylist()
    assert len(rows) == 1
    assert "video_only_page" in rows[0]["failed_expectations"]
    assert json.loads(rows[0]["row"])["url"].endswith("glacier-collapse-in-swiss-alps")


def test_runs_record_errors_and_stage_counts(first_run):
    _, ctx = first_run
    runs = _table(ctx, "runs").to_pylist()
    stages = [r["stage"] for r in runs if r["feed"] is None and r["url"] is None]
    assert stages == list(STAGE_NAMES)
    assert stages == ["fetch_feeds", "collect_links", "fetch_pages", "extract", "validate", "dedup", "facts", "publish"]
    errors = [r for r in runs if r["error_class"]]
    assert [(r["error_class"], r["url"].rsplit("/", 1)[-1]) for r in errors] == [
        ("http_404", next(a.slug for a in load_articles() if a.kind == "gone"))
    ]
    per_feed = [r for r in runs if r["stage"] == "fetch_feeds" and r["feed"]]
    assert len(per_feed) == 6 and all(json.loads(r["counts"])["entries"] > 0 for r in per_feed)


def test_facts_reference_articles_and_slice_bodies(first_run):
    _, ctx = first_run
    bodies = {a["article_id"]: a["body"] for a in _table(ctx, "articles").to_pylist()}
    facts = _table(ctx, "facts").to_pylist()
    types = {f["fact_type"] for f in facts}
    assert {"entity", "date"} <= types
    for fact in facts:
        assert bodies[fact["article_id"]][fact["start"] : fact["end"]] == fact["text"]
    assert len({f["fact_id"] for f in facts}) == len(facts)


def test_raw_zone_keeps_every_download(first_run):
    _, ctx = first_run
    fetches = _table(ctx, "fetches").to_pylist()
    for row in fetches:
        if row["raw_ref"]:
            assert row["raw_ref"] in ctx.raw
    assert sum(1 for r in fetches if r["kind"] == "feed") == 6


def test_next_hour_skips_what_was_seen(first_run, tmp_path):
    settings, published = first_run
    data = tmp_path / "data"
    shutil.copytree(published.data_root, data, symlinks=True)
    ctx = RunContext.create(
        HOUR + timedelta(hours=1), settings.__class__.from_env(data_root=data, feeds_file=settings.feeds_file)
    )
    run_cycle(ctx)
    summary = summarize(ctx.data_root, ctx.logical_hour)
    assert summary["articles"] == 0
    # Nothing changed: each feed answers 304 to a conditional GET, or is not due yet.
    counts = next(
        json.loads(r["counts"])
        for r in storage.read_partition(ctx.data_root, "runs", ctx.logical_hour).to_pylist()
        if r["stage"] == "fetch_feeds" and r["feed"] is None and r["url"] is None
    )
    assert counts.get("not_modified", 0) + counts.get("not_due", 0) == 6


def test_a_broken_feed_does_not_stop_the_run(tmp_path, newsroom):
    from newsflow.config import Settings

    feeds = tmp_path / "feeds.yaml"
    base = newsroom.base_url
    feeds.write_text(
        "fetch: {allow_networks: [127.0.0.0/8]}\nfeeds:\n"
        f"  - {{name: good, url: '{base}/globe-post/feed.json', site: globe-post}}\n"
        f"  - {{name: broken, url: '{base}/hostile/malformed.xml', site: x}}\n"
        f"  - {{name: down, url: '{base}/errors/500', site: x}}\n"
        f"  - {{name: html, url: '{base}/hostile/html-as-feed.xml', site: x}}\n"
        f"  - {{name: private, url: '{base}/hostile/redirect-private', site: x}}\n"
        f"  - {{name: badlinks, url: '{base}/hostile/bad-links.xml', site: x}}\n"
    )
    ctx = RunContext.create(HOUR, Settings.from_env(data_root=tmp_path / "data", feeds_file=feeds))
    run_cycle(ctx)
    runs = _table(ctx, "runs").to_pylist()
    errors = {r["feed"]: r["error_class"] for r in runs if r["stage"] == "fetch_feeds" and r["error_class"]}
    assert errors["down"] == "http_500" and errors["private"] == "blocked_address"
    assert errors["html"] == "not_a_feed" and errors["broken"] in ("malformed_feed", "not_a_feed")
    link_errors = [r for r in runs if r["feed"] == "badlinks" and r["error_class"] == "invalid_link"]
    assert len(link_errors) >= 3  # javascript:, ftp:, mailto:, the broken IPv6 literal
    fetch_errors = {r["error_class"] for r in runs if r["stage"] == "fetch_pages" and r["error_class"]}
    assert fetch_errors and fetch_errors <= {
        "invalid_url",
        "connection_error",
        "http_404",
        "blocked_address",
        "dns_error",
    }
    assert _table(ctx, "articles").num_rows >= 10


def test_rerun_by_replay_gives_the_same_rows_offline(first_run, newsroom, tmp_path):
    """Rerun the published hour from raw/ without one request to the newsroom: the same rows come
    back, and the rerun replaced the hour instead of adding to it."""
    from newsflow.config import Settings

    settings, published = first_run
    data = tmp_path / "data"
    shutil.copytree(published.data_root, data, symlinks=True)
    ctx = RunContext.create(HOUR, Settings.from_env(data_root=data, feeds_file=settings.feeds_file), replay=True)
    before = {n: _table(ctx, n) for n in ("articles", "facts", "quarantine", "fetches")}
    requests_before = newsroom.state.requests
    run_cycle(ctx)
    assert newsroom.state.requests == requests_before
    after = {n: _table(ctx, n) for n in ("articles", "facts", "quarantine", "fetches")}
    cols = ["article_id", "content_hash", "story_id", "duplicate_of", "body", "title", "published", "fetched_at"]
    assert after["articles"].num_rows >= 40
    assert (
        before["articles"]
        .select(cols)
        .sort_by("article_id")
        .equals(after["articles"].select(cols).sort_by("article_id"))
    )
    fact_key = ["fact_id", "article_id", "fact_type", "text", "start", "end", "value"]
    assert (
        before["facts"].select(fact_key).sort_by("fact_id").equals(after["facts"].select(fact_key).sort_by("fact_id"))
    )
    assert after["quarantine"].num_rows == before["quarantine"].num_rows
    assert after["fetches"].num_rows == before["fetches"].num_rows
    whole = ds.dataset(data / "articles", partitioning="hive").to_table()
    assert whole.num_rows == before["articles"].num_rows


def test_replay_without_a_recording_says_what_to_do(tmp_path, feeds_file):
    from newsflow.config import Settings

    ctx = RunContext.create(HOUR, Settings.from_env(data_root=tmp_path, feeds_file=feeds_file), replay=True)
    with pytest.raises(FileNotFoundError, match="without --replay"):
        run_cycle(ctx)


def test_sitemap_index_is_followed_one_level(tmp_path, newsroom):
    from newsflow.config import Settings

    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        "fetch: {allow_networks: [127.0.0.0/8]}\nfeeds:\n"
        f"  - {{name: index, url: '{newsroom.base_url}/globe-post/sitemap-index.xml', site: globe-post}}\n"
    )
    ctx = RunContext.create(HOUR, Settings.from_env(data_root=tmp_path / "data", feeds_file=feeds))
    from newsflow import cycle

    cycle.fetch_feeds(ctx.for_shard(0))
    counts = cycle.collect_links(ctx).counts
    assert counts["new_links"] == sum(1 for a in load_articles() if a.site == "globe-post")
    fetched = ctx.load("fetches-feeds.shard0").column("url").to_pylist()
    assert fetched == [
        f"{newsroom.base_url}/globe-post/sitemap-index.xml",
        f"{newsroom.base_url}/globe-post/news-sitemap.xml",
    ]


def test_a_quarantined_first_copy_leaves_the_valid_copy_as_the_published_original(tmp_path, feeds_file):
    """Validation runs before dedup: the original of a story is chosen among rows that pass, so the
    valid copy is published as the original and gets its facts."""
    from newsflow.config import Settings
    from newsflow.cycle import stage
    from newsflow.dedup.hashing import content_hash

    body = (
        "Harbor officials said on Tuesday that the city will spend $40 million to rebuild the north pier. "
        "The work will employ 120 people and finish in March, the port authority said in a statement. "
    ) * 4
    digest = content_hash(body)

    def article(article_id: str, title: str | None, hour: int) -> dict:
        return {
            "article_id": article_id,
            "url": f"https://news.test/{article_id}",
            "canonical_url": f"https://news.test/{article_id}",
            "title": title,
            "body": body,
            "body_source": "trafilatura",
            "word_count": len(body.split()),
            "published": HOUR.replace(hour=hour),
            "language": "en",
            "content_hash": digest,
            "version": 1,
            "run_id": "r",
        }

    ctx = RunContext.create(HOUR, Settings.from_env(data_root=tmp_path / "data", feeds_file=feeds_file))
    first_copy = article("first", None, 7)  # earlier, but no title: quarantined
    second_copy = article("second", "Port to rebuild north pier", 8)
    ctx.save("extracted", storage.to_table("articles", [first_copy, second_copy]))
    stage_no_fetches(ctx)
    for name in ("validate", "dedup", "facts", "publish"):
        stage(name).run(ctx)
    articles = _table(ctx, "articles").to_pylist()
    assert [(a["article_id"], a["duplicate_of"], a["story_id"]) for a in articles] == [("second", None, "second")]
    assert [q["record_id"] for q in _table(ctx, "quarantine").to_pylist()] == ["first"]
    facts = _table(ctx, "facts").to_pylist()
    assert facts and {f["article_id"] for f in facts} == {"second"}


def test_the_story_syndicated_on_three_sites_is_one_story(first_run):
    """The newsroom's wire story runs on all three sites with different clutter, headlines and trims:
    one original, two copies pointing at it, one story id."""
    _, ctx = first_run
    articles = _table(ctx, "articles").to_pylist()
    slugs = {a.slug for a in load_articles() if a.kind == "syndicated"} | {
        a.slug for a in load_articles() if "port" in a.slug and "strike" in a.slug
    }
    copies = [a for a in articles if any(a["url"].rstrip("/").endswith(slug) for slug in slugs)]
    assert len(copies) >= 3, [a["url"] for a in copies]
    story_ids = {a["story_id"] for a in copies}
    assert len(story_ids) == 1
    originals = [a for a in copies if a["duplicate_of"] is None]
    assert len(originals) == 1 and originals[0]["article_id"] in story_ids
    assert all(a["similarity"] >= 0.5 for a in copies if a["duplicate_of"] is not None)


def test_sharded_fetching_publishes_what_one_shard_does(three_hosts_feeds, tmp_path):
    """Three shards (one host each, as the DAG maps them) publish exactly what one process does."""
    from dataclasses import replace

    from newsflow.config import Settings
    from newsflow.cycle import STAGES, run_stage
    from tests.reliability.conftest import content_of

    published = {}
    for shards in (1, 3):
        settings = Settings.from_env(data_root=tmp_path / f"data-{shards}", feeds_file=three_hosts_feeds)
        ctx = replace(RunContext.create(HOUR, settings), shards=shards)
        for stage in STAGES:  # as run_cycle does, looking at the shards' staged fetches on the way
            if stage.name == "extract" and shards == 3:
                for kind in ("feeds", "pages"):  # each shard fetched from one host, a host no other shard touched
                    hosts = [
                        {u.split("/")[2] for u in ctx.load(f"fetches-{kind}.shard{k}").column("url").to_pylist()}
                        for k in range(3)
                    ]
                    assert [len(h) for h in hosts] == [1, 1, 1] and len(set.union(*hosts)) == 3, (kind, hosts)
            for part in [ctx.for_shard(k) for k in range(shards)] if stage.sharded else [ctx]:
                run_stage(part, stage)
        published[shards] = content_of(settings.data_root, HOUR)
        runs = _table(ctx, "runs").to_pylist()
        fetch_rows = [r for r in runs if r["stage"] == "fetch_feeds" and r["feed"] is None and r["url"] is None]
        assert len(fetch_rows) == shards  # one summary row per shard
    assert published[1] == published[3] and len(published[1]["articles"]) >= 40
