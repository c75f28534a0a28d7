from datetime import UTC, datetime

import pyarrow as pa
import pytest

from newsflow.dedup.canonical import canonical_url
from newsflow.dedup.hashing import stable_id
from newsflow.dedup.sightings import sightings
from newsflow.storage import SIGHTINGS

HOUR = datetime(2026, 11, 25, 10, tzinfo=UTC)
PUBLISHED = datetime(2026, 11, 25, 9, 12, tzinfo=UTC)


def link(url: str, feed: str, **extra) -> dict:
    return {"url": url, "feed": feed, "site": "metro-wire", "entry_title": f"{feed} title",
            "entry_published": PUBLISHED, "entry_id": f"{feed}:{url}", **extra}  # fmt: skip


def test_every_feed_that_carried_an_article_is_a_row():
    links = [
        link("https://metro.example/strike?utm_source=rss", "metro-rss"),
        link("https://metro.example/strike", "metro-atom"),
        link("https://m.metro.example/strike", "metro-sitemap"),
        link("https://metro.example/other", "metro-rss"),
    ]
    table = sightings(links, HOUR, "run-1")
    assert table.schema == SIGHTINGS
    assert table.num_rows == 4
    strike = stable_id(canonical_url("https://metro.example/strike"))
    rows = [r for r in table.to_pylist() if r["article_id"] == strike]
    assert sorted(r["feed"] for r in rows) == ["metro-atom", "metro-rss", "metro-sitemap"]
    first = next(r for r in rows if r["feed"] == "metro-rss")
    assert first["entry_url"] == "https://metro.example/strike?utm_source=rss"  # the link as the feed gave it
    assert first["entry_published"] == PUBLISHED and first["logical_hour"] == HOUR
    assert first["entry_title"] == "metro-rss title" and first["run_id"] == "run-1"


def test_redirected_links_count_for_the_article_they_led_to_and_bad_links_are_left_out():
    short = "https://short.example/x1"
    final = stable_id(canonical_url("https://metro.example/strike"))
    links = [link(short, "social"), link("mailto:desk@metro.example", "social"), {"url": None, "feed": "x"}]
    table = sightings(links, HOUR, "run-1", article_ids={canonical_url(short): final})
    assert table.column("article_id").to_pylist() == [final]


def test_an_entry_listed_twice_by_one_feed_counts_once_and_output_is_deterministic():
    links = [
        link("https://metro.example/a", "rss"),
        link("https://metro.example/a", "rss"),
        link("https://b.example/c", "atom"),
    ]
    one, two = sightings(links, HOUR, "r"), sightings(list(reversed(links)), HOUR, "r")
    assert one.num_rows == 2 and one.equals(two)


def test_naive_times_are_utc_and_the_schema_holds_with_no_rows():
    table = sightings([link("https://a.example/1", "f", entry_published=datetime(2026, 11, 25, 8))], HOUR, "r")
    assert table.column("entry_published")[0].as_py() == datetime(2026, 11, 25, 8, tzinfo=UTC)
    empty = sightings([], HOUR, "r")
    assert empty.num_rows == 0 and empty.schema == SIGHTINGS
    assert pa.types.is_timestamp(SIGHTINGS.field("logical_hour").type)
    with pytest.raises(ValueError):
        sightings([], "2026-11-25", "r")  # type: ignore[arg-type]
