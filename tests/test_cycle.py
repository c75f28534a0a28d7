"""One full hourly cycle over the newsroom, without Airflow: real HTTP, real Parquet, real GX, real spaCy."""

import json
from datetime import timedelta

import pyarrow.dataset as ds
import pytest

from newsflow import storage
from newsflow.cycle import RunContext, run_cycle, summarize
from newsflow.newsroom.content import load_articles
from tests.conftest import HOUR, SEED_TXT

DATASETS = ("articles", "facts", "quarantine", "runs", "fetches")


@pytest.fixture(scope="module")
def first_run(tmp_path_factory, feeds_file):
    from newsflow.config import Settings

    settings = Settings.from_env(data_root=tmp_path_factory.mktemp("cycle") / "data", feeds_file=feeds_file)
    ctx = RunContext.create(HOUR, settings)
    run_cycle(ctx)
    return settings, ctx


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
    assert stages == ["fetch_feeds", "fetch_pages", "extract", "dedup", "validate", "facts", "publish"]
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


def test_rerun_same_hour_gives_same_rows(first_run):
    settings, ctx = first_run
    before = {n: _table(ctx, n) for n in ("articles", "facts", "quarantine")}
    run_cycle(RunContext.create(HOUR, settings))
    after = {n: _table(ctx, n) for n in ("articles", "facts", "quarantine")}
    key = ["article_id", "content_hash", "story_id", "duplicate_of", "body", "title", "published"]
    assert (
        before["articles"].select(key).sort_by("article_id").equals(after["articles"].select(key).sort_by("article_id"))
    )
    fact_key = ["fact_id", "article_id", "fact_type", "text", "start", "end", "value"]
    assert (
        before["facts"].select(fact_key).sort_by("fact_id").equals(after["facts"].select(fact_key).sort_by("fact_id"))
    )
    assert after["quarantine"].num_rows == before["quarantine"].num_rows
    # The whole dataset still holds one copy of each article: the rerun replaced, not appended.
    whole = ds.dataset(ctx.data_root / "articles", partitioning="hive").to_table()
    assert whole.num_rows == before["articles"].num_rows


def test_next_hour_skips_what_was_seen(first_run):
    settings, _ = first_run
    ctx = RunContext.create(HOUR + timedelta(hours=1), settings)
    run_cycle(ctx)
    summary = summarize(ctx.data_root, ctx.logical_hour)
    assert summary["articles"] == 0 and summary["already_seen"] > 40


def test_exact_copy_on_another_url_is_a_content_duplicate(tmp_path, newsroom, feeds_file):
    """Two URLs with the same body: the second keeps its row, flagged as duplicate_of the first."""
    from newsflow import cycle
    from newsflow.config import Settings

    settings = Settings.from_env(data_root=tmp_path / "data", feeds_file=feeds_file)
    ctx = RunContext.create(HOUR, settings)
    cycle.fetch_feeds(ctx)
    links = storage.read_staging(ctx.stage_file("links")).to_pylist()
    page = next(link for link in links if "council-approves" in link["url"])
    copy = {**page, "url": page["url"] + "?print=1", "canonical_url": page["canonical_url"] + "?print=1"}
    import pyarrow as pa

    storage.write_staging(pa.Table.from_pylist([page, copy], schema=cycle.LINKS), ctx.stage_file("links"))
    for stage in ("fetch_pages", "extract", "dedup"):
        cycle.STAGE_FUNCTIONS[stage](ctx)
    rows = storage.read_staging(ctx.stage_file("deduped")).to_pylist()
    originals = [r for r in rows if r["duplicate_of"] is None]
    copies = [r for r in rows if r["duplicate_of"] is not None]
    assert len(originals) == 1 and len(copies) == 1
    assert copies[0]["duplicate_of"] == originals[0]["article_id"] == copies[0]["story_id"]
    assert copies[0]["similarity"] == 1.0


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
    assert fetch_errors <= {"invalid_url", "connection_error", "http_404", "blocked_address"}
    assert _table(ctx, "articles").num_rows >= 10


def test_replay_rederives_an_hour_offline(tmp_path):
    """Fetch an hour once, take the newsroom away, replay from raw/: the same rows come back."""
    from newsflow.config import Settings
    from newsflow.newsroom.feeds import feeds_yaml
    from newsflow.newsroom.server import NewsroomServer, NewsroomState

    server = NewsroomServer(0, NewsroomState(clock=HOUR, slow_seconds=0)).start_background()
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(feeds_yaml(server.base_url))
    settings = Settings.from_env(data_root=tmp_path / "data", feeds_file=feeds)
    try:
        run_cycle(RunContext.create(HOUR, settings))
    finally:
        server.shutdown()
        server.server_close()
    ctx = RunContext.create(HOUR, settings)
    before = {n: _table(ctx, n) for n in ("articles", "facts", "quarantine", "fetches")}
    run_cycle(RunContext.create(HOUR, settings, replay=True))
    after = {n: _table(ctx, n) for n in ("articles", "facts", "quarantine", "fetches")}
    cols = ["article_id", "content_hash", "body", "fetched_at", "raw_ref"]
    assert after["articles"].num_rows >= 40
    assert (
        before["articles"]
        .select(cols)
        .sort_by("article_id")
        .equals(after["articles"].select(cols).sort_by("article_id"))
    )
    assert sorted(before["facts"].column("fact_id").to_pylist()) == sorted(after["facts"].column("fact_id").to_pylist())
    assert after["quarantine"].num_rows == before["quarantine"].num_rows
    assert after["fetches"].num_rows == before["fetches"].num_rows


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

    counts = cycle.fetch_feeds(ctx)
    assert counts["new_links"] == sum(1 for a in load_articles() if a.site == "globe-post")
    fetched = storage.read_staging(ctx.stage_file("fetches-feeds")).column("url").to_pylist()
    assert fetched == [
        f"{newsroom.base_url}/globe-post/sitemap-index.xml",
        f"{newsroom.base_url}/globe-post/news-sitemap.xml",
    ]
