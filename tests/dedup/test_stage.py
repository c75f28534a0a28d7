"""The dedup stage's logic on small in-memory rows: milliseconds, no files, no server."""

from collections.abc import Iterable
from datetime import UTC, datetime

from newsflow.dedup.stage import deduplicate, history_entries
from newsflow.runs import StageRecorder

HOUR = datetime(2026, 11, 25, 10, tzinfo=UTC)


class MemoryHistory:
    """An in-memory :class:`~newsflow.dedup.stage.History`: entries recorded for earlier hours."""

    def __init__(self, entries: dict[str, dict[str, tuple[str, str]]] | None = None) -> None:
        self.entries = entries or {}

    def earlier(self, kind: str, keys: Iterable[str], hour: datetime) -> dict[str, tuple[str, str]]:
        known = self.entries.get(kind, {})
        return {k: known[k] for k in keys if k in known}

    def elsewhere(self, kind: str, keys: Iterable[str], hour: datetime) -> dict[str, tuple[str, str, str]]:
        return {k: (a, s, "2026-11-25T09") for k, (a, s) in self.earlier(kind, keys, hour).items()}


def _row(article_id: str, url: str, digest: str | None, published: datetime | None = None) -> dict:
    return {
        "article_id": article_id,
        "canonical_url": url,
        "content_hash": digest,
        "published": published,
        "story_id": None,
        "duplicate_of": None,
        "similarity": None,
    }


def _rec() -> StageRecorder:
    return StageRecorder("run", HOUR, "dedup")


def test_exact_copy_on_another_url_is_a_content_duplicate_of_the_first():
    rec = _rec()
    first = _row("a", "https://x.test/story", "h1", datetime(2026, 11, 25, 8, tzinfo=UTC))
    copy = _row("b", "https://x.test/story?print=1", "h1", datetime(2026, 11, 25, 9, tzinfo=UTC))
    rows = deduplicate([copy, first], MemoryHistory(), HOUR, rec)
    originals = [r for r in rows if r["duplicate_of"] is None]
    copies = [r for r in rows if r["duplicate_of"] is not None]
    assert [r["article_id"] for r in originals] == ["a"] and [r["article_id"] for r in copies] == ["b"]
    assert copies[0]["duplicate_of"] == originals[0]["article_id"] == copies[0]["story_id"]
    assert copies[0]["similarity"] == 1.0
    assert rec.counts == {"originals": 1, "content_duplicates": 1}


def test_urls_seen_in_earlier_hours_and_repeats_within_the_hour_are_dropped():
    rec = _rec()
    history = MemoryHistory({"url": {"https://x.test/old": ("old", "old")}})
    rows = [
        _row("old", "https://x.test/old", "h0"),
        _row("n", "https://x.test/new", "h2"),
        _row("n", "https://x.test/new", "h2"),
    ]
    kept = deduplicate(rows, history, HOUR, rec)
    assert [r["article_id"] for r in kept] == ["n"] and rec.counts["url_duplicates"] == 2


def test_content_seen_earlier_points_at_the_earlier_story():
    history = MemoryHistory({"content": {"h1": ("orig", "story-1")}})
    (row,) = deduplicate([_row("c", "https://y.test/c", "h1")], history, HOUR, _rec())
    assert (row["duplicate_of"], row["story_id"], row["similarity"]) == ("orig", "story-1", 1.0)


def test_input_rows_are_not_modified():
    row = _row("a", "https://x.test/a", "h1")
    deduplicate([row], MemoryHistory(), HOUR, _rec())
    assert row["story_id"] is None


def test_history_entries_cover_published_and_quarantined_urls_but_only_published_content():
    published = [{**_row("a", "https://x.test/a", "h1"), "story_id": "a"}]
    quarantined = [{"article_id": "q", "canonical_url": "https://x.test/q", "content_hash": "hq"}]
    entries = history_entries(published, quarantined)
    assert entries["url"] == [("https://x.test/a", "a", "a"), ("https://x.test/q", "q", "q")]
    assert entries["content"] == [("h1", "a", "a")]
